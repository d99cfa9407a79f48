/**
 * A server on PostgreSQL whose database is taken offline (`ALTER DATABASE ... ALLOW_CONNECTIONS false`, its connections
 * ended): every request that needs the store answers 503 STORE_UNAVAILABLE, never 500; `/readyz` says not ready while
 * `/healthz` says alive; and everything works again once the database takes connections.
 */
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { describePostgres, freshDatabase, postgresUrl, type FreshDatabase } from '../support/postgres.js';
import { eventually, makeServer } from './helpers.js';

describePostgres('a server whose PostgreSQL database stops taking connections', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function admin(statements: (client: pg.Client) => Promise<unknown>): Promise<void> {
    const client = new pg.Client({ connectionString: postgresUrl() });
    await client.connect();
    try {
      await statements(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async function setAllowConnections(database: FreshDatabase, allowed: boolean): Promise<void> {
    await admin(async (client) => {
      await client.query(`ALTER DATABASE "${database.name}" ALLOW_CONNECTIONS ${allowed}`);
      if (!allowed) await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database.name]);
    });
  }

  it('answers 503 STORE_UNAVAILABLE (not 500) to every request that needs the store, and recovers', async () => {
    const database = await freshDatabase();
    cleanups.push(() => database.drop());
    const config = `store:\n  kind: postgres\n  url: ${database.url}\n`;
    const { app, close } = await makeServer({ execute: false, runtimeOptions: { config, checkpoints: false } });
    cleanups.push(close);

    expect((await app.inject({ method: 'POST', url: '/api/runs', payload: { goal: 'What is Baton?' } })).statusCode).toBe(202);
    expect((await app.inject({ url: '/readyz' })).json()).toEqual({ ready: true, store: 'postgres' });

    await setAllowConnections(database, false);
    for (const request of [
      { method: 'POST' as const, url: '/api/runs', payload: { goal: 'What is Baton?' } },
      { method: 'GET' as const, url: '/api/runs' },
      { method: 'GET' as const, url: '/api/runs/run_x' },
      { method: 'GET' as const, url: '/api/decisions' },
      { method: 'GET' as const, url: '/readyz' },
    ]) {
      const response = await app.inject(request);
      expect(response.statusCode, `${request.method} ${request.url}: ${response.body}`).toBe(503);
      const error = (response.json() as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('STORE_UNAVAILABLE');
      expect(error.message).toMatch(/^cannot use the PostgreSQL store at /);
    }
    const health = await app.inject({ url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ ok: true, store: 'postgres' });

    await setAllowConnections(database, true);
    await eventually(async () => ((await app.inject({ url: '/readyz' })).statusCode === 200 ? true : undefined), 10_000, 'the server to be ready again');
    expect((await app.inject({ method: 'POST', url: '/api/runs', payload: { goal: 'What is Baton?' } })).statusCode).toBe(202);
  });
});
