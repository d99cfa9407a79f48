/**
 * Durable runs across server restarts: every run the API accepted ends, whether the server stopped gracefully
 * (runs released as interrupted) or without any grace (runs left `running` under leases nobody renews).
 */
import { rmSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from '../../src/server/app.js';
import type { RunRecord, TurnRecord } from '../../src/transcript/schema.js';
import { eventually, makeRuntime, plannersOnlyModel, SHORT_LEASE_CONFIG, slowModel, waitForEnd } from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const GOALS = ['What is Baton?', 'How are transcripts stored?', 'Which models does Baton use?', 'How does Baton verify answers?'];

async function submitAll(app: FastifyInstance): Promise<string[]> {
  const ids: string[] = [];
  for (const goal of GOALS) {
    const response = await app.inject({ method: 'POST', url: '/api/runs', payload: { goal } });
    expect(response.statusCode).toBe(202);
    ids.push((response.json() as { runId: string }).runId);
  }
  return ids;
}

async function statuses(app: FastifyInstance, ids: string[]): Promise<string[]> {
  return Promise.all(ids.map(async (id) => ((await app.inject({ url: `/api/runs/${id}` })).json() as { status: string }).status));
}

/**
 * Starts runs on one server, stops it, starts another on the same data directory: all runs end. `crash`: the store
 * is closed under the running server first, so nothing it does while stopping reaches the store (as if the process
 * had died): its runs stay `running` under leases nobody renews.
 */
async function restartWith(options: { crash: boolean }): Promise<{ before: string[]; after: string[]; runs: RunRecord[]; transcripts: TurnRecord[][] }> {
  // Planners answer; every later call waits (until the server stops and aborts it).
  const gate = plannersOnlyModel();
  const first = await makeRuntime(gate.model, { config: SHORT_LEASE_CONFIG, keep: true });
  cleanups.push(() => rmSync(first.dataDir, { recursive: true, force: true }));
  const app = await createServer({ runtime: first.runtime, env: {}, concurrency: 2, shutdownGraceMs: options.crash ? 0 : 5000, sweepMs: 100 });
  const ids = await submitAll(app);
  // Two runs have planned (a planner turn is recorded) and wait for their researchers; the other two are queued.
  await eventually(async () => {
    const started = await Promise.all(ids.map(async (id) => (await first.runtime.store.turns(id)).some((turn) => turn.from === 'planner')));
    return started.filter(Boolean).length === 2 && gate.waiting() === 2 ? true : undefined;
  }, 10_000, 'two runs to start');
  const before = await statuses(app, ids);
  if (options.crash) {
    await first.cleanup();
    await app.close();
  } else {
    await app.close();
    await first.cleanup();
  }

  const second = await makeRuntime(slowModel(20), { dataDir: first.dataDir, keep: true });
  const after = await Promise.all(ids.map(async (id) => (await second.runtime.store.getRun(id)).status));
  const restarted = await createServer({ runtime: second.runtime, env: {}, concurrency: 4, sweepMs: 100 });
  cleanups.push(async () => {
    await restarted.close();
    await second.cleanup();
  });
  for (const id of ids) expect(await waitForEnd(restarted, id, {}, 20_000), id).toBe('approved');
  const runs = await Promise.all(ids.map((id) => second.runtime.store.getRun(id)));
  const transcripts = await Promise.all(ids.map((id) => second.runtime.store.turns(id)));
  return { before, after, runs, transcripts };
}

describe('a restarted server', () => {
  it('resumes the runs a gracefully stopped server released, and starts the ones it left queued', async () => {
    const { before, after, runs, transcripts } = await restartWith({ crash: false });
    expect(before.filter((status) => status === 'running')).toHaveLength(2);
    expect(before.filter((status) => status === 'queued')).toHaveLength(2);
    expect([...after].sort()).toEqual(['interrupted', 'interrupted', 'queued', 'queued']);
    expect(runs.map((run) => run.status)).toEqual(['approved', 'approved', 'approved', 'approved']);
    // Released runs were taken back once; queued ones ran once, from the start.
    expect(runs.filter((run) => run.resumes === 1)).toHaveLength(2);
    for (const turns of transcripts) {
      // Resuming replays no turn: each agent spoke once, the run opened and closed once.
      expect(turns.map((turn) => turn.from)).toEqual(['user', 'planner', 'researcher', 'checker', 'supervisor']);
      expect(turns.map((turn) => turn.seq)).toEqual([1, 2, 3, 4, 5]);
    }
  });

  it('ends every accepted run after a server died with runs in flight (their leases left to expire)', async () => {
    const { before, after, runs, transcripts } = await restartWith({ crash: true });
    expect(before.filter((status) => status === 'running')).toHaveLength(2);
    // Nobody recorded the stop: the two runs read `running` until their leases (1 s) expire, then `interrupted`.
    expect(after.filter((status) => status === 'queued')).toHaveLength(2);
    expect(after.filter((status) => status === 'running' || status === 'interrupted')).toHaveLength(2);
    expect(runs.map((run) => run.status)).toEqual(['approved', 'approved', 'approved', 'approved']);
    for (const turns of transcripts) {
      expect(turns.filter((turn) => turn.from === 'user')).toHaveLength(1);
      expect(turns.at(-1)).toMatchObject({ from: 'supervisor', to: ['user'], output: { status: 'approved' } });
    }
  });
});
