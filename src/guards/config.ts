/**
 * The `guards` and `outputPolicy` sections of the config: how untrusted text is marked and screened before a model
 * sees it, and which rules every final answer and outgoing side-effect payload must pass.
 */
import { z } from 'zod';

/** What an input guard does with a text its detectors flag. */
export const InputGuardAction = z.enum(['block', 'quarantine', 'flag']);
export type InputGuardAction = z.infer<typeof InputGuardAction>;

/** What an output rule does with an answer or payload that breaks it. */
export const OutputRuleAction = z.enum(['block', 'redact', 'flag']);
export type OutputRuleAction = z.infer<typeof OutputRuleAction>;

export const ClassifierConfig = z
  .object({
    /** A declared model (`models[].name`) served by an OpenAI-compatible endpoint, e.g. a Prompt Guard style classifier. */
    model: z.string().min(1),
    /** Score from which a text counts as an injection. */
    threshold: z.number().min(0).max(1).default(0.5),
    /** Milliseconds before a classifier call is given up (the text then passes on the other detectors, with an event). */
    timeoutMs: z.number().int().positive().default(5000),
  })
  .strict();
export type ClassifierConfig = z.infer<typeof ClassifierConfig>;

export const GuardsConfig = z
  .object({
    /** All input guards, spotlighting and the canary; off, untrusted text reaches models only wrapped as before. */
    enabled: z.boolean().default(true),
    spotlight: z
      .object({
        /** Interleave a marker character between the words of untrusted text (datamarking), beside the boundaries. */
        datamark: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    /** A per-run secret token in every system prompt; seen in a model's output or tool arguments, it blocks. */
    canary: z.boolean().default(true),
    /** Built-in detectors of known injection phrasings (many languages, normalised). */
    heuristics: z.boolean().default(true),
    classifier: ClassifierConfig.optional(),
    /** The run's goal. */
    goal: InputGuardAction.default('block'),
    /** Files given with the run. */
    attachments: InputGuardAction.default('quarantine'),
    /** Tool results: pages, web search results, connector and MCP results. */
    tools: InputGuardAction.default('quarantine'),
    /** Knowledge-base passages. */
    knowledge: InputGuardAction.default('quarantine'),
  })
  .strict();
export type GuardsConfig = z.infer<typeof GuardsConfig>;

const RuleMatch = z
  .object({
    /** Shown in the audit log and in errors. */
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'letters, digits, dot, dash or underscore'),
    /** A phrase, matched case-insensitively on normalised text. */
    phrase: z.string().min(1).optional(),
    /** A regular expression source. */
    pattern: z.string().min(1).optional(),
    /** A topic: any of its keywords (whole words, case-insensitive) counts. */
    topic: z.array(z.string().min(1)).min(1).optional(),
    action: OutputRuleAction.default('block'),
    /** Where the rule applies. */
    applies: z.array(z.enum(['answer', 'side-effect'])).min(1).default(['answer', 'side-effect']),
  })
  .strict()
  .superRefine((rule, context) => {
    const given = [rule.phrase, rule.pattern, rule.topic].filter((value) => value !== undefined).length;
    if (given !== 1) context.addIssue({ code: 'custom', message: `rule "${rule.name}": give exactly one of phrase, pattern or topic` });
    if (rule.pattern !== undefined) {
      try {
        // A pattern that matches nothing at all (`(INT-\d+)?`) would match everywhere: a redact rule would rewrite every text.
        if (new RegExp(rule.pattern, 'iu').test('')) context.addIssue({ code: 'custom', path: ['pattern'], message: `rule "${rule.name}": the pattern matches an empty text, so it would match everywhere; make its parts required` });
      } catch (error) {
        context.addIssue({ code: 'custom', path: ['pattern'], message: `rule "${rule.name}": not a valid regular expression (${(error as Error).message})` });
      }
    }
  });
export type OutputRule = z.infer<typeof RuleMatch>;

export const OutputPolicyConfig = z
  .object({
    /** Personal data (the confidentiality detectors of kind `personal`) in answers and payloads. Off by default. */
    personal: z
      .object({
        action: OutputRuleAction.default('redact'),
        applies: z.array(z.enum(['answer', 'side-effect'])).min(1).default(['answer']),
      })
      .strict()
      .optional(),
    rules: z.array(RuleMatch).default([]),
    /** A text every final answer must carry: `append` adds it when missing; `block`/`flag` act when it is missing. */
    disclaimer: z
      .object({
        text: z.string().min(1),
        action: z.enum(['append', 'block', 'flag']).default('append'),
      })
      .strict()
      .optional(),
    /** The longest final answer, in characters: `redact` cuts it there, `block` refuses it, `flag` records it. */
    maxLength: z
      .object({
        chars: z.number().int().positive(),
        action: OutputRuleAction.default('block'),
      })
      .strict()
      .optional(),
  })
  .strict();
export type OutputPolicyConfig = z.infer<typeof OutputPolicyConfig>;

export const RedactConfig = z
  .object({
    /** Also replace personal data (e-mail addresses, phone numbers, card numbers, IBANs...) in stored transcripts. */
    personal: z.boolean().default(false),
  })
  .strict();
