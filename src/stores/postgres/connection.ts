/**
 * Connecting to PostgreSQL: the URL read once into what messages may show (host, port, database: never the user's
 * password), a `pg` pool that cannot crash the process when an idle connection drops, and the translation of
 * connection failures (server down, refused password, unknown database, a host that does not resolve) into
 * {@link StoreUnavailableError}s that say what happened and where.
 */
import pg from 'pg';
import { BatonError, errorMessage, StoreUnavailableError } from '../../errors.js';

/** Where a PostgreSQL URL points, for messages. */
export interface PostgresTarget {
  /** The URL as given (holds the password: never put it in a message). */
  url: string;
  host: string;
  port: number;
  database: string;
  user: string | undefined;
  /** `host:port/database`. */
  location: string;
  /** Texts to remove from any message (the password, raw and decoded). */
  secrets: string[];
}

const HINT = 'check `store.url` in the config (or the variable it names, such as BATON_DATABASE_URL), and that the PostgreSQL server runs and accepts connections from here';

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Reads a `postgres://` or `postgresql://` URL. Throws StoreUnavailableError (without the URL) when it is not one. */
export function parsePostgresUrl(url: string): PostgresTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoreUnavailableError('the PostgreSQL store URL is not a valid URL', { hint: `write it as postgres://user:password@host:5432/database; ${HINT}` });
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new StoreUnavailableError(`the PostgreSQL store URL must start with postgres:// or postgresql:// (it starts with ${parsed.protocol}//)`, { hint: HINT });
  }
  const user = parsed.username ? decode(parsed.username) : parsed.searchParams.get('user') ?? undefined;
  const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
  const port = Number(parsed.port || parsed.searchParams.get('port') || 5432);
  const database = decode(parsed.pathname.replace(/^\//, '')) || parsed.searchParams.get('dbname') || user || 'postgres';
  const secrets = [parsed.password, decode(parsed.password), parsed.searchParams.get('password') ?? ''].filter((secret) => secret.length > 0);
  return { url, host, port, database, user, location: `${host}:${port}/${database}`, secrets: [...new Set(secrets)] };
}

/** `text` with the target's password (in any form it was given) replaced. */
export function scrub(target: PostgresTarget, text: string): string {
  // The whole URL first: once its password is starred out it would no longer be found.
  let result = text.split(target.url).join('(the store URL)');
  for (const secret of target.secrets) result = result.split(secret).join('***');
  return result;
}

/**
 * SQLSTATEs that mean "the server cannot be used now", not "this statement failed": class 08 (connection exception),
 * class 28 (the login was refused), 3D000 (no such database), 57P01/57P02/57P03 (administrator shutdown, crash
 * shutdown, cannot connect now), 53300 (too many connections), and 55000 (object not in prerequisite state) only when
 * it is about connections (`ALTER DATABASE ... ALLOW_CONNECTIONS false`, a database being dropped): 55000 is also what a
 * statement gets for many unrelated reasons.
 */
function isConnectionSqlState(code: string, message: string): boolean {
  if (code.startsWith('08') || code.startsWith('28')) return true;
  if (['3D000', '57P01', '57P02', '57P03', '53300'].includes(code)) return true;
  return code === '55000' && CONNECTIONS_REFUSED.test(message);
}

/** What PostgreSQL says when a database takes no connections (55000), in its English messages. */
const CONNECTIONS_REFUSED = /not (currently )?accepting connections|connections? (are |is )?not allowed|does not allow connections/i;

/**
 * node-postgres's and pg-pool's own messages for a connection that dropped or never came (they carry no code):
 * "Connection terminated unexpectedly", "Connection terminated", "Connection terminated due to connection timeout",
 * "timeout exceeded when trying to connect", "Client has encountered a connection error and is not queryable", ...
 */
const DRIVER_CONNECTION_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|timeout expired|connection timeout|connection error and is not queryable|Client was closed and is not queryable/i;

/** TLS and authentication set-up failures (before any statement ran): the connection cannot be made as configured. */
const SETUP_MESSAGES = /SASL|password must be a string|self[- ]signed|certificate|SSL/i;

interface CodedError {
  code?: unknown;
  errors?: unknown;
  message?: unknown;
  cause?: unknown;
}

/**
 * The error code of a failure, looking inside an AggregateError (Node tries each address of `localhost`) and down the
 * `cause` chain (pg-pool wraps a connection timeout), a few levels at most.
 */
function codeOf(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined;
  const coded = error as CodedError;
  if (typeof coded.code === 'string') return coded.code;
  if (Array.isArray(coded.errors)) {
    for (const inner of coded.errors) {
      const code = codeOf(inner, depth + 1);
      if (code) return code;
    }
  }
  return codeOf(coded.cause, depth + 1);
}

/**
 * An error the server sent (it has a SQLSTATE), as opposed to one raised by the driver or the socket. Recognised by its
 * shape too: a library may bring its own copy of `pg-protocol`, whose class is not this one.
 */
function isServerError(error: unknown): error is { code: string; severity: string; message: string } {
  if (error instanceof pg.DatabaseError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  return typeof severity === 'string' && typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/** What happened, in words, when the failure is about reaching or logging into the server; undefined otherwise. */
function describeConnectionFailure(target: PostgresTarget, error: unknown): string | undefined {
  const message = errorMessage(error);
  const user = target.user ? `user "${target.user}"` : 'the user';
  if (isServerError(error)) {
    // The server's own word decides: a statement's error whose text happens to mention connections is not one.
    const code = typeof error.code === 'string' ? error.code : '';
    switch (code) {
      case '28P01':
        return `the password was refused for ${user}`;
      case '28000':
        return `the server does not allow ${user} to connect (pg_hba.conf): ${message}`;
      case '3D000':
        return `the database "${target.database}" does not exist`;
      case '57P01':
        return `the server ended the connection (an administrator command: a restart, a fast shutdown or pg_terminate_backend): ${message}`;
      case '57P02':
        return `the server ended the connection after another server process crashed: ${message}`;
      case '57P03':
        return `the server is starting up, shutting down or in recovery: ${message}`;
      case '53300':
        return 'the server has no connection slots left';
      case '55000':
        return CONNECTIONS_REFUSED.test(message) ? `the database "${target.database}" does not accept connections now (ALLOW_CONNECTIONS is off, or it is being dropped): ${message}` : undefined;
      default:
        return isConnectionSqlState(code, message) ? message : undefined;
    }
  }
  const code = codeOf(error);
  switch (code) {
    case 'ECONNREFUSED':
      return 'the connection was refused (is the server running, and on this port?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `the host name "${target.host}" could not be resolved (DNS)`;
    case 'ETIMEDOUT':
      return 'the connection timed out';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return 'the server closed the connection';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENETDOWN':
      return 'the host is unreachable from here';
    case 'ENOENT':
      return 'there is no server socket at that path';
    default:
      // A server's error passed on by a library that kept its SQLSTATE but not its shape.
      if (code !== undefined && /^[0-9A-Z]{5}$/.test(code) && isConnectionSqlState(code, message)) return message;
      if (DRIVER_CONNECTION_MESSAGES.test(message)) return message;
      if (SETUP_MESSAGES.test(message)) return message;
      return undefined;
  }
}

/**
 * A connection failure as a StoreUnavailableError naming host, port and database; any other error unchanged (a
 * statement's own error, a constraint violation). Never carries the password, in the message or the cause.
 */
export function mapConnectionError(target: PostgresTarget, error: unknown): unknown {
  // Baton's own errors (a lost lease, an unknown run) are never about the connection, whatever their text says.
  if (error instanceof BatonError) return error;
  const what = describeConnectionFailure(target, error);
  if (what === undefined) return error;
  const code = codeOf(error);
  return new StoreUnavailableError(scrub(target, `cannot use the PostgreSQL store at ${target.location}: ${what}${code ? ` [${code}]` : ''}`), { hint: HINT });
}

/** Runs `work`, turning connection failures into StoreUnavailableErrors. */
export async function withConnectionErrors<T>(target: PostgresTarget, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw mapConnectionError(target, error);
  }
}

/** A pool for `target`. Connection errors outside a query (the server restarted) go to `onError`, never thrown. */
export function createPool(target: PostgresTarget, options: { max?: number; onError?: (error: unknown) => void } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: target.url,
    max: options.max ?? 10,
    connectionTimeoutMillis: 15_000,
    idleTimeoutMillis: 30_000,
    application_name: 'baton',
  });
  const report = (error: unknown): void => options.onError?.(mapConnectionError(target, error));
  // An idle client's error is emitted by the pool; a checked-out client's by the client itself (the query in flight
  // fails as well). Either would end the process if nobody listened.
  pool.on('error', report);
  pool.on('connect', (client) => client.on('error', report));
  return pool;
}

/** A single client (for LISTEN), connected, with the same error handling. */
export async function connectClient(target: PostgresTarget, onError?: (error: unknown) => void): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: target.url, connectionTimeoutMillis: 15_000, application_name: 'baton-listen' });
  client.on('error', (error) => onError?.(mapConnectionError(target, error)));
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw mapConnectionError(target, error);
  }
  return client;
}
