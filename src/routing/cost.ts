/**
 * Cost accounting: dollars from token usage and per-million prices. Per-role, per-model and per-run totals are the
 * run state's usage entries (`reduceUsage` in `src/graph/state.ts`) and the transcript's per-turn costs.
 */
import type { ModelSpec, Pricing } from '../config/models.js';
import type { Usage } from '../models/types.js';

const MILLION = 1_000_000;

/** Dollars of one call from its usage and the model's per-million-token prices. */
export function costOf(usage: Pick<Usage, 'inputTokens' | 'outputTokens'>, pricing: Pricing): number {
  return (usage.inputTokens * pricing.inputPerMillion + usage.outputTokens * pricing.outputPerMillion) / MILLION;
}

/** Estimated dollars of a call on `model` before it is made. */
export function estimateCallCost(model: Pick<ModelSpec, 'pricing'>, inputTokens: number, expectedOutputTokens: number): number {
  return costOf({ inputTokens: Math.max(0, inputTokens), outputTokens: Math.max(0, expectedOutputTokens) }, model.pricing);
}
