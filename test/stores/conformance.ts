/**
 * The conformance suite every {@link RunStore} passes (SQLite and PostgreSQL): each method of the port and each rule
 * its doc comments state, against a store opened by the implementation's test file. The store's clock is the
 * harness's, so lease expiry is tested without waiting.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DecisionStaleError, RunLeaseLostError, RunNotAwaitingError, RunNotFoundError, TranscriptError, UsageError } from '../../src/errors.js';
import type { RunStatus } from '../../src/graph/status.js';
import type { Decision, DecisionRequest, EffectIntent, RunStore, StoredAttachment, TurnKey } from '../../src/stores/port.js';
import { createRedactor, type Redactor } from '../../src/transcript/redact.js';
import type { NewTurn, RunRecord, TurnRecord } from '../../src/transcript/schema.js';

export interface ConformanceHarness {
  store: RunStore;
  /** Sets the store's clock (epoch ms); a second connection shares the clock of the store it was opened for. */
  now: { set(ms: number): void };
  /** Closes the store and removes what the harness created. */
  cleanup(): Promise<void>;
  /** Damages the stored run record and every turn of the run so that none can be read back (optional). */
  corrupt?(runId: string): Promise<void>;
  /** Damages every stored state update of the run's keyed turns (text that is not JSON). */
  corruptStateUpdates(runId: string): Promise<void>;
  /** Damages the stored request of every side effect of the run (text that is not JSON) (optional). */
  corruptEffects?(runId: string): Promise<void>;
  /**
   * Loses a queued run's way to the workers (PostgreSQL: removes its waiting job); absent where nothing can be lost
   * (SQLite workers poll the runs themselves).
   */
  loseJob?(runId: string): Promise<void>;
}

/**
 * Opens a fresh, empty store whose redactor is {@link conformanceRedactor}; with `shared`, a second connection (another
 * store instance, as another process would have) to the same database as `shared`.
 */
export type OpenConformanceStore = (shared?: RunStore) => Promise<ConformanceHarness>;

/** A configured secret value the store's redactor knows. */
export const CONFORMANCE_SECRET = 'super-secret-value-123';
/** An OpenAI key shape the built-in detectors find. */
const API_KEY = `sk-proj-${'Ab3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1eF3hJ5kL7n'}`;

/** The redactor a conformance store must be opened with: the configured secret, and the built-in detectors. */
export function conformanceRedactor(): Redactor {
  return createRedactor([CONFORMANCE_SECRET]);
}

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const MINUTE = 60_000;

function newRun(id: string, overrides: Partial<Omit<RunRecord, 'version'>> = {}): Omit<RunRecord, 'version'> {
  return {
    id, goal: `goal of ${id}`, status: 'running', rounds: 0, startedAt: iso(T0), endedAt: null, durationMs: null, inputTokens: 0, outputTokens: 0,
    costUsd: 0, costEstimated: false, engine: 'offline', labels: {}, result: null, error: null, ...overrides,
  };
}

function newTurn(runId: string, content = 'hello', overrides: Partial<NewTurn> = {}): NewTurn {
  return {
    runId, round: 1, from: 'planner', to: ['researcher'], role: 'planner', kind: 'planner', model: 'offline:x', startedAt: iso(T0), latencyMs: 1,
    messages: [{ role: 'user', content }], output: null, toolCalls: [], usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2, estimated: true },
    costUsd: 0, attempts: 1, events: [], ...overrides,
  };
}

function attachment(name: string, text: string): StoredAttachment {
  return { name, kind: 'document', mimeType: 'text/plain', bytes: Buffer.from(text), sha256: `sha-of-${name}` };
}

function request(runId: string, overrides: Partial<DecisionRequest> = {}): DecisionRequest {
  return { runId, gate: 'plan-review', review: 'plan', prompt: 'Approve the plan?', subject: { steps: ['one', 'two'] }, round: 1, requestedAt: iso(T0), ...overrides };
}

function intent(runId: string, key: string, overrides: Partial<EffectIntent> = {}): EffectIntent {
  return { runId, key, operation: 'slack.post', turn: '1/act/-/0', request: { channel: '#ops', text: 'deployed', blocks: [{ type: 'section' }] }, startedAt: iso(T0), ...overrides };
}

function decision(kind: Decision['decision'], overrides: Partial<Decision> = {}): Decision {
  return { decision: kind, by: 'alice', note: 'looks fine', decidedAt: iso(T0 + MINUTE), ...overrides };
}

const content = (turn: TurnRecord | undefined): string | undefined => turn?.messages[0]?.content;

