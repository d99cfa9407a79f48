/**
 * listAudit over a real SQLite store: entries read from guard events, approval events and human turns, filtered by
 * run, kind, action, surface and window, ordered by time, cut to the newest `limit`; malformed records skipped and
 * reported; runs outside the window never have their turns read. Also summariseAudit and the instants of a window.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditEntry } from '../../src/audit/entry.js';
import { listAudit } from '../../src/audit/list.js';
import { summariseAudit } from '../../src/audit/summary.js';
import { readInstant } from '../../src/audit/window.js';
import type { SkippedAuditRecord } from '../../src/audit/extract.js';
import { RunNotFoundError } from '../../src/errors.js';
import type { RunStore } from '../../src/stores/port.js';
import { SqliteRunStore } from '../../src/stores/sqlite/store.js';
import { createRedactor } from '../../src/transcript/redact.js';
import { temporaryDirectories } from '../support/project.js';
import { guard, iso, recordAuditRuns, recordRun, RUN_IDS, TIMES, turn } from './fixtures.js';

const tempDir = temporaryDirectories('baton-audit-');
const BASE = Date.parse('2030-01-01T00:00:00.000Z');
const { MINUTE, HOUR, DAY } = TIMES;

let store: SqliteRunStore;
beforeEach(async () => {
  store = SqliteRunStore.open({ dataDir: tempDir(), redact: createRedactor([]) });
  await recordAuditRuns(store, BASE);
});
afterEach(() => store.close());

/** The store, counting which runs had their turns read. */
function counting(inner: RunStore): { store: RunStore; read: string[] } {
  const read: string[] = [];
  const proxy = new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'turns') return (runId: string, onDamaged?: Parameters<RunStore['turns']>[1]) => (read.push(runId), target.turns(runId, onDamaged));
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: proxy, read };
}

describe('listAudit', () => {
  it('lists every guard decision, approval and gate decision across runs, oldest first, each a valid entry', async () => {
    const skipped: SkippedAuditRecord[] = [];
    const entries = await listAudit(store, {}, { onSkipped: (record) => skipped.push(record) });
    expect(entries.map((entry) => [entry.runId, entry.kind, entry.action])).toEqual([
      [RUN_IDS.old, 'guard', 'redact'],
      [RUN_IDS.a, 'guard', 'quarantine'],
      [RUN_IDS.a, 'guard', 'flag'],
      [RUN_IDS.a, 'approval', 'approve'],
      [RUN_IDS.a, 'gate', 'reject'],
      [RUN_IDS.b, 'guard', 'block'],
      [RUN_IDS.live, 'guard', 'flag'],
    ]);
    for (const entry of entries) expect(AuditEntry.safeParse(entry).success).toBe(true);
    expect(entries.map((entry) => entry.at)).toEqual([...entries.map((entry) => entry.at)].sort());
    // The malformed guard event (unknown surface), approval (no decision) and gate output (decision "maybe") are skipped.
    expect(skipped.map((record) => [record.runId, record.type])).toEqual(expect.arrayContaining([[RUN_IDS.a, 'guard'], [RUN_IDS.b, 'approval'], [RUN_IDS.b, 'gate']]));
    expect(skipped).toHaveLength(3);
  });

  it('flattens a guard event: surface, source, detectors, rules and one short reason, never an excerpt', async () => {
    const [entry] = await listAudit(store, { runId: RUN_IDS.a, action: 'quarantine' });
    expect(entry).toEqual({
      runId: RUN_IDS.a, seq: 2, round: 1, role: 'researcher', at: iso(BASE + 10 * MINUTE), kind: 'guard', surface: 'tool', action: 'quarantine', source: 'https://evil.example/page',
      detectors: ['heuristic'], rules: ['ignore-previous', 'role-play'], reason: 'asks to ignore previous instructions; tells the model to act as another system',
    });
  });

  it('reads approvals and gate decisions with who decided and their note', async () => {
    const approvals = await listAudit(store, { kind: 'approval' });
    expect(approvals).toEqual([
      { runId: RUN_IDS.a, seq: 3, round: 1, role: 'act', at: iso(BASE + 20 * MINUTE), kind: 'approval', action: 'approve', decision: 'approve', by: 'ana', note: 'checked the order', operation: 'crm.refund', question: 'call', reason: 'crm.refund changes a customer record' },
    ]);
    const gates = await listAudit(store, { kind: 'gate' });
    expect(gates).toEqual([{ runId: RUN_IDS.a, seq: 4, round: 1, role: 'review', at: iso(BASE + 30 * MINUTE), kind: 'gate', action: 'reject', decision: 'reject', by: 'bo', note: 'too vague', review: 'draft' }]);
  });

  it('filters by run, kind, action and surface', async () => {
    expect((await listAudit(store, { runId: RUN_IDS.b })).map((entry) => entry.action)).toEqual(['block']);
    expect((await listAudit(store, { kind: 'guard' })).every((entry) => entry.kind === 'guard')).toBe(true);
    expect((await listAudit(store, { action: 'flag' })).map((entry) => entry.runId)).toEqual([RUN_IDS.a, RUN_IDS.live]);
    expect((await listAudit(store, { surface: 'knowledge' })).map((entry) => entry.source)).toEqual(['docs/a.md']);
    expect(await listAudit(store, { surface: 'answer' })).toEqual([]);
    expect(await listAudit(store, { kind: 'approval', action: 'reject' })).toEqual([]);
  });

  it('keeps entries inside [since, until), and reads no turns of runs that ended before since or began after until', async () => {
    const window = { since: new Date(BASE + 11 * MINUTE), until: new Date(BASE + 2 * DAY + 5 * MINUTE) };
    const { store: spied, read } = counting(store);
    const entries = await listAudit(spied, window);
    expect(entries.map((entry) => entry.at)).toEqual([iso(BASE + 12 * MINUTE), iso(BASE + 20 * MINUTE), iso(BASE + 30 * MINUTE)]);
    // `old` ended long before since; `b` begins at until's day but before it, so it is read; the live run never ended.
    expect(read.sort()).toEqual([RUN_IDS.a, RUN_IDS.b, RUN_IDS.live].sort());

    const { store: later, read: readLater } = counting(store);
    expect((await listAudit(later, { since: new Date(BASE + 2 * DAY) })).map((entry) => entry.runId)).toEqual([RUN_IDS.b, RUN_IDS.live]);
    expect(readLater.sort()).toEqual([RUN_IDS.b, RUN_IDS.live].sort());

    const { store: earlier, read: readEarlier } = counting(store);
    expect((await listAudit(earlier, { until: new Date(BASE - 5 * DAY) })).map((entry) => entry.runId)).toEqual([RUN_IDS.old]);
    expect(readEarlier.sort()).toEqual([RUN_IDS.old, RUN_IDS.live].sort());
  });

  it('keeps the newest `limit` entries, still oldest first', async () => {
    const entries = await listAudit(store, { limit: 2 });
    expect(entries.map((entry) => entry.runId)).toEqual([RUN_IDS.b, RUN_IDS.live]);
    expect(await listAudit(store, { limit: 100 })).toHaveLength(7);
  });

  it('pages through more runs than one listing returns', async () => {
    for (let index = 0; index < 205; index += 1) {
      const at = BASE + 5 * DAY + index * MINUTE;
      const id = `run_many_${String(index).padStart(3, '0')}`;
      await recordRun(store, id, at, at + 1000, [turn(id, { events: [guard(at + 1, 'tool', 'flag', `source-${index}`, [])] })]);
    }
    const entries = await listAudit(store, { since: new Date(BASE + 5 * DAY) });
    expect(entries).toHaveLength(205);
    expect(new Set(entries.map((entry) => entry.runId)).size).toBe(205);
  });

  it('names an unknown run', async () => {
    await expect(listAudit(store, { runId: 'run_nope' })).rejects.toBeInstanceOf(RunNotFoundError);
  });
});

