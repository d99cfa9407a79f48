/**
 * The project config file (`baton.config.yaml`): models, flow, limits, folders. Every field has a default, so a
 * project with no config file runs the built-in Planner → Researcher → Checker flow on the offline engine.
 */
import { z } from 'zod';
import { parseHostName } from '../net/host-name.js';
import { FetchPolicy } from '../net/policy.js';
import { DetectorConfig } from '../routing/detectors.js';
import { GuardsConfig, OutputPolicyConfig, RedactConfig } from '../guards/config.js';
import { RoleModelNeeds } from '../routing/needs.js';
import { ModelSpec } from './models.js';
import { ChecksConfig } from '../verify/config.js';

/**
 * A folder or file named in the config, relative to the config file's folder. Blank is refused: `""` resolves to that
 * folder itself, which silently meant "search the whole project" for a knowledge path or "the default" for dataDir.
 */
function configPath(expected: string) {
  return z.string().refine((value) => value.trim() !== '', { message: `the path is empty; expected ${expected}` });
}

/** A human gate: the run pauses (`awaiting_human`) until a person approves or rejects the plan or the draft. */
export const HumanGateStage = z
  .object({
    /** The gate's name, as the transcript and `baton pending` show it. */
    human: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'a lower-case name such as "review"'),
    /** What the person decides on: the plan (after a planner) or the draft (after the researchers). */
    review: z.enum(['plan', 'draft']),
    /** What the person is asked. */
    prompt: z.string().min(1).max(2000).optional(),
  })
  .strict();
export type HumanGateStage = z.infer<typeof HumanGateStage>;

/**
 * An action: one connector operation called deterministically (no model), its input mapped from the run by a JSONata
 * expression over `{ goal, round, plan, draft, outputs }` (`outputs.<stage>` is what an earlier role or action
 * produced). Its result joins `outputs.<action>` and the run's sources (a claim may cite `crm.orders#order-1182`).
 */
export const ActionStage = z
  .object({
    /** The stage's name, as the transcript shows it. */
    action: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'a lower-case name such as "purchase_history"'),
    /** `connector.operation`, from connectors/<connector>.yaml. */
    call: z.string().regex(/^[a-z][a-z0-9_]*\.[A-Za-z0-9_.-]+$/, 'connector.operation, e.g. crm.purchase_history'),
    /** JSONata over the run giving the operation's input; default: no input ({}). */
    input: z.string().min(1).optional(),
    /** What the run does when the call fails or a person rejects it: stop (`fail`, the default) or go on (`continue`). */
    onError: z.enum(['fail', 'continue']).default('fail'),
  })
  .strict();
export type ActionStage = z.infer<typeof ActionStage>;

/** A role with options. */
const RoleStage = z
  .object({
    role: z.string().min(1),
    /** Researcher stages: how many plan steps are researched at once. */
    concurrency: z.number().int().min(1).max(32).optional(),
    /** Checker gates: the stage a rejection goes back to; defaults to the planner. */
    onReject: z.string().optional(),
  })
  .strict();

/**
 * One stage of the flow: a role name, a role with options, or a human gate. Chosen by shape (a string; an object with
 * `human`; any other object), so a mistake is reported against the one form it was meant as, field by field.
 */
const SingleStage = z.union([z.string().min(1), HumanGateStage, ActionStage, RoleStage]);

/**
 * Stages that run at once (`{ parallel: [inspector, { action: customer, ... }] }`): actions and generic roles that
 * do not depend on each other. The flow goes on when every member is done.
 */
export const ParallelStage = z
  .object({
    parallel: z.array(z.lazy(() => SingleStageInput)).min(2, 'a parallel group needs at least two stages'),
  })
  .strict();
export type ParallelStage = { parallel: Array<z.infer<typeof SingleStage>> };

