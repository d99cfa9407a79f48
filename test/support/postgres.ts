/**
 * PostgreSQL for tests. `BATON_TEST_DATABASE_URL` names a server the tests may create and drop databases on (CI starts a
 * throwaway one with `eval "$(bash .ci/postgres.sh)"`). Each test gets a database of its own, so test files run in
 * parallel. Without the variable the PostgreSQL tests are skipped with a visible reason; in CI (`CI` set) they fail
 * instead, saying PostgreSQL was expected.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';

const VARIABLE = 'BATON_TEST_DATABASE_URL';

/** The test server's URL, or undefined when none is configured. */
export function postgresUrl(): string | undefined {
  const url = process.env[VARIABLE]?.trim();
  return url ? url : undefined;
}

/** Why the PostgreSQL tests do not run here, or undefined when they do. */
export function postgresSkipReason(): string | undefined {
  return postgresUrl() ? undefined : `${VARIABLE} is not set (start a throwaway server with: eval "$(bash .ci/postgres.sh)")`;
}

function requireUrl(): string {
  const url = postgresUrl();
  if (!url) throw new Error(`${VARIABLE} is not set`);
  return url;
}

/** `base` with another database name. */
export function withDatabase(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

async function onServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: requireUrl(), application_name: 'baton-tests' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface FreshDatabase {
  /** The URL of the new database (same server, user and password as the test server's). */
  url: string;
  name: string;
  /** Drops it, ending any connection still open to it. */
  drop(): Promise<void>;
}

/** Creates a uniquely named, empty database on the test server. */
export async function freshDatabase(): Promise<FreshDatabase> {
  const name = `baton_test_${process.pid}_${randomBytes(6).toString('hex')}`;
  await onServer((client) => client.query(`CREATE DATABASE "${name}"`));
  let dropped: Promise<void> | undefined;
  return {
    url: withDatabase(requireUrl(), name),
    name,
    drop: () =>
      (dropped ??= onServer(async (client) => {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      })),
  };
}

/**
 * `describe` for tests that need PostgreSQL: runs them when {@link postgresUrl} is set; otherwise skips them with the
 * reason in the suite's name (and on stderr), except in CI, where a missing server is a failure.
 */
export function describePostgres(name: string, body: () => void): void {
  const reason = postgresSkipReason();
  if (reason === undefined) {
    describe(name, body);
  } else if (process.env['CI']) {
    describe(name, () => {
      it('needs PostgreSQL', () => {
        throw new Error(`CI expects PostgreSQL for these tests, but ${reason}`);
      });
    });
  } else {
    console.warn(`${name}: skipped: ${reason}; CI never skips them`);
    describe.skip(`${name} (skipped: ${reason})`, body);
  }
}
