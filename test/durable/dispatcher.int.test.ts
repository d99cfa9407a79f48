/**
 * The dispatcher that servers and workers run, on the SQLite store: it does not spin on a queued run it cannot read,
 * stops resuming a run whose process keeps dying, leaves a run of another flow interrupted instead of failing it, and
 * resumes an interrupted run at start.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { createLogger } from '../../src/logging.js';
import { RunDispatcher } from '../../src/runtime/dispatcher.js';
import { openRuntime, type Runtime } from '../../src/runtime/open.js';
import { submitRun } from '../../src/runtime/run.js';
import { makeProject } from '../support/project.js';

const KNOWLEDGE = { 'kb/ledger.md': '# Ledger\n\nThe Lighthouse project keeps a ledger of every ship that docks at the harbour.\n' };
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(config = ''): Promise<{ cwd: string; runtime: Runtime; dispatcher: () => Promise<RunDispatcher> }> {
  const cwd = makeProject({ 'baton.config.yaml': `knowledge:\n  paths: [kb]\nruns:\n  leaseMs: 1000\n${config}`, ...KNOWLEDGE });
  const project = loadProject({ cwd, env: {} });
  const runtime = await openRuntime(project, { env: {} });
  cleanups.push(() => runtime.close());
  const logger = createLogger({ dataDir: project.dataDir, level: 'silent', terminalLevel: 'silent' });
  return {
    cwd,
    runtime,
    dispatcher: async () => {
      const dispatcher = new RunDispatcher({ runtime, logger, concurrency: 2, sweepMs: 100 });
      await dispatcher.start();
      cleanups.push(async () => void (await dispatcher.shutdown(1000)));
      return dispatcher;
    },
  };
}

async function waitForStatus(runtime: Runtime, runId: string, statuses: string[], timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = (await runtime.store.getRun(runId)).status;
    if (statuses.includes(status)) return status;
    if (Date.now() > deadline) throw new Error(`run ${runId} is still ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the run dispatcher', () => {
  it('keeps its event loop free when a queued run cannot be read, and runs the others', async () => {
    const { cwd, runtime, dispatcher } = await setup();
    const damaged = await submitRun(runtime, { goal: 'What does the Lighthouse project keep?' });
    const database = new Database(path.join(cwd, '.baton', 'baton.db'));
    database.prepare('UPDATE runs SET data = ? WHERE id = ?').run('{"damaged":', damaged.id);
    database.close();
    let reads = 0;
    const getRun = runtime.store.getRun.bind(runtime.store);
    runtime.store.getRun = async (runId) => {
      reads += 1;
      return getRun(runId);
    };
    await dispatcher();
    const good = await submitRun(runtime, { goal: 'What does the Lighthouse project keep a ledger of?' });
    // Timers still fire on time while the damaged run sits in the queue.
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(Date.now() - started).toBeLessThan(500);
    expect(await waitForStatus(runtime, good.id, ['approved'])).toBe('approved');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(reads).toBeLessThan(200);
  });

  it('resumes an interrupted run at start, and stops resuming one whose process keeps dying', async () => {
    const { runtime, dispatcher } = await setup('  maxResumes: 1\n');
    // A run whose process died after its plan, twice already.
    const run = await submitRun(runtime, { goal: 'What does the Lighthouse project keep?' });
    const acquired = await runtime.store.acquire(run.id, { owner: 'dead', expiresAt: Date.now() - 1 });
    await runtime.store.updateRun({ ...acquired!, interruptions: 1 }, 'dead');
    await runtime.store.appendTurn({ runId: run.id, round: 1, from: 'planner', to: ['researcher'], role: 'planner', kind: 'planner', model: null, startedAt: new Date().toISOString(), latencyMs: 0, messages: [], output: null, toolCalls: [], usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, estimated: false }, costUsd: 0, attempts: 0, events: [] });
    const fresh = await submitRun(runtime, { goal: 'What does the Lighthouse project keep a ledger of?' });
    const other = await runtime.store.acquire(fresh.id, { owner: 'dead', expiresAt: Date.now() - 1 });
    expect(other).toBeDefined();
    await dispatcher();
    expect(await waitForStatus(runtime, run.id, ['failed'])).toBe('failed');
    const record = await runtime.store.getRun(run.id);
    expect(record.error).toMatchObject({ code: 'RESUME_LIMIT' });
    expect(record.interruptions).toBe(2);
    // The other interrupted run (nothing recorded yet but its opening) starts from its goal and ends approved.
    expect(await waitForStatus(runtime, fresh.id, ['approved'])).toBe('approved');
  });

  it('leaves a run started under another flow interrupted, not failed', async () => {
    const first = await setup();
    const run = await submitRun(first.runtime, { goal: 'What does the Lighthouse project keep?' });
    const acquired = await first.runtime.store.acquire(run.id, { owner: 'dead', expiresAt: Date.now() - 1 });
    await first.runtime.store.updateRun({ ...acquired!, flow: { hash: '0000000000000000', stages: ['planner', 'checker'] } }, 'dead');
    await first.dispatcher();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await first.runtime.store.getRun(run.id)).status).toBe('interrupted');
  });
});
