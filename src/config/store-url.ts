/**
 * The run store a project names: SQLite (default), or PostgreSQL with `${NAME}` references in its URL read from the
 * environment and the URL checked for the mistakes that make a driver fail obscurely (an unencoded @ in a password).
 */
import { ConfigError, type SourceLocation } from '../errors.js';
import type { Project } from './load.js';
import type { BatonConfig } from './schema.js';

/** `${NAME}` references in the store URL, read from the environment; a missing one is named with the field. */
export function resolveStore(config: BatonConfig, env: Readonly<Record<string, string | undefined>>, locate: (fieldPath: Array<string | number>) => SourceLocation): Project['store'] {
  if (config.store.kind === 'sqlite') return { kind: 'sqlite' };
  const url = config.store.url.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
    const value = env[name];
    if (value === undefined || value === '') {
      throw new ConfigError(`store.url refers to \${${name}}, which is not set in the environment`, [locate(['store', 'url'])], {
        hint: `set ${name} to the database URL, e.g. postgres://baton@db.example.com:5432/baton`,
      });
    }
    return value;
  });
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('store.url is not a URL; expected postgres://user@host:port/database', [locate(['store', 'url'])]);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError(`store.url has the scheme "${parsed.protocol.replace(/:$/, '')}"; expected postgres://user@host:port/database`, [locate(['store', 'url'])]);
  }
  // The URL is never quoted back: what looks like a host or a path may be part of a password written unencoded.
  if (!/^\/[^/@]*$/.test(parsed.pathname) || parsed.hash !== '' || parsed.hostname === '') {
    throw new ConfigError('store.url does not read as postgres://user:password@host:port/database: a password holding @, /, # or ? must be percent-encoded (%40, %2F, %23, %3F)', [locate(['store', 'url'])]);
  }
  try {
    decodeURIComponent(parsed.password);
    decodeURIComponent(parsed.username);
  } catch {
    throw new ConfigError('store.url holds a % that does not start a percent-encoded character in its user or password; write % itself as %25', [locate(['store', 'url'])]);
  }
  return { kind: 'postgres', url };
}

