import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DataFileError, RunLeaseLostError, RunNotFoundError, StoreSchemaError } from '../../src/errors.js';
import type { RunStore } from '../../src/stores/port.js';
import { SCHEMA_VERSION } from '../../src/stores/sqlite/schema.js';
import { SqliteRunStore } from '../../src/stores/sqlite/store.js';
import type { NewTurn, RunRecord, TurnRecord } from '../../src/transcript/schema.js';
import { temporaryDirectories } from '../support/project.js';
import { conformanceRedactor, describeRunStoreConformance } from './conformance.js';

const tempDir = temporaryDirectories('baton-sqlite-store-');
const T0 = Date.parse('2030-01-01T00:00:00.000Z');

/** A clock the test sets; shared by every connection to one database, as processes share the wall clock. */
function clock(): { now: () => number; set(ms: number): void } {
  let value = T0;
  return { now: () => value, set: (ms) => (value = ms) };
}

/** Where each store under test lives, so a second connection opens the same file with the same clock. */
const databases = new WeakMap<RunStore, { dataDir: string; clock: ReturnType<typeof clock> }>();

describeRunStoreConformance('sqlite', async (shared) => {
  const database = (shared && databases.get(shared)) || { dataDir: tempDir(), clock: clock() };
  const store = SqliteRunStore.open({ dataDir: database.dataDir, redact: conformanceRedactor(), now: database.clock.now });
  databases.set(store, database);
  return {
    store,
    now: database.clock,
    cleanup: () => store.close(),
    corrupt: async (runId) => {
      const raw = new Database(store.location);
      raw.prepare("UPDATE turns SET data = json_set(data, '$.round', 'three') WHERE run_id = ?").run(runId);
      raw.prepare("UPDATE runs SET data = '{not json' WHERE id = ?").run(runId);
      raw.close();
    },
    corruptStateUpdates: async (runId) => {
      const raw = new Database(store.location);
      raw.prepare("UPDATE turn_keys SET state_update = '{not json' WHERE run_id = ?").run(runId);
      raw.close();
    },
    corruptEffects: async (runId) => {
      const raw = new Database(store.location);
      raw.prepare("UPDATE effects SET request = '{not json' WHERE run_id = ?").run(runId);
      raw.close();
    },
  };
});

function open(dataDir: string, file?: string): SqliteRunStore {
  return SqliteRunStore.open({ dataDir, redact: conformanceRedactor(), now: () => T0, ...(file ? { file } : {}) });
}

const oldRun = (id: string, status: string, startedAt: string): RunRecord => ({
  version: 1, id, goal: `goal of ${id}`, status: status as RunRecord['status'], rounds: 1, startedAt, endedAt: status === 'running' ? null : startedAt,
  durationMs: status === 'running' ? null : 5, inputTokens: 3, outputTokens: 4, costUsd: 0, costEstimated: true, engine: 'offline', labels: {},
  result: null, error: null,
});

const oldTurn = (runId: string, seq: number, content: string): TurnRecord => ({
  version: 1, runId, seq, round: 1, from: 'planner', to: ['researcher'], role: 'planner', kind: 'planner', model: 'offline:x', startedAt: new Date(T0).toISOString(),
  latencyMs: 1, messages: [{ role: 'user', content }], output: null, toolCalls: [], usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2, estimated: true },
  costUsd: 0, attempts: 1, events: [],
});

