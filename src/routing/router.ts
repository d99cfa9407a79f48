/**
 * The policy router: a pure function from what a call needs, the run's labels, the model registry and a health
 * snapshot to a ranked list of eligible models. It never sends anything; when confidential data has nowhere safe to
 * go it fails closed with `CONFIDENTIAL_NO_PRIVATE_MODEL`.
 */
import type { Capability, ModelSpec } from '../config/models.js';
import { RoutingError, UnknownModelError } from '../errors.js';
import { estimateCallCost } from './cost.js';
import type { HealthSnapshot } from './health.js';
import {
  DEFAULT_INPUT_TOKENS,
  DEFAULT_OUTPUT_TOKENS,
  type ReasonCode,
  type RouteCandidate,
  type RouteDecision,
  type RouteNeeds,
  type RunLabels,
} from './needs.js';

/** A routing failure that also carries how every model was judged, for the transcript. */
export class NoEligibleModelError extends RoutingError {
  readonly candidates: RouteCandidate[];
  constructor(
    code: 'ROUTING_NO_MODEL' | 'CONFIDENTIAL_NO_PRIVATE_MODEL',
    message: string,
    candidates: RouteCandidate[],
    options?: { hint?: string },
  ) {
    super(code, message, options);
    this.candidates = candidates;
  }
}

interface Scored {
  spec: ModelSpec;
  order: number;
  excluded: boolean;
  demoted: boolean;
  preference: number;
  costUsd: number;
  reasons: ReasonCode[];
}

/** Capabilities a call needs: the role's, or `text` when it states none, plus `vision` for an attached image. */
export function requiredCapabilities(needs: Pick<RouteNeeds, 'capabilities' | 'hasImage'>): Capability[] {
  const required = new Set<Capability>(needs.capabilities && needs.capabilities.length > 0 ? needs.capabilities : ['text']);
  if (needs.hasImage) required.add('vision');
  return [...required];
}

/**
 * Picks the models for one call. Rules, in order: a named model excludes all others; missing capabilities exclude;
 * a confidential run (by label or by a detector hit) excludes every non-private model; models below the role's tier,
 * too small for the call or over the run's budget are excluded. Eligible models are ranked: demoted ones (cooldown,
 * too slow for the deadline) last; then the role's preference order (an explicit statement of the role wins); then by
 * expected latency for `urgent` runs or by estimated cost for `normal`/`batch` runs; then higher tier; then registry
 * order. Throws {@link NoEligibleModelError} (a `RoutingError`) when nothing is eligible.
 */
export function route(needs: RouteNeeds, labels: RunLabels, registry: readonly ModelSpec[], health: HealthSnapshot): RouteDecision {
  const required = requiredCapabilities(needs);
  const detectors = [...new Set(needs.detectedConfidential ?? [])];
  const confidential = labels.confidential || detectors.length > 0;
  const inputTokens = needs.estimatedInputTokens ?? DEFAULT_INPUT_TOKENS;
  const outputTokens = needs.expectedOutputTokens ?? DEFAULT_OUTPUT_TOKENS;
  const preference = new Map<string, number>();
  needs.prefer?.forEach((name, index) => {
    if (!preference.has(name)) preference.set(name, index);
  });
  if (needs.model !== undefined && !registry.some((model) => model.name === needs.model)) {
    throw new UnknownModelError(needs.model, registry.map((model) => model.name), needs.role ? `role "${needs.role}"` : undefined);
  }

  const scored = registry.map((spec, order): Scored => {
    const reasons: ReasonCode[] = [];
    if (needs.model !== undefined && spec.name !== needs.model) reasons.push('not-requested');
    for (const capability of required) {
      if (!spec.capabilities.includes(capability)) reasons.push(`missing-capability:${capability}`);
    }
    if (confidential && spec.zone !== 'private') reasons.push('zone-external-confidential');
    if (needs.tier !== undefined && spec.tier < needs.tier) reasons.push('below-tier');
    if (inputTokens + outputTokens > spec.contextWindow) reasons.push('context-too-small');
    const costUsd = estimateCallCost(spec, inputTokens, outputTokens);
    if (labels.budgetUsd !== undefined && (needs.spentUsd ?? 0) + costUsd > labels.budgetUsd + 1e-9) reasons.push('over-budget');
    const excluded = reasons.length > 0;
    let demoted = false;
    if (!excluded) {
      const state = Object.hasOwn(health, spec.name) ? health[spec.name] : undefined;
      if (state?.coolingDown) {
        reasons.push('cooldown');
        demoted = true;
      }
      if (labels.deadlineMs !== undefined && needs.nowMs !== undefined && needs.nowMs + spec.latencyMs > labels.deadlineMs) {
        reasons.push('slow-for-deadline');
        demoted = true;
      }
      if (preference.has(spec.name)) reasons.push('preferred');
    }
    return { spec, order, excluded, demoted, preference: preference.get(spec.name) ?? Number.MAX_SAFE_INTEGER, costUsd, reasons };
  });

  const urgent = labels.priority === 'urgent';
  const eligible = scored.filter((entry) => !entry.excluded).sort((a, b) => compare(a, b, urgent));
  markExtremes(eligible);
  const ranks = new Map(eligible.map((entry, index) => [entry, index]));
  const candidates: RouteCandidate[] = scored.map((entry) => ({
    model: entry.spec.name,
    eligible: !entry.excluded,
    rank: ranks.get(entry) ?? null,
    reasons: entry.reasons,
    estimatedCostUsd: entry.costUsd,
    latencyMs: entry.spec.latencyMs,
    zone: entry.spec.zone,
    tier: entry.spec.tier,
  }));

  const first = eligible[0];
  if (!first) throw noEligibleModel(needs, labels, detectors, required, candidates);
  return {
    role: needs.role ?? null,
    chosen: first.spec.name,
    ranked: eligible.map((entry) => entry.spec.name),
    estimatedCostUsd: first.costUsd,
    priority: labels.priority,
    confidential: { required: confidential, byLabel: labels.confidential, detectors },
    requiredCapabilities: required,
    candidates,
  };
}

