/**
 * Host names as they appear in a `Host` header or a `name[:port]` setting, and which of them name this machine's
 * loopback. Used by the server's DNS-rebinding check and by the config schema that validates `server.allowedHosts`.
 */
import { isIP } from 'node:net';
import { parseIp } from './ip.js';

/** A Host header or an allowed-host entry, split and normalised (lower case, no brackets, no trailing dot). */
export interface HostName {
  name: string;
  port?: number;
}

/**
 * Splits `name[:port]` / `[v6][:port]`. `undefined` for anything malformed (an unbracketed IPv6 literal, a bad port,
 * characters no host name has), so a header cannot slip through by being odd.
 */
export function parseHostName(text: string): HostName | undefined {
  const trimmed = text.trim().toLowerCase();
  let name: string;
  let portText: string | undefined;
  const bracketed = /^\[([0-9a-f:.]+)\](?::(\d*))?$/.exec(trimmed);
  if (bracketed) {
    name = bracketed[1] ?? '';
    portText = bracketed[2];
    if (isIP(name) !== 6) return undefined;
  } else {
    const match = /^([a-z0-9_.-]+)(?::(\d*))?$/.exec(trimmed);
    if (!match) return undefined;
    name = (match[1] ?? '').replace(/\.$/, '');
    portText = match[2];
  }
  if (name === '' || name.startsWith('.')) return undefined;
  if (portText === undefined) return { name };
  const port = Number(portText);
  if (portText === '' || portText.length > 5 || port < 1 || port > 65535) return undefined;
  return { name, port };
}

/** Whether a host name (from {@link parseHostName}) names this machine's loopback: localhost, 127.0.0.0/8, ::1. */
export function isLoopbackName(name: string): boolean {
  if (name === 'localhost') return true;
  const address = parseIp(name);
  if (!address) return false;
  if (address.version === 4) return address.bytes[0] === 127;
  const bytes = address.bytes;
  const isV6Loopback = bytes.every((value, index) => value === (index === 15 ? 1 : 0));
  // ::ffff:127.x.y.z, the IPv4-mapped form of a 127/8 address.
  const isMappedLoopback = bytes.slice(0, 10).every((value) => value === 0) && bytes[10] === 0xff && bytes[11] === 0xff && bytes[12] === 127;
  return isV6Loopback || isMappedLoopback;
}
