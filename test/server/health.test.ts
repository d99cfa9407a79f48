/**
 * Liveness and readiness: `/healthz` says the process is alive and never touches the store (load balancers and the API
 * bench call it often); `/readyz` reads one run, and answers 503 STORE_UNAVAILABLE while the store cannot be used.
 */
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError, TranscriptError } from '../../src/errors.js';
import type { RunStore } from '../../src/stores/port.js';
import { serversOfThisFile } from './helpers.js';

const { server } = serversOfThisFile();

/** Replaces the store's `listRuns` (after the server started: its first sweep reads the store); counts the calls. */
function breakListRuns(store: RunStore, fails: () => Promise<never>): { calls(): number; restore(): void } {
  const original = store.listRuns.bind(store);
  let calls = 0;
  store.listRuns = () => {
    calls += 1;
    return fails();
  };
  return { calls: () => calls, restore: () => (store.listRuns = original) };
}

const UNAVAILABLE = new StoreUnavailableError('cannot use the PostgreSQL store at db.internal:5432/baton: the connection was refused (is the server running, and on this port?) [ECONNREFUSED]', {
  hint: 'check `store.url` in the config',
});

describe('/healthz and /readyz', () => {
  it('says ready while the store answers, and 503 STORE_UNAVAILABLE, with the store\'s words, while it does not', async () => {
    const { app, runtime } = await server();
    expect((await app.inject({ url: '/readyz' })).json()).toEqual({ ready: true, store: 'sqlite' });

    const broken = breakListRuns(runtime.store, () => Promise.reject(UNAVAILABLE));
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.headers['cache-control']).toBe('no-store');
    expect(ready.json()).toEqual({ error: { code: 'STORE_UNAVAILABLE', message: UNAVAILABLE.message, hint: UNAVAILABLE.hint } });
    expect(broken.calls()).toBe(1);

    // Liveness is not readiness: the process is alive, and /healthz never asks the store.
    const health = await app.inject({ url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ ok: true, store: 'sqlite', autoResume: true });
    expect(broken.calls()).toBe(1);

    broken.restore();
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
  });

  it('is not ready when the store fails in another way, or does not answer in time', async () => {
    const { app, runtime } = await server({ readyTimeoutMs: 100 });
    const odd = breakListRuns(runtime.store, () => Promise.reject(new Error('SQLITE_CORRUPT: database disk image is malformed at /secret/path')));
    const failed = await app.inject({ url: '/readyz' });
    expect(failed.statusCode).toBe(503);
    expect(failed.json()).toMatchObject({ error: { code: 'STORE_UNAVAILABLE', message: 'the run store (sqlite) cannot be read: an unexpected error (see the server log)' } });
    expect(failed.body).not.toContain('/secret/path');
    odd.restore();

    const damaged = breakListRuns(runtime.store, () => Promise.reject(new TranscriptError('run run_x is damaged')));
    expect((await app.inject({ url: '/readyz' })).json()).toMatchObject({ error: { code: 'STORE_UNAVAILABLE', message: 'the run store (sqlite) cannot be read: TRANSCRIPT_INVALID: run run_x is damaged' } });
    damaged.restore();

    const hanging = breakListRuns(runtime.store, () => new Promise<never>(() => undefined));
    const started = Date.now();
    const slow = await app.inject({ url: '/readyz' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(slow.statusCode).toBe(503);
    expect(slow.json()).toMatchObject({ error: { code: 'STORE_UNAVAILABLE', message: 'the run store (sqlite) did not answer within 100 ms' } });
    hanging.restore();
  });

  it('answers without a token, but gives the store\'s own words only to a caller with one', async () => {
    const token = 'health-test-token-0123456789';
    const { app, runtime } = await server({ tokens: [token] });
    expect((await app.inject({ url: '/readyz' })).json()).toEqual({ ready: true, store: 'sqlite' });
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    breakListRuns(runtime.store, () => Promise.reject(UNAVAILABLE));
    const anonymous = await app.inject({ url: '/readyz' });
    expect(anonymous.statusCode).toBe(503);
    expect(anonymous.json()).toMatchObject({ error: { code: 'STORE_UNAVAILABLE', message: 'the run store (sqlite) cannot be used; the details are in the server log' } });
    expect(anonymous.body).not.toContain('db.internal');
    const wrong = await app.inject({ url: '/readyz', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(503);
    expect(wrong.body).not.toContain('db.internal');
    const known = await app.inject({ url: '/readyz', headers: { authorization: `Bearer ${token}` } });
    expect(known.json()).toEqual({ error: { code: 'STORE_UNAVAILABLE', message: UNAVAILABLE.message, hint: UNAVAILABLE.hint } });
  });

  it('tells whether interrupted runs are resumed on their own (runs.autoResume)', async () => {
    const { app } = await server({ runtimeOptions: { config: 'runs:\n  leaseMs: 1000\n  autoResume: false\n' } });
    expect((await app.inject({ url: '/healthz' })).json()).toMatchObject({ ok: true, autoResume: false });
  });
});
