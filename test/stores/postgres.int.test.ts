/**
 * The PostgreSQL run store: the conformance suite every store passes, then what only a shared database has: several
 * processes (store instances) at once, LISTEN/NOTIFY, graphile-worker jobs, the checkpointer, and messages for a
 * server that cannot be used. Each test gets a database of its own. The connection-failure tests need no server.
 */
import { once } from 'node:events';
import net from 'node:net';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreSchemaError, StoreUnavailableError } from '../../src/errors.js';
import type { RunStore } from '../../src/stores/port.js';
import { openPostgresCheckpointer } from '../../src/stores/postgres/checkpointer.js';
import { openPostgresQueue } from '../../src/stores/postgres/queue.js';
import { POSTGRES_SCHEMA_VERSION } from '../../src/stores/postgres/schema.js';
import { PostgresRunStore } from '../../src/stores/postgres/store.js';
import type { NewTurn, RunRecord, TurnRecord } from '../../src/transcript/schema.js';
import { conformanceRedactor, CONFORMANCE_SECRET, describeRunStoreConformance, type ConformanceHarness } from './conformance.js';
import { describePostgres, freshDatabase, type FreshDatabase, withDatabase, postgresUrl } from '../support/postgres.js';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const MINUTE = 60_000;
const iso = (ms: number): string => new Date(ms).toISOString();

function newRun(id: string): Omit<RunRecord, 'version'> {
  return {
    id, goal: `goal of ${id}`, status: 'queued', rounds: 0, startedAt: iso(T0), endedAt: null, durationMs: null, inputTokens: 0, outputTokens: 0,
    costUsd: 0, costEstimated: false, engine: 'offline', labels: {}, result: null, error: null,
  };
}

function newTurn(runId: string, content: string): NewTurn {
  return {
    runId, round: 1, from: 'planner', to: ['researcher'], role: 'planner', kind: 'planner', model: 'offline:x', startedAt: iso(T0), latencyMs: 1,
    messages: [{ role: 'user', content }], output: null, toolCalls: [], usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2, estimated: true },
    costUsd: 0, attempts: 1, events: [],
  };
}