export function describeRunStoreConformance(name: string, open: OpenConformanceStore): void {
  let harness: ConformanceHarness;
  let store: RunStore;
  const opened: ConformanceHarness[] = [];

  /** A second connection to the test's database, closed after the test. */
  async function second(): Promise<RunStore> {
    const other = await open(store);
    opened.push(other);
    return other.store;
  }

  beforeEach(async () => {
    harness = await open();
    opened.push(harness);
    store = harness.store;
    harness.now.set(T0);
  });

  afterEach(async () => {
    for (const each of opened.splice(0).reverse()) await each.cleanup();
  });

  const queued = (id: string, overrides: Partial<Omit<RunRecord, 'version'>> = {}, attachments?: StoredAttachment[]): Promise<RunRecord> =>
    store.createRun(newRun(id, overrides), newTurn(id, 'opening'), { state: { status: 'queued', ...(attachments ? { attachments } : {}) } });
  const running = (id: string, owner = 'owner-a', expiresAt = T0 + MINUTE, overrides: Partial<Omit<RunRecord, 'version'>> = {}): Promise<RunRecord> =>
    store.createRun(newRun(id, overrides), newTurn(id, 'opening'), { state: { status: 'running', lease: { owner, expiresAt } } });
  /** A run parked at a gate by `owner-a`. */
  const waiting = async (id: string, requestedAt = iso(T0)): Promise<void> => {
    await running(id);
    expect(await store.awaitDecision(request(id, { requestedAt }), 'owner-a')).toBe(true);
  };

  describe(`${name} run store: runs`, () => {
    it('records a queued run with its opening turn and its attachments', async () => {
      const record = await queued('a', {}, [attachment('notes.md', 'first'), attachment('data.txt', 'second')]);
      expect(record).toMatchObject({ id: 'a', status: 'queued', version: 1, queuedAt: iso(T0) });
      expect(await store.getRun('a')).toEqual(record);
      expect((await store.turns('a')).map((turn) => [turn.seq, content(turn)])).toEqual([[1, 'opening']]);
      expect(await store.takeable(10)).toEqual(['a']);
      const stored = await store.attachments('a');
      expect(stored.map((file) => [file.name, file.kind, file.mimeType, file.sha256, Buffer.from(file.bytes).toString()])).toEqual([
        ['notes.md', 'document', 'text/plain', 'sha-of-notes.md', 'first'],
        ['data.txt', 'document', 'text/plain', 'sha-of-data.txt', 'second'],
      ]);
    });

    it('records a running run under its lease: not in the queue, and not takeable by another process', async () => {
      const record = await running('a');
      expect(record.status).toBe('running');
      expect((await store.getRun('a')).status).toBe('running');
      expect(await store.takeable(10)).toEqual([]);
      expect(await store.acquire('a', { owner: 'owner-b', expiresAt: T0 + 2 * MINUTE })).toBeUndefined();
      expect(await store.attachments('a')).toEqual([]);
    });

    it('throws RunNotFoundError for an unknown run', async () => {
      await expect(store.getRun('missing')).rejects.toThrow(RunNotFoundError);
    });

    it('lists runs newest first, by page, time window and status', async () => {
      await queued('old', { startedAt: iso(T0 - 2 * MINUTE) });
      await running('middle', 'owner-a', T0 + MINUTE, { startedAt: iso(T0 - MINUTE) });
      await queued('new', { startedAt: iso(T0) });
      const ids = async (options?: Parameters<RunStore['listRuns']>[0]): Promise<string[]> => (await store.listRuns(options)).map((run) => run.id);
      expect(await ids()).toEqual(['new', 'middle', 'old']);
      expect(await ids({ limit: 2 })).toEqual(['new', 'middle']);
      expect(await ids({ limit: 2, offset: 1 })).toEqual(['middle', 'old']);
      expect(await ids({ since: iso(T0 - MINUTE) })).toEqual(['new', 'middle']);
      expect(await ids({ until: iso(T0 - MINUTE) })).toEqual(['old']);
      expect(await ids({ status: 'queued' })).toEqual(['new', 'old']);
      expect(await ids({ status: 'running' })).toEqual(['middle']);
    });

    it('updates a run only while the owner holds it', async () => {
      const record = await running('a');
      expect(await store.updateRun({ ...record, rounds: 2, inputTokens: 40 }, 'owner-b')).toBe(false);
      expect((await store.getRun('a')).rounds).toBe(0);
      expect(await store.updateRun({ ...record, rounds: 2, inputTokens: 40 }, 'owner-a')).toBe(true);
      expect(await store.getRun('a')).toMatchObject({ rounds: 2, inputTokens: 40, status: 'running' });
      // An expired lease nobody else took still lets its owner write.
      harness.now.set(T0 + 2 * MINUTE);
      expect(await store.updateRun({ ...record, rounds: 3 }, 'owner-a')).toBe(true);
      expect((await store.getRun('a')).rounds).toBe(3);
    });

    it('releases the lease when an update ends the run', async () => {
      const record = await running('a');
      expect(await store.updateRun({ ...record, status: 'failed', endedAt: iso(T0), error: { code: 'INTERNAL', message: 'broke' } }, 'owner-a')).toBe(true);
      expect((await store.getRun('a')).status).toBe('failed');
      expect(await store.renewLease('a', 'owner-a', T0 + 5 * MINUTE)).toEqual({ held: false, cancelRequested: false });
      expect(await store.updateRun({ ...record, rounds: 9 }, 'owner-a')).toBe(false);
      expect(await store.acquire('a', { owner: 'owner-b', expiresAt: T0 + MINUTE })).toBeUndefined();
    });

    it('finishes a run in one commit: closing turn, final record, lease released, attachments dropped', async () => {
      await queued('a', {}, [attachment('notes.md', 'text')]);
      const record = await store.acquire('a', { owner: 'owner-a', expiresAt: T0 + MINUTE });
      expect(record).toBeDefined();
      const final: RunRecord = { ...record!, status: 'approved', endedAt: iso(T0 + 1000), durationMs: 1000 };
      const closing = newTurn('a', 'closing', { from: 'supervisor', to: ['user'], role: 'supervisor', kind: 'supervisor', model: null });
      expect(await store.finishRun(final, closing, 'owner-b')).toBe(false);
      expect((await store.turns('a')).length).toBe(1);
      expect((await store.getRun('a')).status).toBe('running');
      expect(await store.finishRun(final, closing, 'owner-a')).toBe(true);
      expect(await store.getRun('a')).toMatchObject({ status: 'approved', endedAt: iso(T0 + 1000), durationMs: 1000 });
      expect((await store.turns('a')).map((turn) => [turn.seq, content(turn)])).toEqual([[1, 'opening'], [2, 'closing']]);
      expect(await store.attachments('a')).toEqual([]);
      expect(await store.renewLease('a', 'owner-a', T0 + MINUTE)).toEqual({ held: false, cancelRequested: false });
      expect(await store.finishRun(final, closing, 'owner-a')).toBe(false);
    });
  });

  describe(`${name} run store: turns`, () => {
    it('numbers turns per run, without gaps, however they interleave', async () => {
      await running('a');
      await running('b');
      await store.appendTurn(newTurn('a', 'two'));
      await store.appendTurn(newTurn('b', 'other'));
      await Promise.all([store.appendTurn(newTurn('a', 'x')), store.appendTurn(newTurn('a', 'y')), store.appendTurn(newTurn('b', 'z'))]);
      expect((await store.turns('a')).map((turn) => turn.seq)).toEqual([1, 2, 3, 4]);
      expect((await store.turns('b')).map((turn) => turn.seq)).toEqual([1, 2, 3]);
      expect((await store.turns('a'))[1]).toMatchObject({ version: 1, seq: 2, runId: 'a', messages: [{ role: 'user', content: 'two' }] });
    });

    it('records a keyed turn once: a replay gets the stored turn and its state update back', async () => {
      await running('a');
      const key: TurnKey = { round: 1, stage: 'plan', attempt: 0 };
      const seen: number[] = [];
      store.onTurn((turn) => seen.push(turn.seq));
      const first = await store.recordTurn(newTurn('a', 'planned'), { key, stateUpdate: { plan: ['step'] }, owner: 'owner-a' });
      expect(first).toMatchObject({ existed: false, stateUpdate: { plan: ['step'] }, turn: { seq: 2, runId: 'a' } });
      expect(content(first.turn)).toBe('planned');
      const replay = await store.recordTurn(newTurn('a', 'planned again'), { key, stateUpdate: { plan: ['other'] }, owner: 'owner-a' });
      expect(replay).toEqual({ turn: first.turn, stateUpdate: { plan: ['step'] }, existed: true });
      expect((await store.turns('a')).map((turn) => turn.seq)).toEqual([1, 2]);
      expect(seen).toEqual([2]);
      expect(await store.findTurn('a', key)).toEqual({ turn: first.turn, stateUpdate: { plan: ['step'] } });
      // Another attempt, another step or another round is another turn.
      const retry = await store.recordTurn(newTurn('a', 'retried'), { key: { ...key, attempt: 1 }, stateUpdate: null, owner: 'owner-a' });
      const step = await store.recordTurn(newTurn('a', 'step'), { key: { ...key, step: 's1' }, stateUpdate: undefined, owner: 'owner-a' });
      expect([retry.turn.seq, step.turn.seq, retry.existed, step.existed]).toEqual([3, 4, false, false]);
      expect(await store.findTurn('a', { ...key, step: 's1' })).toEqual({ turn: step.turn, stateUpdate: null });
      expect(await store.findTurn('a', { ...key, round: 2 })).toBeUndefined();
      expect(await store.findTurn('b', key)).toBeUndefined();
      expect(seen).toEqual([2, 3, 4]);
    });

    it('gives a turn recorded by the previous holder, with its update, to the process that took the run over', async () => {
      await running('a', 'owner-a', T0 + MINUTE);
      const key: TurnKey = { round: 1, stage: 'research', step: 's1', attempt: 0 };
      const first = await store.recordTurn(newTurn('a', 'researched'), { key, stateUpdate: { findings: ['first'] }, owner: 'owner-a' });
      // owner-a stops heart-beating; another process takes the run and replays the node.
      harness.now.set(T0 + 2 * MINUTE);
      const other = await second();
      expect(await other.acquire('a', { owner: 'owner-b', expiresAt: T0 + 3 * MINUTE })).toMatchObject({ status: 'running' });
      const seen: number[] = [];
      other.onTurn((turn) => seen.push(turn.seq));
      const replay = await other.recordTurn(newTurn('a', 'researched again'), { key, stateUpdate: { findings: ['second'] }, owner: 'owner-b' });
      expect(replay).toEqual({ turn: first.turn, stateUpdate: { findings: ['first'] }, existed: true });
      expect(seen).toEqual([]);
      expect((await store.turns('a')).map(content)).toEqual(['opening', 'researched']);
    });

    it('refuses a keyed turn from a process that does not hold the run: RunLeaseLostError, nothing written', async () => {
      await running('a', 'owner-a', T0 + MINUTE);
      await queued('q');
      await waiting('w');
      const done = await running('done');
      await store.finishRun({ ...done, status: 'approved', endedAt: iso(T0) }, newTurn('done', 'closing'), 'owner-a');
      const seen: number[] = [];
      const changes: string[] = [];
      store.onTurn((turn) => seen.push(turn.seq));
      store.onRunChange((change) => changes.push(change.status));
      const key: TurnKey = { round: 1, stage: 'plan', attempt: 0 };
      const record = (runId: string, owner: string): Promise<unknown> => store.recordTurn(newTurn(runId, `by ${owner}`), { key, stateUpdate: { by: owner }, owner });
      await expect(record('a', 'owner-b')).rejects.toThrow(RunLeaseLostError);
      await expect(record('a', 'owner-b')).rejects.toThrow('this process no longer holds run a');
      // Nobody holds a run that is queued, waits for a person or has ended.
      for (const id of ['q', 'w', 'done']) await expect(record(id, 'owner-a')).rejects.toThrow(RunLeaseLostError);
      await expect(record('missing', 'owner-a')).rejects.toThrow(RunNotFoundError);
      // An expired lease nobody took still lets its owner write; once another process took the run, it does not.
      harness.now.set(T0 + 2 * MINUTE);
      expect((await store.recordTurn(newTurn('a', 'late'), { key, stateUpdate: { by: 'owner-a' }, owner: 'owner-a' })).existed).toBe(false);
      expect(await store.acquire('a', { owner: 'owner-b', expiresAt: T0 + 3 * MINUTE })).toMatchObject({ status: 'running' });
      const after = { ...key, attempt: 1 };
      await expect(store.recordTurn(newTurn('a', 'later'), { key: after, stateUpdate: 1, owner: 'owner-a' })).rejects.toThrow(RunLeaseLostError);
      // Even a key that exists: the process that lost the lease learns that, not the stored update.
      await expect(record('a', 'owner-a')).rejects.toThrow(RunLeaseLostError);
      expect(await store.findTurn('a', after)).toBeUndefined();
      expect((await store.turns('a')).map(content)).toEqual(['opening', 'late']);
      expect(await store.findTurn('q', key)).toBeUndefined();
      expect((await store.turns('q')).length).toBe(1);
      expect((await store.turns('w')).length).toBe(1);
      expect((await store.turns('done')).length).toBe(2);
      expect(seen).toEqual([2]);
      expect(changes).toEqual(['running']);
      // A persisted expiry takes the lease from its owner too.
      await running('b', 'owner-a', T0 + 2 * MINUTE + 1000);
      await store.expireLeases(T0 + 3 * MINUTE);
      await expect(record('b', 'owner-a')).rejects.toThrow(RunLeaseLostError);
    });

    it('lets exactly one of two racing writers of a key record it', async () => {
      await running('a');
      const other = await second();
      const key: TurnKey = { round: 2, stage: 'draft', attempt: 0 };
      const results = await Promise.all([
        store.recordTurn(newTurn('a', 'one'), { key, stateUpdate: 'one', owner: 'owner-a' }),
        other.recordTurn(newTurn('a', 'two'), { key, stateUpdate: 'two', owner: 'owner-a' }),
      ]);
      expect(results.map((result) => result.existed).sort()).toEqual([false, true]);
      const winner = results.find((result) => !result.existed);
      expect(results.find((result) => result.existed)).toEqual({ turn: winner?.turn, stateUpdate: winner?.stateUpdate, existed: true });
      expect((await store.turns('a')).length).toBe(2);
    });

    it('reads a damaged state update as a TranscriptError naming the turn', async () => {
      await running('a');
      const key: TurnKey = { round: 1, stage: 'plan', attempt: 0 };
      await store.recordTurn(newTurn('a', 'planned'), { key, stateUpdate: { plan: ['step'] }, owner: 'owner-a' });
      await harness.corruptStateUpdates('a');
      await expect(store.findTurn('a', key)).rejects.toThrow(TranscriptError);
      await expect(store.findTurn('a', key)).rejects.toThrow('the state update of turn 2 of run a is not valid JSON');
      await expect(store.recordTurn(newTurn('a', 'again'), { key, stateUpdate: null, owner: 'owner-a' })).rejects.toThrow(TranscriptError);
      expect((await store.turns('a')).length).toBe(2);
    });

    it('tells turn listeners exactly the stored records; a throwing listener never breaks recording', async () => {
      const seen: TurnRecord[] = [];
      store.onTurn(() => {
        throw new Error('listener broke');
      });
      const unsubscribe = store.onTurn((turn) => seen.push(turn));
      await running('a');
      const appended = await store.appendTurn(newTurn('a', 'two'));
      expect(seen).toEqual(await store.turns('a'));
      expect(seen[1]).toEqual(appended);
      unsubscribe();
      await store.appendTurn(newTurn('a', 'three'));
      expect(seen.length).toBe(2);
    });

    it('returns no turns for an unknown run', async () => {
      expect(await store.turns('missing')).toEqual([]);
    });
  });

  describe(`${name} run store: leases and the queue`, () => {
    it('reads a running run whose lease expired as interrupted, in getRun and in lists', async () => {
      await running('a', 'owner-a', T0 + MINUTE);
      harness.now.set(T0 + MINUTE);
      expect((await store.getRun('a')).status).toBe('running');
      harness.now.set(T0 + MINUTE + 1);
      expect((await store.getRun('a')).status).toBe('interrupted');
      expect((await store.listRuns()).map((run) => run.status)).toEqual(['interrupted']);
      expect((await store.listRuns({ status: 'interrupted' })).map((run) => run.id)).toEqual(['a']);
      expect(await store.listRuns({ status: 'running' })).toEqual([]);
    });

    it('extends a lease while its owner holds it, and reports whether it holds it', async () => {
      await running('a', 'owner-a', T0 + MINUTE);
      expect(await store.renewLease('a', 'owner-a', T0 + 3 * MINUTE)).toEqual({ held: true, cancelRequested: false });
      harness.now.set(T0 + 2 * MINUTE);
      expect((await store.getRun('a')).status).toBe('running');
      expect(await store.renewLease('a', 'owner-b', T0 + 9 * MINUTE)).toEqual({ held: false, cancelRequested: false });
      expect(await store.renewLease('missing', 'owner-a', T0)).toEqual({ held: false, cancelRequested: false });
    });

    it('takes a queued run once, and an interrupted one from the process that lost it', async () => {
      await queued('a');
      const taken = await store.acquire('a', { owner: 'owner-a', expiresAt: T0 + MINUTE });
      expect(taken).toMatchObject({ id: 'a', status: 'running' });
      expect(await store.getRun('a')).toEqual(taken);
      expect(await store.takeable(10)).toEqual([]);
      expect(await store.acquire('a', { owner: 'owner-b', expiresAt: T0 + MINUTE })).toBeUndefined();
      harness.now.set(T0 + 2 * MINUTE);
      expect(await store.acquire('a', { owner: 'owner-b', expiresAt: T0 + 3 * MINUTE })).toMatchObject({ status: 'running' });
      // The first owner's heartbeat and writes now fail: another process executes the run.
      expect(await store.renewLease('a', 'owner-a', T0 + 9 * MINUTE)).toEqual({ held: false, cancelRequested: false });
      expect(await store.updateRun({ ...taken!, rounds: 5 }, 'owner-a')).toBe(false);
      expect(await store.renewLease('a', 'owner-b', T0 + 4 * MINUTE)).toEqual({ held: true, cancelRequested: false });
    });

    it('lets exactly one of two racing acquirers take a run, in one process and across two connections', async () => {
      await queued('a');
      const other = await second();
      const results = await Promise.all([store.acquire('a', { owner: 'owner-a', expiresAt: T0 + MINUTE }), other.acquire('a', { owner: 'owner-b', expiresAt: T0 + MINUTE })]);
      expect(results.filter((result) => result !== undefined)).toHaveLength(1);
      await queued('b');
      const local = await Promise.all([store.acquire('b', { owner: 'owner-a', expiresAt: T0 + MINUTE }), store.acquire('b', { owner: 'owner-b', expiresAt: T0 + MINUTE })]);
      expect(local.filter((result) => result !== undefined)).toHaveLength(1);
    });

    it('does not take a run that waits for a person, has ended, or does not exist', async () => {
      await waiting('waits');
      const done = await running('done');
      await store.finishRun({ ...done, status: 'approved', endedAt: iso(T0) }, newTurn('done', 'closing'), 'owner-a');
      for (const id of ['waits', 'done', 'missing']) expect(await store.acquire(id, { owner: 'owner-b', expiresAt: T0 + MINUTE })).toBeUndefined();
    });

    it('lists takeable runs oldest queuedAt first, up to the limit', async () => {
      await queued('second', { queuedAt: iso(T0 + 2000) });
      await queued('first', { queuedAt: iso(T0 + 1000) });
      await queued('third', { queuedAt: iso(T0 + 3000) });
      await running('busy');
      expect(await store.takeable(10)).toEqual(['first', 'second', 'third']);
      expect(await store.takeable(2)).toEqual(['first', 'second']);
    });

    it('persists expired leases as interrupted', async () => {
      await running('expired', 'owner-a', T0 + MINUTE);
      await running('live', 'owner-b', T0 + 10 * MINUTE);
      await queued('waiting');
      expect(await store.expireLeases(T0 + 2 * MINUTE)).toEqual(['expired']);
      // Persisted: it stays interrupted whatever the clock says now, and its old owner no longer holds it.
      expect((await store.getRun('expired')).status).toBe('interrupted');
      expect(await store.renewLease('expired', 'owner-a', T0 + 5 * MINUTE)).toEqual({ held: false, cancelRequested: false });
      expect((await store.getRun('live')).status).toBe('running');
      expect((await store.listRuns({ status: 'interrupted' })).map((run) => run.id)).toEqual(['expired']);
      expect(await store.expireLeases(T0 + 2 * MINUTE)).toEqual([]);
      expect((await store.turns('expired')).length).toBe(1);
    });

    it('ends cancelled, with its totals from its turns, a run whose cancellation came before its process died', async () => {
      await running('doomed', 'owner-a', T0 + MINUTE);
      await store.recordTurn(
        { ...newTurn('doomed', 'plan'), round: 1, usage: { inputTokens: 100, outputTokens: 10, totalTokens: 110, estimated: false }, costUsd: 0.5 },
        { key: { round: 1, stage: 'planner', attempt: 0 }, stateUpdate: {}, owner: 'owner-a' },
      );
      expect(await store.requestCancel('doomed', new Date(T0 + 1000))).toBe('requested');
      expect(await store.expireLeases(T0 + 2 * MINUTE)).toEqual([]);
      const record = await store.getRun('doomed');
      // The opening turn of the test's runs counts 1 + 1 tokens.
      expect(record).toMatchObject({ status: 'cancelled', rounds: 1, inputTokens: 101, outputTokens: 11, costUsd: 0.5 });
      expect((await store.turns('doomed')).at(-1)).toMatchObject({ role: 'supervisor', round: 1, output: { status: 'cancelled' } });
      expect(await store.requeue('doomed', new Date(T0 + 3 * MINUTE))).toBe(false);
    });

    it('requeues an interrupted run, persisted or read as such, and nothing else', async () => {
      await running('persisted', 'owner-a', T0 + MINUTE);
      await running('expired', 'owner-a', T0 + MINUTE, { startedAt: iso(T0 + 1) });
      await running('live', 'owner-b', T0 + 10 * MINUTE);
      await queued('queued');
      await store.expireLeases(T0 + 2 * MINUTE);
      harness.now.set(T0 + 2 * MINUTE);
      const later = new Date(T0 + 3 * MINUTE);
      expect(await store.requeue('persisted', later)).toBe(true);
      expect(await store.requeue('expired', later)).toBe(true);
      expect(await store.requeue('live', later)).toBe(false);
      expect(await store.requeue('queued', later)).toBe(false);
      expect(await store.requeue('missing', later)).toBe(false);
      expect(await store.getRun('persisted')).toMatchObject({ status: 'queued', queuedAt: later.toISOString() });
      expect(await store.getRun('expired')).toMatchObject({ status: 'queued', queuedAt: later.toISOString() });
      expect((await store.listRuns({ status: 'queued' })).map((run) => [run.id, run.queuedAt])).toEqual([
        ['expired', later.toISOString()], ['queued', iso(T0)], ['persisted', later.toISOString()],
      ]);
      expect(await store.takeable(10)).toEqual(['queued', 'persisted', 'expired']);
      expect(await store.acquire('expired', { owner: 'owner-c', expiresAt: T0 + 5 * MINUTE })).toMatchObject({ status: 'running' });
    });
  });

  describe(`${name} run store: ensureQueued`, () => {
    it('finds nothing to do while every queued run can be taken', async () => {
      await queued('old', { queuedAt: iso(T0 - 2 * MINUTE) });
      await queued('new', { queuedAt: iso(T0) });
      await running('busy');
      expect(await store.ensureQueued(T0 + MINUTE)).toEqual([]);
      expect(await store.takeable(10)).toEqual(['old', 'new']);
    });

    it('gives a queued run that lost its way to the workers its way back, once, when it has waited long enough', async () => {
      if (!harness.loseJob) {
        // Its workers poll the runs themselves: a queued run cannot be lost, and there is never anything to add.
        await queued('old', { queuedAt: iso(T0 - 2 * MINUTE) });
        expect(await store.ensureQueued(T0 + MINUTE)).toEqual([]);
        return;
      }
      await queued('old', { queuedAt: iso(T0 - 2 * MINUTE) });
      await queued('older', { queuedAt: iso(T0 - 3 * MINUTE) });
      await queued('new', { queuedAt: iso(T0) });
      await queued('kept', { queuedAt: iso(T0 - 5 * MINUTE) });
      for (const id of ['old', 'older', 'new']) await harness.loseJob(id);
      expect(await store.ensureQueued(T0 - MINUTE)).toEqual(['older', 'old']);
      expect(await store.ensureQueued(T0 - MINUTE)).toEqual([]);
      expect(await store.ensureQueued(T0 + MINUTE)).toEqual(['new']);
      expect(await store.ensureQueued(T0 + MINUTE)).toEqual([]);
    });
  });

  describe(`${name} run store: cancellation`, () => {
    const expectCancelled = async (runId: string, turns: number, endedAt = T0 + MINUTE): Promise<void> => {
      expect(await store.getRun(runId)).toMatchObject({ status: 'cancelled', endedAt: iso(endedAt), error: { code: 'CANCELLED' } });
      const recorded = await store.turns(runId);
      expect(recorded.map((turn) => turn.seq)).toEqual(Array.from({ length: turns }, (_, index) => index + 1));
      expect(recorded.at(-1)).toMatchObject({
        from: 'supervisor', to: ['user'], role: 'supervisor', kind: 'supervisor', model: null, error: { code: 'CANCELLED' },
        output: { status: 'cancelled', verified: false, answer: null, objections: [] },
      });
      expect(await store.attachments(runId)).toEqual([]);
    };

    it('cancels a queued run at once: its end recorded, its attachments dropped, out of the queue', async () => {
      await queued('a', {}, [attachment('notes.md', 'text')]);
      expect(await store.requestCancel('a', new Date(T0 + MINUTE))).toBe('cancelled');
      await expectCancelled('a', 2);
      expect(await store.takeable(10)).toEqual([]);
      expect(await store.acquire('a', { owner: 'owner-a', expiresAt: T0 + 2 * MINUTE })).toBeUndefined();
    });

    it('cancels an interrupted run at once, persisted or read as such', async () => {
      await running('persisted', 'owner-a', T0 + 1000);
      await running('expired', 'owner-a', T0 + 1000);
      await store.expireLeases(T0 + 2000);
      harness.now.set(T0 + MINUTE);
      expect(await store.requestCancel('persisted', new Date(T0 + MINUTE))).toBe('cancelled');
      expect(await store.requestCancel('expired', new Date(T0 + MINUTE))).toBe('cancelled');
      await expectCancelled('persisted', 2);
      await expectCancelled('expired', 2);
      expect(await store.renewLease('expired', 'owner-a', T0 + 5 * MINUTE)).toEqual({ held: false, cancelRequested: false });
    });

    it('cancels a run waiting for a person: no longer pending, no decision accepted', async () => {
      await waiting('a');
      expect(await store.requestCancel('a', new Date(T0 + MINUTE))).toBe('cancelled');
      await expectCancelled('a', 2);
      expect(await store.pendingDecisions()).toEqual([]);
      expect((await store.gates('a')).map((gate) => gate.decision)).toEqual([null]);
      await expect(store.decide('a', decision('approve'))).rejects.toThrow(/not waiting for a decision: it is cancelled/);
    });

    it('asks the holder of a running run to cancel it, through its heartbeat', async () => {
      await running('a', 'owner-a', T0 + 10 * MINUTE);
      const other = await second();
      expect(await other.requestCancel('a', new Date(T0 + MINUTE))).toBe('requested');
      expect((await store.getRun('a')).status).toBe('running');
      expect(await store.renewLease('a', 'owner-a', T0 + 11 * MINUTE)).toEqual({ held: true, cancelRequested: true });
      expect(await store.renewLease('a', 'owner-b', T0 + 11 * MINUTE)).toEqual({ held: false, cancelRequested: true });
    });

    it('cancels instead of parking a run whose cancellation was asked for while it executed', async () => {
      await store.createRun(newRun('a'), newTurn('a', 'opening'), {
        state: { status: 'running', lease: { owner: 'owner-a', expiresAt: T0 + 10 * MINUTE }, attachments: [attachment('notes.md', 'text')] },
      });
      expect(await store.requestCancel('a', new Date(T0))).toBe('requested');
      harness.now.set(T0 + MINUTE);
      const changes: string[] = [];
      store.onRunChange((change) => changes.push(change.status));
      expect(await store.awaitDecision(request('a'), 'owner-b')).toBe(false);
      expect((await store.getRun('a')).status).toBe('running');
      expect(await store.awaitDecision(request('a'), 'owner-a')).toBe(true);
      await expectCancelled('a', 2);
      expect(changes).toEqual(['cancelled']);
      expect(await store.pendingDecisions()).toEqual([]);
      expect(await store.gates('a')).toEqual([]);
      expect(await store.renewLease('a', 'owner-a', T0 + 11 * MINUTE)).toEqual({ held: false, cancelRequested: false });
      await expect(store.decide('a', decision('approve'))).rejects.toThrow(/it is cancelled/);
      expect(await store.requestCancel('a', new Date(T0 + 2 * MINUTE))).toBe('finished');
    });

    it('cancels instead of handing out a run whose holder stopped before it could act on a cancellation', async () => {
      await store.createRun(newRun('expired'), newTurn('expired', 'opening'), {
        state: { status: 'running', lease: { owner: 'owner-a', expiresAt: T0 + MINUTE - 1 }, attachments: [attachment('notes.md', 'text')] },
      });
      await running('persisted', 'owner-a', T0 + 1000);
      await running('requeued', 'owner-a', T0 + 1000);
      for (const id of ['expired', 'persisted', 'requeued']) expect(await store.requestCancel(id, new Date(T0))).toBe('requested');
      // The sweep ends the two whose lease it finds expired: cancelled, not interrupted (never resumed).
      expect(await store.expireLeases(T0 + MINUTE - 1)).toEqual([]);
      await expectCancelled('persisted', 2, T0 + MINUTE - 1);
      await expectCancelled('requeued', 2, T0 + MINUTE - 1);
      // `expired` reads as interrupted without that being persisted (its lease ended after the sweep looked).
      await running('live', 'owner-b', T0 + 10 * MINUTE);
      harness.now.set(T0 + MINUTE);
      expect(await store.requeue('requeued', new Date(T0 + MINUTE))).toBe(false);
      const changes: string[] = [];
      store.onRunChange((change) => changes.push(`${change.runId}:${change.status}`));
      // Taking it cancels it instead.
      expect(await store.acquire('expired', { owner: 'owner-c', expiresAt: T0 + 5 * MINUTE })).toBeUndefined();
      await expectCancelled('expired', 2);
      expect(await store.renewLease('expired', 'owner-c', T0 + 6 * MINUTE)).toEqual({ held: false, cancelRequested: false });
      expect(changes).toEqual(['expired:cancelled']);
      expect(await store.takeable(10)).toEqual([]);
      expect(await store.ensureQueued(T0 + 10 * MINUTE)).toEqual([]);
      // A run nobody asked to cancel is taken as usual.
      harness.now.set(T0 + 11 * MINUTE);
      expect(await store.acquire('live', { owner: 'owner-c', expiresAt: T0 + 12 * MINUTE })).toMatchObject({ status: 'running' });
    });

    it('reports a run that already ended as finished, and an unknown run as not found', async () => {
      const record = await running('a');
      await store.finishRun({ ...record, status: 'unverified', endedAt: iso(T0) }, newTurn('a', 'closing'), 'owner-a');
      expect(await store.requestCancel('a', new Date(T0 + MINUTE))).toBe('finished');
      expect((await store.getRun('a')).status).toBe('unverified');
      expect((await store.turns('a')).length).toBe(2);
      await expect(store.requestCancel('missing', new Date(T0))).rejects.toThrow(RunNotFoundError);
    });
  });

  describe(`${name} run store: human decisions`, () => {
    it('parks a run at a gate: awaiting a person, its lease released, the request pending', async () => {
      await running('a', 'owner-a', T0 + MINUTE, { goal: 'write the report' });
      expect(await store.awaitDecision(request('a'), 'owner-b')).toBe(false);
      expect(await store.gates('a')).toEqual([]);
      expect(await store.awaitDecision(request('a'), 'owner-a')).toBe(true);
      expect((await store.getRun('a')).status).toBe('awaiting_human');
      expect(await store.renewLease('a', 'owner-a', T0 + 2 * MINUTE)).toEqual({ held: false, cancelRequested: false });
      // Waiting for a person is not an interruption, however long it takes.
      harness.now.set(T0 + 100 * MINUTE);
      expect((await store.getRun('a')).status).toBe('awaiting_human');
      expect(await store.pendingDecisions()).toEqual([{ ...request('a'), goal: 'write the report' }]);
      expect(await store.gates('a')).toEqual([{ ...request('a'), decision: null }]);
      expect((await store.listRuns({ status: 'awaiting_human' })).map((run) => run.id)).toEqual(['a']);
    });

    it('refuses a decision meant for another request than the open one (DecisionStaleError), writing nothing', async () => {
      await waiting('a');
      for (const expected of [{ round: 2 }, { gate: 'draft-review' }, { review: 'draft' as const }]) {
        await expect(store.decide('a', decision('approve'), expected)).rejects.toThrow(DecisionStaleError);
      }
      await expect(store.decide('a', decision('approve'), { round: 2 })).rejects.toThrow(/now waits for a decision on round 1 of its plan, not on round 2/);
      expect((await store.getRun('a')).status).toBe('awaiting_human');
      expect((await store.gates('a')).map((gate) => gate.decision)).toEqual([null]);
      const taken = await store.decide('a', decision('approve'), { gate: 'plan-review', review: 'plan', round: 1 });
      expect(taken.decision).toMatchObject({ decision: 'approve' });
      expect((await store.getRun('a')).status).toBe('queued');
    });

    it('lists pending decisions oldest request first', async () => {
      await waiting('later', iso(T0 + 2000));
      await waiting('earlier', iso(T0 + 1000));
      expect((await store.pendingDecisions()).map((pending) => pending.runId)).toEqual(['earlier', 'later']);
    });

    it('records an approval and queues the run to continue', async () => {
      await waiting('a');
      harness.now.set(T0 + 30_000);
      const gate = await store.decide('a', decision('approve'));
      expect(gate).toEqual({ ...request('a'), decision: decision('approve') });
      // Queued again now (the store's clock): readers see when.
      expect(await store.getRun('a')).toMatchObject({ status: 'queued', queuedAt: iso(T0 + 30_000) });
      expect(await store.takeable(10)).toEqual(['a']);
      expect(await store.pendingDecisions()).toEqual([]);
      expect(await store.gates('a')).toEqual([gate]);
      expect(await store.acquire('a', { owner: 'owner-b', expiresAt: T0 + 2 * MINUTE })).toMatchObject({ status: 'running' });
      // A second gate later in the run is a second request, after the first.
      expect(await store.awaitDecision(request('a', { gate: 'draft-review', review: 'draft', round: 2, requestedAt: iso(T0 + 2 * MINUTE) }), 'owner-b')).toBe(true);
      const rejection = decision('reject', { note: 'cite the sources', decidedAt: iso(T0 + 3 * MINUTE) });
      await store.decide('a', rejection);
      expect((await store.gates('a')).map((each) => [each.gate, each.decision?.decision])).toEqual([['plan-review', 'approve'], ['draft-review', 'reject']]);
    });

    it('records a rejection with its reason; a decision without a note has none', async () => {
      await waiting('a');
      await waiting('b');
      expect((await store.decide('a', decision('reject', { note: 'too vague' }))).decision).toEqual(decision('reject', { note: 'too vague' }));
      const { note: _note, ...bare } = decision('approve');
      expect((await store.decide('b', bare)).decision).toEqual(bare);
      expect((await store.getRun('a')).status).toBe('queued');
    });

    it('refuses a second decision, and a decision on a run that does not wait, naming its status', async () => {
      await waiting('a');
      await store.decide('a', decision('approve'));
      await expect(store.decide('a', decision('reject'))).rejects.toThrow(RunNotAwaitingError);
      await expect(store.decide('a', decision('reject'))).rejects.toThrow('run a is not waiting for a decision: it is queued');
      await running('b');
      await expect(store.decide('b', decision('approve'))).rejects.toThrow('it is running');
      harness.now.set(T0 + 2 * MINUTE);
      await expect(store.decide('b', decision('approve'))).rejects.toThrow('it is interrupted');
      await expect(store.decide('missing', decision('approve'))).rejects.toThrow(RunNotFoundError);
      expect((await store.gates('a')).map((gate) => gate.decision?.decision)).toEqual(['approve']);
    });

    it("asks about a side-effect call with review 'call', and takes a decision on it like any other", async () => {
      await running('a', 'owner-a', T0 + MINUTE, { goal: 'tell the customer' });
      const call = request('a', { gate: 'approve-call', review: 'call', prompt: 'Send this message?', subject: { operation: 'slack.post', request: { channel: '#ops', text: 'hi' } } });
      expect(await store.awaitDecision(call, 'owner-a')).toBe(true);
      expect(await store.pendingDecisions()).toEqual([{ ...call, goal: 'tell the customer' }]);
      expect(await store.gates('a')).toEqual([{ ...call, decision: null }]);
      await expect(store.decide('a', decision('approve'), { review: 'plan' })).rejects.toThrow(/round 1 of its call, not on the plan/);
      const gate = await store.decide('a', decision('approve'), { gate: 'approve-call', review: 'call', round: 1 });
      expect(gate).toEqual({ ...call, decision: decision('approve') });
      expect(await store.gates('a')).toEqual([gate]);
    });

    it('lets exactly one of two racing decisions win', async () => {
      await waiting('a');
      const other = await second();
      const outcomes = await Promise.allSettled([store.decide('a', decision('approve')), other.decide('a', decision('reject'))]);
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      const lost = outcomes.find((outcome) => outcome.status === 'rejected');
      expect(lost?.reason).toBeInstanceOf(RunNotAwaitingError);
      expect((await store.gates('a')).filter((gate) => gate.decision !== null)).toHaveLength(1);
    });
  });

  describe(`${name} run store: side effects`, () => {
    it('records an intent as pending, sent once, before the call is sent', async () => {
      await running('a');
      const { record, existed } = await store.beginEffect(intent('a', 'a:k1'), 'owner-a');
      expect(existed).toBe(false);
      expect(record).toEqual({
        ...intent('a', 'a:k1'), status: 'pending', result: null, error: null, attempts: 1, finishedAt: null, resolvedBy: null,
      });
      expect(await store.findEffect('a:k1')).toEqual(record);
      expect(await store.effects('a')).toEqual([record]);
      expect(await store.findEffect('missing')).toBeUndefined();
      // The transcript is not touched: the ledger is apart from the turns.
      expect((await store.turns('a')).length).toBe(1);
    });

    it('keeps the first intent under a key: a replay, by the holder or a process that took the run over, gets it back', async () => {
      await running('a', 'owner-a', T0 + MINUTE);
      const first = await store.beginEffect(intent('a', 'a:k1'), 'owner-a');
      const again = await store.beginEffect(intent('a', 'a:k1', { request: { text: 'other' }, startedAt: iso(T0 + 1000) }), 'owner-a');
      expect(again).toEqual({ record: first.record, existed: true });
      // owner-a stops heart-beating; another process takes the run and replays the node that made the call.
      harness.now.set(T0 + 2 * MINUTE);
      const other = await second();
      expect(await other.acquire('a', { owner: 'owner-b', expiresAt: T0 + 3 * MINUTE })).toMatchObject({ status: 'running' });
      expect(await other.beginEffect(intent('a', 'a:k1', { request: { text: 'third' } }), 'owner-b')).toEqual({ record: first.record, existed: true });
      expect(await store.effects('a')).toEqual([first.record]);
    });

    it('refuses an intent from a process that does not hold the run: RunLeaseLostError, nothing written', async () => {
      await running('a');
      await queued('q');
      await waiting('w');
      const done = await running('done');
      await store.finishRun({ ...done, status: 'approved', endedAt: iso(T0) }, newTurn('done', 'closing'), 'owner-a');
      for (const [runId, owner] of [['a', 'owner-b'], ['q', 'owner-a'], ['w', 'owner-a'], ['done', 'owner-a']] as const) {
        await expect(store.beginEffect(intent(runId, `${runId}:k1`), owner)).rejects.toThrow(RunLeaseLostError);
        expect(await store.findEffect(`${runId}:k1`)).toBeUndefined();
        expect(await store.effects(runId)).toEqual([]);
      }
      await expect(store.beginEffect(intent('missing', 'missing:k1'), 'owner-a')).rejects.toThrow(RunNotFoundError);
      // A key another process recorded is not given to a process without the lease either.
      await store.beginEffect(intent('a', 'a:k1'), 'owner-a');
      await expect(store.beginEffect(intent('a', 'a:k1'), 'owner-b')).rejects.toThrow(RunLeaseLostError);
    });

    it('lets exactly one of two racing writers of a key record it', async () => {
      await running('a');
      const other = await second();
      const results = await Promise.all([
        store.beginEffect(intent('a', 'a:k1', { request: { by: 'one' } }), 'owner-a'),
        other.beginEffect(intent('a', 'a:k1', { request: { by: 'two' } }), 'owner-a'),
      ]);
      expect(results.map((result) => result.existed).sort()).toEqual([false, true]);
      expect(results[0]?.record).toEqual(results[1]?.record);
      expect(await store.effects('a')).toEqual([results[0]?.record]);
    });

    it("records a call's outcome with the holder's lease: done with its result, failed with its error", async () => {
      await running('a');
      await store.beginEffect(intent('a', 'a:k1'), 'owner-a');
      await store.beginEffect(intent('a', 'a:k2'), 'owner-a');
      const result = { output: { id: 42, ok: true, tags: ['x', 'y'], nested: { empty: null, text: 'ünïcode "quoted"' } }, records: [], summary: 'sent', status: 200 };
      harness.now.set(T0 + 5000);
      await expect(store.finishEffect('a:k1', { status: 'done', result }, 'owner-b')).rejects.toThrow(RunLeaseLostError);
      expect((await store.findEffect('a:k1'))?.status).toBe('pending');
      const done = await store.finishEffect('a:k1', { status: 'done', result }, 'owner-a');
      expect(done).toEqual({ ...intent('a', 'a:k1'), status: 'done', result, error: null, attempts: 1, finishedAt: iso(T0 + 5000), resolvedBy: null });
      expect(await store.findEffect('a:k1')).toEqual(done);
      const error = { code: 'CONNECTOR_REJECTED', message: 'channel not found', retryable: false };
      const failed = await store.finishEffect('a:k2', { status: 'failed', error }, 'owner-a');
      expect(failed).toMatchObject({ status: 'failed', result: null, error, attempts: 1, finishedAt: iso(T0 + 5000), resolvedBy: null });
      expect(await store.findEffect('a:k2')).toEqual(failed);
      await expect(store.finishEffect('missing', { status: 'done', result }, 'owner-a')).rejects.toThrow(UsageError);
    });

    it('lets a person settle only a pending outcome by hand, without the lease, from any process', async () => {
      await running('a', 'owner-a', T0 + MINUTE);
      await store.beginEffect(intent('a', 'a:k1'), 'owner-a');
      await store.beginEffect(intent('a', 'a:k2'), 'owner-a');
      await store.finishEffect('a:k2', { status: 'failed', error: { code: 'CONNECTOR_UNAVAILABLE', message: 'timeout', retryable: true } }, 'owner-a');
      // The holder died between sending and recording: its run is interrupted, its call's outcome unknown.
      harness.now.set(T0 + 2 * MINUTE);
      expect(await store.expireLeases(T0 + 2 * MINUTE)).toEqual(['a']);
      await expect(store.finishEffect('a:k1', { status: 'done', result: { ok: true } }, 'owner-a')).rejects.toThrow(RunLeaseLostError);
      const other = await second();
      const settled = await other.finishEffect('a:k1', { status: 'done', result: { ok: true }, resolvedBy: 'alice' });
      expect(settled).toMatchObject({ status: 'done', result: { ok: true }, resolvedBy: 'alice', finishedAt: iso(T0 + 2 * MINUTE) });
      expect(await store.findEffect('a:k1')).toEqual(settled);
      await expect(store.finishEffect('a:k1', { status: 'failed', error: { code: 'X', message: 'no', retryable: false }, resolvedBy: 'bob' })).rejects.toThrow(UsageError);
      await expect(store.finishEffect('a:k1', { status: 'done', result: null })).rejects.toThrow('the side effect a:k1 of run a is done, not pending');
      await expect(store.finishEffect('a:k2', { status: 'done', result: null })).rejects.toThrow('is failed, not pending');
      await expect(store.finishEffect('missing', { status: 'done', result: null })).rejects.toThrow(UsageError);
      expect(await store.findEffect('a:k1')).toEqual(settled);
      expect((await store.findEffect('a:k2'))?.status).toBe('failed');
    });

    it('counts a re-send of a pending or failed call, pending again; never of a done one', async () => {
      await running('a');
      await store.beginEffect(intent('a', 'a:k1'), 'owner-a');
      expect(await store.resendEffect('a:k1', 'owner-a')).toMatchObject({ status: 'pending', attempts: 2 });
      harness.now.set(T0 + 1000);
      await store.finishEffect('a:k1', { status: 'failed', error: { code: 'CONNECTOR_UNAVAILABLE', message: 'timeout', retryable: true } }, 'owner-a');
      await expect(store.resendEffect('a:k1', 'owner-b')).rejects.toThrow(RunLeaseLostError);
      const resent = await store.resendEffect('a:k1', 'owner-a');
      expect(resent).toEqual({ ...intent('a', 'a:k1'), status: 'pending', result: null, error: null, attempts: 3, finishedAt: null, resolvedBy: null });
      expect(await store.findEffect('a:k1')).toEqual(resent);
      await store.finishEffect('a:k1', { status: 'done', result: { ok: true } }, 'owner-a');
      await expect(store.resendEffect('a:k1', 'owner-a')).rejects.toThrow(UsageError);
      await expect(store.resendEffect('a:k1', 'owner-a')).rejects.toThrow('the side effect a:k1 of run a is done: it is never sent again');
      expect(await store.findEffect('a:k1')).toMatchObject({ status: 'done', attempts: 3, result: { ok: true } });
      await expect(store.resendEffect('missing', 'owner-a')).rejects.toThrow(/no side effect is recorded under the key "missing"/);
    });

    it("lists a run's effects oldest first, and only that run's", async () => {
      await running('a');
      await running('b');
      await store.beginEffect(intent('a', 'a:late', { startedAt: iso(T0 + 2000) }), 'owner-a');
      await store.beginEffect(intent('b', 'b:one', { startedAt: iso(T0) }), 'owner-a');
      await store.beginEffect(intent('a', 'a:early', { startedAt: iso(T0 + 1000) }), 'owner-a');
      await store.beginEffect(intent('a', 'a:tie', { startedAt: iso(T0 + 1000) }), 'owner-a');
      expect((await store.effects('a')).map((effect) => effect.key)).toEqual(['a:early', 'a:tie', 'a:late']);
      expect((await store.effects('b')).map((effect) => effect.key)).toEqual(['b:one']);
      expect(await store.effects('missing')).toEqual([]);
    });

    it('reads a damaged effect as a TranscriptError naming it', async (context) => {
      if (!harness.corruptEffects) return context.skip();
      await running('a');
      await store.beginEffect(intent('a', 'a:k1'), 'owner-a');
      await harness.corruptEffects('a');
      await expect(store.findEffect('a:k1')).rejects.toThrow(TranscriptError);
      await expect(store.effects('a')).rejects.toThrow('the request of the side effect a:k1 of run a is not valid JSON');
      // Never read as "no record": a replay must not send the call again.
      await expect(store.beginEffect(intent('a', 'a:k1'), 'owner-a')).rejects.toThrow(TranscriptError);
    });
  });

  describe(`${name} run store: redaction`, () => {
    it('never writes a secret: goals, turns, state updates, gate requests and decisions are redacted', async () => {
      const secret = `key ${API_KEY} and ${CONFORMANCE_SECRET}`;
      const seen: TurnRecord[] = [];
      store.onTurn((turn) => seen.push(turn));
      const record = await store.createRun(newRun('a', { goal: `use ${secret}`, labels: { note: secret } }), newTurn('a', secret), {
        state: { status: 'running', lease: { owner: 'owner-a', expiresAt: T0 + MINUTE } },
      });
      const key: TurnKey = { round: 1, stage: 'research', attempt: 0 };
      await store.recordTurn(newTurn('a', secret, { output: { text: secret } }), { key, stateUpdate: { draft: secret }, owner: 'owner-a' });
      await store.updateRun({ ...record, rounds: 1, labels: { again: secret } }, 'owner-a');
      await store.awaitDecision(request('a', { prompt: `approve ${secret}?`, subject: { plan: secret } }), 'owner-a');
      const gate = await store.decide('a', decision('approve', { note: `fine, ${secret}`, by: secret }));
      const everything = JSON.stringify([
        record, gate, seen, await store.getRun('a'), await store.listRuns(), await store.turns('a'), await store.findTurn('a', key),
        await store.gates('a'),
      ]);
      expect(everything).not.toContain(API_KEY);
      expect(everything).not.toContain(CONFORMANCE_SECRET);
      expect(content(seen[0])).toBe('key [REDACTED:openai-api-key] and [REDACTED:secret]');
      expect((await store.getRun('a')).goal).toBe('use key [REDACTED:openai-api-key] and [REDACTED:secret]');
    });

    it("never writes a secret of a side effect: its request, result, error and who settled it", async () => {
      const secret = `key ${API_KEY} and ${CONFORMANCE_SECRET}`;
      await running('a');
      const key = 'a:k1';
      const begun = await store.beginEffect(intent('a', key, { operation: `crm.update ${CONFORMANCE_SECRET}`, request: { body: { note: secret }, headers: [secret] } }), 'owner-a');
      await store.beginEffect(intent('a', 'a:k2', { request: secret }), 'owner-a');
      const done = await store.finishEffect(key, { status: 'done', result: { output: { echoed: secret } } }, 'owner-a');
      const failed = await store.finishEffect('a:k2', { status: 'failed', error: { code: 'CONNECTOR_REJECTED', message: `refused ${secret}`, retryable: false }, resolvedBy: secret });
      const everything = JSON.stringify([begun, done, failed, await store.findEffect(key), await store.effects('a')]);
      expect(everything).not.toContain(API_KEY);
      expect(everything).not.toContain(CONFORMANCE_SECRET);
      expect(done.request).toEqual({ body: { note: 'key [REDACTED:openai-api-key] and [REDACTED:secret]' }, headers: ['key [REDACTED:openai-api-key] and [REDACTED:secret]'] });
      expect(await store.findEffect(key)).toMatchObject({ operation: 'crm.update [REDACTED:secret]', result: { output: { echoed: 'key [REDACTED:openai-api-key] and [REDACTED:secret]' } } });
      expect(failed).toMatchObject({ error: { message: 'refused key [REDACTED:openai-api-key] and [REDACTED:secret]' }, resolvedBy: 'key [REDACTED:openai-api-key] and [REDACTED:secret]' });
    });

    it("redacts an attachment's name; its bytes, kind, media type and digest are kept as given", async () => {
      const sha256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
      const file: StoredAttachment = { name: `notes ${CONFORMANCE_SECRET}.md`, kind: 'document', mimeType: 'text/markdown', bytes: Buffer.from(`raw ${CONFORMANCE_SECRET}`), sha256 };
      await queued('a', {}, [file]);
      const [stored] = await store.attachments('a');
      expect(stored && { ...stored, bytes: Buffer.from(stored.bytes).toString() }).toEqual({
        name: 'notes [REDACTED:secret].md', kind: 'document', mimeType: 'text/markdown', sha256, bytes: `raw ${CONFORMANCE_SECRET}`,
      });
    });

    it('redacts what a pending decision shows', async () => {
      await running('a', 'owner-a', T0 + MINUTE, { goal: `goal with ${API_KEY}` });
      await store.awaitDecision(request('a', { subject: { draft: `draft with ${CONFORMANCE_SECRET}` } }), 'owner-a');
      const pending = JSON.stringify(await store.pendingDecisions());
      expect(pending).not.toContain(API_KEY);
      expect(pending).not.toContain(CONFORMANCE_SECRET);
      expect(pending).toContain('[REDACTED:secret]');
    });
  });

  describe(`${name} run store: damaged records`, () => {
    it('skips and reports damaged records; reading one directly is a TranscriptError', async (context) => {
      if (!harness.corrupt) return context.skip();
      await running('a');
      await store.appendTurn(newTurn('a', 'two'));
      await running('b', 'owner-a', T0 + MINUTE, { startedAt: iso(T0 - 1000) });
      await harness.corrupt('a');
      const damaged: Array<{ runId: string; seq?: number; reason: string }> = [];
      expect(await store.turns('a', (record) => damaged.push(record))).toEqual([]);
      expect(damaged.map((record) => [record.runId, record.seq])).toEqual([['a', 1], ['a', 2]]);
      expect(damaged[0]?.reason).toMatch(/turn 1 of run a/);
      damaged.length = 0;
      expect((await store.listRuns({ onDamaged: (record) => damaged.push(record) })).map((run) => run.id)).toEqual(['b']);
      expect(damaged).toEqual([{ runId: 'a', reason: expect.stringMatching(/run a/) }]);
      await expect(store.getRun('a')).rejects.toThrow(TranscriptError);
    });
  });

  describe(`${name} run store: run changes`, () => {
    it('tells run-change listeners about every status change, after it is committed', async () => {
      const changes: Array<[string, RunStatus]> = [];
      store.onRunChange(() => {
        throw new Error('listener broke');
      });
      const unsubscribe = store.onRunChange((change) => changes.push([change.runId, change.status]));
      await queued('a');
      const taken = await store.acquire('a', { owner: 'owner-a', expiresAt: T0 + MINUTE });
      await store.awaitDecision(request('a'), 'owner-a');
      await store.decide('a', decision('approve'));
      await store.acquire('a', { owner: 'owner-b', expiresAt: T0 + MINUTE });
      expect(await store.requestCancel('a', new Date(T0))).toBe('requested');
      await store.finishRun({ ...taken!, status: 'cancelled', endedAt: iso(T0) }, newTurn('a', 'closing'), 'owner-b');
      await running('b', 'owner-a', T0 + 1000);
      await store.expireLeases(T0 + 2000);
      await store.requeue('b', new Date(T0 + 3000));
      await store.requestCancel('b', new Date(T0 + 4000));
      const record = await running('c');
      await store.updateRun({ ...record, status: 'budget_exceeded', endedAt: iso(T0) }, 'owner-a');
      expect(changes).toEqual([
        ['a', 'queued'], ['a', 'running'], ['a', 'awaiting_human'], ['a', 'queued'], ['a', 'running'], ['a', 'running'], ['a', 'cancelled'],
        ['b', 'running'], ['b', 'interrupted'], ['b', 'queued'], ['b', 'cancelled'],
        ['c', 'running'], ['c', 'budget_exceeded'],
      ]);
      unsubscribe();
      await queued('d');
      expect(changes.length).toBe(13);
    });

    it('tells nobody about a write that was refused', async () => {
      const changes: string[] = [];
      const turns: number[] = [];
      await running('a');
      store.onRunChange((change) => changes.push(change.status));
      store.onTurn((turn) => turns.push(turn.seq));
      const record = await store.getRun('a');
      await store.finishRun({ ...record, status: 'approved' }, newTurn('a', 'closing'), 'owner-b');
      await store.awaitDecision(request('a'), 'owner-b');
      await store.acquire('a', { owner: 'owner-b', expiresAt: T0 + MINUTE });
      await expect(store.decide('a', decision('approve'))).rejects.toThrow(RunNotAwaitingError);
      await expect(store.recordTurn(newTurn('a', 'intruder'), { key: { round: 1, stage: 'plan', attempt: 0 }, stateUpdate: null, owner: 'owner-b' })).rejects.toThrow(
        RunLeaseLostError,
      );
      expect([changes, turns]).toEqual([[], []]);
    });
  });

  describe(`${name} run store: closing`, () => {
    it('closes idempotently', async () => {
      await store.close();
      await store.close();
    });
  });
}
