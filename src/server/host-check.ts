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

/** Why a request is refused for the host it names: the status, a sentence and a hint to answer with. */
export interface HostRefusal {
  status: 400 | 421;
  message: string;
  hint: string;
}

const otherNameHint =
  'use http://127.0.0.1:<port> or http://localhost:<port>; to reach it under another name, add the name to server.allowedHosts in the config or pass --allowed-host <name> to baton serve';
const oneHostHint = 'send one Host header naming this server, and a request path such as /api/runs (an absolute URL must name the same host)';

/** The authority of an absolute-form request target (`http://host:port/path`), or undefined for `/path` and `*`. */
function absoluteFormAuthority(target: string): { scheme: string; authority: string } | 'malformed' | undefined {
  if (target.startsWith('/') || target === '*') return undefined;
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(target);
  return match ? { scheme: (match[1] ?? '').toLowerCase(), authority: match[2] ?? '' } : 'malformed';
}

function quoted(text: string): string {
  return JSON.stringify(text.slice(0, 100));
}

/**
 * Checks every place a request names the host it is for. Node keeps only the first of several `Host` headers, and a
 * request target in absolute form (`GET http://attacker.example/api/runs HTTP/1.1`) names a host of its own that takes
 * precedence over `Host` (RFC 9112 §3.2.2); a check of the first `Host` header alone would let either through. So:
 * more than one `Host` header is refused (400, as RFC 9112 §3.2 requires), an absolute-form target must name the same
 * host and port as `Host` (400 otherwise), and, when `hostAllowed` is given, the host named must pass it (421).
 */
export function refuseRequestHost(
  request: { url: string | undefined; rawHeaders: readonly string[] },
  hostAllowed: ((hostHeader: string | undefined) => boolean) | undefined,
): HostRefusal | undefined {
  const headers: string[] = [];
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
    if (request.rawHeaders[index]?.toLowerCase() === 'host') headers.push(request.rawHeaders[index + 1] ?? '');
  }
  if (headers.length > 1) {
    return { status: 400, message: `the request has ${headers.length} Host headers (${headers.map(quoted).join(', ')}); expected exactly one`, hint: oneHostHint };
  }
  const header = headers[0];
  const target = absoluteFormAuthority(request.url ?? '/');
  if (target === 'malformed') return { status: 400, message: `the request target ${quoted(request.url ?? '')} is neither a path nor an absolute http(s) URL`, hint: oneHostHint };
  if (target !== undefined) {
    const named = parseHostName(target.authority);
    const given = header === undefined ? undefined : parseHostName(header);
    // A port left out is the scheme's default, on either side.
    const defaultPort = target.scheme === 'https' ? 443 : 80;
    const agree = named !== undefined && given !== undefined && named.name === given.name && (named.port ?? defaultPort) === (given.port ?? defaultPort);
    if ((target.scheme !== 'http' && target.scheme !== 'https') || !agree) {
      return {
        status: 400,
        message: `the request target names the host ${quoted(target.authority)} but ${header === undefined ? 'there is no Host header' : `the Host header says ${quoted(header)}`}; expected an http(s) URL naming the same host as Host`,
        hint: oneHostHint,
      };
    }
  }
  if (hostAllowed && !hostAllowed(header)) {
    return { status: 421, message: `this server does not answer to ${header === undefined ? 'no Host header' : `the Host header ${quoted(header)}`}`, hint: otherNameHint };
  }
  return undefined;
}

/** The `server.allowedHosts` / `--allowed-host` entries that are malformed, for a clear error at start. */
export function invalidHostEntries(entries: readonly string[]): string[] {
  return entries.filter((entry) => parseHostName(entry) === undefined);
}
