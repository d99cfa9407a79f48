/**
 * Decides whether a URL may be fetched and which address to connect to. The check is on the resolved addresses, not
 * the name: a public-looking name that resolves to 127.0.0.1 or 169.254.169.254 is refused, and the connection is
 * then made to the very address that was checked, so a second DNS answer cannot swap in another one.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { ConfigError, FetchBlockedError } from '../errors.js';
import { effectivePort, parseHostEntry, parseRangeEntry, portAllowed, RANGE_ENTRY_HELP, HOST_ENTRY_HELP, type HostEntry, type RangeEntry } from './allow-list.js';
import type { FetchPolicy } from './policy.js';
import { blockedReason, parseIp, rangeContains } from './ip.js';

/** Resolves a host name to all its addresses (the shape of `dns.lookup` with `all: true`). */
export type LookupAll = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

/** The default resolver: the system's, every address, in the order the system gives them. */
export const systemLookup: LookupAll = async (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** An address that passed the checks, to connect to. */
export interface VettedTarget {
  address: string;
  family: 4 | 6;
}

/** The policy's allow lists in checked form. An entry with a port allows only that port. */
export interface CompiledPolicy {
  hosts: HostEntry[];
  ranges: RangeEntry[];
}

/**
 * Parses the policy's allow lists once; a malformed entry is a configuration mistake (the config schema catches it at
 * load time; this catches a policy built in code without the schema).
 */
export function compilePolicy(policy: FetchPolicy): CompiledPolicy {
  const compile = <T>(entries: readonly string[], parse: (text: string) => T | undefined, field: string, help: string): T[] =>
    entries.map((text) => {
      const parsed = parse(text);
      if (!parsed) throw new ConfigError(`"${text}" is not a valid ${field} entry: ${help}`, [{ file: 'baton config', path: `tools.fetch.${field}` }]);
      return parsed;
    });
  return {
    hosts: compile(policy.allowHosts, parseHostEntry, 'allowHosts', HOST_ENTRY_HELP),
    ranges: compile(policy.allowRanges, parseRangeEntry, 'allowRanges', RANGE_ENTRY_HELP),
  };
}

function normaliseHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, '').replace(/^\[(.*)\]$/, '$1');
}

/**
 * Whether a host name and port are on the allow list; `*.example.com` allows the subdomains of example.com. An entry
 * naming a port allows only that port.
 */
function hostAllowed(hostname: string, port: number, compiled: CompiledPolicy): boolean {
  const host = normaliseHost(hostname);
  return compiled.hosts.some(
    (allowed) => portAllowed(allowed, port) && (allowed.host.startsWith('*.') ? host.endsWith(allowed.host.slice(1)) : host === allowed.host),
  );
}

function blocked(url: URL, address: string, reason: string, note = ''): FetchBlockedError {
  const shownHost = url.hostname === address ? address : `${url.hostname} (${address})`;
  const port = effectivePort(url);
  // Suggest the narrowest entry: this address and this port only.
  const single = address.includes(':') ? `[${address}]/128:${port}` : `${address}/32:${port}`;
  const hostEntry = url.hostname.replace(/^\[|\]$/g, '');
  const shownHostEntry = hostEntry.includes(':') ? `[${hostEntry}]:${port}` : `${hostEntry}:${port}`;
  return new FetchBlockedError(
    `refused to fetch ${url.href}: ${shownHost} (port ${port}) is a ${reason} address${note}. To allow it, add "${single}" to tools.fetch.allowRanges or "${shownHostEntry}" to tools.fetch.allowHosts in the Baton config`,
    { hint: 'only allow addresses you trust: loopback, private and link-local ranges reach services that are not meant for the web' },
  );
}

/** Refuses any scheme other than http and https. */
export function assertFetchableScheme(url: URL): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchBlockedError(`refused to fetch ${url.href}: only http and https URLs can be fetched, not ${url.protocol.replace(/:$/, '')}`);
  }
}

/**
 * Checks a URL against the policy and returns the address to connect to. Refuses non-http(s) schemes, and any host
 * with at least one blocked address unless the host or that address is allowed. Throws {@link FetchBlockedError}.
 */
export async function vetUrl(url: URL, compiled: CompiledPolicy, lookup: LookupAll): Promise<VettedTarget> {
  assertFetchableScheme(url);
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = effectivePort(url);
  const trusted = hostAllowed(hostname, port, compiled);
  const literal = parseIp(hostname);
  let candidates: Array<{ address: string; family: number }>;
  if (literal) {
    candidates = [{ address: hostname, family: literal.version }];
  } else {
    try {
      candidates = await lookup(hostname);
    } catch (error) {
      throw new FetchBlockedError(`cannot fetch ${url.href}: the host name ${hostname} does not resolve`, { cause: error });
    }
    if (candidates.length === 0) throw new FetchBlockedError(`cannot fetch ${url.href}: the host name ${hostname} has no addresses`);
  }
  let first: VettedTarget | undefined;
  for (const candidate of candidates) {
    const parsed = parseIp(candidate.address);
    if (!parsed) throw blocked(url, candidate.address, 'malformed');
    const reason = blockedReason(parsed);
    if (reason !== undefined && !trusted && !compiled.ranges.some((entry) => portAllowed(entry, port) && rangeContains(entry.range, parsed))) {
      const otherPorts = compiled.ranges.filter((entry) => rangeContains(entry.range, parsed)).map((entry) => entry.port);
      const hostPorts = compiled.hosts.filter((entry) => hostAllowed(hostname, entry.port ?? port, { hosts: [entry], ranges: [] })).map((entry) => entry.port);
      const allowedPorts = [...new Set([...otherPorts, ...hostPorts])];
      throw blocked(url, candidate.address, reason, allowedPorts.length ? `; the allow list admits it only on port ${allowedPorts.join(', ')}, not ${port}` : '');
    }
    first ??= { address: candidate.address, family: parsed.version };
  }
  if (!first) throw new FetchBlockedError(`cannot fetch ${url.href}: no usable address`);
  return first;
}
