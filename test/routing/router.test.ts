import { describe, expect, it } from 'vitest';
import { RoutingError, UnknownModelError } from '../../src/errors.js';
import { HEALTHY, type HealthSnapshot } from '../../src/routing/health.js';
import { RoleModelNeeds, RunLabels, type RouteNeeds } from '../../src/routing/needs.js';
import { NoEligibleModelError, rankedModels, route, validateRoleNeeds } from '../../src/routing/router.js';
import { spec } from './helpers.js';

const normal = RunLabels.parse({});
const urgent = RunLabels.parse({ priority: 'urgent' });
const confidential = RunLabels.parse({ confidential: true });

const cheapExternal = spec({ name: 'cheap-ext', pricing: { inputPerMillion: 0.15, outputPerMillion: 0.6 }, latencyMs: 900, tier: 2 });
const premiumExternal = spec({
  name: 'premium-ext',
  pricing: { inputPerMillion: 5, outputPerMillion: 15 },
  latencyMs: 400,
  tier: 3,
  capabilities: ['text', 'vision', 'structured-output', 'tools'],
});
const localPrivate = spec({ name: 'local', zone: 'private', pricing: { inputPerMillion: 0.5, outputPerMillion: 0.5 }, latencyMs: 3000, tier: 1 });
const registry = [premiumExternal, cheapExternal, localPrivate];

function reasonsOf(decision: { candidates: Array<{ model: string; reasons: string[] }> }, model: string): string[] {
  return decision.candidates.find((candidate) => candidate.model === model)?.reasons ?? [];
}

