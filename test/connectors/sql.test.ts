/**
 * The sql connector on SQLite, built through the real loader from a connector file next to a seeded database file.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../src/connectors/errors.js';
import { loadConnectorFile } from '../../src/connectors/load.js';
import { parseNamedParams, sqlPreview } from '../../src/connectors/sql/params.js';
import { createSqlConnector } from '../../src/connectors/sql/index.js';
import type { Connector, Operation, SecretReader } from '../../src/connectors/types.js';

let dir: string;
let dbFile: string;
const open: Connector[] = [];

const secrets: SecretReader = { names: () => [], reveal: (name) => { throw new Error(`no secret ${name}`); } };

function seed(file: string): void {
  const db = new Database(file);
  db.exec(`
    CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE, tier TEXT NOT NULL, vip INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE notes (id INTEGER PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE, customer_id INTEGER NOT NULL, body TEXT NOT NULL);
    INSERT INTO customers (id, name, email, tier, vip) VALUES
      (1, 'Ada', 'ada@example.com', 'gold', 1), (2, 'Bob', 'bob@example.com', 'silver', 0),
      (3, 'Cy', 'cy@example.com', 'gold', 0), (4, 'Di', 'di@example.com', 'gold', 1);
  `);
  db.close();
}

const CONNECTOR = `
name: crm
kind: sql
driver: sqlite
file: data/customers.db
timeoutMs: 200
operations:
  gold_customers:
    description: Gold customers after an id
    input: { type: object, required: [minId], properties: { minId: { type: integer }, tier: { type: string, default: gold } } }
    params: "{ 'tier': tier, 'min_id': minId }"
    sql: |
      SELECT id, name, ':not_a_param' AS literal
      FROM customers -- filtered by :tier below
      WHERE tier = :tier AND id > :min_id ORDER BY id
    response: "{ 'count': $rowCount, 'customers': $.{ 'id': id, 'name': name, 'literal': literal } }"
    records: { items: customers, id: "'customer-' & id" }
  by_vip:
    input: { type: object, properties: { vip: { type: boolean } } }
    sql: SELECT id FROM customers WHERE vip = :vip ORDER BY id
  sneaky_update:
    description: declared read, but writes
    sql: UPDATE customers SET tier = 'platinum' WHERE id = :id
  add_note:
    write: true
    input: { type: object, required: [customerId, body], properties: { customerId: { type: integer }, body: { type: string } } }
    params: "{ 'customer_id': customerId, 'body': body }"
    sql: INSERT INTO notes (idempotency_key, customer_id, body) VALUES (:idempotency_key, :customer_id, :body) ON CONFLICT (idempotency_key) DO NOTHING
  add_customer:
    write: true
    approval: always
    sql: INSERT INTO customers (name, email, tier) VALUES (:name, :email, :tier)
  missing_table:
    sql: SELECT * FROM no_such_table WHERE id = :id
`;

function build(yaml = CONNECTOR): Connector {
  const file = path.join(dir, 'crm.yaml');
  writeFileSync(file, yaml);
  const loaded = loadConnectorFile(file, secrets);
  const connector = createSqlConnector(loaded, { secrets, redact: (text) => text, baseDir: dir, sleep: async () => undefined });
  open.push(connector);
  return connector;
}

async function operation(connector: Connector, name: string): Promise<Operation> {
  const found = (await connector.operations()).find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no operation ${name}`);
  return found;
}

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

function rows(sql: string): unknown[] {
  const db = new Database(dbFile, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'baton-sql-'));
  // The database lives below the connector file's folder: `file:` is resolved from there.
  mkdirSync(path.join(dir, 'data'));
  dbFile = path.join(dir, 'data', 'customers.db');
  seed(dbFile);
});

afterEach(async () => {
  for (const connector of open.splice(0)) await connector.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('named parameters', () => {
  it('finds :name outside literals, identifiers, comments, casts and dollar quotes, once per name', () => {
    const sql = `SELECT ':skip', "col:skip", x::int, E'it\\'s :skip', $$ :skip $$, $tag$ :skip $tag$, :a, :b /* :skip /* :skip */ */ , :a -- :skip\n, f(y := :c)`;
    const parsed = parseNamedParams(sql);
    expect(parsed.names).toEqual(['a', 'b', 'c']);
    expect(parsed.positional).toBe(`SELECT ':skip', "col:skip", x::int, E'it\\'s :skip', $$ :skip $$, $tag$ :skip $tag$, $1, $2 /* :skip /* :skip */ */ , $1 -- :skip\n, f(y := $3)`);
  });

  it('previews a query on one line, cut at 80 characters', () => {
    expect(sqlPreview('SELECT *\n  FROM t')).toBe('SELECT * FROM t');
    expect(sqlPreview(`SELECT ${'x, '.repeat(40)}y`)).toHaveLength(81);
  });
});