/** A database exactly as the transcript store of earlier Batons (schema version 1) left it: one run ended, one crashed. */
function writeVersion1(file: string, extra = ''): void {
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.exec(`
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS runs (
      id TEXT PRIMARY KEY, goal TEXT NOT NULL, status TEXT NOT NULL, started_at TEXT NOT NULL, data TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS runs_started ON runs(started_at);
    CREATE TABLE IF NOT EXISTS turns (
      run_id TEXT NOT NULL, seq INTEGER NOT NULL, role TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (run_id, seq)
    );
    ${extra}
  `);
  database.prepare("INSERT INTO meta (key, value) VALUES ('transcript_version', '1')").run();
  const insertRun = database.prepare('INSERT INTO runs (id, goal, status, started_at, data) VALUES (?, ?, ?, ?, ?)');
  const insertTurn = database.prepare('INSERT INTO turns (run_id, seq, role, data) VALUES (?, ?, ?, ?)');
  for (const run of [oldRun('done', 'approved', '2025-01-01T00:00:00.000Z'), oldRun('crashed', 'running', '2025-01-02T00:00:00.000Z')]) {
    insertRun.run(run.id, run.goal, run.status, run.startedAt, JSON.stringify(run));
    insertTurn.run(run.id, 1, 'planner', JSON.stringify(oldTurn(run.id, 1, `first of ${run.id}`)));
    insertTurn.run(run.id, 2, 'planner', JSON.stringify(oldTurn(run.id, 2, `second of ${run.id}`)));
  }
  database.close();
}

/**
 * A database exactly as a Baton of store schema version 2 left it: the version 1 file upgraded (its DDL kept verbatim
 * here), a run still running under a lease with a keyed turn, and a run waiting at a gate.
 */
function writeVersion2(file: string, extra = ''): void {
  writeVersion1(file);
  const database = new Database(file);
  database.exec(`
    ALTER TABLE runs ADD COLUMN lease_owner TEXT;
    ALTER TABLE runs ADD COLUMN lease_expires_at INTEGER;
    ALTER TABLE runs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN queued_at TEXT;
    CREATE INDEX runs_queue ON runs(status, queued_at);
    CREATE TABLE turn_keys (
      run_id TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, state_update TEXT NOT NULL, PRIMARY KEY (run_id, key)
    );
    CREATE TABLE attachments (
      run_id TEXT NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, mime_type TEXT NOT NULL,
      sha256 TEXT NOT NULL, bytes BLOB NOT NULL, PRIMARY KEY (run_id, position)
    );
    CREATE TABLE gates (
      run_id TEXT NOT NULL, position INTEGER NOT NULL, gate TEXT NOT NULL, review TEXT NOT NULL, prompt TEXT NOT NULL,
      subject TEXT NOT NULL, round INTEGER NOT NULL, requested_at TEXT NOT NULL, decision TEXT,
      PRIMARY KEY (run_id, position)
    );
    ${extra}
  `);
  database.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', '2')").run();
  const insertRun = database.prepare('INSERT INTO runs (id, goal, status, started_at, data, lease_owner, lease_expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const live = oldRun('live', 'running', '2025-02-01T00:00:00.000Z');
  insertRun.run(live.id, live.goal, live.status, live.startedAt, JSON.stringify(live), 'me', T0 + 60_000);
  database.prepare('INSERT INTO turns (run_id, seq, role, data) VALUES (?, ?, ?, ?)').run('live', 1, 'planner', JSON.stringify(oldTurn('live', 1, 'first of live')));
  database.prepare("INSERT INTO turn_keys (run_id, key, seq, state_update) VALUES ('live', '1/plan/-/0', 1, '{\"plan\":[\"step\"]}')").run();
  const parked = oldRun('parked', 'awaiting_human', '2025-02-02T00:00:00.000Z');
  insertRun.run(parked.id, parked.goal, parked.status, parked.startedAt, JSON.stringify(parked), null, null);
  database
    .prepare("INSERT INTO gates (run_id, position, gate, review, prompt, subject, round, requested_at, decision) VALUES ('parked', 1, 'plan-review', 'plan', 'Approve?', '{}', 1, ?, NULL)")
    .run(new Date(T0).toISOString());
  database.close();
}

function meta(file: string): Record<string, string> {
  const database = new Database(file, { readonly: true });
  const rows = database.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: string }>;
  database.close();
  return Object.fromEntries(rows.map((row) => [row.key, row.value]));
}

function columns(file: string, table: string): string[] {
  const database = new Database(file, { readonly: true });
  const rows = database.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>;
  database.close();
  return rows.map((row) => row.name);
}

/** What `action` throws (undefined when it does not). */
function thrownBy(action: () => unknown): unknown {
  try {
    action();
    return undefined;
  } catch (error) {
    return error;
  }
}

