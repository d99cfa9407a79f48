/**
 * Which PostgreSQL failures mean "the store cannot be used now" (StoreUnavailableError: the API answers 503, servers
 * and workers wait for it to come back) and which are a statement's own error, left as they are. The mapping is
 * checked on errors shaped like the ones node-postgres, pg-pool and Node's sockets raise, and, when a test server is
 * configured, on the real thing: a database that refuses connections, a connection an administrator terminated.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { RunNotFoundError, StoreUnavailableError } from '../../src/errors.js';
import { mapConnectionError, parsePostgresUrl, withConnectionErrors } from '../../src/stores/postgres/connection.js';
import { PostgresRunStore } from '../../src/stores/postgres/store.js';
import { describePostgres, freshDatabase, postgresUrl, type FreshDatabase } from '../support/postgres.js';
import { conformanceRedactor } from './conformance.js';

const PASSWORD = 'hunter2-Very-Secret-9';
const URL_WITH_PASSWORD = `postgres://baton:${PASSWORD}@db.example.com:6543/runs`;
const target = parsePostgresUrl(URL_WITH_PASSWORD);

/** An error as the server sends it (node-postgres's DatabaseError, with its SQLSTATE and severity). */
function serverError(code: string, message: string, severity = 'FATAL'): pg.DatabaseError {
  const error = new pg.DatabaseError(message, message.length, 'error');
  error.code = code;
  error.severity = severity;
  return error;
}

/** An error as Node's sockets and DNS raise it. */
function socketError(code: string, message = `connect ${code} 10.0.0.1:6543`): Error {
  return Object.assign(new Error(message), { code, errno: -1, syscall: 'connect' });
}

function expectUnavailable(error: unknown, words: RegExp): StoreUnavailableError {
  const mapped = mapConnectionError(target, error);
  expect(mapped, String((error as Error).message)).toBeInstanceOf(StoreUnavailableError);
  const unavailable = mapped as StoreUnavailableError;
  expect(unavailable.message).toMatch(/^cannot use the PostgreSQL store at db\.example\.com:6543\/runs: /);
  expect(unavailable.message).toMatch(words);
  expect(unavailable.hint).toContain('store.url');
  // The password is in no part of it, and the original error (which could hold it) is not kept as the cause.
  expect(JSON.stringify({ message: unavailable.message, hint: unavailable.hint })).not.toContain(PASSWORD);
  expect(unavailable.cause).toBeUndefined();
  return unavailable;
}

function expectUnchanged(error: unknown): void {
  expect(mapConnectionError(target, error)).toBe(error);
}

