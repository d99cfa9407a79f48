import { afterEach, describe, expect, it } from 'vitest';
import { startServer } from '../../src/server/app.js';
import { submitRun } from '../../src/runtime/run.js';
import { eventually, gatedModel, makeRuntime, SHORT_LEASE_CONFIG } from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('startServer', () => {
  it('listens on 127.0.0.1, runs a goal over real HTTP, and serves the dashboard', async () => {
    const test = await makeRuntime();
    cleanups.push(() => test.cleanup());
    const server = await startServer({ runtime: test.runtime, env: {}, port: 0, onShutdownSignal: () => () => undefined });
    cleanups.push(() => server.close());
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);

    const created = await fetch(`${server.url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ goal: 'How are transcripts stored?' }) });
    expect(created.status).toBe(202);
    const { runId } = (await created.json()) as { runId: string };
    const run = await eventually(async () => {
      const body = (await (await fetch(`${server.url}/api/runs/${runId}`)).json()) as { status: string; result: { answer: string } | null };
      return body.status === 'running' || body.status === 'queued' ? undefined : body;
    });
    expect(run.status).toBe('approved');
    expect(run.result?.answer).toMatch(/SQLite/);

    const bad = await fetch(`${server.url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"goal":' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('USAGE');

    const page = await fetch(`${server.url}/`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<title>Baton</title>');
  });

  it('stops on the shutdown signal: releases the run in flight as interrupted, and settles `closed`', async () => {
    const gate = gatedModel(0);
    const test = await makeRuntime(gate.model);
    cleanups.push(() => test.cleanup());
    let signal: () => void = () => undefined;
    let removed = false;
    const server = await startServer({
      runtime: test.runtime,
      env: {},
      port: 0,
      onShutdownSignal: (handler) => {
        signal = handler;
        return () => {
          removed = true;
        };
      },
    });
    const created = await fetch(`${server.url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ goal: 'What is Baton?' }) });
    const { runId } = (await created.json()) as { runId: string };
    await eventually(() => (gate.calls() > 0 ? true : undefined));
    signal();
    await server.closed;
    expect(removed).toBe(true);
    expect(await test.runtime.store.getRun(runId)).toMatchObject({ status: 'interrupted', error: null });
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    await server.close(); // idempotent
  });

  it('says clearly when the port is taken', async () => {
    const test = await makeRuntime();
    cleanups.push(() => test.cleanup());
    const first = await startServer({ runtime: test.runtime, env: {}, port: 0, onShutdownSignal: () => () => undefined });
    cleanups.push(() => first.close());
    await expect(startServer({ runtime: test.runtime, env: {}, port: first.port, onShutdownSignal: () => () => undefined })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: `cannot listen on 127.0.0.1:${first.port}: the port is already in use`,
    });
  });

  it('finds a run whose process died (its lease expired) and resumes it, or leaves it interrupted without auto-resume', async () => {
    const test = await makeRuntime(undefined, { config: SHORT_LEASE_CONFIG });
    cleanups.push(() => test.cleanup());
    // A run taken by a process that died at once: `running` under a lease nobody renews.
    const stale = await submitRun(test.runtime, { goal: 'What is Baton?' });
    expect(await test.runtime.store.acquire(stale.id, { owner: 'crashed-host:1:dead', expiresAt: Date.now() - 1 })).toBeDefined();
    expect((await test.runtime.store.getRun(stale.id)).status).toBe('interrupted');
    const server = await startServer({ runtime: test.runtime, env: {}, port: 0, sweepMs: 100, onShutdownSignal: () => () => undefined });
    cleanups.push(() => server.close());
    const run = await eventually(async () => {
      const body = (await (await fetch(`${server.url}/api/runs/${stale.id}`)).json()) as { status: string; resumes?: number };
      return ['approved', 'failed'].includes(body.status) ? body : undefined;
    }, 10_000, 'the stale run to be resumed and end');
    expect(run).toMatchObject({ status: 'approved' });

    const manual = await makeRuntime(undefined, { config: 'runs:\n  leaseMs: 1000\n  autoResume: false\n' });
    cleanups.push(() => manual.cleanup());
    const left = await submitRun(manual.runtime, { goal: 'What is Baton?' });
    await manual.runtime.store.acquire(left.id, { owner: 'crashed-host:1:dead', expiresAt: Date.now() - 1 });
    const untouched = await startServer({ runtime: manual.runtime, env: {}, port: 0, sweepMs: 50, onShutdownSignal: () => () => undefined });
    cleanups.push(() => untouched.close());
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Marked interrupted (persisted), but not resumed: `baton resume` or a decision by a person does that.
    expect(await manual.runtime.store.getRun(left.id)).toMatchObject({ status: 'interrupted' });
    expect(await manual.runtime.store.listRuns({ status: 'interrupted' })).toHaveLength(1);
  });

  it('refuses to listen beyond loopback without tokens', async () => {
    const test = await makeRuntime();
    cleanups.push(() => test.cleanup());
    await expect(startServer({ runtime: test.runtime, env: {}, host: '0.0.0.0', port: 0, onShutdownSignal: () => () => undefined })).rejects.toThrow(/refusing to listen on 0.0.0.0 without API tokens/);
  });
});
