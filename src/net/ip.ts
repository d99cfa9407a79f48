/**
 * IP address parsing and classification for the fetch guard. Addresses are handled as bytes (4 or 16), so every
 * spelling of an address (`::ffff:127.0.0.1`, `::ffff:7f00:1`, `0:0:0:0:0:0:0:1`) is judged by what it is, not by how
 * it is written.
 */
import { isIP } from 'node:net';

/** An address as bytes: 4 for IPv4, 16 for IPv6. */
export interface IpAddress {
  version: 4 | 6;
  bytes: Uint8Array;
}

/** A CIDR range such as `10.0.0.0/8` or `fc00::/7`. */
export interface IpRange {
  version: 4 | 6;
  bytes: Uint8Array;
  prefix: number;
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let index = 0; index < 4; index += 1) {
    const part = parts[index] ?? '';
    // Only canonical decimal: the URL parser already turned octal/hex host spellings into dotted decimal.
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    bytes[index] = value;
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array | undefined {
  let body = text;
  const zone = body.indexOf('%');
  if (zone >= 0) body = body.slice(0, zone);
  const groups: number[] = [];
  // A trailing dotted quad stands for the last two groups.
  const lastColon = body.lastIndexOf(':');
  const tail = body.slice(lastColon + 1);
  let trailing: number[] = [];
  if (tail.includes('.')) {
    const v4 = parseIpv4(tail);
    if (!v4) return undefined;
    trailing = [((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0)];
    body = body.slice(0, lastColon + 1);
    if (body.endsWith(':') && !body.endsWith('::')) body = body.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const values: number[] = [];
    for (const group of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
      values.push(parseInt(group, 16));
    }
    return values;
  };
  const head = parseGroups(halves[0] ?? '');
  const rest = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (!head || !rest) return undefined;
  const explicit = head.length + rest.length + trailing.length;
  if (halves.length === 2) {
    if (explicit > 7) return undefined;
    groups.push(...head, ...new Array<number>(8 - explicit).fill(0), ...rest, ...trailing);
  } else {
    if (explicit !== 8) return undefined;
    groups.push(...head, ...trailing);
  }
  const bytes = new Uint8Array(16);
  groups.forEach((group, index) => {
    bytes[index * 2] = group >> 8;
    bytes[index * 2 + 1] = group & 0xff;
  });
  return bytes;
}

/** Parses an IPv4 or IPv6 literal (brackets and zone ids allowed); `undefined` when it is not one. */
export function parseIp(text: string): IpAddress | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const kind = isIP(bare.split('%')[0] ?? '');
  if (kind === 4) {
    const bytes = parseIpv4(bare);
    return bytes ? { version: 4, bytes } : undefined;
  }
  if (kind === 6) {
    const bytes = parseIpv6(bare);
    return bytes ? { version: 6, bytes } : undefined;
  }
  return undefined;
}

/** Parses a CIDR range; a bare address is a range of one. `undefined` when malformed. */
export function parseRange(text: string): IpRange | undefined {
  const [addressText, prefixText, extra] = text.trim().split('/');
  if (extra !== undefined || addressText === undefined) return undefined;
  const address = parseIp(addressText);
  if (!address) return undefined;
  const maximum = address.version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? maximum : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > maximum || (prefixText !== undefined && !/^\d+$/.test(prefixText))) {
    return undefined;
  }
  return { version: address.version, bytes: address.bytes, prefix };
}

/** Whether the first `prefix` bits of two byte strings agree. */
function prefixMatches(bytes: Uint8Array, base: Uint8Array, prefix: number): boolean {
  let bits = prefix;
  for (let index = 0; bits > 0; index += 1) {
    const take = Math.min(8, bits);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((bytes[index] ?? 0) & mask) !== ((base[index] ?? 0) & mask)) return false;
    bits -= take;
  }
  return true;
}

/** Whether an address lies in a range. An IPv4-mapped IPv6 address also matches the IPv4 range. */
export function rangeContains(range: IpRange, address: IpAddress): boolean {
  const candidate = address.version === range.version ? address : unwrapMapped(address);
  if (!candidate || candidate.version !== range.version) return false;
  return prefixMatches(candidate.bytes, range.bytes, range.prefix);
}

function range(text: string): IpRange {
  const parsed = parseRange(text);
  if (!parsed) throw new TypeError(`bad built-in range ${text}`);
  return parsed;
}

