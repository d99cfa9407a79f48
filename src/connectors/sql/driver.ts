/**
 * What the SQL connector needs from a database driver: run one declared statement with its bound values, under the
 * operation's read/write declaration, and say what happened in a driver-neutral shape. Each driver turns its own
 * failures into ConnectorErrors (a constraint or bad SQL is REJECTED, a lost connection or a lock or timeout is
 * UNAVAILABLE) because only it knows its error codes.
 */
import { ConnectorError } from '../errors.js';
import type { ParsedSql } from './params.js';

/** One operation's statement, parsed once when the connector is built. */
export interface SqlStatement {
  /** `connector.operation`, for messages. */
  id: string;
  sql: string;
  parsed: ParsedSql;
  /** Declared `write: true`; otherwise the driver must make sure it cannot change data. */
  write: boolean;
}

export interface SqlOutcome {
  /** Rows returned (a SELECT, or a write's RETURNING). */
  rows: Record<string, unknown>[];
  /** Rows returned by a read, rows changed by a write. */
  count: number;
  /** A write's raw result, as the response mapping sees it: `{ changes, lastInsertRowid? }` / `{ rowCount }`. */
  written?: Record<string, unknown>;
}

export interface SqlDriver {
  /** How targets name the database: `sqlite customers.db`, `postgres crm`. */
  readonly label: string;
  /** Runs the statement; `values` holds every name of `statement.parsed.names`. */
  run(statement: SqlStatement, values: Record<string, unknown>): Promise<SqlOutcome>;
  /** Closes connections; safe to call twice, and a later `run` opens them again. */
  close(): Promise<void>;
}

/** The refusal of a statement declared read-only that would change data. */
export function writesWhenReadOnly(statement: SqlStatement, status?: string): ConnectorError {
  return new ConnectorError('CONNECTOR_REJECTED', `${statement.id} is declared read-only but writes; add write: true to the operation if it is meant to change data`, { operation: statement.id, ...(status ? { status } : {}) });
}