export const FlowStage = z.union([SingleStage, ParallelStage]);
const NotAStage = z.custom<never>(() => false, { message: 'expected a role name, { role: <name>, ... }, a human gate { human: <name>, review: plan | draft }, an action { action: <name>, call: connector.operation } or a group { parallel: [...] }' });
function flowStageForm(value: unknown, inGroup: boolean): z.ZodType {
  if (typeof value === 'string') return z.string().min(1);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return NotAStage;
  if ('human' in value) return HumanGateStage;
  if ('parallel' in value) return inGroup ? z.custom<never>(() => false, { message: 'a parallel group cannot hold another group; list its stages in the outer group' }) : ParallelStage;
  return 'action' in value ? ActionStage : RoleStage;
}
function stageInput(inGroup: boolean) {
  return z.unknown().transform((value, context) => {
    const parsed = flowStageForm(value, inGroup).safeParse(value);
    if (parsed.success) return parsed.data as FlowStage;
    for (const issue of parsed.error.issues) context.addIssue({ ...issue, code: 'custom', message: issue.message, path: issue.path } as never);
    return z.NEVER;
  });
}
/** Parses one flow entry against the form it was meant as. */
export const FlowStageInput = stageInput(false);
const SingleStageInput = stageInput(true);
export type FlowStage = z.infer<typeof SingleStage> | ParallelStage;

export const Limits = z
  .object({
    /** Plan → research → check rounds before the run ends `unverified`. */
    maxRounds: z.number().int().min(1).max(20).default(3),
    /** Plan steps at most. */
    maxSteps: z.number().int().min(1).max(12).default(5),
    maxTokens: z.number().int().positive().optional(),
    maxCostUsd: z.number().positive().optional(),
    /** Wall-clock limit of a run in milliseconds. */
    maxDurationMs: z.number().int().positive().default(15 * 60_000),
    /** Times a reply that fails its schema is asked again. */
    maxOutputRetries: z.number().int().min(0).max(5).default(2),
    /** Tool calls a researcher model may make per step. */
    maxToolCalls: z.number().int().min(0).max(50).default(6),
  })
  .strict();
export type Limits = z.infer<typeof Limits>;

