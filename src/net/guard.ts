/**
 * Decides whether a URL may be fetched and which address to connect to. The check is on the resolved addresses, not
 * the name: a public-looking name that resolves to 127.0.0.1 or 169.254.169.254 is refused, and the connection is
 * then made to the very address that was checked, so a second DNS answer cannot swap in another one.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { ConfigError, FetchBlockedError } from '../errors.js';
import type { FetchPolicy } from './policy.js';
import { blockedReason, parseIp, parseRange, rangeContains, type IpRange } from './ip.js';

/** Resolves a host name to all its addresses (the shape of `dns.lookup` with `all: true`). */
export type LookupAll = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

/** The default resolver: the system's, every address, in the order the system gives them. */
export const systemLookup: LookupAll = async (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** An address that passed the checks, to connect to. */
export interface VettedTarget {
  address: string;
  family: 4 | 6;
}

/** The policy's allow lists in checked form. */
export interface CompiledPolicy {
  hosts: string[];
  ranges: IpRange[];
}

/** Parses the policy's allow lists once; a malformed range is a configuration mistake. */
export function compilePolicy(policy: FetchPolicy): CompiledPolicy {
  const ranges = policy.allowRanges.map((text) => {
    const parsed = parseRange(text);
    if (!parsed) {
      throw new ConfigError(`"${text}" is not a CIDR range (expected e.g. 10.0.0.0/8 or fd00::/8)`, [
        { file: 'baton config', path: 'tools.fetch.allowRanges' },
      ]);
    }
    return parsed;
  });
  return { hosts: policy.allowHosts.map((host) => normaliseHost(host)), ranges };
}

function normaliseHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, '').replace(/^\[(.*)\]$/, '$1');
}

/** Whether a host name is on the allow list; `*.example.com` allows the subdomains of example.com. */
function hostAllowed(hostname: string, compiled: CompiledPolicy): boolean {
  const host = normaliseHost(hostname);
  return compiled.hosts.some((allowed) => (allowed.startsWith('*.') ? host.endsWith(allowed.slice(1)) : host === allowed));
}

function blocked(url: URL, address: string, reason: string): FetchBlockedError {
  const shownHost = url.hostname === address ? address : `${url.hostname} (${address})`;
  const single = address.includes(':') ? `${address}/128` : `${address}/32`;
  return new FetchBlockedError(
    `refused to fetch ${url.href}: ${shownHost} is a ${reason} address. To allow it, add "${single}" to tools.fetch.allowRanges or "${url.hostname.replace(/^\[|\]$/g, '')}" to tools.fetch.allowHosts in the Baton config`,
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
  const trusted = hostAllowed(hostname, compiled);
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
    if (reason !== undefined && !trusted && !compiled.ranges.some((range) => rangeContains(range, parsed))) {
      throw blocked(url, candidate.address, reason);
    }
    first ??= { address: candidate.address, family: parsed.version };
  }
  if (!first) throw new FetchBlockedError(`cannot fetch ${url.href}: no usable address`);
  return first;
}
