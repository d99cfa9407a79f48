/**
 * What the transcript store's tests checked that the run store's suites (test/stores/sqlite.test.ts and
 * test/stores/conformance.ts) do not check as precisely: the reason a damaged record gives names the record and the
 * exact problem (the field that does not match the schema, or that it is not JSON), in lists and in direct reads.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { RunNotFoundError, TranscriptError } from '../../src/errors.js';
import type { DamagedRecord } from '../../src/stores/port.js';
import { SqliteRunStore } from '../../src/stores/sqlite/store.js';
import { createRedactor } from '../../src/transcript/redact.js';
import type { NewTurn, RunRecord } from '../../src/transcript/schema.js';
import { temporaryDirectories } from '../support/project.js';

const tempDir = temporaryDirectories('baton-records-');
const stores: SqliteRunStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

function open(): SqliteRunStore {
  const store = SqliteRunStore.open({ dataDir: tempDir(), redact: createRedactor(['super-secret-value-123']) });
  stores.push(store);
  return store;
}

const run = (id: string): Omit<RunRecord, 'version'> => ({
  id, goal: 'g', status: 'running', rounds: 0, startedAt: new Date().toISOString(), endedAt: null, durationMs: null,
  inputTokens: 0, outputTokens: 0, costUsd: 0, costEstimated: false, engine: 'offline', labels: {}, result: null, error: null,
});

const turn = (runId: string, content: string): NewTurn => ({
  runId, round: 1, from: 'planner', to: ['researcher'], role: 'planner', kind: 'planner', model: 'offline:x', startedAt: new Date().toISOString(),
  latencyMs: 1, messages: [{ role: 'user', content }], output: null, toolCalls: [], usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2, estimated: true },
  costUsd: 0, attempts: 1, events: [],
});

describe('damaged records in the SQLite run store', () => {
  it('are skipped by readers and named with the exact problem; reading one directly is a TranscriptError saying why', async () => {
    const store = open();
    await store.createRun(run('a'), turn('a', 'one'), { state: { status: 'running', lease: { owner: 'me', expiresAt: Date.now() + 60_000 } } });
    const database = new Database(store.location);
    database.prepare("UPDATE turns SET data = json_set(data, '$.round', 'three') WHERE run_id = 'a'").run();
    database.prepare("UPDATE runs SET data = '{not json' WHERE id = 'a'").run();
    database.close();
    const damaged: DamagedRecord[] = [];
    expect(await store.turns('a', (record) => damaged.push(record))).toEqual([]);
    expect(damaged).toEqual([{ runId: 'a', seq: 1, reason: expect.stringMatching(/turn 1 of run a does not match transcript version 1: round/) }]);
    expect(await store.listRuns({ onDamaged: (record) => damaged.push(record) })).toEqual([]);
    expect(damaged[1]).toEqual({ runId: 'a', reason: expect.stringMatching(/run a is not valid JSON/) });
    await expect(store.getRun('a')).rejects.toThrow(TranscriptError);
    await expect(store.getRun('a')).rejects.toThrow(/run a is not valid JSON/);
    await expect(store.getRun('missing')).rejects.toThrow(RunNotFoundError);
  });
});