export const BatonConfig = z
  .object({
    version: z.literal(1).default(1),
    /** Where runs, transcripts, checkpoints, logs and the knowledge base live. */
    dataDir: configPath('a folder for runs, logs and the knowledge base, e.g. .baton (the default when dataDir is left out)').default('.baton'),
    /** Folders with your own role files; built-in roles are used for any name not found there. */
    agentsDir: configPath('a folder of role files, e.g. agents (the default when agentsDir is left out)').default('agents'),
    promptsDir: configPath('a folder of prompt files, e.g. prompts (the default when promptsDir is left out)').default('prompts'),
    /** The folder of connector files (`<name>.yaml`): the business systems roles and action stages may call. */
    connectorsDir: configPath('a folder of connector files, e.g. connectors (the default when connectorsDir is left out)').default('connectors'),
    knowledge: z
      .object({
        /** Folders and files the researcher searches (and `baton ingest` reads when given no paths). */
        paths: z.array(configPath('a folder or file of documents, e.g. docs')).optional(),
        /**
         * A registered model with the `embeddings` capability, for the knowledge base's vectors. Default: Baton's local
         * embedding, which needs no network and no weights.
         */
        embeddingModel: z.string().optional(),
        /** Length of the vectors the embedding model returns. */
        embeddingDimensions: z.number().int().min(8).max(8192).default(1536),
        /**
         * Follow symbolic links whose real path lies outside the knowledge folders (searched, read and ingested). Off
         * by default: such links are skipped with a warning naming them, so `kb/passwd.txt -> /etc/passwd` stays out.
         */
        allowOutsideRoots: z.boolean().default(false),
      })
      .strict()
      .default({ embeddingDimensions: 1536, allowOutsideRoots: false }),
    models: z.array(ModelSpec).default([]),
    /** The model a role uses when it names none. Defaults to the environment's endpoint if set, else `offline`. */
    defaultModel: z.string().optional(),
    /**
     * Instead of one default model: what roles that name no model need, so the router picks per call by capability,
     * confidentiality, priority and cost among the declared models.
     */
    defaultNeeds: RoleModelNeeds.optional(),
    flow: z.array(FlowStageInput).min(1).default(['planner', { role: 'researcher', concurrency: 4 }, 'checker']),
    limits: Limits.default(Limits.parse({})),
    /**
     * Thresholds of the checker's deterministic claim checks (support, relevance, coverage, duplication); the defaults
     * were chosen by measurement on the eval suites (see README).
     */
    checks: ChecksConfig.prefault({}),
    tools: z
      .object({
        fetch: FetchPolicy.default(FetchPolicy.parse({})),
        /** A SearxNG-style JSON search endpoint for `web_search`; the tool is off without it. */
        webSearch: z.object({ url: z.url({ protocol: /^https?$/ }) }).strict().optional(),
      })
      .strict()
      .default({ fetch: FetchPolicy.parse({}) }),
    /** Extra confidential-data detectors, beside the built-in ones (e-mail, phone, card, IBAN, API keys...). */
    detectors: z.array(DetectorConfig).default([]),
    /** Prompt-injection defence: spotlighting, the canary and detectors on the goal, attachments, tool results and passages. */
    guards: GuardsConfig.prefault({}),
    /** Rules every final answer and outgoing side-effect payload must pass. */
    outputPolicy: OutputPolicyConfig.prefault({}),
    /** What is redacted from stored transcripts beside credentials (always redacted). */
    redact: RedactConfig.prefault({}),
    /** How calls survive endpoint faults. */
    resilience: z
      .object({
        /** Calls per model, first try included, before falling back to the next eligible model. */
        maxAttemptsPerModel: z.number().int().min(1).max(10).default(3),
        baseDelayMs: z.number().int().min(0).default(500),
        maxDelayMs: z.number().int().min(0).default(20_000),
        /** Consecutive failures that put a model in cooldown, and for how long. */
        failureThreshold: z.number().int().min(1).default(3),
        cooldownMs: z.number().int().min(0).default(30_000),
      })
      .strict()
      .default({ maxAttemptsPerModel: 3, baseDelayMs: 500, maxDelayMs: 20_000, failureThreshold: 3, cooldownMs: 30_000 }),
    /** `baton serve`. */
    server: z
      .object({
        /**
         * Host names (`name` or `name:port`) the server answers to besides localhost, 127.0.0.0/8 and [::1]. Any other
         * `Host` header is refused (421) while no API token is required, which stops DNS rebinding.
         */
        allowedHosts: z
          .array(
            z.string().refine((entry) => parseHostName(entry) !== undefined, {
              message: 'expected a host name or address with an optional port, e.g. baton.example.com or baton.example.com:8443',
            }),
          )
          .default([]),
      })
      .strict()
      .default({ allowedHosts: [] }),
    /**
     * Where runs, transcripts, checkpoints, leases and the queue live: SQLite under the data directory (default, no
     * server), or one PostgreSQL database shared by any number of `baton serve` and `baton worker` processes.
     */
    store: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('sqlite') }).strict(),
        z
          .object({
            kind: z.literal('postgres'),
            /** `postgres://user@host:port/database`; write `${BATON_DATABASE_URL}` to keep the password out of the file. */
            url: z.string().min(1),
          })
          .strict(),
      ])
      .default({ kind: 'sqlite' }),
    /** Durable runs: leases, heartbeats and what servers and workers do with interrupted runs. */
    runs: z
      .object({
        /** A run whose holder has not renewed its lease for this long is `interrupted`. */
        leaseMs: z.number().int().min(1000).max(3_600_000).default(15_000),
        /** How often the holder renews the lease and looks for a cancellation from another process. */
        heartbeatMs: z.number().int().min(100).max(600_000).optional(),
        /** Servers and workers resume interrupted runs on their own. */
        autoResume: z.boolean().default(true),
        /**
         * Interruptions after which servers and workers stop resuming a run and end it `failed` (a run that crashes
         * its process would otherwise take down every worker in turn); `baton resume` still continues it by hand.
         */
        maxResumes: z.number().int().min(0).max(100).default(3),
      })
      .strict()
      .default({ leaseMs: 15_000, autoResume: true, maxResumes: 3 }),
    log: z
      .object({
        level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'),
      })
      .strict()
      .default({ level: 'info' }),
  })
  .strict()
  .superRefine((config, context) => {
    if (config.runs.heartbeatMs !== undefined && config.runs.heartbeatMs * 2 > config.runs.leaseMs) {
      context.addIssue({ code: 'custom', path: ['runs', 'heartbeatMs'], message: `the heartbeat (${config.runs.heartbeatMs} ms) must be at most half the lease (${config.runs.leaseMs} ms), or a live run would look interrupted` });
    }
    const names = new Set<string>();
    config.models.forEach((model, index) => {
      if (names.has(model.name)) context.addIssue({ code: 'custom', path: ['models', index, 'name'], message: `duplicate model name "${model.name}"` });
      names.add(model.name);
    });
  });
export type BatonConfig = z.infer<typeof BatonConfig>;
