/**
 * The vocabulary of routing: what a role may declare about the model it needs, the labels a run carries, and the
 * JSON-serialisable decision the router returns for the transcript.
 */
import { z } from 'zod';
import { Capability, type Zone } from '../config/models.js';

/** What a role YAML may declare instead of (or besides) naming one model. */
export const RoleModelNeeds = z
  .object({
    /** Capabilities every candidate must have; `vision` is added automatically when an image is attached. */
    capabilities: z.array(Capability).optional(),
    /** Minimum quality tier, 1 (basic) to 3 (best). */
    tier: z.literal([1, 2, 3]).optional(),
    /** Model names in the order the role prefers them; unknown names are a config error (see `validateRoleNeeds`). */
    prefer: z.array(z.string().min(1)).optional(),
  })
  .strict();
export type RoleModelNeeds = z.infer<typeof RoleModelNeeds>;

/** Run priority: `urgent` ranks by expected latency, `normal` and `batch` by estimated cost. */
export const RunPriority = z.enum(['urgent', 'normal', 'batch']);
export type RunPriority = z.infer<typeof RunPriority>;

/** Labels a run carries; they steer every routing decision of the run. */
export const RunLabels = z
  .object({
    /** When true, nothing of this run may go to an `external` model. */
    confidential: z.boolean().default(false),
    priority: RunPriority.default('normal'),
    /** Dollars the whole run may spend; a model whose estimated call would cross it is not eligible. */
    budgetUsd: z.number().nonnegative().optional(),
    /** Absolute deadline in epoch milliseconds (the same clock as `Date.now()`). */
    deadlineMs: z.number().int().nonnegative().optional(),
  })
  .strict();
export type RunLabels = z.infer<typeof RunLabels>;

/** Default labels: not confidential, normal priority, no budget, no deadline. */
export const defaultRunLabels: RunLabels = RunLabels.parse({});

/**
 * Everything the router needs to know about one call. Detection of confidential content happens before routing
 * (see `scanMessages` / `detectConfidential`) so that `route` stays a pure function of its inputs.
 */
export interface RouteNeeds extends RoleModelNeeds {
  /** The role making the call, for messages and the transcript. */
  role?: string;
  /** A role that names one model: only that model is eligible (every other rule still applies). */
  model?: string;
  /** True when the request carries an image; implies the `vision` capability. */
  hasImage?: boolean;
  /** Names of the detectors that found confidential data in what is about to be sent. Never the data itself. */
  detectedConfidential?: readonly string[];
  /** Estimated input tokens of the call; defaults to {@link DEFAULT_INPUT_TOKENS}. */
  estimatedInputTokens?: number;
  /** Expected output tokens of the call; defaults to {@link DEFAULT_OUTPUT_TOKENS}. */
  expectedOutputTokens?: number;
  /** Dollars the run has spent so far, compared against `RunLabels.budgetUsd`. */
  spentUsd?: number;
  /** The current time in epoch milliseconds, compared against `RunLabels.deadlineMs`; omitted means "ignore". */
  nowMs?: number;
}

/** Input tokens assumed when a call gives no estimate; a typical role prompt with some context. */
export const DEFAULT_INPUT_TOKENS = 2_000;
/** Output tokens assumed when a call gives no estimate. */
export const DEFAULT_OUTPUT_TOKENS = 500;

/**
 * Why a model was excluded, demoted or favoured. Exclusions: `missing-capability:<cap>`, `zone-external-confidential`,
 * `below-tier`, `not-requested`, `context-too-small`, `over-budget`. Demotions (still eligible, ranked last):
 * `cooldown`, `slow-for-deadline`. Favours: `preferred`, `cheapest`, `fastest`.
 */
export type ReasonCode =
  | `missing-capability:${Capability}`
  | 'zone-external-confidential'
  | 'below-tier'
  | 'not-requested'
  | 'context-too-small'
  | 'over-budget'
  | 'cooldown'
  | 'slow-for-deadline'
  | 'preferred'
  | 'cheapest'
  | 'fastest';

/** Reason codes that make a model ineligible. */
export const EXCLUDING_REASONS: ReadonlySet<string> = new Set([
  'zone-external-confidential',
  'below-tier',
  'not-requested',
  'context-too-small',
  'over-budget',
]);

/** How the router saw one registered model. */
export interface RouteCandidate {
  model: string;
  eligible: boolean;
  /** Position in the ranked list (0 = chosen), or null when excluded. */
  rank: number | null;
  reasons: ReasonCode[];
  estimatedCostUsd: number;
  latencyMs: number;
  zone: Zone;
  tier: number;
}

/** The router's answer: plain data, safe to write to the transcript as JSON. */
export interface RouteDecision {
  role: string | null;
  /** The model to call first. */
  chosen: string;
  /** Every eligible model, best first: the fallback order for the resilience layer. */
  ranked: string[];
  /** Estimated dollars of the call on the chosen model. */
  estimatedCostUsd: number;
  priority: RunPriority;
  confidential: {
    /** True when only private models were allowed. */
    required: boolean;
    /** True when the run itself carries the confidential label. */
    byLabel: boolean;
    /** Detector names that found confidential data in the request. */
    detectors: string[];
  };
  requiredCapabilities: Capability[];
  /** Every registered model, in registry order, with its reasons. */
  candidates: RouteCandidate[];
}
