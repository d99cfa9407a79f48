import { afterEach, describe, expect, it } from 'vitest';
import { startServer } from '../../src/server/app.js';
import { eventually, gatedModel, makeRuntime } from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('startServer', () => {
  it('listens on 127.0.0.1, runs a goal over real HTTP, and serves the dashboard', async () => {
    const test = makeRuntime();
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
      return body.status === 'running' ? undefined : body;
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

  it('stops on the shutdown signal: cancels the run in flight, records it, and settles `closed`', async () => {
    const gate = gatedModel(0);
    const test = makeRuntime(gate.model);
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
    expect(test.runtime.store.getRun(runId)).toMatchObject({ status: 'cancelled' });
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    await server.close(); // idempotent
  });

  it('says clearly when the port is taken', async () => {
    const test = makeRuntime();
    cleanups.push(() => test.cleanup());
    const first = await startServer({ runtime: test.runtime, env: {}, port: 0, onShutdownSignal: () => () => undefined });
    cleanups.push(() => first.close());
    await expect(startServer({ runtime: test.runtime, env: {}, port: first.port, onShutdownSignal: () => () => undefined })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: `cannot listen on 127.0.0.1:${first.port}: the port is already in use`,
    });
  });

  it('marks runs left running by a crashed process as interrupted, when asked to', async () => {
    const test = makeRuntime();
    cleanups.push(() => test.cleanup());
    const stale = { id: 'run_stale', goal: 'What is Baton?', status: 'running' as const, rounds: 0, startedAt: '2025-01-01T00:00:00.000Z', endedAt: null, durationMs: null, inputTokens: 0, outputTokens: 0, costUsd: 0, costEstimated: false, engine: 'offline', labels: {}, result: null, error: null };
    test.runtime.store.createRun(stale);
    const untouched = await startServer({ runtime: test.runtime, env: {}, port: 0, onShutdownSignal: () => () => undefined });
    await untouched.close();
    expect(test.runtime.store.getRun('run_stale').status).toBe('running');
    const recovering = await startServer({ runtime: test.runtime, env: {}, port: 0, recoverStaleRuns: true, onShutdownSignal: () => () => undefined });
    await recovering.close();
    expect(test.runtime.store.getRun('run_stale')).toMatchObject({ status: 'failed', error: { code: 'INTERRUPTED' } });
  });

  it('refuses to listen beyond loopback without tokens', async () => {
    const test = makeRuntime();
    cleanups.push(() => test.cleanup());
    await expect(startServer({ runtime: test.runtime, env: {}, host: '0.0.0.0', port: 0, onShutdownSignal: () => () => undefined })).rejects.toThrow(/refusing to listen on 0.0.0.0 without API tokens/);
  });
});
