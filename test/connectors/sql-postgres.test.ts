/**
 * The sql connector on PostgreSQL: the same shape as the SQLite tests, each test on a database of its own. Skipped
 * without BATON_TEST_DATABASE_URL (CI fails instead): `eval "$(bash .ci/postgres.sh)"` starts a throwaway server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ConnectorError } from '../../src/connectors/errors.js';
import { loadConnectorFile } from '../../src/connectors/load.js';
import { createSqlConnector } from '../../src/connectors/sql/index.js';
import type { Connector, Operation, SecretReader } from '../../src/connectors/types.js';
import { describePostgres, freshDatabase, type FreshDatabase } from '../support/postgres.js';

/** The test server trusts local connections; a password in the URL is ignored by it, and must never be shown. */
const PASSWORD = 's3cret-pg-pass';

const CONNECTOR = `
name: crm
kind: sql
driver: postgres
url: { secret: CRM_DATABASE_URL }
timeoutMs: 300
operations:
  gold_customers:
    input: { type: object, required: [minId], properties: { minId: { type: integer }, tier: { type: string, default: gold } } }
    params: "{ 'tier': tier, 'min_id': minId }"
    sql: |
      SELECT id, name, ':not_a_param' AS literal, created::text AS created
      FROM customers
      WHERE tier = :tier AND id > :min_id::int ORDER BY id
    response: "{ 'count': $rowCount, 'customers': $.{ 'id': id, 'name': name, 'literal': literal, 'created': created } }"
    records: { items: customers, id: "'customer-' & id" }
  sneaky_update:
    sql: UPDATE customers SET tier = 'platinum' WHERE id = :id
  smuggled:
    sql: SELECT 1 AS one; DELETE FROM customers
  add_note:
    write: true
    params: "{ 'customer_id': customerId, 'body': body }"
    sql: INSERT INTO notes (idempotency_key, customer_id, body) VALUES (:idempotency_key, :customer_id, :body) ON CONFLICT (idempotency_key) DO NOTHING
  add_customer:
    write: true
    sql: INSERT INTO customers (name, email, tier) VALUES (:name, :email, :tier) RETURNING id
  slow:
    sql: SELECT pg_sleep(:seconds) AS slept
`;

let dir: string;
let database: FreshDatabase;
let url: string;
const open: Connector[] = [];

function withPassword(plain: string): string {
  const parsed = new URL(plain);
  parsed.password = PASSWORD;
  return parsed.toString();
}