describe('summariseAudit', () => {
  it('counts per bucket (empty ones included), action, surface, kind and run', async () => {
    const entries = await listAudit(store, { since: new Date(BASE), until: new Date(BASE + 3 * DAY) });
    const summary = summariseAudit(entries, 'day', { since: new Date(BASE), until: new Date(BASE + 3 * DAY) });
    expect(summary.total).toBe(5);
    expect(summary.buckets.map((bucket) => [bucket.start, bucket.total])).toEqual([[iso(BASE), 4], [iso(BASE + DAY), 0], [iso(BASE + 2 * DAY), 1]]);
    expect(summary.buckets[0]?.byAction).toEqual({ quarantine: 1, flag: 1, approve: 1, reject: 1 });
    expect(summary.byAction).toEqual([{ name: 'approve', count: 1 }, { name: 'block', count: 1 }, { name: 'flag', count: 1 }, { name: 'quarantine', count: 1 }, { name: 'reject', count: 1 }]);
    expect(summary.bySurface.map((count) => count.name)).toEqual(['goal', 'model-output', 'tool']);
    expect(summary.byKind).toEqual([{ name: 'guard', count: 3 }, { name: 'approval', count: 1 }, { name: 'gate', count: 1 }]);
    expect(summary.perRun).toEqual([
      { runId: RUN_IDS.a, total: 4, byAction: { quarantine: 1, flag: 1, approve: 1, reject: 1 }, last: iso(BASE + 30 * MINUTE) },
      { runId: RUN_IDS.b, total: 1, byAction: { block: 1 }, last: iso(BASE + 2 * DAY + 5 * MINUTE) },
    ]);
    const hourly = summariseAudit(entries.filter((entry) => entry.runId === RUN_IDS.a), 'hour');
    expect(hourly.buckets).toEqual([{ start: iso(BASE), total: 4, byAction: { quarantine: 1, flag: 1, approve: 1, reject: 1 } }]);
    expect(summariseAudit([], 'hour').buckets).toEqual([]);
    expect(summariseAudit([], 'hour', { since: new Date(BASE), until: new Date(BASE + 2 * HOUR) }).buckets).toHaveLength(2);
  });
});

describe('readInstant', () => {
  const now = new Date(BASE);
  it('reads spans back from now and strict ISO dates', () => {
    expect(readInstant('24h', now)?.toISOString()).toBe(iso(BASE - DAY));
    expect(readInstant('7d', now)?.toISOString()).toBe(iso(BASE - 7 * DAY));
    expect(readInstant('30m', now)?.toISOString()).toBe(iso(BASE - 30 * MINUTE));
    expect(readInstant('2w', now)?.toISOString()).toBe(iso(BASE - 14 * DAY));
    expect(readInstant('2026-11-01', now)?.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(readInstant('2026-11-01T09:30Z', now)?.toISOString()).toBe('2026-11-01T09:30:00.000Z');
    expect(readInstant('2026-11-01T09:30:15.250+0100', now)?.toISOString()).toBe('2026-11-01T08:30:15.250Z');
  });
  it('refuses what is not an instant', () => {
    for (const text of ['yesterday', '24', '', '2026-02-30', '2026-13-01', '2026-11-01T25:00Z', '-1d', '24 hours', '9999999999999w', '1e3h']) expect(readInstant(text, now), text).toBeUndefined();
  });
});