describe('route', () => {
  it('normal priority picks the cheapest model that meets the tier', () => {
    const decision = route({}, normal, registry, HEALTHY);
    expect(decision.chosen).toBe('cheap-ext');
    expect(decision.ranked).toEqual(['cheap-ext', 'local', 'premium-ext']);
    expect(reasonsOf(decision, 'cheap-ext')).toContain('cheapest');
    expect(decision.estimatedCostUsd).toBeCloseTo((2000 * 0.15 + 500 * 0.6) / 1e6, 12);

    const tierTwo = route({ tier: 2 }, normal, registry, HEALTHY);
    expect(tierTwo.ranked).toEqual(['cheap-ext', 'premium-ext']);
    expect(reasonsOf(tierTwo, 'local')).toEqual(['below-tier']);
    expect(route({ tier: 3 }, normal, registry, HEALTHY).chosen).toBe('premium-ext');
  });

  it('uses the token estimates for cost, so a price structure can change the winner', () => {
    // local costs 0.5/0.5, cheap-ext 0.15/0.6: with huge outputs local is cheaper.
    const decision = route({ estimatedInputTokens: 10, expectedOutputTokens: 100_000 }, normal, registry, HEALTHY);
    expect(decision.chosen).toBe('local');
  });

  it('urgent priority picks the lowest expected latency', () => {
    const decision = route({}, urgent, registry, HEALTHY);
    expect(decision.chosen).toBe('premium-ext');
    expect(decision.ranked).toEqual(['premium-ext', 'cheap-ext', 'local']);
    expect(reasonsOf(decision, 'premium-ext')).toContain('fastest');
    expect(decision.priority).toBe('urgent');
  });

  it('drops models that lack a needed capability, and an attached image needs vision', () => {
    const decision = route({ hasImage: true }, normal, registry, HEALTHY);
    expect(decision.ranked).toEqual(['premium-ext']);
    expect(decision.requiredCapabilities).toEqual(['text', 'vision']);
    expect(reasonsOf(decision, 'cheap-ext')).toEqual(['missing-capability:vision']);
    const embeddings = spec({ name: 'embedder', capabilities: ['embeddings'] });
    const plain = route({}, normal, [embeddings, cheapExternal], HEALTHY);
    expect(reasonsOf(plain, 'embedder')).toEqual(['missing-capability:text']);
    expect(() => route({ capabilities: ['transcription'] }, normal, registry, HEALTHY)).toThrow(RoutingError);
  });

  it('a confidential run only uses private models', () => {
    const decision = route({}, confidential, registry, HEALTHY);
    expect(decision.ranked).toEqual(['local']);
    expect(decision.confidential).toEqual({ required: true, byLabel: true, detectors: [] });
    expect(reasonsOf(decision, 'cheap-ext')).toContain('zone-external-confidential');
    expect(reasonsOf(decision, 'premium-ext')).toContain('zone-external-confidential');
  });

  it('a detector hit makes a normal run private-only', () => {
    const decision = route({ detectedConfidential: ['email', 'email', 'aws-access-key-id'] }, normal, registry, HEALTHY);
    expect(decision.ranked).toEqual(['local']);
    expect(decision.confidential).toEqual({ required: true, byLabel: false, detectors: ['email', 'aws-access-key-id'] });
  });

  it('fails closed when confidential data has no private model, naming detectors but never the data', () => {
    const externalOnly = [premiumExternal, cheapExternal];
    let caught: unknown;
    try {
      route({ role: 'researcher', detectedConfidential: ['aws-secret-access-key'] }, normal, externalOnly, HEALTHY);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RoutingError);
    expect(caught).toBeInstanceOf(NoEligibleModelError);
    const error = caught as NoEligibleModelError;
    expect(error.code).toBe('CONFIDENTIAL_NO_PRIVATE_MODEL');
    expect(error.message).toContain('aws-secret-access-key');
    expect(error.message).toContain('role "researcher"');
    expect(error.message).toContain('nothing was sent');
    expect(error.candidates.every((candidate) => !candidate.eligible)).toBe(true);
    // A private model that exists but lacks vision is still "no private model" for an image.
    expect(() => route({ hasImage: true }, confidential, registry, HEALTHY)).toThrow(
      expect.objectContaining({ code: 'CONFIDENTIAL_NO_PRIVATE_MODEL' }),
    );
  });

  it('ranks the role preference order first among eligible models', () => {
    const decision = route({ prefer: ['premium-ext', 'local'] }, normal, registry, HEALTHY);
    expect(decision.ranked).toEqual(['premium-ext', 'local', 'cheap-ext']);
    expect(reasonsOf(decision, 'premium-ext')).toContain('preferred');
    expect(reasonsOf(decision, 'cheap-ext')).not.toContain('preferred');
    // A preferred model that is not eligible is skipped, not forced.
    expect(route({ prefer: ['premium-ext', 'local'] }, confidential, registry, HEALTHY).chosen).toBe('local');
  });

  it('a named model excludes the others but still obeys confidentiality', () => {
    const decision = route({ model: 'premium-ext' }, normal, registry, HEALTHY);
    expect(decision.ranked).toEqual(['premium-ext']);
    expect(reasonsOf(decision, 'cheap-ext')).toEqual(['not-requested']);
    expect(() => route({ model: 'premium-ext' }, confidential, registry, HEALTHY)).toThrow(
      expect.objectContaining({ code: 'CONFIDENTIAL_NO_PRIVATE_MODEL' }),
    );
    expect(() => route({ model: 'nope' }, normal, registry, HEALTHY)).toThrow(UnknownModelError);
  });

  it('puts models in cooldown last, with a reason code', () => {
    const health: HealthSnapshot = {
      'cheap-ext': { consecutiveFailures: 3, coolingDown: true, cooldownUntilMs: 10_000, lastError: 'MODEL_HTTP: 503' },
      local: { consecutiveFailures: 1, coolingDown: false, cooldownUntilMs: null, lastError: null },
    };
    const decision = route({}, normal, registry, health);
    expect(decision.ranked).toEqual(['local', 'premium-ext', 'cheap-ext']);
    expect(reasonsOf(decision, 'cheap-ext')).toContain('cooldown');
    expect(decision.candidates.find((candidate) => candidate.model === 'cheap-ext')?.eligible).toBe(true);
  });

  it('excludes models over the remaining budget and too small for the call', () => {
    const budget = RunLabels.parse({ budgetUsd: 0.01 });
    const decision = route({ spentUsd: 0.005 }, budget, registry, HEALTHY);
    // premium: 2000×5/1e6 + 500×15/1e6 = 0.0175 > 0.005 left.
    expect(reasonsOf(decision, 'premium-ext')).toEqual(['over-budget']);
    expect(decision.ranked).toEqual(['cheap-ext', 'local']);
    const small = spec({ name: 'small', contextWindow: 1000 });
    expect(reasonsOf(route({}, normal, [small, cheapExternal], HEALTHY), 'small')).toEqual(['context-too-small']);
    expect(() => route({ spentUsd: 0.01 }, budget, registry, HEALTHY)).toThrow(expect.objectContaining({ code: 'ROUTING_NO_MODEL' }));
  });

  it('demotes models too slow for the deadline when the current time is given', () => {
    const labels = RunLabels.parse({ deadlineMs: 10_000 });
    const decision = route({ nowMs: 8_000, estimatedInputTokens: 10, expectedOutputTokens: 100_000 }, labels, registry, HEALTHY);
    // local would be cheapest but needs 3000 ms with 2000 ms left.
    expect(reasonsOf(decision, 'local')).toContain('slow-for-deadline');
    expect(decision.ranked.at(-1)).toBe('local');
  });

  it('returns JSON-serialisable data and a ranked spec list for the fallback layer', () => {
    const decision = route({ role: 'planner' }, normal, registry, HEALTHY);
    expect(JSON.parse(JSON.stringify(decision))).toEqual(decision);
    expect(rankedModels(decision, registry).map((model) => model.name)).toEqual(decision.ranked);
    expect(decision.candidates.map((candidate) => candidate.rank)).toEqual([2, 0, 1]);
  });

  it('fails with ROUTING_NO_MODEL on an empty registry', () => {
    expect(() => route({} as RouteNeeds, normal, [], HEALTHY)).toThrow(expect.objectContaining({ code: 'ROUTING_NO_MODEL' }));
  });

  it('is not fooled by model names that are Object.prototype keys', () => {
    const odd = spec({ name: 'constructor' });
    expect(route({}, normal, [odd], {}).candidates[0]?.reasons).not.toContain('cooldown');
  });
});

describe('schemas', () => {
  it('RoleModelNeeds accepts what a role may declare and rejects the rest', () => {
    expect(RoleModelNeeds.parse({ capabilities: ['vision'], tier: 3, prefer: ['a'] })).toEqual({ capabilities: ['vision'], tier: 3, prefer: ['a'] });
    expect(RoleModelNeeds.safeParse({ tier: 4 }).success).toBe(false);
    expect(RoleModelNeeds.safeParse({ capabilities: ['telepathy'] }).success).toBe(false);
    expect(RoleModelNeeds.safeParse({ model: 'x' }).success).toBe(false);
  });

  it('RunLabels defaults to a normal, non-confidential run', () => {
    expect(RunLabels.parse({})).toEqual({ confidential: false, priority: 'normal' });
    expect(RunLabels.safeParse({ priority: 'asap' }).success).toBe(false);
  });

  it('validateRoleNeeds rejects unknown model names', () => {
    expect(() => validateRoleNeeds({ prefer: ['local', 'ghost'] }, registry, 'agents/planner.yaml')).toThrow(/unknown model "ghost"/);
    expect(() => validateRoleNeeds({ prefer: ['local'], model: 'cheap-ext' }, registry)).not.toThrow();
  });
});
