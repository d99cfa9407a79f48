/**
 * The fetch policy's allow-list entries, parsed. An entry may name a port; then only that port is allowed, because a
 * range opened for one test server must not open every other service on the same address. An entry without a port
 * allows every port of the address or host, as entries always did.
 *
 * Syntax:
 * - ranges: `10.0.0.0/8`, `127.0.0.1/32:8080`, `127.0.0.1:8080` (one address), `fd00::/8`, `::1/128:8080`,
 *   `[::1]/128:8080`, `[::1]:8080`. An IPv6 address with a port and no prefix must be written in brackets.
 * - hosts: `intranet.example.com`, `intranet.example.com:8443`, `*.internal.test:8080`, `[::1]:8080`.
 */
import { parseRange, type IpRange } from './ip.js';

/** A parsed `tools.fetch.allowRanges` entry. */
export interface RangeEntry {
  range: IpRange;
  /** The one port allowed; `undefined` allows every port. */
  port?: number;
}

/** A parsed `tools.fetch.allowHosts` entry (host lower-cased, without brackets or trailing dot). */
export interface HostEntry {
  host: string;
  /** The one port allowed; `undefined` allows every port. */
  port?: number;
}

/** What a malformed entry is told; the configuration schema and the guard both use it. */
export const RANGE_ENTRY_HELP = 'expected a CIDR range with an optional port, e.g. 10.0.0.0/8, 127.0.0.1/32:8080, [::1]/128:8080 or [::1]:8080';
export const HOST_ENTRY_HELP = 'expected a host name with an optional port, e.g. intranet.example.com, intranet.example.com:8443 or *.internal.test:8080';

function parsePort(text: string | undefined): number | undefined | 'invalid' {
  if (text === undefined) return undefined;
  if (!/^\d{1,5}$/.test(text)) return 'invalid';
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : 'invalid';
}

function withPort<T extends object>(value: T, port: number | undefined): T & { port?: number } {
  return port === undefined ? value : { ...value, port };
}

/** Parses an allowRanges entry; `undefined` when malformed. */
export function parseRangeEntry(text: string): RangeEntry | undefined {
  const entry = text.trim();
  let addressPart: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](\/[^:]*)?(?::([^:]*))?$/.exec(entry);
  if (bracketed) {
    addressPart = `${bracketed[1] ?? ''}${bracketed[2] ?? ''}`;
    portText = bracketed[3];
  } else if (entry.includes('/')) {
    // After the prefix length only a port can follow, so `::1/128:8080` is unambiguous.
    const slash = entry.indexOf('/');
    const afterPrefix = /^(\d*)(?::(.*))?$/.exec(entry.slice(slash + 1));
    if (!afterPrefix) return undefined;
    addressPart = `${entry.slice(0, slash)}/${afterPrefix[1] ?? ''}`;
    portText = afterPrefix[2];
  } else {
    const ipv4WithPort = /^(\d+\.\d+\.\d+\.\d+):(.*)$/.exec(entry);
    addressPart = ipv4WithPort ? (ipv4WithPort[1] ?? '') : entry;
    portText = ipv4WithPort?.[2];
  }
  const port = parsePort(portText);
  const range = parseRange(addressPart);
  if (!range || port === 'invalid') return undefined;
  return withPort({ range }, port);
}

/** Parses an allowHosts entry; `undefined` when malformed. */
export function parseHostEntry(text: string): HostEntry | undefined {
  const entry = text.trim().toLowerCase();
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(entry);
  if (bracketed) {
    host = bracketed[1] ?? '';
    portText = bracketed[2];
  } else if (entry.split(':').length === 2) {
    [host = '', portText] = entry.split(':');
  } else {
    // No colon, or an unbracketed IPv6 literal (which cannot carry a port).
    host = entry;
  }
  host = host.replace(/\.$/, '');
  const port = parsePort(portText);
  if (host === '' || /[\s/?#@[\]]/.test(host) || port === 'invalid') return undefined;
  return withPort({ host }, port);
}

/** The port a URL connects to: its explicit port, else the scheme's default. */
export function effectivePort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** Whether an entry's port (if it names one) allows a connection to `port`. */
export function portAllowed(entry: { port?: number }, port: number): boolean {
  return entry.port === undefined || entry.port === port;
}
