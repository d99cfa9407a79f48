/**
 * Cancelling a run that another process executes, through a server that does not execute it: on SQLite nothing tells
 * this server that the run ended, so it re-reads the store while it waits, and answers `200 cancelled` as soon as the
 * run has ended, not `202 cancelling` when its wait runs out.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from '../../src/server/app.js';
import { eventually, makeRuntime, plannersOnlyModel, waitForEnd } from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Long leases, frequent heartbeats: the executing server hears a cancellation within a beat or two. */
const CONFIG = `runs:
  leaseMs: 5000
  heartbeatMs: 300
`;

/** Each renewal answers this long after it read the run: the run ends well after the cancel request's first re-read. */
const RENEWAL_DELAY_MS = 600;
const CANCEL_WAIT_MS = 5000;

describe('cancelling a run another process executes', () => {
  it('answers 200 cancelled once the run has ended there, well within the wait', async () => {
    // The executing server: planners answer, every later call waits until the run is stopped.
    const gate = plannersOnlyModel();
    const executing = await makeRuntime(gate.model, { config: CONFIG, keep: true });
    cleanups.push(() => rmSync(executing.dataDir, { recursive: true, force: true }));
    const store = executing.runtime.store;
    const renew = store.renewLease.bind(store);
    store.renewLease = async (...args) => {
      const renewal = await renew(...args);
      await new Promise((resolve) => setTimeout(resolve, RENEWAL_DELAY_MS));
      return renewal;
    };
    const worker = await createServer({ runtime: executing.runtime, env: {}, concurrency: 1, sweepMs: 100 });
    cleanups.push(async () => {
      await worker.close();
      await executing.cleanup();
    });

    // This server only accepts, shows and cancels runs, on the same data directory.
    const front = await makeRuntime(undefined, { dataDir: executing.dataDir, keep: true });
    const app = await createServer({ runtime: front.runtime, env: {}, execute: false, cancelWaitMs: CANCEL_WAIT_MS, sweepMs: 100 });
    cleanups.push(async () => {
      await app.close();
      await front.cleanup();
    });

    const created = await app.inject({ method: 'POST', url: '/api/runs', payload: { goal: 'What is Baton?' } });
    expect(created.statusCode).toBe(202);
    const { runId } = created.json() as { runId: string };
    await eventually(async () => (gate.waiting() > 0 && (await front.runtime.store.getRun(runId)).status === 'running' ? true : undefined), 10_000, 'the run to execute in the other server');

    const started = Date.now();
    const cancel = await app.inject({ method: 'POST', url: `/api/runs/${runId}/cancel` });
    const elapsed = Date.now() - started;
    expect(cancel.statusCode, JSON.stringify(cancel.json())).toBe(200);
    expect(cancel.json()).toEqual({ runId, status: 'cancelled' });
    // Its end takes a renewal or two (each answering RENEWAL_DELAY_MS late); the answer follows it, not the wait's end.
    expect(elapsed).toBeGreaterThanOrEqual(RENEWAL_DELAY_MS);
    expect(elapsed).toBeLessThan(CANCEL_WAIT_MS - 1000);
    expect(await waitForEnd(app, runId)).toBe('cancelled');
  });
});