describe('mapConnectionError: what the server says', () => {
  it.each([
    ['08000', 'connection exception', /connection exception \[08000\]/],
    ['08001', 'could not connect to server', /could not connect to server \[08001\]/],
    ['08003', 'connection does not exist', /\[08003\]/],
    ['08006', 'server closed the connection unexpectedly', /\[08006\]/],
    ['08P01', 'invalid startup packet layout', /\[08P01\]/],
    ['57P01', 'terminating connection due to administrator command', /ended the connection \(an administrator command.*terminating connection due to administrator command \[57P01\]/],
    ['57P02', 'terminating connection because of crash of another server process', /after another server process crashed.* \[57P02\]/],
    ['57P03', 'the database system is shutting down', /starting up, shutting down or in recovery: the database system is shutting down \[57P03\]/],
    ['57P03', 'the database system is not yet accepting connections', /\[57P03\]/],
    ['53300', 'sorry, too many clients already', /no connection slots left \[53300\]/],
    ['55000', 'database "runs" is not currently accepting connections', /the database "runs" does not accept connections now \(ALLOW_CONNECTIONS is off.*\[55000\]/],
    ['28P01', `password authentication failed for user "baton"`, /the password was refused for user "baton" \[28P01\]/],
    ['28000', 'no pg_hba.conf entry for host "10.0.0.2", user "baton", database "runs", no encryption', /does not allow user "baton" to connect \(pg_hba\.conf\).*\[28000\]/],
    ['3D000', 'database "runs" does not exist', /the database "runs" does not exist \[3D000\]/],
  ])('%s (%s) is a StoreUnavailableError', (code, message, words) => {
    expectUnavailable(serverError(code, message), words);
  });

  it('recognises a server error by its shape when it comes from another copy of node-postgres', () => {
    const foreign = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01', severity: 'FATAL' });
    expectUnavailable(foreign, /\[57P01\]/);
    const wrapped = Object.assign(new Error('could not connect'), { code: '08006' });
    expectUnavailable(wrapped, /\[08006\]/);
  });

  it.each([
    ['55000', 'cannot refresh materialized view "baton.stats" concurrently'],
    ['55000', 'lock file "postmaster.pid" already exists'],
    ['23505', 'duplicate key value violates unique constraint "runs_pkey"'],
    ['42P01', 'relation "certificates" does not exist'],
    ['P0001', 'Connection terminated by the application'],
    ['40001', 'could not serialize access due to concurrent update'],
    ['57014', 'canceling statement due to statement timeout'],
  ])('%s (%s) is the statement\'s own error, unchanged', (code, message) => {
    expectUnchanged(serverError(code, message, 'ERROR'));
  });
});

describe('mapConnectionError: what the driver and the socket say', () => {
  it.each([
    ['Connection terminated unexpectedly'],
    ['Connection terminated'],
    ['Connection terminated due to connection timeout'],
    ['timeout exceeded when trying to connect'],
    ['Client has encountered a connection error and is not queryable'],
    ['Client was closed and is not queryable'],
  ])('"%s" is a StoreUnavailableError', (message) => {
    expectUnavailable(new Error(message), new RegExp(`: ${message}$`));
  });

  it.each([
    ['ECONNREFUSED', /the connection was refused/],
    ['ECONNRESET', /the server closed the connection/],
    ['EPIPE', /the server closed the connection/],
    ['ETIMEDOUT', /the connection timed out/],
    ['EHOSTUNREACH', /the host is unreachable from here/],
    ['ENETUNREACH', /the host is unreachable from here/],
    ['ENOTFOUND', /the host name "db\.example\.com" could not be resolved \(DNS\)/],
    ['EAI_AGAIN', /the host name "db\.example\.com" could not be resolved \(DNS\)/],
  ])('a socket error %s is a StoreUnavailableError', (code, words) => {
    const mapped = expectUnavailable(socketError(code), words);
    expect(mapped.message).toContain(`[${code}]`);
  });

  it('looks inside an AggregateError (every address of a host refused) and down the cause chain', () => {
    expectUnavailable(new AggregateError([socketError('ECONNREFUSED', 'connect ECONNREFUSED ::1:6543'), socketError('ECONNREFUSED')], ''), /the connection was refused .*\[ECONNREFUSED\]/);
    expectUnavailable(new Error('Connection terminated due to connection timeout', { cause: socketError('ETIMEDOUT') }), /\[ETIMEDOUT\]/);
  });

  it('never quotes the password or the URL, whatever the error said', () => {
    const mapped = expectUnavailable(new Error(`Connection terminated while connecting to ${URL_WITH_PASSWORD} as baton:${PASSWORD}`), /Connection terminated/);
    expect(mapped.message).toContain('(the store URL)');
    expect(mapped.message).toContain('***');
    const encoded = parsePostgresUrl('postgres://baton:p%40ss%2Fword@db.example.com/runs');
    const scrubbed = mapConnectionError(encoded, new Error('Connection terminated: password p@ss/word, or p%40ss%2Fword')) as StoreUnavailableError;
    expect(scrubbed.message).not.toMatch(/p@ss\/word|p%40ss%2Fword/);
  });

  it('leaves Baton\'s own errors and unrelated failures as they are', () => {
    expectUnchanged(new RunNotFoundError('run_x'));
    expectUnchanged(new Error('boom'));
    expectUnchanged(new TypeError('Cannot read properties of undefined (reading \'rows\')'));
    expectUnchanged('a string');
    expectUnchanged(undefined);
  });

  it('withConnectionErrors maps what the work throws and passes its result through', async () => {
    await expect(withConnectionErrors(target, async () => 42)).resolves.toBe(42);
    await expect(withConnectionErrors(target, async () => Promise.reject(new Error('Connection terminated unexpectedly')))).rejects.toBeInstanceOf(StoreUnavailableError);
    const statement = serverError('23505', 'duplicate key', 'ERROR');
    await expect(withConnectionErrors(target, async () => Promise.reject(statement))).rejects.toBe(statement);
  });
});

describePostgres('mapConnectionError on a real PostgreSQL server', () => {
  const databases: FreshDatabase[] = [];
  const stores: PostgresRunStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const database of databases.splice(0)) await database.drop();
  });

  async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: postgresUrl() });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Refuses new connections to the database and ends the ones it has (as an administrator taking it offline would). */
  async function takeOffline(name: string): Promise<void> {
    await admin(async (client) => {
      await client.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    });
  }

  it('a database that allows no connections (55000) cannot be opened: StoreUnavailableError', async () => {
    const database = await freshDatabase();
    databases.push(database);
    await takeOffline(database.name);
    const error: unknown = await PostgresRunStore.open({ url: database.url, redact: conformanceRedactor() }).then(
      (store) => {
        stores.push(store);
        return undefined;
      },
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(/does not accept connections now .*\[55000\]/);
  });

  it('an open store whose database is taken offline answers StoreUnavailableError on every read and write', async () => {
    const database = await freshDatabase();
    databases.push(database);
    const errors: unknown[] = [];
    const store = await PostgresRunStore.open({ url: database.url, redact: conformanceRedactor(), onError: (error) => errors.push(error) });
    stores.push(store);
    await store.listRuns({ limit: 1 });
    await takeOffline(database.name);
    for (const attempt of [() => store.listRuns({ limit: 1 }), () => store.getRun('run_x'), () => store.pendingDecisions(), () => store.requestCancel('run_x', new Date())]) {
      const failure: unknown = await attempt().then(() => undefined, (error: unknown) => error);
      expect(failure).toBeInstanceOf(StoreUnavailableError);
      expect((failure as Error).message).toMatch(/\[(55000|57P01)\]|Connection terminated/);
    }
    // Whatever was reported meanwhile (the idle connections and the LISTEN connection that were ended) was mapped too.
    for (const error of errors) expect(error).toBeInstanceOf(StoreUnavailableError);
  });

  it('a statement cut by pg_terminate_backend (57P01), and the dead client after it, are StoreUnavailableErrors', async () => {
    const database = await freshDatabase();
    databases.push(database);
    const live = parsePostgresUrl(database.url);
    const client = new pg.Client({ connectionString: database.url, application_name: 'baton-terminated' });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const sleeping = client.query('SELECT pg_sleep(30)').then(() => undefined, (error: unknown) => error);
      await admin(async (other) => {
        for (let tries = 0; tries < 100; tries += 1) {
          const ended = await other.query("SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = 'baton-terminated' AND state = 'active'");
          if (ended.rowCount) return;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      });
      const cut = await sleeping;
      expect((cut as { code?: string }).code).toBe('57P01');
      const mapped = mapConnectionError(live, cut);
      expect(mapped).toBeInstanceOf(StoreUnavailableError);
      expect((mapped as Error).message).toMatch(/administrator command.*\[57P01\]/);
      const after: unknown = await client.query('SELECT 1').then(() => undefined, (error: unknown) => error);
      expect(after).toBeDefined();
      expect(mapConnectionError(live, after)).toBeInstanceOf(StoreUnavailableError);
    } finally {
      await client.end().catch(() => undefined);
    }
  });
});