const turn = (runId: string, content: string): NewTurn => {
  const { version: _version, seq: _seq, ...rest } = oldTurn(runId, 1, content);
  return rest;
};

describe('sqlite run store: the file', () => {
  it('lives at <dataDir>/baton.db by default, or at the file given', async () => {
    const dataDir = tempDir();
    const store = open(dataDir);
    expect([store.kind, store.location]).toEqual(['sqlite', path.join(dataDir, 'baton.db')]);
    await store.close();
    const other = open(dataDir, path.join(dataDir, 'other.db'));
    expect(other.location).toBe(path.join(dataDir, 'other.db'));
    await other.close();
    expect(meta(path.join(dataDir, 'other.db'))).toEqual({ transcript_version: '1', schema_version: String(SCHEMA_VERSION) });
  });

  it('upgrades a version 1 database in place, keeping every run and turn readable', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'baton.db');
    writeVersion1(file);
    const store = open(dataDir);
    expect(meta(file)).toEqual({ transcript_version: '1', schema_version: String(SCHEMA_VERSION) });
    expect(columns(file, 'runs')).toEqual(expect.arrayContaining(['lease_owner', 'lease_expires_at', 'cancel_requested', 'queued_at']));
    expect(columns(file, 'effects')).toContain('resolved_by');
    expect(await store.getRun('done')).toEqual(oldRun('done', 'approved', '2025-01-01T00:00:00.000Z'));
    // A run an old Baton left running has no process and no lease: it can be resumed.
    expect((await store.getRun('crashed')).status).toBe('interrupted');
    expect((await store.listRuns()).map((run) => [run.id, run.status])).toEqual([['crashed', 'interrupted'], ['done', 'approved']]);
    expect(await store.turns('done')).toEqual([oldTurn('done', 1, 'first of done'), oldTurn('done', 2, 'second of done')]);
    expect(await store.acquire('crashed', { owner: 'me', expiresAt: T0 + 1000 })).toMatchObject({ status: 'running', goal: 'goal of crashed' });
    expect((await store.appendTurn(turn('crashed', 'third'))).seq).toBe(3);
    await store.close();
    // Opening it again changes nothing.
    const again = open(dataDir);
    expect((await again.turns('crashed')).map((record) => record.seq)).toEqual([1, 2, 3]);
    await again.close();
    expect(meta(file)).toEqual({ transcript_version: '1', schema_version: String(SCHEMA_VERSION) });
  });

  it('rolls a failed upgrade back, leaving the version 1 file as it was', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'baton.db');
    // A table the upgrade creates is already there (by hand): the upgrade fails halfway.
    writeVersion1(file, 'CREATE TABLE gates (anything TEXT);');
    const error = thrownBy(() => open(dataDir));
    expect(error).toBeInstanceOf(StoreSchemaError);
    expect((error as StoreSchemaError).message).toContain(`${file}: upgrading the store from schema version 1 to 3 failed, nothing was changed`);
    expect(meta(file)).toEqual({ transcript_version: '1' });
    expect(columns(file, 'runs')).toEqual(['id', 'goal', 'status', 'started_at', 'data']);
    const raw = new Database(file, { readonly: true });
    expect(raw.prepare('SELECT COUNT(*) AS count FROM turns').get()).toEqual({ count: 4 });
    expect(raw.prepare("SELECT name FROM sqlite_master WHERE name IN ('turn_keys', 'attachments', 'effects')").all()).toEqual([]);
    raw.close();
  });

  it('upgrades a version 2 database in place: every run, turn, key and gate kept, the ledger of side effects added', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'baton.db');
    writeVersion2(file);
    const store = open(dataDir);
    expect(meta(file)).toEqual({ transcript_version: '1', schema_version: '3' });
    expect(columns(file, 'effects')).toEqual([
      'key', 'run_id', 'operation', 'turn', 'request', 'status', 'result', 'error', 'attempts', 'started_at', 'finished_at', 'resolved_by',
    ]);
    expect((await store.listRuns()).map((run) => [run.id, run.status])).toEqual([
      ['parked', 'awaiting_human'], ['live', 'running'], ['crashed', 'interrupted'], ['done', 'approved'],
    ]);
    expect(await store.turns('done')).toEqual([oldTurn('done', 1, 'first of done'), oldTurn('done', 2, 'second of done')]);
    expect(await store.findTurn('live', { round: 1, stage: 'plan', attempt: 0 })).toEqual({ turn: oldTurn('live', 1, 'first of live'), stateUpdate: { plan: ['step'] } });
    expect((await store.pendingDecisions()).map((pending) => [pending.runId, pending.gate])).toEqual([['parked', 'plan-review']]);
    // The run that was executing under its lease goes on, and can record its side effects now.
    const intent = { runId: 'live', key: 'live:k1', operation: 'slack.post', turn: '1/act/-/0', request: { text: 'hi' }, startedAt: new Date(T0).toISOString() };
    expect((await store.beginEffect(intent, 'me')).existed).toBe(false);
    await expect(store.beginEffect({ ...intent, key: 'live:k2' }, 'someone else')).rejects.toThrow(RunLeaseLostError);
    expect(await store.finishEffect('live:k1', { status: 'done', result: { ok: true } }, 'me')).toMatchObject({ status: 'done', result: { ok: true } });
    await store.close();
    // Opening it again changes nothing.
    const again = open(dataDir);
    expect((await again.effects('live')).map((effect) => [effect.key, effect.status])).toEqual([['live:k1', 'done']]);
    await again.close();
    expect(meta(file)).toEqual({ transcript_version: '1', schema_version: '3' });
  });

  it('rolls a failed upgrade from version 2 back, leaving the file as it was', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'baton.db');
    // The table the upgrade creates is already there (by hand): the upgrade fails.
    writeVersion2(file, 'CREATE TABLE effects (anything TEXT);');
    const error = thrownBy(() => open(dataDir));
    expect(error).toBeInstanceOf(StoreSchemaError);
    expect((error as StoreSchemaError).message).toContain(`${file}: upgrading the store from schema version 2 to 3 failed, nothing was changed`);
    expect(meta(file)).toEqual({ transcript_version: '1', schema_version: '2' });
    expect(columns(file, 'effects')).toEqual(['anything']);
    const raw = new Database(file, { readonly: true });
    expect(raw.prepare("SELECT name FROM sqlite_master WHERE name = 'effects_run'").all()).toEqual([]);
    expect(raw.prepare('SELECT COUNT(*) AS count FROM runs').get()).toEqual({ count: 4 });
    raw.close();
  });

  it('refuses a schema version that is no version number, changing nothing', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'baton.db');
    writeVersion2(file);
    const raw = new Database(file);
    raw.prepare("UPDATE meta SET value = 'two' WHERE key = 'schema_version'").run();
    raw.close();
    expect(() => open(dataDir)).toThrow(DataFileError);
    expect(() => open(dataDir)).toThrow(`${file} cannot be used: its schema_version in table meta is not a version number`);
    expect(meta(file)).toEqual({ transcript_version: '1', schema_version: 'two' });
  });

  it('refuses a database written by a newer Baton, naming the file and both versions', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'baton.db');
    await open(dataDir).close();
    const raw = new Database(file);
    raw.prepare("UPDATE meta SET value = '4' WHERE key = 'schema_version'").run();
    raw.close();
    expect(() => open(dataDir)).toThrow(StoreSchemaError);
    expect(() => open(dataDir)).toThrow(`${file} was written by a newer Baton (store schema version 4; this one reads 3)`);
    const transcript = new Database(file);
    transcript.prepare("UPDATE meta SET value = '3' WHERE key = 'schema_version'").run();
    transcript.prepare("UPDATE meta SET value = '99' WHERE key = 'transcript_version'").run();
    transcript.close();
    expect(() => open(dataDir)).toThrow(/written by a newer Baton \(transcript version 99; this one reads 1\)/);
  });

  it('is a DataFileError naming the file when a folder, random bytes or another program’s database is there', () => {
    const folder = tempDir();
    mkdirSync(path.join(folder, 'baton.db'));
    expect(() => open(folder)).toThrow(DataFileError);
    expect(() => open(folder)).toThrow(`${path.join(folder, 'baton.db')} cannot be used: it is a folder`);
    const bytes = tempDir();
    writeFileSync(path.join(bytes, 'baton.db'), 'not a database at all, just some text that is long enough');
    expect(() => open(bytes)).toThrow(DataFileError);
    const foreign = tempDir();
    const database = new Database(path.join(foreign, 'baton.db'));
    database.exec('CREATE TABLE runs (name TEXT)');
    database.close();
    expect(() => open(foreign)).toThrow(DataFileError);
    expect(() => open(foreign)).toThrow(/baton\.db cannot be used: no such column: id in table runs/);
  });
});