function build(connectionUrl = url): { connector: Connector; op(name: string): Promise<Operation> } {
  const secrets: SecretReader = { names: () => ['CRM_DATABASE_URL'], reveal: () => connectionUrl };
  const file = path.join(dir, 'crm.yaml');
  writeFileSync(file, CONNECTOR);
  const redact = (text: string) => text.replaceAll(connectionUrl, '[REDACTED]');
  const connector = createSqlConnector(loadConnectorFile(file, secrets), { secrets, redact, baseDir: dir, sleep: async () => undefined });
  open.push(connector);
  return {
    connector,
    async op(name) {
      const found = (await connector.operations()).find((candidate) => candidate.name === name);
      if (!found) throw new Error(`no operation ${name}`);
      return found;
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(ConnectorError);
  const typed = error as ConnectorError;
  expect(JSON.stringify(typed.toJSON())).not.toContain(PASSWORD);
  expect(typed.message).not.toContain(PASSWORD);
  return typed;
}

async function query(sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describePostgres('sql connector on PostgreSQL', () => {
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'baton-sql-pg-'));
    database = await freshDatabase();
    url = withPassword(database.url);
    await query(`
      CREATE TABLE customers (id SERIAL PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE, tier TEXT NOT NULL, created DATE NOT NULL DEFAULT DATE '2024-01-02');
      CREATE TABLE notes (id SERIAL PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE, customer_id INTEGER NOT NULL, body TEXT NOT NULL);
      INSERT INTO customers (name, email, tier) VALUES ('Ada', 'ada@example.com', 'gold'), ('Bob', 'bob@example.com', 'silver'), ('Cy', 'cy@example.com', 'gold'), ('Di', 'di@example.com', 'gold');
    `);
  });

  afterEach(async () => {
    for (const connector of open.splice(0)) await connector.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a read with mapped parameters, casts and literals left alone, and maps the response and records', async () => {
    const read = await build().op('gold_customers');
    expect(read).toMatchObject({ sideEffect: false, approval: 'never', honoursKey: false });
    const call = await read.prepare({ minId: 1 });
    expect(call.target).toBe("postgres crm: SELECT id, name, ':not_a_param' AS literal, created::text AS created FROM custom…");
    expect(call.request).toEqual({ driver: 'postgres', sql: expect.stringContaining(':min_id::int'), params: { tier: 'gold', min_id: 1 } });
    expect(JSON.stringify(call)).not.toContain(PASSWORD);
    const result = await read.execute(call, {});
    expect(result.output).toEqual({
      count: 2,
      customers: [
        { id: 3, name: 'Cy', literal: ':not_a_param', created: '2024-01-02' },
        { id: 4, name: 'Di', literal: ':not_a_param', created: '2024-01-02' },
      ],
    });
    expect(result.records.map((record) => record.id)).toEqual(['customer-3', 'customer-4']);
    expect(result.summary).toBe('2 rows');
  });

  it('runs reads READ ONLY: a read-declared statement that writes is refused and changes nothing', async () => {
    const sneaky = await build().op('sneaky_update');
    const error = await failure(sneaky.execute(await sneaky.prepare({ id: 1 }), {}));
    expect(error.code).toBe('CONNECTOR_REJECTED');
    expect(error.status).toBe('25006');
    expect(error.message).toMatch(/declared read-only but writes; add write: true/);
    expect(await query('SELECT tier FROM customers WHERE id = 1')).toEqual([{ tier: 'gold' }]);
  });

  it('refuses several statements in one query, so nothing can escape the read-only transaction', async () => {
    const smuggled = await build().op('smuggled');
    const error = await failure(smuggled.execute(await smuggled.prepare({}), {}));
    expect(error.code).toBe('CONNECTOR_REJECTED');
    expect(await query('SELECT count(*)::int AS n FROM customers')).toEqual([{ n: 4 }]);
  });

  it('applies a keyed upsert once when executed twice with the same key', async () => {
    const write = await build().op('add_note');
    expect(write).toMatchObject({ sideEffect: true, approval: 'untrusted', honoursKey: true });
    const call = await write.prepare({ customerId: 2, body: 'called about an order' });
    expect(call.request['params']).toEqual({ customer_id: 2, body: 'called about an order' });
    expect((await write.execute(call, { idempotencyKey: 'baton-key-1' })).output).toEqual({ rowCount: 1 });
    const again = await write.execute(call, { idempotencyKey: 'baton-key-1' });
    expect(again.output).toEqual({ rowCount: 0 });
    expect(again.summary).toBe('0 rows changed');
    expect(await query('SELECT idempotency_key, body FROM notes')).toEqual([{ idempotency_key: 'baton-key-1', body: 'called about an order' }]);
  });

  it('names a missing parameter as invalid input', async () => {
    const write = await build().op('add_customer');
    const error = await failure(write.prepare({ name: 'Eve', tier: 'gold' }));
    expect(error.code).toBe('CONNECTOR_INPUT_INVALID');
    expect(error.message).toMatch(/needs the parameter :email/);
  });

  it('returns RETURNING rows of a write, and reports a constraint violation as REJECTED with the SQLSTATE', async () => {
    const write = await build().op('add_customer');
    const created = await write.execute(await write.prepare({ name: 'Eve', email: 'eve@example.com', tier: 'gold' }), { idempotencyKey: 'k1' });
    expect(created.output).toEqual({ rowCount: 1, rows: [{ id: 5 }] });
    const error = await failure(write.execute(await write.prepare({ name: 'Ada 2', email: 'ada@example.com', tier: 'gold' }), { idempotencyKey: 'k2' }));
    expect(error.code).toBe('CONNECTOR_REJECTED');
    expect(error.status).toBe('23505');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/duplicate key value violates unique constraint/);
  });

  it('stops a statement after timeoutMs on the server: UNAVAILABLE and retryable, and the pool stays usable', async () => {
    const { op } = build();
    const slow = await op('slow');
    const error = await failure(slow.execute(await slow.prepare({ seconds: 5 }), {}));
    expect(error.code).toBe('CONNECTOR_UNAVAILABLE');
    expect(error.status).toBe('57014');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/longer than 300 ms/);
    const quick = await slow.execute(await slow.prepare({ seconds: 0 }), {});
    expect(quick.output).toEqual([{ slept: '' }]);
  });

  it('reports a server it cannot reach as UNAVAILABLE without the URL or password', async () => {
    const closed = new URL(url);
    closed.port = '1';
    const read = await build(closed.toString()).op('gold_customers');
    const error = await failure(read.execute(await read.prepare({ minId: 0 }), {}));
    expect(error.code).toBe('CONNECTOR_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.message).not.toContain(closed.toString());
  });

  it('opens the pool lazily and ends it on close (twice is safe)', async () => {
    const { connector, op } = build();
    await connector.close();
    const read = await op('gold_customers');
    await read.execute(await read.prepare({ minId: 3 }), {});
    await connector.close();
    await connector.close();
  });
});
