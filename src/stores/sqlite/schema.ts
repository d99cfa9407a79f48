/**
 * The SQLite run store's file: opened in WAL mode, its schema created or upgraded in place. Version 1 is what the
 * transcript store of earlier Batons wrote (runs and turns); version 2 adds leases, cancellation, keyed turns, the
 * attachments of queued runs and human gates; version 3 the ledger of side effects. Upgrading (from any older version,
 * one step after another) is one transaction, so a failure leaves the file as it was.
 */
import Database from 'better-sqlite3';
import { dataFileError, openDataFile, type DataFile } from '../../data-files.js';
import { BatonError, errorMessage, StoreSchemaError } from '../../errors.js';
import { TRANSCRIPT_VERSION } from '../../transcript/schema.js';
import { migrationFailedError, schemaTooNewError } from '../records.js';

/** The schema this Baton reads and writes, kept in `meta` under `schema_version`. */
export const SCHEMA_VERSION = 3;

const SCHEMA_HINT = 'upgrade Baton, or use another --data-dir';
const MIGRATION_HINT = 'the file was left as it was: keep using the Baton that wrote it, or use another --data-dir';

/** Version 1, as the transcript store wrote it (kept verbatim: upgrading starts from it, and so does a new file). */
const V1 = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, goal TEXT NOT NULL, status TEXT NOT NULL, started_at TEXT NOT NULL, data TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS runs_started ON runs(started_at);
  CREATE TABLE IF NOT EXISTS turns (
    run_id TEXT NOT NULL, seq INTEGER NOT NULL, role TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (run_id, seq)
  );
`;

/**
 * Version 1 to 2. Every run and turn stays as it is: the new columns have defaults, and a run v1 left `running` (its
 * process crashed) has no lease, so it reads as `interrupted`.
 */
const V1_TO_V2 = `
  ALTER TABLE runs ADD COLUMN lease_owner TEXT;
  ALTER TABLE runs ADD COLUMN lease_expires_at INTEGER;
  ALTER TABLE runs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE runs ADD COLUMN queued_at TEXT;
  CREATE INDEX runs_queue ON runs(status, queued_at);
  CREATE TABLE turn_keys (
    run_id TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, state_update TEXT NOT NULL, PRIMARY KEY (run_id, key)
  );
  CREATE TABLE attachments (
    run_id TEXT NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, mime_type TEXT NOT NULL,
    sha256 TEXT NOT NULL, bytes BLOB NOT NULL, PRIMARY KEY (run_id, position)
  );
  CREATE TABLE gates (
    run_id TEXT NOT NULL, position INTEGER NOT NULL, gate TEXT NOT NULL, review TEXT NOT NULL, prompt TEXT NOT NULL,
    subject TEXT NOT NULL, round INTEGER NOT NULL, requested_at TEXT NOT NULL, decision TEXT,
    PRIMARY KEY (run_id, position)
  );
`;

/**
 * Version 2 to 3: the intent ledger of side effects, one row per idempotency key (see `EffectRecord` in port.ts), its
 * values as redacted JSON text. A run's effects are read in the order they were started (rowid breaks ties).
 */
const V2_TO_V3 = `
  CREATE TABLE effects (
    key TEXT PRIMARY KEY, run_id TEXT NOT NULL, operation TEXT NOT NULL, turn TEXT NOT NULL, request TEXT NOT NULL,
    status TEXT NOT NULL, result TEXT NOT NULL, error TEXT, attempts INTEGER NOT NULL, started_at TEXT NOT NULL,
    finished_at TEXT, resolved_by TEXT
  );
  CREATE INDEX effects_run ON effects(run_id, started_at);