async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A local port nothing listens on. */
async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A server that answers every PostgreSQL startup message with one FATAL error (SQLSTATE `code`). */
async function refusingServer(code: string, message: string): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((socket) => {
    socket.once('data', () => {
      const fields = Buffer.concat([
        ...[['S', 'FATAL'], ['V', 'FATAL'], ['C', code], ['M', message]].map(([type, value]) => Buffer.from(`${type}${value}\0`)),
        Buffer.from([0]),
      ]);
      const header = Buffer.alloc(5);
      header.write('E', 0);
      header.writeInt32BE(fields.length + 4, 1);
      socket.end(Buffer.concat([header, fields]));
    });
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const PASSWORD = 'hunter2-Very-Secret-9';

async function openFailure(url: string): Promise<StoreUnavailableError> {
  const error: unknown = await PostgresRunStore.open({ url, redact: conformanceRedactor() }).then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(StoreUnavailableError);
  const unavailable = error as StoreUnavailableError;
  expect(`${unavailable.message} ${unavailable.hint} ${JSON.stringify(unavailable)}`).not.toContain(PASSWORD);
  expect(unavailable.hint).toMatch(/store\.url/);
  expect(unavailable.hint).toMatch(/BATON_DATABASE_URL/);
  return unavailable;
}

describe('PostgreSQL store: a server that cannot be used', () => {
  it('says the connection was refused, naming host, port and database, never the password', async () => {
    const port = await freePort();
    const error = await openFailure(`postgres://baton:${PASSWORD}@127.0.0.1:${port}/runs`);
    expect(error.message).toContain(`127.0.0.1:${port}/runs`);
    expect(error.message).toMatch(/refused/);
  });

  it('says the password was refused', async () => {
    const server = await refusingServer('28P01', 'password authentication failed for user "baton"');
    try {
      const error = await openFailure(`postgres://baton:${PASSWORD}@127.0.0.1:${server.port}/runs`);
      expect(error.message).toContain(`127.0.0.1:${server.port}/runs`);
      expect(error.message).toMatch(/password was refused for user "baton"/);
    } finally {
      await server.close();
    }
  });

  it('says the database does not exist', async () => {
    const server = await refusingServer('3D000', 'database "runs" does not exist');
    try {
      const error = await openFailure(`postgresql://baton:${PASSWORD}@127.0.0.1:${server.port}/runs`);
      expect(error.message).toMatch(/database "runs" does not exist/);
    } finally {
      await server.close();
    }
  });

  it('says the host name does not resolve', async () => {
    const error = await openFailure(`postgres://baton:${PASSWORD}@baton-no-such-host.invalid:5432/runs`);
    expect(error.message).toContain('baton-no-such-host.invalid:5432/runs');
    expect(error.message).toMatch(/could not be resolved/);
  });

  it('refuses a URL that is not a PostgreSQL URL without repeating it', async () => {
    await openFailure(`mysql://baton:${PASSWORD}@localhost/runs`);
    await openFailure(`not a url ${PASSWORD}`);
  });

  it('names the queue\'s server the same way', async () => {
    const port = await freePort();
    const queue = openPostgresQueue({ url: `postgres://baton:${PASSWORD}@127.0.0.1:${port}/runs` });
    const error: unknown = await queue.consume(async () => undefined, { concurrency: 1 }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toContain(`127.0.0.1:${port}/runs`);
    expect((error as Error).message).not.toContain(PASSWORD);
  });
});

describePostgres('PostgreSQL store', () => {
  /** Each conformance store's database URL and clock, so a second connection shares both. */
  const shared = new WeakMap<RunStore, { url: string; clock: { now: number } }>();

  describeRunStoreConformance('PostgreSQL', async (other) => {
    const redact = conformanceRedactor();
    if (other) {
      const peer = shared.get(other);
      if (!peer) throw new Error('not a store of this harness');
      const store = await PostgresRunStore.open({ url: peer.url, redact, now: () => peer.clock.now });
      return { store, now: { set: (ms) => void (peer.clock.now = ms) }, cleanup: () => store.close(), ...damage(peer.url) };
    }
    const database = await freshDatabase();
    const clock = { now: T0 };
    const store = await PostgresRunStore.open({ url: database.url, redact, now: () => clock.now });
    shared.set(store, { url: database.url, clock });
    return {
      store,
      now: { set: (ms) => void (clock.now = ms) },
      cleanup: async () => {
        await store.close();
        await database.drop();
      },
      corrupt: async (runId) => {
        await sql(database.url, async (client) => {
          await client.query("UPDATE baton.runs SET data = '{\"version\": 1, \"id\": 7' WHERE id = $1", [runId]);
          await client.query("UPDATE baton.turns SET data = '{\"version\": 99}' WHERE run_id = $1", [runId]);
        });
      },
      ...damage(database.url),
    };
  });

  /** The harness's hooks that change rows behind the store's back. */
  function damage(url: string): Pick<ConformanceHarness, 'corruptStateUpdates' | 'corruptEffects' | 'loseJob'> {
    return {
      corruptStateUpdates: async (runId) => void (await sql(url, (client) => client.query("UPDATE baton.turn_keys SET state_update = '{not json' WHERE run_id = $1", [runId]))),
      corruptEffects: async (runId) => void (await sql(url, (client) => client.query("UPDATE baton.effects SET request = '{not json' WHERE run_id = $1", [runId]))),
      loseJob: async (runId) => void (await sql(url, (client) => client.query('SELECT graphile_worker.remove_job($1)', [runId]))),
    };
  }

  describe('shared by several processes', () => {
    let database: FreshDatabase;
    const stores: PostgresRunStore[] = [];
    const clock = { now: T0 };
    const open = async (): Promise<PostgresRunStore> => {
      const store = await PostgresRunStore.open({ url: database.url, redact: conformanceRedactor(), now: () => clock.now });
      stores.push(store);
      return store;
    };

    afterEach(async () => {
      for (const store of stores.splice(0)) await store.close();
      await database?.drop();
    });

    it('migrates once when many processes open the same database at once', async () => {
      database = await freshDatabase();
      const opened = await Promise.all([open(), open(), open(), open()]);
      expect(opened.map((store) => store.location)).toEqual(Array(4).fill(new URL(database.url).host + `/${database.name}`));
      const [version] = await sql(database.url, (client) => client.query("SELECT value FROM baton.meta WHERE key = 'schema_version'"));
      expect(version).toEqual({ value: String(POSTGRES_SCHEMA_VERSION) });
    });

    it('upgrades a version 1 database in place: its runs kept, the ledger of side effects added', async () => {
      database = await freshDatabase();
      const first = await open();
      await first.createRun(newRun('a'), newTurn('a', 'opening'), { state: { status: 'running', lease: { owner: 'me', expiresAt: T0 + MINUTE } } });
      await first.close();
      // Back to what a Baton of schema version 1 left: no effects table.
      await sql(database.url, async (client) => {
        await client.query('DROP TABLE baton.effects');
        await client.query("UPDATE baton.meta SET value = '1' WHERE key = 'schema_version'");
      });
      const store = await open();
      const [version] = await sql(database.url, (client) => client.query("SELECT value FROM baton.meta WHERE key = 'schema_version'"));
      expect(version).toEqual({ value: '2' });
      expect((await store.turns('a')).map((turn) => turn.seq)).toEqual([1]);
      const intent = { runId: 'a', key: 'a:k1', operation: 'slack.post', turn: '1/act/-/0', request: { text: 'hi' }, startedAt: iso(T0) };
      expect((await store.beginEffect(intent, 'me')).existed).toBe(false);
      expect((await store.effects('a')).map((effect) => [effect.key, effect.status, effect.attempts])).toEqual([['a:k1', 'pending', 1]]);
    });

    it('refuses a database written by a newer Baton, naming it and both versions', async () => {
      database = await freshDatabase();
      await (await open()).close();
      await sql(database.url, (client) => client.query("UPDATE baton.meta SET value = '7' WHERE key = 'schema_version'"));
      const error: unknown = await open().then(() => undefined, (failure: unknown) => failure);
      expect(error).toBeInstanceOf(StoreSchemaError);
      expect((error as Error).message).toContain(database.name);
      expect((error as Error).message).toMatch(new RegExp(`version 7.*reads ${POSTGRES_SCHEMA_VERSION}`));
    });

    it('says an unknown database does not exist (a real server)', async () => {
      const url = withDatabase(postgresUrl() as string, 'baton_no_such_database');
      const error: unknown = await PostgresRunStore.open({ url, redact: conformanceRedactor() }).then(() => undefined, (failure: unknown) => failure);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toMatch(/database "baton_no_such_database" does not exist/);
    });

    it("tells each process about the other's turns and status changes (LISTEN/NOTIFY)", async () => {
      database = await freshDatabase();
      const [writer, reader] = [await open(), await open()];
      const seen: TurnRecord[] = [];
      const changes: string[] = [];
      reader.onTurn((turn) => seen.push(turn));
      reader.onRunChange((change) => changes.push(`${change.runId}:${change.status}`));
      const ownTurns: number[] = [];
      writer.onTurn((turn) => ownTurns.push(turn.seq));
      await writer.createRun(newRun('a'), newTurn('a', 'opening'), { state: { status: 'running', lease: { owner: 'w', expiresAt: T0 + MINUTE } } });
      await eventually(() => (seen.length === 1 ? true : undefined));
      const written = await writer.appendTurn(newTurn('a', `with ${CONFORMANCE_SECRET}`));
      await eventually(() => (seen.length === 2 ? true : undefined));
      expect(seen.map((turn) => turn.seq)).toEqual([1, 2]);
      expect(seen[1]).toEqual(written);
      expect(JSON.stringify(seen)).not.toContain(CONFORMANCE_SECRET);
      expect(changes).toEqual(['a:running']);
      // Each store tells its own listeners once: not again when its own NOTIFY comes back.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(ownTurns).toEqual([1, 2]);
      for (let index = 0; index < 20; index += 1) await writer.appendTurn(newTurn('a', `turn ${index}`));
      await eventually(() => (seen.length === 22 ? true : undefined));
      expect(seen.map((turn) => turn.seq)).toEqual(Array.from({ length: 22 }, (_, index) => index + 1));
    });

    it('listens again after its LISTEN connection was cut', async () => {
      database = await freshDatabase();
      const errors: unknown[] = [];
      const reader = await PostgresRunStore.open({ url: database.url, redact: conformanceRedactor(), now: () => clock.now, onError: (error) => errors.push(error) });
      stores.push(reader);
      const writer = await open();
      const seen: number[] = [];
      reader.onTurn((turn) => seen.push(turn.seq));
      const listening = async (): Promise<number[]> =>
        (await sql(database.url, (client) => client.query("SELECT pid FROM pg_stat_activity WHERE application_name = 'baton-listen' AND datname = current_database() AND query LIKE 'LISTEN%'"))).map(
          (row) => Number(row['pid']),
        );
      const before = await listening();
      expect(before).toHaveLength(2);
      await sql(database.url, (client) => client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()', ['baton-listen']));
      await eventually(async () => {
        const now = await listening();
        return now.length === 2 && now.every((pid) => !before.includes(pid)) ? true : undefined;
      });
      expect(errors.length).toBeGreaterThan(0);
      await writer.createRun(newRun('a'), newTurn('a', 'opening'), { state: { status: 'running', lease: { owner: 'w', expiresAt: T0 + MINUTE } } });
      await eventually(() => (seen.length === 1 ? true : undefined));
      expect(seen).toEqual([1]);
    });

    it('lets one of two processes take each run, however many race', async () => {
      database = await freshDatabase();
      const [first, second] = [await open(), await open()];
      const ids = Array.from({ length: 20 }, (_, index) => `run-${index}`);
      for (const id of ids) await first.createRun(newRun(id), newTurn(id, 'opening'), { state: { status: 'queued' } });
      const taken = await Promise.all(
        ids.flatMap((id) => [first.acquire(id, { owner: 'first', expiresAt: T0 + MINUTE }), second.acquire(id, { owner: 'second', expiresAt: T0 + MINUTE })]),
      );
      expect(taken.filter((record) => record !== undefined).map((record) => record?.id).sort()).toEqual([...ids].sort());
    });

    it('numbers turns written by two processes at once without a collision', async () => {
      database = await freshDatabase();
      const [first, second] = [await open(), await open()];
      await first.createRun(newRun('a'), newTurn('a', 'opening'), { state: { status: 'running', lease: { owner: 'w', expiresAt: T0 + MINUTE } } });
      await Promise.all(Array.from({ length: 20 }, (_, index) => (index % 2 ? first : second).appendTurn(newTurn('a', `turn ${index}`))));
      const turns = await second.turns('a');
      expect(turns.map((turn) => turn.seq)).toEqual(Array.from({ length: 21 }, (_, index) => index + 1));
      expect(new Set(turns.map((turn) => turn.messages[0]?.content)).size).toBe(21);
    });
  });

  describe('the run queue (graphile-worker)', () => {
    let database: FreshDatabase;
    let store: PostgresRunStore;
    const clock = { now: T0 };
    const stops: Array<() => Promise<void>> = [];

    afterEach(async () => {
      for (const stop of stops.splice(0)) await stop();
      await store?.close();
      await database?.drop();
    });

    async function setup(): Promise<void> {
      database = await freshDatabase();
      store = await PostgresRunStore.open({ url: database.url, redact: conformanceRedactor(), now: () => clock.now });
    }

    async function consume(handler: (runId: string) => Promise<void>, concurrency = 2): Promise<() => Promise<void>> {
      const logged: string[] = [];
      const consumer = await openPostgresQueue({ url: database.url, pollInterval: 500, logger: (level, message) => logged.push(`${level}: ${message}`) }).consume(handler, { concurrency });
      const stop = (): Promise<void> => consumer.stop();
      stops.push(stop);
      return stop;
    }

    const jobs = async (): Promise<number> => Number((await sql(database.url, (client) => client.query('SELECT count(*) AS n FROM graphile_worker.jobs')))[0]?.['n']);

    it('hands a queued run to a consumer, with its run id', async () => {
      await setup();
      const received: Array<{ runId: string; at: number }> = [];
      await consume(async (runId) => void received.push({ runId, at: performance.now() }));
      for (const id of ['a', 'b', 'c', 'd', 'e']) {
        await store.createRun(newRun(id), newTurn(id, 'opening'), { state: { status: 'queued' } });
        await eventually(() => received.find((each) => each.runId === id));
      }
      expect(received.map((each) => each.runId)).toEqual(['a', 'b', 'c', 'd', 'e']);
      await eventually(async () => ((await jobs()) === 0 ? true : undefined));
    });

    it('hands a run requeued after its lease expired to a consumer', async () => {
      await setup();
      await store.createRun(newRun('a'), newTurn('a', 'opening'), { state: { status: 'running', lease: { owner: 'dead', expiresAt: T0 + MINUTE } } });
      const received: string[] = [];
      await consume(async (runId) => {
        const taken = await store.acquire(runId, { owner: 'worker', expiresAt: clock.now + MINUTE });
        received.push(`${runId}:${taken?.status}`);
      });
      clock.now = T0 + 2 * MINUTE;
      expect(await store.expireLeases(clock.now)).toEqual(['a']);
      expect(await store.requeue('a', new Date(clock.now))).toBe(true);
      await eventually(() => (received.length === 1 ? true : undefined));
      expect(received).toEqual(['a:running']);
      expect((await store.getRun('a')).status).toBe('running');
    });

    it('hands a decided run to a consumer, and drops the job of a run cancelled while queued', async () => {
      await setup();
      await store.createRun(newRun('cancelled'), newTurn('cancelled', 'opening'), { state: { status: 'queued' } });
      expect(await jobs()).toBe(1);
      expect(await store.requestCancel('cancelled', new Date(T0))).toBe('cancelled');
      expect(await jobs()).toBe(0);
      await store.createRun(newRun('gated'), newTurn('gated', 'opening'), { state: { status: 'running', lease: { owner: 'w', expiresAt: T0 + MINUTE } } });
      await store.awaitDecision({ runId: 'gated', gate: 'plan-review', review: 'plan', prompt: 'ok?', subject: null, round: 1, requestedAt: iso(T0) }, 'w');
      const received: string[] = [];
      await consume(async (runId) => void received.push(runId));
      await store.decide('gated', { decision: 'approve', by: 'alice', decidedAt: iso(T0) });
      await eventually(() => (received.length === 1 ? true : undefined));
      expect(received).toEqual(['gated']);
    });

    it('adds the job of a queued run that lost it again (ensureQueued), and the run reaches a consumer', async () => {
      await setup();
      clock.now = T0;
      await store.createRun(newRun('lost'), newTurn('lost', 'opening'), { state: { status: 'queued' } });
      await sql(database.url, (client) => client.query('SELECT graphile_worker.remove_job($1)', ['lost']));
      expect(await jobs()).toBe(0);
      // A job used up without the run being taken (its one attempt failed) does not count as waiting either.
      await store.createRun(newRun('spent'), newTurn('spent', 'opening'), { state: { status: 'queued' } });
      await sql(database.url, (client) => client.query('UPDATE graphile_worker._private_jobs SET attempts = max_attempts WHERE key = $1', ['spent']));
      expect(await store.ensureQueued(T0)).toEqual([]);
      expect(await store.ensureQueued(T0 + 1)).toEqual(['lost', 'spent']);
      expect(await store.ensureQueued(T0 + 1)).toEqual([]);
      const received: string[] = [];
      await consume(async (runId) => {
        const taken = await store.acquire(runId, { owner: 'worker', expiresAt: clock.now + MINUTE });
        received.push(`${runId}:${taken?.status}`);
      });
      await eventually(() => (received.length === 2 ? true : undefined));
      expect(received.sort()).toEqual(['lost:running', 'spent:running']);
      expect(await store.ensureQueued(T0 + MINUTE)).toEqual([]);
    });

    it('stops gracefully: waits for the handlers in flight, then takes no more runs', async () => {
      await setup();
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const started: string[] = [];
      const finished: string[] = [];
      const stop = await consume(async (runId) => {
        started.push(runId);
        await store.acquire(runId, { owner: 'worker', expiresAt: clock.now + MINUTE });
        await gate;
        finished.push(runId);
      }, 1);
      await store.createRun(newRun('a'), newTurn('a', 'opening'), { state: { status: 'queued' } });
      await eventually(() => (started.length === 1 ? true : undefined));
      let stopped = false;
      const stopping = stop().then(() => void (stopped = true));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(stopped).toBe(false);
      release();
      await stopping;
      expect(finished).toEqual(['a']);
      await store.createRun(newRun('b'), newTurn('b', 'opening'), { state: { status: 'queued' } });
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(started).toEqual(['a']);
      expect(await store.takeable(10)).toEqual(['b']);
    });
  });

  describe('the checkpointer', () => {
    it('writes redacted checkpoints to the schema baton_checkpoints', async () => {
      const database = await freshDatabase();
      const checkpointer = openPostgresCheckpointer(database.url, conformanceRedactor());
      try {
        const saver = await checkpointer.saver;
        const { Annotation, StateGraph, START, END } = await import('@langchain/langgraph');
        const State = Annotation.Root({ note: Annotation<string> });
        const graph = new StateGraph(State)
          .addNode('write', () => ({ note: `the key is ${CONFORMANCE_SECRET}` }))
          .addEdge(START, 'write')
          .addEdge('write', END)
          .compile({ checkpointer: saver });
        const config = { configurable: { thread_id: 'thread-1' } };
        await graph.invoke({ note: 'start' }, config);
        expect((await graph.getState(config)).values).toEqual({ note: 'the key is [REDACTED:secret]' });
        const rows = await sql(database.url, (client) =>
          client.query("SELECT (SELECT count(*) FROM baton_checkpoints.checkpoints) AS checkpoints, (SELECT string_agg(encode(blob, 'escape'), '') FROM baton_checkpoints.checkpoint_blobs) AS blobs"),
        );
        expect(Number(rows[0]?.['checkpoints'])).toBeGreaterThan(0);
        expect(String(rows[0]?.['blobs'])).not.toContain(CONFORMANCE_SECRET);
      } finally {
        await checkpointer.close();
        await checkpointer.close();
        await database.drop();
      }
    });
  });
});

/** Runs statements on `url` with a client of its own. */
async function sql(url: string, work: (client: pg.Client) => Promise<pg.QueryResult | void>): Promise<Array<Record<string, unknown>>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await work(client);
    return result ? (result.rows as Array<Record<string, unknown>>) : [];
  } finally {
    await client.end();
  }
}
