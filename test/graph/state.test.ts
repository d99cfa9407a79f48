import { describe, expect, it } from 'vitest';
import { reduceStatus, reduceUsage, RunState } from '../../src/graph/state.js';

describe('state reducers', () => {
  it('moves status only towards the more final one', () => {
    expect(reduceStatus('running', 'approved')).toBe('approved');
    expect(reduceStatus('budget_exceeded', 'approved')).toBe('budget_exceeded');
    expect(reduceStatus('failed', 'cancelled')).toBe('cancelled');
    expect(reduceStatus('cancelled', 'failed')).toBe('cancelled');
  });

  it('sums usage per role and model without mutating its inputs', () => {
    const current = [{ role: 'researcher', model: 'm', calls: 1, inputTokens: 10, outputTokens: 5, costUsd: 0.1, estimated: false }];
    const merged = reduceUsage(current, [
      { role: 'researcher', model: 'm', calls: 2, inputTokens: 1, outputTokens: 1, costUsd: 0.2, estimated: true },
      { role: 'checker', model: 'm', calls: 1, inputTokens: 3, outputTokens: 3, costUsd: 0, estimated: false },
    ]);
    expect(merged).toEqual([
      { role: 'researcher', model: 'm', calls: 3, inputTokens: 11, outputTokens: 6, costUsd: expect.closeTo(0.3, 10), estimated: true },
      { role: 'checker', model: 'm', calls: 1, inputTokens: 3, outputTokens: 3, costUsd: 0, estimated: false },
    ]);
    expect(current[0]?.calls).toBe(1);
  });

  it('declares appending reducers for findings, verdicts and messages, and dedupes sources read', () => {
    const fields = RunState.fields;
    expect(fields.findings.reducer([{ stepId: 's1' } as never], [{ stepId: 's2' } as never])).toHaveLength(2);
    expect(fields.verdicts.reducer([], [{ role: 'checker' } as never])).toHaveLength(1);
    expect(fields.sourcesRead.reducer(['a.md', 'b.md'], ['b.md', 'c.md'])).toEqual(['a.md', 'b.md', 'c.md']);
    expect(fields.error.reducer({ code: 'A', message: 'first' }, { code: 'B', message: 'second' })).toEqual({ code: 'A', message: 'first' });
  });
});
