/**
 * The PostgreSQL store's tables, in the schema `baton`, and their migrations. Opening a store migrates the database
 * in one transaction that holds an advisory lock, so that any number of processes may open it at once; graphile-worker's
 * own schema (`graphile_worker`) is migrated under the same lock, before any run can be queued.
 */
import type pg from 'pg';
import { runMigrations } from 'graphile-worker';
import { errorMessage, StoreSchemaError } from '../../errors.js';
import { migrationFailedError, schemaTooNewError } from '../records.js';
import { mapConnectionError, scrub, type PostgresTarget } from './connection.js';
import { silentWorkerLogger } from './worker-logger.js';

/** The schema version this Baton writes and reads. */
export const POSTGRES_SCHEMA_VERSION = 2;

/** Any constant shared by every Baton process: the key of the advisory lock that serialises migrations. */
const MIGRATION_LOCK = 0x6261746f6e01;

/** Migration `n` (1-based) brings the schema from version n-1 to n. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE baton.runs (
    id text PRIMARY KEY,
    -- insertion order, to break ties between runs started in the same millisecond
    position bigserial NOT NULL,
    goal text NOT NULL,
    status text NOT NULL,
    started_at text NOT NULL,
    queued_at text,
    lease_owner text,
    lease_expires_at bigint,
    cancel_requested boolean NOT NULL DEFAULT false,
    data text NOT NULL
  );
  CREATE INDEX runs_started ON baton.runs (started_at DESC, position DESC);
  CREATE INDEX runs_status ON baton.runs (status);
  CREATE INDEX runs_queued ON baton.runs (queued_at, position) WHERE status = 'queued';

  CREATE TABLE baton.turns (
    run_id text NOT NULL REFERENCES baton.runs (id) ON DELETE CASCADE,
    seq integer NOT NULL,
    data text NOT NULL,
    PRIMARY KEY (run_id, seq)
  );

  CREATE TABLE baton.turn_keys (
    run_id text NOT NULL,
    key text NOT NULL,
    seq integer NOT NULL,
    state_update text NOT NULL,
    PRIMARY KEY (run_id, key),
    FOREIGN KEY (run_id, seq) REFERENCES baton.turns (run_id, seq) ON DELETE CASCADE
  );

  CREATE TABLE baton.attachments (
    run_id text NOT NULL REFERENCES baton.runs (id) ON DELETE CASCADE,
    position integer NOT NULL,
    name text NOT NULL,
    kind text NOT NULL,
    mime_type text NOT NULL,
    sha256 text NOT NULL,
    bytes bytea NOT NULL,
    PRIMARY KEY (run_id, position)
  );

  CREATE TABLE baton.gates (
    id bigserial PRIMARY KEY,
    run_id text NOT NULL REFERENCES baton.runs (id) ON DELETE CASCADE,
    requested_at text NOT NULL,
    request text NOT NULL,
    decision text
  );
  CREATE INDEX gates_run ON baton.gates (run_id, id);
  CREATE INDEX gates_open ON baton.gates (requested_at, id) WHERE decision IS NULL;
  `,
  // 2: the intent ledger of side effects, one row per idempotency key (see `EffectRecord` in port.ts), its values as
  // redacted JSON text; a run's effects are read in the order they were started (`position` breaks ties).
  `
  CREATE TABLE baton.effects (
    key text PRIMARY KEY,
    position bigserial NOT NULL,
    run_id text NOT NULL REFERENCES baton.runs (id) ON DELETE CASCADE,
    operation text NOT NULL,
    turn text NOT NULL,
    request text NOT NULL,
    status text NOT NULL,
    result text NOT NULL,
    error text,
    attempts integer NOT NULL,
    started_at text NOT NULL,
    finished_at text,
    resolved_by text
  );
  CREATE INDEX effects_run ON baton.effects (run_id, started_at, position);
  `,
];

/**
 * Brings the database to {@link POSTGRES_SCHEMA_VERSION} (and graphile-worker's schema to its current version) in one
 * transaction under an advisory lock. Throws StoreSchemaError when the database was written by a newer Baton.
 */
export async function migrate(pool: pg.Pool, target: PostgresTarget): Promise<void> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw mapConnectionError(target, error);
  }
  let failed = false;
  let from = 0;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    // graphile-worker migrates on a connection of its own; the lock above keeps other Baton processes out meanwhile.
    await runMigrations({ pgPool: pool, logger: silentWorkerLogger() });
    await client.query('CREATE SCHEMA IF NOT EXISTS baton');
    await client.query('CREATE TABLE IF NOT EXISTS baton.meta (key text PRIMARY KEY, value text NOT NULL)');
    const stored = await client.query<{ value: string }>("SELECT value FROM baton.meta WHERE key = 'schema_version'");
    const current = stored.rows[0] ? Number(stored.rows[0].value) : 0;
    if (!Number.isInteger(current) || current > POSTGRES_SCHEMA_VERSION) {
      throw schemaTooNewError(
        `the PostgreSQL store at ${target.location}`,
        Number.isInteger(current) ? current : Number.NaN,
        POSTGRES_SCHEMA_VERSION,
        'upgrade Baton here (every process sharing a database needs a Baton that reads its schema), or point store.url at another database',
      );
    }
    from = current;
    for (let version = current + 1; version <= POSTGRES_SCHEMA_VERSION; version += 1) {
      await client.query(MIGRATIONS[version - 1] as string);
    }
    if (current < POSTGRES_SCHEMA_VERSION) {
      await client.query(
        "INSERT INTO baton.meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        [String(POSTGRES_SCHEMA_VERSION)],
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    failed = true;
    await client.query('ROLLBACK').catch(() => undefined);
    if (error instanceof StoreSchemaError) throw error;
    const mapped = mapConnectionError(target, error);
    if (mapped !== error) throw mapped;
    throw migrationFailedError(
      `the PostgreSQL store at ${target.location}`,
      from,
      POSTGRES_SCHEMA_VERSION,
      new Error(scrub(target, errorMessage(error))),
      'the user in store.url needs the right to create schemas and tables in that database',
    );
  } finally {
    client.release(failed);
  }
}
