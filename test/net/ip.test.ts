import { describe, expect, it } from 'vitest';
import { blockedReason, parseIp, parseRange, rangeContains } from '../../src/net/ip.js';

function reasonFor(text: string): string | undefined {
  const address = parseIp(text);
  if (!address) throw new Error(`test address ${text} did not parse`);
  return blockedReason(address);
}

describe('blockedReason', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.1.2', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'this network'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'loopback (::1)'],
    ['0:0:0:0:0:0:0:1', 'loopback (::1)'],
    ['[::1]', 'loopback (::1)'],
    ['::', 'unspecified (::)'],
    ['::ffff:0.0.0.0', '(0.0.0.0/8), written as IPv6'],
    ['2001:2::1', 'benchmarking'],
    ['2001:20::1', 'ORCHIDv2'],
    ['3fff::1', 'documentation (3fff::/20)'],
    ['5f00::1', 'segment routing'],
    ['100::1', 'discard-only'],
    ['2001:0:4136:e378::1', 'Teredo'],
    ['fec0::1', 'site-local'],
    ['4000::1', 'reserved IPv6'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['[::ffff:a9fe:a9fe]', 'link-local'],
    ['0:0:0:0:0:ffff:0a00:0001', 'private'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:7f00:1::', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
  ])('refuses %s (%s)', (address, fragment) => {
    expect(reasonFor(address)).toContain(fragment);
  });

  it.each(['::1', '::', 'fe80::1', 'fc00::1', 'ff02::1', '2001:db8::1', '100::1'])('never calls the IPv6 address %s "this network" (an IPv4 range)', (address) => {
    expect(reasonFor(address)).not.toContain('0.0.0.0/8');
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '64:ff9b::808:808', '::ffff:8.8.8.8'])('allows public %s', (address) => {
    expect(reasonFor(address)).toBeUndefined();
  });
});

describe('parseIp and ranges', () => {
  it('rejects malformed and non-canonical literals', () => {
    for (const text of ['1.2.3', '1.2.3.256', '01.2.3.4', 'example.com', '1::2::3', ':::1', '']) expect(parseIp(text)).toBeUndefined();
  });

  it('parses the same address written differently to the same bytes', () => {
    expect(parseIp('::ffff:127.0.0.1')?.bytes).toEqual(parseIp('::ffff:7f00:1')?.bytes);
    expect(parseIp('::1')?.bytes).toEqual(parseIp('0:0:0:0:0:0:0:1')?.bytes);
  });

  it('matches ranges, including IPv4 ranges against IPv4-mapped IPv6 addresses', () => {
    const loopback = parseRange('127.0.0.1/32');
    const ten = parseRange('10.0.0.0/8');
    if (!loopback || !ten) throw new Error('ranges did not parse');
    expect(rangeContains(loopback, parseIp('127.0.0.1')!)).toBe(true);
    expect(rangeContains(loopback, parseIp('127.0.0.2')!)).toBe(false);
    expect(rangeContains(loopback, parseIp('::ffff:127.0.0.1')!)).toBe(true);
    expect(rangeContains(ten, parseIp('10.200.3.4')!)).toBe(true);
    expect(rangeContains(ten, parseIp('11.0.0.1')!)).toBe(false);
    expect(rangeContains(parseRange('fd00::/8')!, parseIp('fd00::5')!)).toBe(true);
  });

  it('rejects malformed ranges', () => {
    for (const text of ['10.0.0.0/33', '10.0.0.0/x', 'fd00::/129', 'nope/8', '10.0.0.0/8/8', '10.0.0.0/']) expect(parseRange(text)).toBeUndefined();
  });
});
