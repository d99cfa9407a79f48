/**
 * Model declarations: what a user writes under `models:` in the config file. Adding a model, or moving a role to
 * another model, is a change here and never a code change.
 */
import { z } from 'zod';

export const Capability = z.enum(['text', 'vision', 'transcription', 'embeddings', 'structured-output', 'tools']);
export type Capability = z.infer<typeof Capability>;

/** `private`: the company's own infrastructure; `external`: an outside API. Confidential data only goes to private. */
export const Zone = z.enum(['private', 'external']);
export type Zone = z.infer<typeof Zone>;

export const Pricing = z
  .object({
    /** US dollars per million input tokens. */
    inputPerMillion: z.number().nonnegative(),
    /** US dollars per million output tokens. */
    outputPerMillion: z.number().nonnegative(),
  })
  .strict();
export type Pricing = z.infer<typeof Pricing>;

/** How to ask an OpenAI-compatible server for structured output; local servers differ in what they support. */
export const StructuredOutputMode = z.enum(['json_schema', 'json_object', 'prompt']);
export type StructuredOutputMode = z.infer<typeof StructuredOutputMode>;

const ModelCommon = {
  /** The name roles and the router use. */
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'letters, digits, dot, dash or underscore'),
  capabilities: z.array(Capability).default(['text', 'structured-output', 'tools']),
  zone: Zone.default('external'),
  pricing: Pricing.default({ inputPerMillion: 0, outputPerMillion: 0 }),
  /** Expected latency of one call in milliseconds, used to prefer fast models for urgent runs. */
  latencyMs: z.number().int().positive().default(2000),
  contextWindow: z.number().int().positive().default(128_000),
  /** A quality tier, 1 (basic) to 3 (best); roles may ask for a minimum. */
  tier: z.number().int().min(1).max(3).default(2),
};

export const OpenAICompatibleModel = z
  .object({
    ...ModelCommon,
    provider: z.literal('openai-compatible'),
    /** Base URL including `/v1`, e.g. `http://localhost:11434/v1`. */
    baseUrl: z.url({ protocol: /^https?$/, error: 'an http(s) URL such as http://localhost:11434/v1' }),
    /** The model id the endpoint expects. */
    model: z.string().min(1),
    /** Name of the environment variable holding the API key. Never the key itself. */
    apiKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as OPENAI_API_KEY').optional(),
    structuredOutput: StructuredOutputMode.default('json_schema'),
    /**
     * Whether one request may carry both tools and a response format. Some servers (node-llama-cpp, the llama.cpp
     * server, some vLLM and Ollama versions) then drop the tools; with `false` the tool loop runs without the format
     * and one last call, without tools, asks for the structured answer.
     */
    toolsWithStructuredOutput: z.boolean().default(true),
    stream: z.boolean().default(false),
    /** Timeout of one call in milliseconds. */
    timeoutMs: z.number().int().positive().default(60_000),
    temperature: z.number().min(0).max(2).optional(),
  })
  .strict();
export type OpenAICompatibleModel = z.infer<typeof OpenAICompatibleModel>;

export const OfflineModel = z
  .object({
    ...ModelCommon,
    provider: z.literal('offline'),
    zone: Zone.default('private'),
    latencyMs: z.number().int().positive().default(1),
  })
  .strict();
export type OfflineModel = z.infer<typeof OfflineModel>;

export const ModelSpec = z.discriminatedUnion('provider', [OpenAICompatibleModel, OfflineModel]);
export type ModelSpec = z.infer<typeof ModelSpec>;

/** The offline engine's registry entry; always present under this name. */
export const OFFLINE_MODEL_NAME = 'offline';
export const offlineModelSpec: OfflineModel = OfflineModel.parse({ name: OFFLINE_MODEL_NAME, provider: 'offline' });