describe('sqlite run store: two connections', () => {
  it('numbers turns without collisions when two store instances write to one file', async () => {
    const dataDir = tempDir();
    const first = open(dataDir);
    const second = open(dataDir);
    await first.createRun(oldRun('a', 'running', new Date(T0).toISOString()), turn('a', 'opening'), {
      state: { status: 'running', lease: { owner: 'me', expiresAt: T0 + 1000 } },
    });
    const writes = Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? first : second).appendTurn(turn('a', `turn ${index}`)));
    const seqs = (await Promise.all(writes)).map((record) => record.seq);
    expect(new Set(seqs).size).toBe(40);
    expect((await second.turns('a')).map((record) => record.seq)).toEqual(Array.from({ length: 41 }, (_, index) => index + 1));
    // A write by a third party between two appends (another process) is seen, not overwritten.
    const raw = new Database(first.location);
    raw.prepare('INSERT INTO turns (run_id, seq, role, data) VALUES (?, ?, ?, ?)').run('a', 42, 'planner', JSON.stringify(oldTurn('a', 42, 'raw')));
    raw.close();
    expect((await first.appendTurn(turn('a', 'after'))).seq).toBe(43);
    await first.close();
    await second.close();
  });

  it('keeps a run and its opening turn together: both recorded, or neither', async () => {
    const dataDir = tempDir();
    const store = open(dataDir);
    const raw = new Database(store.location);
    raw.exec("CREATE TRIGGER crash BEFORE INSERT ON turns BEGIN SELECT RAISE(ABORT, 'crash between writes'); END");
    await expect(
      store.createRun(oldRun('a', 'running', new Date(T0).toISOString()), turn('a', 'opening'), { state: { status: 'queued' } }),
    ).rejects.toThrow('crash between writes');
    await expect(store.getRun('a')).rejects.toThrow(RunNotFoundError);
    raw.exec('DROP TRIGGER crash');
    raw.close();
    await store.createRun(oldRun('a', 'running', new Date(T0).toISOString()), turn('a', 'opening'), { state: { status: 'queued' } });
    expect((await store.turns('a')).map((record) => record.seq)).toEqual([1]);
    await store.close();
  });

  it('writes nothing of a finish that fails halfway', async () => {
    const dataDir = tempDir();
    const store = open(dataDir);
    const record = await store.createRun(oldRun('a', 'running', new Date(T0).toISOString()), turn('a', 'opening'), {
      state: { status: 'running', lease: { owner: 'me', expiresAt: T0 + 1000 } },
    });
    const raw = new Database(store.location);
    raw.exec("CREATE TRIGGER crash BEFORE UPDATE OF data ON runs BEGIN SELECT RAISE(ABORT, 'crash between writes'); END");
    await expect(store.finishRun({ ...record, status: 'approved' }, turn('a', 'closing'), 'me')).rejects.toThrow('crash between writes');
    raw.exec('DROP TRIGGER crash');
    raw.close();
    expect((await store.turns('a')).length).toBe(1);
    expect((await store.getRun('a')).status).toBe('running');
    expect(await store.renewLease('a', 'me', T0 + 2000)).toEqual({ held: true, cancelRequested: false });
    await store.close();
  });
});
