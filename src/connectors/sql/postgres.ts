/**
 * PostgreSQL through a `pg` Pool, created on the first call from the connection URL in the secret store (the URL
 * carries the password, so it is read only then, and never appears in a target, a request or a message).
 *
 * Every statement runs in its own transaction: reads in `BEGIN READ ONLY`, so the server itself refuses a read that
 * would change data, and both under `SET LOCAL statement_timeout`, so a slow query is stopped by the server after the
 * connector's `timeoutMs` and does not leak into the pooled connection's next use. Statements always go through the
 * extended protocol (`queryMode: 'extended'`), which takes exactly one statement: a query without parameters cannot
 * smuggle a `COMMIT; DELETE ...` past the read-only transaction.
 */
import pg from 'pg';
import { ConnectorError } from '../errors.js';
import { writesWhenReadOnly, type SqlDriver, type SqlOutcome, type SqlStatement } from './driver.js';

/** SQLSTATE classes and codes where trying again may succeed: connection, resources, shutdown, conflicts, locks. */
function transientState(code: string): boolean {
  return code.startsWith('08') || code.startsWith('53') || code.startsWith('57P') || code === '40001' || code === '40P01' || code === '55P03';
}

/** Slack added to the server-side timeout before the client gives up on a silent server. */
const CLIENT_GRACE_MS = 5_000;

export class PostgresDriver implements SqlDriver {
  readonly label: string;
  private readonly connector: string;
  private readonly timeoutMs: number;
  private readonly readUrl: () => string;
  private readonly redact: (text: string) => string;
  private pool: pg.Pool | undefined;
  private password = '';

  constructor(options: { connector: string; timeoutMs: number; url: () => string; redact: (text: string) => string }) {
    this.connector = options.connector;
    this.label = `postgres ${options.connector}`;
    this.timeoutMs = options.timeoutMs;
    this.readUrl = options.url;
    this.redact = options.redact;
  }

  async run(statement: SqlStatement, values: Record<string, unknown>): Promise<SqlOutcome> {
    const pool = this.open();
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw this.failure(statement, error);
    }
    let broken: Error | undefined;
    try {
      await client.query(statement.write ? 'BEGIN' : 'BEGIN READ ONLY');
      await client.query(`SET LOCAL statement_timeout = ${this.timeoutMs}`);
      const result = await client.query({
        text: statement.parsed.positional,
        values: statement.parsed.names.map((name) => values[name] ?? null),
        queryMode: 'extended',
        query_timeout: this.timeoutMs + CLIENT_GRACE_MS,
      } as pg.QueryConfig);
      await client.query('COMMIT');
      const rows = result.rows as Record<string, unknown>[];
      if (!statement.write) return { rows, count: rows.length };
      const rowCount = result.rowCount ?? 0;
      return { rows, count: rowCount, written: result.fields.length > 0 ? { rowCount, rows } : { rowCount } };
    } catch (error) {
      if (error instanceof pg.DatabaseError) {
        // A server error leaves the connection usable once the transaction is rolled back.
        await client.query('ROLLBACK').catch((rollback: unknown) => {
          broken = rollback instanceof Error ? rollback : new Error(String(rollback));
        });
      } else broken = error instanceof Error ? error : new Error(String(error));
      throw this.failure(statement, error);
    } finally {
      // Releasing with an error destroys the connection instead of returning a broken one to the pool.
      client.release(broken);
    }
  }

  private open(): pg.Pool {
    if (this.pool) return this.pool;
    const url = this.readUrl();
    try {
      this.password = decodeURIComponent(new URL(url).password);
    } catch {
      this.password = '';
    }
    const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: this.timeoutMs, idleTimeoutMillis: 30_000, max: 5, application_name: `baton ${this.connector}` });
    // An idle connection the server drops emits 'error' on the pool; unheard, it would end the process.
    pool.on('error', () => undefined);
    this.pool = pool;
    return pool;
  }

  /** The redactor knows the stored URL; the password alone (as pg may echo it) is removed here as well. */
  private scrub(text: string): string {
    const redacted = this.redact(text);
    return this.password ? redacted.replaceAll(this.password, '[REDACTED]') : redacted;
  }

  private failure(statement: SqlStatement, error: unknown): ConnectorError {
    const operation = statement.id;
    const message = this.scrub(error instanceof Error ? error.message : String(error));
    const code = (error as { code?: unknown }).code;
    if (error instanceof pg.DatabaseError && typeof code === 'string') {
      if (code === '25006') return writesWhenReadOnly(statement, code);
      if (code === '57014') return new ConnectorError('CONNECTOR_UNAVAILABLE', `${operation}: the statement ran longer than ${this.timeoutMs} ms and was cancelled (${this.label})`, { operation, status: code, retryable: true }, { cause: error });
      if (transientState(code)) return new ConnectorError('CONNECTOR_UNAVAILABLE', `${operation}: ${this.label} is unavailable: ${message}`, { operation, status: code, retryable: true }, { cause: error });
      // Authentication or a missing database: the connection URL is wrong, and retrying will not fix it.
      if (code.startsWith('28') || code === '3D000') {
        return new ConnectorError('CONNECTOR_UNAVAILABLE', `${operation}: cannot connect to ${this.label}: ${message}`, { operation, status: code }, { cause: error, hint: 'check the connection URL stored in the secret named by url.secret' });
      }
      return new ConnectorError('CONNECTOR_REJECTED', `${operation}: ${this.label} refused the statement: ${message}`, { operation, status: code }, { cause: error });
    }
    // No SQLSTATE: the network (refused, reset, DNS), a connect timeout, a client-side query timeout.
    return new ConnectorError('CONNECTOR_UNAVAILABLE', `${operation}: ${this.label} could not be reached: ${message}`, { operation, ...(typeof code === 'string' ? { status: code } : {}), retryable: true }, { cause: error });
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (pool && !pool.ended) await pool.end();
  }
}
