import { describe, expect, it } from 'vitest';
import { LedgerSnapshot, UsageLedger, costOf, estimateCallCost, wouldExceedBudget } from '../../src/routing/cost.js';
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

  it('the ledger sums per role, per model and per run, and marks estimates', () => {
    const ledger = new UsageLedger();
    expect(ledger.record({ role: 'planner', model: 'big', usage: usage(1000, 500), pricing })).toBeCloseTo(0.0075, 12);
    ledger.record({ role: 'researcher', model: 'big', usage: usage(2000, 1000), pricing });
    ledger.record({ role: 'researcher', model: 'local', usage: usage(300, 100, true), pricing: { inputPerMillion: 0, outputPerMillion: 0 } });
    ledger.record({ role: 'checker', model: 'big', usage: usage(10, 10), costUsd: 0.5 });
    const snapshot = ledger.snapshot();
    expect(snapshot.run).toMatchObject({ calls: 4, inputTokens: 3310, outputTokens: 1610, totalTokens: 4920, estimated: true });
    expect(snapshot.run.costUsd).toBeCloseTo(0.0075 + 0.015 + 0.5, 12);
    expect(snapshot.byRole.planner).toMatchObject({ calls: 1, estimated: false });
    expect(snapshot.byRole.researcher).toMatchObject({ calls: 2, inputTokens: 2300, estimated: true });
    expect(snapshot.byModel.big).toMatchObject({ calls: 3, estimated: false });
    expect(snapshot.byModel.local).toMatchObject({ calls: 1, costUsd: 0, estimated: true });
    expect(ledger.spentUsd).toBeCloseTo(snapshot.run.costUsd, 12);
    expect(LedgerSnapshot.parse(JSON.parse(JSON.stringify(snapshot)))).toEqual(snapshot);
  });

  it('a snapshot is a copy, and a ledger can continue from one', () => {
    const ledger = new UsageLedger();
    ledger.record({ role: 'planner', model: 'big', usage: usage(1000, 0), pricing });
    const before = ledger.snapshot();
    ledger.record({ role: 'planner', model: 'big', usage: usage(1000, 0), pricing });
    expect(before.run.calls).toBe(1);
    const resumed = UsageLedger.fromSnapshot(before);
    resumed.record({ role: '__proto__', model: 'big', usage: usage(1000, 0), pricing });
    expect(resumed.snapshot()).toEqual({
      ...ledger.snapshot(),
      byRole: { planner: before.byRole.planner, ['__proto__']: before.byRole.planner },
    });
    expect(Object.getPrototypeOf(resumed.snapshot().byRole)).toBe(Object.prototype);
  });

  it('wouldExceedBudget compares spent plus the next estimate with the budget', () => {
    const ledger = new UsageLedger();
    ledger.record({ role: 'r', model: 'm', usage: usage(0, 0), costUsd: 0.1 });
    ledger.record({ role: 'r', model: 'm', usage: usage(0, 0), costUsd: 0.2 });
    expect(wouldExceedBudget(ledger, 0, 0.3)).toBe(false);
    expect(wouldExceedBudget(ledger, 0.05, 0.3)).toBe(true);
    expect(wouldExceedBudget(ledger.snapshot(), 0.05, 0.35)).toBe(false);
    expect(wouldExceedBudget(ledger, 1000, undefined)).toBe(false);
  });
});