function compare(a: Scored, b: Scored, urgent: boolean): number {
  const byLatency = a.spec.latencyMs - b.spec.latencyMs;
  const byCost = a.costUsd - b.costUsd;
  return (
    Number(a.demoted) - Number(b.demoted) ||
    a.preference - b.preference ||
    (urgent ? byLatency || byCost : byCost || byLatency) ||
    b.spec.tier - a.spec.tier ||
    a.order - b.order
  );
}

/** Tags the eligible models with the lowest cost and the lowest latency (all of them on a tie). */
function markExtremes(eligible: readonly Scored[]): void {
  if (eligible.length === 0) return;
  const cheapest = Math.min(...eligible.map((entry) => entry.costUsd));
  const fastest = Math.min(...eligible.map((entry) => entry.spec.latencyMs));
  for (const entry of eligible) {
    if (entry.costUsd === cheapest) entry.reasons.push('cheapest');
    if (entry.spec.latencyMs === fastest) entry.reasons.push('fastest');
  }
}

function noEligibleModel(
  needs: RouteNeeds,
  labels: RunLabels,
  detectors: readonly string[],
  required: readonly Capability[],
  candidates: RouteCandidate[],
): NoEligibleModelError {
  const who = needs.role ? `role "${needs.role}"` : 'this call';
  const wanted = [`capabilities ${required.join(', ')}`];
  if (needs.tier !== undefined) wanted.push(`tier ${needs.tier} or better`);
  if (needs.model !== undefined) wanted.push(`the model "${needs.model}"`);
  const counts = new Map<string, number>();
  for (const candidate of candidates) for (const reason of candidate.reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  const summary = candidates.length === 0 ? 'no models are registered' : [...counts].map(([reason, count]) => `${reason} ×${count}`).join(', ');
  const blockedByConfidentiality = counts.has('zone-external-confidential');
  if (blockedByConfidentiality) {
    // Detector names only: the matched data must never reach an error message, a log or a transcript.
    const why = [labels.confidential ? 'the run is labelled confidential' : '', detectors.length ? `detected: ${detectors.join(', ')}` : '']
      .filter(Boolean)
      .join('; ');
    return new NoEligibleModelError(
      'CONFIDENTIAL_NO_PRIVATE_MODEL',
      `${who} may only use private models (${why}), and no private model offers ${wanted.join(' and ')}; nothing was sent (${summary})`,
      candidates,
      { hint: 'declare a model with `zone: private` (for example a local server) that has these capabilities, or remove the confidential data' },
    );
  }
  return new NoEligibleModelError('ROUTING_NO_MODEL', `no registered model fits ${who}: it needs ${wanted.join(' and ')} (${summary})`, candidates, {
    hint: 'add a model with these capabilities to `models:` in the config, or relax the role\'s `needs`',
  });
}

/** The ranked model specs of a decision, in fallback order, for the resilience layer. */
export function rankedModels(decision: Pick<RouteDecision, 'ranked'>, registry: readonly ModelSpec[]): ModelSpec[] {
  const byName = new Map(registry.map((model) => [model.name, model]));
  return decision.ranked.flatMap((name) => {
    const spec = byName.get(name);
    return spec ? [spec] : [];
  });
}

/** Checks a role's declared needs against the registry at load time: every named model must exist. */
export function validateRoleNeeds(
  needs: Pick<RouteNeeds, 'prefer' | 'model'>,
  registry: readonly ModelSpec[],
  where?: string,
): void {
  const names = registry.map((model) => model.name);
  for (const name of [...(needs.model !== undefined ? [needs.model] : []), ...(needs.prefer ?? [])]) {
    if (!names.includes(name)) throw new UnknownModelError(name, names, where);
  }
}
