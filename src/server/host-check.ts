/**
 * The `Host` header check that stops DNS rebinding. A server on loopback without API tokens trusts whoever can reach
 * the port; a web page on `attacker.example` can reach it too once its DNS name is re-pointed to 127.0.0.1, and the
 * browser then sends `Host: attacker.example`. Answering only loopback names (and names the operator allowed) keeps
 * such pages out: they cannot make the browser send `Host: localhost`.
 */
import { isLoopbackName, parseHostName, type HostName } from '../net/host-name.js';

/** What the check needs to know about the server. */
export interface HostCheckSettings {
  /** Whether requests need an API token; without one, only loopback and allowed names are answered. */
  tokensRequired: boolean;
  /** Extra names (`name` or `name:port`) to answer to, such as a reverse proxy's or a LAN name. */
  allowedHosts: readonly string[];
}

/**
 * Builds the check: `undefined` when every Host is acceptable (tokens are required and no names were configured),
 * else a predicate over the raw `Host` header. A missing header is refused.
 */
export function createHostCheck(settings: HostCheckSettings): ((hostHeader: string | undefined) => boolean) | undefined {
  const allowed = settings.allowedHosts.map((entry) => parseHostName(entry)).filter((entry): entry is HostName => entry !== undefined);
  if (settings.tokensRequired && allowed.length === 0) return undefined;
  return (hostHeader) => {
    const host = hostHeader === undefined ? undefined : parseHostName(hostHeader);
    if (!host) return false;
    if (isLoopbackName(host.name)) return true;
    return allowed.some((entry) => entry.name === host.name && (entry.port === undefined || entry.port === host.port));
  };
}

/** The `server.allowedHosts` / `--allowed-host` entries that are malformed, for a clear error at start. */
export function invalidHostEntries(entries: readonly string[]): string[] {
  return entries.filter((entry) => parseHostName(entry) === undefined);
}
