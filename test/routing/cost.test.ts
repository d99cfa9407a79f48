import { describe, expect, it } from 'vitest';
import { costOf, estimateCallCost } from '../../src/routing/cost.js';
import { spec } from './helpers.js';

const pricing = { inputPerMillion: 2.5, outputPerMillion: 10 };
const usage = (inputTokens: number, outputTokens: number, estimated = false) => ({
  inputTokens,
  outputTokens,
  totalTokens: inputTokens + outputTokens,
  estimated,
});

describe('cost', () => {
  it('costOf uses per-million prices', () => {
    expect(costOf(usage(1_000_000, 0), pricing)).toBe(2.5);
    expect(costOf(usage(1000, 500), pricing)).toBeCloseTo(0.0025 + 0.005, 12);
    expect(costOf(usage(1000, 500), { inputPerMillion: 0, outputPerMillion: 0 })).toBe(0);
  });

  it('estimateCallCost prices a planned call on a model', () => {
    expect(estimateCallCost(spec({ name: 'm', pricing }), 2000, 1000)).toBeCloseTo(0.015, 12);
    expect(estimateCallCost(spec({ name: 'm', pricing }), -5, 0)).toBe(0);
  });
});