const blockedIpv4: ReadonlyArray<[IpRange, string]> = [
  [range('0.0.0.0/8'), '"this network" (0.0.0.0/8)'],
  [range('10.0.0.0/8'), 'private (10.0.0.0/8)'],
  [range('100.64.0.0/10'), 'carrier-grade NAT (100.64.0.0/10)'],
  [range('127.0.0.0/8'), 'loopback (127.0.0.0/8)'],
  [range('169.254.0.0/16'), 'link-local / cloud metadata (169.254.0.0/16)'],
  [range('172.16.0.0/12'), 'private (172.16.0.0/12)'],
  [range('192.0.0.0/24'), 'IETF protocol assignments (192.0.0.0/24)'],
  [range('192.0.2.0/24'), 'documentation (192.0.2.0/24)'],
  [range('192.88.99.0/24'), '6to4 relay anycast (192.88.99.0/24)'],
  [range('192.168.0.0/16'), 'private (192.168.0.0/16)'],
  [range('198.18.0.0/15'), 'benchmarking (198.18.0.0/15)'],
  [range('198.51.100.0/24'), 'documentation (198.51.100.0/24)'],
  [range('203.0.113.0/24'), 'documentation (203.0.113.0/24)'],
  [range('224.0.0.0/4'), 'multicast (224.0.0.0/4)'],
  [range('240.0.0.0/4'), 'reserved or broadcast (240.0.0.0/4)'],
];

/**
 * IPv6 addresses with a meaning of their own inside ranges that otherwise embed an IPv4 address: `::1` and `::` lie in
 * the deprecated IPv4-compatible range ::/96, and judged by the embedded 0.0.0.1 they were called "this network".
 */
const specialIpv6: ReadonlyArray<[IpRange, string]> = [
  [range('::1/128'), 'loopback (::1)'],
  [range('::/128'), 'unspecified (::)'],
];

const blockedIpv6: ReadonlyArray<[IpRange, string]> = [
  [range('64:ff9b:1::/48'), 'local-use NAT64 (64:ff9b:1::/48)'],
  [range('100::/64'), 'discard-only (100::/64)'],
  [range('2001::/32'), 'Teredo tunnelling (2001::/32)'],
  [range('2001:2::/48'), 'benchmarking (2001:2::/48)'],
  [range('2001:10::/28'), 'ORCHID, not routed (2001:10::/28)'],
  [range('2001:20::/28'), 'ORCHIDv2, not routed (2001:20::/28)'],
  [range('2001:db8::/32'), 'documentation (2001:db8::/32)'],
  [range('3fff::/20'), 'documentation (3fff::/20)'],
  [range('5f00::/16'), 'segment routing (SRv6) identifiers (5f00::/16)'],
  [range('fc00::/7'), 'unique-local (fc00::/7)'],
  [range('fe80::/10'), 'link-local (fe80::/10)'],
  [range('fec0::/10'), 'site-local (fec0::/10)'],
  [range('ff00::/8'), 'multicast (ff00::/8)'],
];

const globalUnicast = range('2000::/3');
const mappedPrefix = range('::ffff:0:0/96');
const compatiblePrefix = range('::/96');
const nat64Prefix = range('64:ff9b::/96');
const sixToFourPrefix = range('2002::/16');

/** The IPv4 address an IPv6 address embeds (mapped, compatible, NAT64 or 6to4), if any. */
export function unwrapMapped(address: IpAddress): IpAddress | undefined {
  if (address.version === 4) return address;
  const { bytes } = address;
  if (prefixMatches(bytes, mappedPrefix.bytes, 96) || prefixMatches(bytes, compatiblePrefix.bytes, 96) || prefixMatches(bytes, nat64Prefix.bytes, 96)) {
    return { version: 4, bytes: bytes.slice(12, 16) };
  }
  if (prefixMatches(bytes, sixToFourPrefix.bytes, 16)) return { version: 4, bytes: bytes.slice(2, 6) };
  return undefined;
}

/**
 * Why an address must not be fetched from by default, or `undefined` when it is a public address. IPv6 forms that
 * embed an IPv4 address are judged by the embedded address; IPv6 outside global unicast (2000::/3) is refused.
 */
export function blockedReason(address: IpAddress): string | undefined {
  if (address.version === 4) {
    for (const [blocked, reason] of blockedIpv4) if (prefixMatches(address.bytes, blocked.bytes, blocked.prefix)) return reason;
    return undefined;
  }
  for (const [special, reason] of specialIpv6) if (prefixMatches(address.bytes, special.bytes, special.prefix)) return reason;
  const embedded = unwrapMapped(address);
  if (embedded) {
    const inner = blockedReason(embedded);
    return inner === undefined ? undefined : `${inner}, written as IPv6`;
  }
  for (const [blocked, reason] of blockedIpv6) if (prefixMatches(address.bytes, blocked.bytes, blocked.prefix)) return reason;
  if (!prefixMatches(address.bytes, globalUnicast.bytes, globalUnicast.prefix)) return 'reserved IPv6 (outside 2000::/3)';
  return undefined;
}

/** Formats an address canonically (IPv6 without zero compression, which is unambiguous and enough for messages). */
export function formatIp(address: IpAddress): string {
  if (address.version === 4) return Array.from(address.bytes).join('.');
  const groups: string[] = [];
  for (let index = 0; index < 16; index += 2) groups.push((((address.bytes[index] ?? 0) << 8) | (address.bytes[index + 1] ?? 0)).toString(16));
  return groups.join(':');
}
