import { describe, expect, it } from 'vitest';
import { computeStats } from '../../src/transcript/stats.js';
import type { RunRecord, TurnRecord } from '../../src/transcript/schema.js';

function run(id: string, status: RunRecord['status'], rounds: number, startedAt: string): RunRecord {
  return {
    version: 1, id, goal: `goal of ${id}`, status, rounds, startedAt, endedAt: null, durationMs: 1000, inputTokens: 0, outputTokens: 0,
    costUsd: 0, costEstimated: false, engine: 'config', labels: {}, result: null, error: null,
  };
}

function turn(runId: string, seq: number, role: string, model: string | null, costUsd: number, startedAt: string, extra: Partial<TurnRecord> = {}): TurnRecord {
  const kind = (['planner', 'researcher', 'checker'].includes(role) ? role : 'supervisor') as TurnRecord['kind'];
  return {
    version: 1, runId, seq, round: 1, from: role, to: ['supervisor'], role, kind, model, startedAt, latencyMs: 10, messages: [], output: null, toolCalls: [],
    usage: { inputTokens: 100, outputTokens: 20, totalTokens: 120, estimated: false }, costUsd, attempts: 1, events: [], ...extra,
  };
}

describe('computeStats', () => {
  const runs = [run('a', 'approved', 1, '2025-03-01T10:00:00.000Z'), run('b', 'unverified', 3, '2025-03-01T12:30:00.000Z'), run('c', 'running', 0, '2025-03-01T13:00:00.000Z')];
  const turns: Record<string, TurnRecord[]> = {
    a: [
      turn('a', 1, 'supervisor', null, 0, '2025-03-01T10:00:00.000Z'),
      turn('a', 2, 'planner', 'openai:gpt-big', 0.02, '2025-03-01T10:00:01.000Z', { events: [{ type: 'route', at: 1, chosen: 'big', ranked: ['big', 'small'] }] }),
      turn('a', 3, 'researcher', 'openai:gpt-small', 0.001, '2025-03-01T10:00:02.000Z', { events: [{ type: 'route', at: 2, chosen: 'small' }, { type: 'retry', at: 3 }] }),
      turn('a', 4, 'checker', 'openai:gpt-small', 0.001, '2025-03-01T10:00:03.000Z', { output: { decision: 'approve', objections: [] } }),
    ],
    b: [
      turn('b', 1, 'checker', 'openai:gpt-small', 0.002, '2025-03-01T12:30:00.000Z', { output: { decision: 'reject', objections: [] } }),
      turn('b', 2, 'checker', 'openai:gpt-small', 0.002, '2025-03-01T12:40:00.000Z', { output: { decision: 'reject' }, events: [{ type: 'guard-blocked', at: 5, detector: 'iban' }] }),
    ],
    c: [],
  };
  const stats = computeStats({ runs, turnsOf: (id) => turns[id] ?? [], since: '2025-03-01T00:00:00.000Z' });

  it('sums cost per run, role and model, most expensive first', () => {
    expect(stats.cost.totalUsd).toBeCloseTo(0.026, 9);
    expect(stats.cost.perRun.map((entry) => [entry.runId, entry.costUsd, entry.tokens])).toEqual([['a', 0.022, 480], ['b', 0.004, 240], ['c', 0, 0]]);
    expect(stats.cost.perRole.map((group) => [group.name, group.costUsd, group.calls])).toEqual([['planner', 0.02, 1], ['checker', 0.005, 3], ['researcher', 0.001, 1]]);
    expect(stats.cost.perModel.map((group) => [group.name, group.calls, group.inputTokens])).toEqual([['openai:gpt-big', 1, 100], ['openai:gpt-small', 4, 400]]);
  });

  it('counts model usage per hour with empty hours kept, and computes rates and rounds over ended runs', () => {
    expect(stats.modelUsage.counts).toEqual([{ model: 'openai:gpt-big', calls: 1 }, { model: 'openai:gpt-small', calls: 4 }]);
    expect(stats.modelUsage.overTime.bucket).toBe('hour');
    expect(stats.modelUsage.overTime.series).toEqual([
      { start: '2025-03-01T10:00:00.000Z', counts: { 'openai:gpt-big': 1, 'openai:gpt-small': 2 } },
      { start: '2025-03-01T11:00:00.000Z', counts: {} },
      { start: '2025-03-01T12:00:00.000Z', counts: { 'openai:gpt-small': 2 } },
    ]);
    expect(stats.runs).toEqual({ total: 3, byStatus: { approved: 1, unverified: 1, running: 1 }, truncated: false });
    expect(stats.approvalRate).toBe(0.5);
    expect(stats.checkerApprovalRate).toBeCloseTo(1 / 3, 9);
    expect(stats.rounds).toEqual({ mean: 2, max: 3, histogram: { '1': 1, '3': 1 } });
    expect(stats.window).toEqual({ since: '2025-03-01T00:00:00.000Z', until: null });
  });

  it('lists routing decisions and guard events from the turns\' events', () => {
    expect(stats.routing.decisions).toBe(2);
    expect(stats.routing.byModel).toEqual([{ model: 'big', count: 1 }, { model: 'small', count: 1 }]);
    expect(stats.routing.recent.map((entry) => [entry.runId, entry.seq, entry.role])).toEqual([['a', 2, 'planner'], ['a', 3, 'researcher']]);
    expect(stats.guardEvents).toEqual([{ runId: 'b', seq: 2, role: 'checker', event: { type: 'guard-blocked', at: 5, detector: 'iban' } }]);
  });

  it('degrades to empty lists and null rates when there is nothing', () => {
    const empty = computeStats({ runs: [], turnsOf: () => [] });
    expect(empty).toMatchObject({ approvalRate: null, checkerApprovalRate: null, rounds: { mean: null, max: 0 }, guardEvents: [], routing: { decisions: 0, byModel: [], recent: [] } });
    expect(empty.modelUsage.overTime.series).toEqual([]);
  });

  it('buckets by day over spans longer than two days', () => {
    const long = computeStats({
      runs: [run('d', 'approved', 1, '2025-03-01T00:00:00.000Z')],
      turnsOf: () => [turn('d', 1, 'planner', 'm', 0, '2025-03-01T05:00:00.000Z'), turn('d', 2, 'planner', 'm', 0, '2025-03-04T05:00:00.000Z')],
    });
    expect(long.modelUsage.overTime.bucket).toBe('day');
    expect(long.modelUsage.overTime.series.map((slot) => slot.counts['m'] ?? 0)).toEqual([1, 0, 0, 1]);
  });
});