describe('sql connector on SQLite', () => {
  it('declares reads and writes with their defaults', async () => {
    const connector = build();
    expect(connector.kind).toBe('sql');
    const read = await operation(connector, 'gold_customers');
    expect(read).toMatchObject({ id: 'crm.gold_customers', connector: 'crm', sideEffect: false, approval: 'never', honoursKey: false, description: 'Gold customers after an id' });
    expect(read.inputSchema).toMatchObject({ required: ['minId'] });
    expect(await operation(connector, 'add_note')).toMatchObject({ sideEffect: true, approval: 'untrusted', honoursKey: true });
    expect(await operation(connector, 'add_customer')).toMatchObject({ sideEffect: true, approval: 'always', honoursKey: false });
  });

  it('runs a read with mapped parameters, maps the response and finds the records', async () => {
    const read = await operation(build(), 'gold_customers');
    const call = await read.prepare({ minId: 1 });
    expect(call).toEqual({
      operation: 'crm.gold_customers',
      target: "sqlite customers.db: SELECT id, name, ':not_a_param' AS literal FROM customers -- filtered by :tier b…",
      request: { driver: 'sqlite', sql: expect.stringContaining('WHERE tier = :tier'), params: { tier: 'gold', min_id: 1 } },
    });
    const result = await read.execute(call, {});
    expect(result.output).toEqual({ count: 2, customers: [{ id: 3, name: 'Cy', literal: ':not_a_param' }, { id: 4, name: 'Di', literal: ':not_a_param' }] });
    expect(result.records).toEqual([
      { id: 'customer-3', value: { id: 3, name: 'Cy', literal: ':not_a_param' } },
      { id: 'customer-4', value: { id: 4, name: 'Di', literal: ':not_a_param' } },
    ]);
    expect(result.summary).toBe('2 rows');
    expect(result.status).toBe(2);
  });

  it('takes parameters from the input when no params mapping is declared, binding booleans as 1/0', async () => {
    const read = await operation(build(), 'by_vip');
    const result = await read.execute(await read.prepare({ vip: true }), {});
    expect(result.output).toEqual([{ id: 1 }, { id: 4 }]);
  });

  it('refuses a read-declared statement that writes, and changes nothing', async () => {
    const sneaky = await operation(build(), 'sneaky_update');
    expect(sneaky.sideEffect).toBe(false);
    const error = await failure(sneaky.execute(await sneaky.prepare({ id: 1 }), {}));
    expect(error.code).toBe('CONNECTOR_REJECTED');
    expect(error.message).toMatch(/declared read-only but writes; add write: true/);
    expect(error.retryable).toBe(false);
    expect(rows("SELECT tier FROM customers WHERE id = 1")).toEqual([{ tier: 'gold' }]);
  });

  it('applies a keyed upsert once when executed twice with the same key', async () => {
    const write = await operation(build(), 'add_note');
    const call = await write.prepare({ customerId: 2, body: 'called about an order' });
    // The key is bound at execute: it is derived from the request, so it cannot be part of it.
    expect(call.request).toEqual({ driver: 'sqlite', sql: expect.stringContaining('ON CONFLICT'), params: { customer_id: 2, body: 'called about an order' } });
    const first = await write.execute(call, { idempotencyKey: 'baton-key-1' });
    expect(first.output).toEqual({ changes: 1, lastInsertRowid: 1 });
    expect(first.summary).toBe('1 row changed');
    const again = await write.execute(call, { idempotencyKey: 'baton-key-1' });
    expect(again.output).toEqual({ changes: 0 });
    expect(again.status).toBe(0);
    await write.execute(call, { idempotencyKey: 'baton-key-2' });
    expect(rows('SELECT idempotency_key, customer_id, body FROM notes ORDER BY id')).toEqual([
      { idempotency_key: 'baton-key-1', customer_id: 2, body: 'called about an order' },
      { idempotency_key: 'baton-key-2', customer_id: 2, body: 'called about an order' },
    ]);
  });

  it('refuses a keyed write sent without a key', async () => {
    const write = await operation(build(), 'add_note');
    const error = await failure(write.execute(await write.prepare({ customerId: 2, body: 'x' }), {}));
    expect(error.code).toBe('CONNECTOR_INPUT_INVALID');
    expect(error.message).toMatch(/idempotency key for :idempotency_key/);
  });

  it('names a missing parameter as invalid input, before anything is sent', async () => {
    const connector = build();
    const write = await operation(connector, 'add_customer');
    const error = await failure(write.prepare({ name: 'Eve', email: 'eve@example.com' }));
    expect(error.code).toBe('CONNECTOR_INPUT_INVALID');
    expect(error.message).toMatch(/needs the parameter :tier, which the input does not give \(it gives: name, email\)/);
    const read = await operation(connector, 'gold_customers');
    expect((await failure(read.prepare({ minId: 'one' }))).code).toBe('CONNECTOR_INPUT_INVALID');
  });

  it('reports a constraint violation as REJECTED, not retryable, with SQLite\'s code', async () => {
    const write = await operation(build(), 'add_customer');
    const error = await failure(write.execute(await write.prepare({ name: 'Ada 2', email: 'ada@example.com', tier: 'gold' }), { idempotencyKey: 'k' }));
    expect(error.code).toBe('CONNECTOR_REJECTED');
    expect(error.status).toBe('SQLITE_CONSTRAINT_UNIQUE');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/UNIQUE constraint failed: customers\.email/);
  });

  it('reports bad SQL as REJECTED', async () => {
    const read = await operation(build(), 'missing_table');
    const error = await failure(read.execute(await read.prepare({ id: 1 }), {}));
    expect(error.code).toBe('CONNECTOR_REJECTED');
    expect(error.message).toMatch(/no such table: no_such_table/);
  });

  it('opens the database lazily, and a missing file is UNAVAILABLE, never a new empty database', async () => {
    rmSync(dbFile);
    const connector = build();
    const read = await operation(connector, 'gold_customers');
    const error = await failure(read.execute(await read.prepare({ minId: 0 }), {}));
    expect(error.code).toBe('CONNECTOR_UNAVAILABLE');
    expect(error.message).toMatch(/cannot open the SQLite database data\/customers\.db/);
    expect(() => rows('SELECT 1')).toThrow();
  });

  it('waits for a lock only as long as timeoutMs, then is UNAVAILABLE and retryable', async () => {
    const write = await operation(build(), 'add_customer');
    const holder = new Database(dbFile);
    holder.exec('BEGIN IMMEDIATE');
    try {
      const started = Date.now();
      const error = await failure(write.execute(await write.prepare({ name: 'Eve', email: 'eve@example.com', tier: 'gold' }), { idempotencyKey: 'k' }));
      expect(error.code).toBe('CONNECTOR_UNAVAILABLE');
      expect(error.retryable).toBe(true);
      expect(error.message).toMatch(/locked by another writer for 200 ms/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('refuses a prepared call of a different query, and params mappings that give no object', async () => {
    const read = await operation(build(), 'by_vip');
    const call = await read.prepare({ vip: false });
    const error = await failure(read.execute({ ...call, request: { ...call.request, sql: 'DELETE FROM customers' } }, {}));
    expect(error.code).toBe('CONNECTOR_INPUT_INVALID');
    const mapped = build(CONNECTOR.replace(`params: "{ 'tier': tier, 'min_id': minId }"`, `params: "[minId]"`));
    const gold = await operation(mapped, 'gold_customers');
    expect((await failure(gold.prepare({ minId: 1 }))).message).toMatch(/params mapping must give an object/);
  });

  it('closes safely twice, and opens again when used after closing', async () => {
    const connector = build();
    const read = await operation(connector, 'by_vip');
    const call = await read.prepare({ vip: true });
    await read.execute(call, {});
    await connector.close();
    await connector.close();
    expect((await read.execute(call, {})).output).toEqual([{ id: 1 }, { id: 4 }]);
  });
});
