import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { RunNotFoundError, TranscriptError } from '../../src/errors.js';
import { createRedactor } from '../../src/transcript/redact.js';
import type { NewTurn, RunRecord } from '../../src/transcript/schema.js';
import { TranscriptStore } from '../../src/transcript/store.js';

const stores: TranscriptStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function open(dataDir = mkdtempSync(path.join(os.tmpdir(), 'baton-store-'))): TranscriptStore {
  const store = new TranscriptStore({ dataDir, redact: createRedactor(['super-secret-value-123']) });
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

describe('transcript store', () => {
  it('numbers turns per run and reads them back through the schema', () => {
    const store = open();
    store.createRun(run('a'));
    store.createRun(run('b'));
    store.appendTurn(turn('a', 'one'));
    store.appendTurn(turn('b', 'other'));
    store.appendTurn(turn('a', 'two'));
    expect(store.turns('a').map((record) => [record.seq, record.messages[0]?.content])).toEqual([[1, 'one'], [2, 'two']]);
    expect(store.turns('b').map((record) => record.seq)).toEqual([1]);
  });

  it('continues numbering when another process (a new store) appends to the same run', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'baton-store-'));
    const first = open(dataDir);
    first.createRun(run('a'));
    first.appendTurn(turn('a', 'one'));
    const second = open(dataDir);
    expect(second.appendTurn(turn('a', 'two')).seq).toBe(2);
  });

  it('redacts configured secret values and credentials before writing, and tells listeners the redacted record', () => {
    const store = open();
    const seen: string[] = [];
    store.onTurn((record) => seen.push(record.messages[0]?.content ?? ''));
    store.createRun({ ...run('a'), goal: 'use super-secret-value-123' });
    store.appendTurn(turn('a', 'key sk-proj-abcdefghijklmnopqrstuvwx1234 and super-secret-value-123'));
    const stored = JSON.stringify([store.getRun('a'), store.turns('a')]);
    expect(stored).not.toContain('super-secret-value-123');
    expect(stored).not.toContain('sk-proj-abcdefghijklmnopqrstuvwx1234');
    expect(seen[0]).toBe('key [REDACTED:openai-api-key] and [REDACTED:secret]');
  });

  it('reports a damaged record clearly instead of crashing a reader', () => {
    const store = open();
    store.createRun(run('a'));
    store.appendTurn(turn('a', 'one'));
    const database = new Database(store.file);
    database.prepare("UPDATE turns SET data = json_set(data, '$.round', 'three') WHERE run_id = 'a'").run();
    database.prepare("UPDATE runs SET data = '{not json' WHERE id = 'a'").run();
    database.close();
    // Readers skip what cannot be read, and say which record and why.
    const damaged: Array<{ runId: string; seq?: number; reason: string }> = [];
    expect(store.turns('a', (record) => damaged.push(record))).toEqual([]);
    expect(damaged).toEqual([{ runId: 'a', seq: 1, reason: expect.stringMatching(/turn 1 of run a does not match transcript version 1: round/) }]);
    expect(store.listRuns({ onDamaged: (record) => damaged.push(record) })).toEqual([]);
    expect(damaged[1]).toEqual({ runId: 'a', reason: expect.stringMatching(/run a is not valid JSON/) });
    expect(() => store.getRun('a')).toThrow(TranscriptError);
    expect(() => store.getRun('a')).toThrow(/run a is not valid JSON/);
    expect(() => store.getRun('missing')).toThrow(RunNotFoundError);
  });

  it('refuses a store written by a newer Baton', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'baton-store-'));
    open(dataDir).close();
    const database = new Database(path.join(dataDir, 'baton.db'));
    database.prepare("UPDATE meta SET value = '99' WHERE key = 'transcript_version'").run();
    database.close();
    expect(() => open(dataDir)).toThrow(/written by a newer Baton \(transcript version 99; this one reads 1\)/);
  });

  it('keeps a run and its opening turn together: both recorded, or neither', () => {
    const store = open();
    expect(() =>
      store.atomically(() => {
        store.createRun(run('a'));
        store.appendTurn(turn('a', 'one'));
        throw new Error('crash between writes');
      }),
    ).toThrow('crash between writes');
    expect(() => store.getRun('a')).toThrow(RunNotFoundError);
    expect(store.listRuns()).toEqual([]);
    store.createRun(run('a'));
    expect(store.appendTurn(turn('a', 'again')).seq).toBe(1);
  });
});