`;

/** Upgrade `n` brings a file from version n-1 to n. */
const UPGRADES: Readonly<Record<number, string>> = { 2: V1_TO_V2, 3: V2_TO_V3 };

/** The columns version 1 relies on: a table of the same name without them belongs to another program. */
const V1_COLUMNS: Record<string, readonly string[]> = {
  runs: ['id', 'goal', 'status', 'started_at', 'data'],
  turns: ['run_id', 'seq', 'role', 'data'],
};

/**
 * Opens the store's file and brings its schema to {@link SCHEMA_VERSION}. A folder, a damaged file or another
 * program's database is a DataFileError naming the file; a newer schema or a failed upgrade a StoreSchemaError.
 */
export function openStoreDatabase(file: string): Database.Database {
  const dataFile: DataFile = { file, holds: "the SQLite database of Baton's run transcripts", format: 'sqlite' };
  const database = openDataFile(dataFile, () => openWal(file));
  try {
    // IMMEDIATE: two processes opening an old file at once upgrade it once; the second waits and finds it upgraded.
    database.transaction(() => prepareSchema(database, dataFile)).immediate();
    return database;
  } catch (error) {
    database.close();
    throw error instanceof BatonError ? error : dataFileError(dataFile, errorMessage(error), error);
  }
}

/** Opens `file` and reads it once (the pragmas do), closing it again if that fails. */
function openWal(file: string): Database.Database {
  const database = new Database(file);
  try {
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    // Deleted rows are overwritten, not left in free pages: an attachment's bytes (kept as given while its run needs
    // them) are gone from the file once the run ends.
    database.pragma('secure_delete = ON');
    // Another process may hold the write lock for one short transaction: wait for it instead of failing.
    database.pragma('busy_timeout = 5000');
    return database;
  } catch (error) {
    database.close();
    throw error;
  }
}

function prepareSchema(database: Database.Database, dataFile: DataFile): void {
  const tables = new Set((database.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((row) => row.name));
  const meta = (key: string): number | undefined => {
    if (!tables.has('meta')) return undefined;
    const row = database.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row === undefined ? undefined : Number(row.value);
  };
  const schemaVersion = meta('schema_version');
  // Not a version this or any Baton wrote: upgrading from a guess could skip a step, so the file is refused as it is.
  if (schemaVersion !== undefined && !(Number.isInteger(schemaVersion) && schemaVersion >= 1)) throw dataFileError(dataFile, 'its schema_version in table meta is not a version number');
  if (schemaVersion !== undefined && schemaVersion > SCHEMA_VERSION) throw schemaTooNewError(dataFile.file, schemaVersion, SCHEMA_VERSION, SCHEMA_HINT);
  const transcriptVersion = meta('transcript_version');
  if (transcriptVersion !== undefined && transcriptVersion > TRANSCRIPT_VERSION) {
    throw new StoreSchemaError(`${dataFile.file} was written by a newer Baton (transcript version ${transcriptVersion}; this one reads ${TRANSCRIPT_VERSION})`, {
      hint: SCHEMA_HINT,
    });
  }
  if (schemaVersion === SCHEMA_VERSION) return;

  for (const [table, columns] of Object.entries(V1_COLUMNS)) {
    if (!tables.has(table)) continue;
    const present = new Set((database.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((row) => row.name));
    const missing = columns.find((column) => !present.has(column));
    if (missing !== undefined) throw dataFileError(dataFile, `no such column: ${missing} in table ${table} (another program's database?)`);
  }
  const upgrading = tables.has('runs');
  database.exec(V1);
  if (transcriptVersion === undefined) database.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('transcript_version', String(TRANSCRIPT_VERSION));
  // A new file is at version 1 now too, and a file without a schema version is one the transcript store wrote.
  const from = schemaVersion ?? 1;
  try {
    for (let version = from + 1; version <= SCHEMA_VERSION; version += 1) database.exec(UPGRADES[version] as string);
    database.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run('schema_version', String(SCHEMA_VERSION));
  } catch (error) {
    // Thrown inside the transaction, so everything above is rolled back with it.
    if (upgrading) throw migrationFailedError(dataFile.file, from, SCHEMA_VERSION, error, MIGRATION_HINT);
    throw error;
  }
}
