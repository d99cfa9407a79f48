/**
 * SQLite through better-sqlite3. Two connections, each opened on first use: reads go through one opened `readonly`,
 * so even a statement that slipped past the check below cannot change the file, and writes through a read-write one.
 * A read's statement is also checked before it runs (`Statement.readonly`, SQLite's own sqlite3_stmt_readonly), which
 * names the mistake ("declared read-only but writes") instead of SQLite's "attempt to write a readonly database".
 *
 * The file must exist (`fileMustExist`): a typo in `file:` is an error, not a new empty database. `timeoutMs` is the
 * busy timeout (how long a statement waits for another writer's lock); better-sqlite3 runs statements synchronously
 * and cannot interrupt a long one, so it bounds lock waits, not the statement itself.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { ConnectorError } from '../errors.js';
import { writesWhenReadOnly, type SqlDriver, type SqlOutcome, type SqlStatement } from './driver.js';

/** SQLite result codes (the primary code before `_`) that mean "try again later", not "this request is wrong". */
const UNAVAILABLE = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_CANTOPEN', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_NOMEM', 'SQLITE_PROTOCOL', 'SQLITE_CORRUPT', 'SQLITE_NOTADB']);
/** Of those, the ones a retry may fix (a lock released, memory freed); a missing or corrupt file stays so. */
const TRANSIENT = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_NOMEM', 'SQLITE_PROTOCOL']);

interface Connection {
  db: Database.Database;
  statements: Map<string, Database.Statement>;
}

/** better-sqlite3 binds numbers, strings, bigints, buffers and null: JSON's booleans become 1/0, objects JSON text. */
function bindable(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return value ?? null;
}

export class SqliteDriver implements SqlDriver {
  readonly label: string;
  private readonly file: string;
  private readonly declared: string;
  private readonly timeoutMs: number;
  private readonly redact: (text: string) => string;
  private reader: Connection | undefined;
  private writer: Connection | undefined;

  constructor(options: { file: string; baseDir: string; timeoutMs: number; redact: (text: string) => string }) {
    this.declared = options.file;
    this.file = path.resolve(options.baseDir, options.file);
    this.label = `sqlite ${path.basename(this.file)}`;
    this.timeoutMs = options.timeoutMs;
    this.redact = options.redact;
  }

  async run(statement: SqlStatement, values: Record<string, unknown>): Promise<SqlOutcome> {
    const bound: Record<string, unknown> = {};
    for (const name of statement.parsed.names) bound[name] = bindable(values[name]);
    try {
      const prepared = this.statement(statement);
      if (!statement.write) {
        if (!prepared.readonly) throw writesWhenReadOnly(statement);
        const rows = prepared.all(bound) as Record<string, unknown>[];
        return { rows, count: rows.length };
      }
      if (prepared.reader) {
        // A write with RETURNING: the rows returned are the rows changed.
        const rows = prepared.all(bound) as Record<string, unknown>[];
        return { rows, count: rows.length, written: { changes: rows.length, rows } };
      }
      const info = prepared.run(bound);
      const written: Record<string, unknown> = { changes: info.changes };
      // lastInsertRowid is the connection's last insert, stale when this statement inserted nothing.
      if (info.changes > 0) written['lastInsertRowid'] = typeof info.lastInsertRowid === 'bigint' ? info.lastInsertRowid.toString() : info.lastInsertRowid;
      return { rows: [], count: info.changes, written };
    } catch (error) {
      throw this.failure(statement, error);
    }
  }

  private statement(statement: SqlStatement): Database.Statement {
    const connection = this.connection(statement.write);
    let prepared = connection.statements.get(statement.id);
    if (!prepared) {
      prepared = connection.db.prepare(statement.sql);
      connection.statements.set(statement.id, prepared);
    }
    return prepared;
  }

  private connection(write: boolean): Connection {
    const existing = write ? this.writer : this.reader;
    if (existing) return existing;
    const db = new Database(this.file, { readonly: !write, fileMustExist: true, timeout: this.timeoutMs });
    const connection = { db, statements: new Map<string, Database.Statement>() };
    if (write) this.writer = connection;
    else this.reader = connection;
    return connection;
  }

  private failure(statement: SqlStatement, error: unknown): ConnectorError {
    if (error instanceof ConnectorError) return error;
    const message = this.redact(error instanceof Error ? error.message : String(error));
    const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : undefined;
    const operation = statement.id;
    if (code === undefined) {
      // better-sqlite3's own RangeError/TypeError: a parameter it could not bind, more than one statement.
      return new ConnectorError('CONNECTOR_REJECTED', `${operation}: ${this.label} refused the statement: ${message}`, { operation }, { cause: error });
    }
    const primary = code.split('_').slice(0, 2).join('_');
    if (primary === 'SQLITE_READONLY' && !statement.write) return writesWhenReadOnly(statement, code);
    if (primary === 'SQLITE_CANTOPEN') {
      return new ConnectorError('CONNECTOR_UNAVAILABLE', `${operation}: cannot open the SQLite database ${this.declared} (${this.file}): ${message}`, { operation, status: code }, { cause: error, hint: 'check file: in the connector file; it is resolved from the connector file\'s folder and must exist' });
    }
    if (primary === 'SQLITE_BUSY' || primary === 'SQLITE_LOCKED') {
      return new ConnectorError('CONNECTOR_UNAVAILABLE', `${operation}: ${this.label} stayed locked by another writer for ${this.timeoutMs} ms: ${message}`, { operation, status: code, retryable: true }, { cause: error });
    }
    if (UNAVAILABLE.has(primary)) {
      return new ConnectorError('CONNECTOR_UNAVAILABLE', `${operation}: ${this.label} failed: ${message}`, { operation, status: code, retryable: TRANSIENT.has(primary) }, { cause: error });
    }
    return new ConnectorError('CONNECTOR_REJECTED', `${operation}: ${this.label} refused the statement: ${message}`, { operation, status: code }, { cause: error });
  }

  async close(): Promise<void> {
    for (const connection of [this.reader, this.writer]) if (connection?.db.open) connection.db.close();
    this.reader = undefined;
    this.writer = undefined;
  }
}
