import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingRequest } from '../support/recording-request.js';
import { ConfigError, FetchBlockedError } from '../../src/errors.js';
import { parseHostEntry, parseRangeEntry } from '../../src/net/allow-list.js';
import { compilePolicy, vetUrl, type LookupAll } from '../../src/net/guard.js';
import { FetchPolicy, defaultFetchPolicy } from '../../src/net/policy.js';
import { safeFetch } from '../../src/net/safe-fetch.js';

/** Two loopback servers: the one the policy allows, and another service on the same address. */
let allowed: http.Server;
let other: http.Server;
let allowedPort = 0;
let otherPort = 0;
const otherHits: string[] = [];

function listen(handler: http.RequestListener): Promise<[http.Server, number]> {
  const server = http.createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve([server, (server.address() as AddressInfo).port])));
}

beforeAll(async () => {
  [other, otherPort] = await listen((request, response) => {
    otherHits.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('secret admin page');
  });
  [allowed, allowedPort] = await listen((request, response) => {
    const route = request.url ?? '/';
    if (route === '/to-other') {
      response.writeHead(302, { location: `http://127.0.0.1:${otherPort}/admin` });
      return response.end();
    }
    if (route === '/to-other-by-name') {
      response.writeHead(302, { location: `http://localhost:${otherPort}/admin` });
      return response.end();
    }
    if (route === '/to-self') {
      response.writeHead(302, { location: `http://127.0.0.1:${allowedPort}/page` });
      return response.end();
    }
    response.writeHead(200, { 'content-type': 'text/plain' });
    return response.end('public page');
  });
});

afterAll(async () => {
  for (const server of [allowed, other]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});


const localhostLookup: LookupAll = async (hostname) => {
  if (hostname !== 'localhost') throw new Error('tests must not resolve names');
  return [{ address: '127.0.0.1', family: 4 }];
};

describe('allow-list entries with a port', () => {
  it('fetches from the allowed port and follows a redirect that stays on it', async () => {
    const policy = FetchPolicy.parse({ allowRanges: [`127.0.0.1/32:${allowedPort}`], timeoutMs: 5_000 });
    const result = await safeFetch(`http://127.0.0.1:${allowedPort}/to-self`, policy);
    expect(result.body).toBe('public page');
  });

  it.each([
    ['CIDR with port', () => `127.0.0.1/32:${allowedPort}`],
    ['address with port', () => `127.0.0.1:${allowedPort}`],
    ['wider CIDR with port', () => `127.0.0.0/8:${allowedPort}`],
  ])('refuses a redirect from the allowed port to another port (%s)', async (_label, entry) => {
    const policy = FetchPolicy.parse({ allowRanges: [entry()], timeoutMs: 5_000 });
    const { request, urls } = recordingRequest(['127.0.0.1', 'localhost']);
    const error = await safeFetch(`http://127.0.0.1:${allowedPort}/to-other`, policy, { request }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FetchBlockedError);
    expect((error as Error).message).toContain(`only on port ${allowedPort}, not ${otherPort}`);
    expect(urls).toEqual([`http://127.0.0.1:${allowedPort}/to-other`]);
    expect(otherHits).toEqual([]);
  });

  it('refuses a redirect to another port through an allowed host name with a port', async () => {
    const policy = FetchPolicy.parse({ allowHosts: [`localhost:${allowedPort}`], timeoutMs: 5_000 });
    const { request, urls } = recordingRequest(['127.0.0.1', 'localhost']);
    const error = await safeFetch(`http://localhost:${allowedPort}/to-other-by-name`, policy, { request, lookup: localhostLookup }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FetchBlockedError);
    expect(urls).toEqual([`http://localhost:${allowedPort}/to-other-by-name`]);
    expect(otherHits).toEqual([]);
  });

  it('refuses the other port directly, and allows it when its own entry is added', async () => {
    const policy = FetchPolicy.parse({ allowRanges: [`127.0.0.1/32:${allowedPort}`], timeoutMs: 5_000 });
    await expect(safeFetch(`http://127.0.0.1:${otherPort}/admin`, policy)).rejects.toBeInstanceOf(FetchBlockedError);
    const both = FetchPolicy.parse({ allowRanges: [`127.0.0.1/32:${allowedPort}`, `127.0.0.1:${otherPort}`], timeoutMs: 5_000 });
    const result = await safeFetch(`http://127.0.0.1:${allowedPort}/to-other`, both);
    expect(result.body).toBe('secret admin page');
    otherHits.length = 0;
  });

  it('keeps the old meaning for an entry without a port: every port of the range', async () => {
    const policy = FetchPolicy.parse({ allowRanges: ['127.0.0.1/32'], timeoutMs: 5_000 });
    const result = await safeFetch(`http://127.0.0.1:${allowedPort}/to-other`, policy);
    expect(result.body).toBe('secret admin page');
    otherHits.length = 0;
  });

  it('compares against the scheme default port when the URL names none', async () => {
    const compiled = compilePolicy(FetchPolicy.parse({ allowRanges: ['10.0.0.0/8:443', '[fd00::1]:80'] }));
    const lookup: LookupAll = async () => {
      throw new Error('no names here');
    };
    await expect(vetUrl(new URL('https://10.1.2.3/'), compiled, lookup)).resolves.toMatchObject({ address: '10.1.2.3' });
    await expect(vetUrl(new URL('http://10.1.2.3/'), compiled, lookup)).rejects.toBeInstanceOf(FetchBlockedError);
    await expect(vetUrl(new URL('https://10.1.2.3:8443/'), compiled, lookup)).rejects.toBeInstanceOf(FetchBlockedError);
    await expect(vetUrl(new URL('http://[fd00::1]/'), compiled, lookup)).resolves.toMatchObject({ address: 'fd00::1' });
    await expect(vetUrl(new URL('http://[fd00::1]:81/'), compiled, lookup)).rejects.toBeInstanceOf(FetchBlockedError);
  });
});

describe('allow-list entry syntax', () => {
  it.each([
    ['10.0.0.0/8', undefined, 8],
    ['127.0.0.1/32:8080', 8080, 32],
    ['127.0.0.1:8080', 8080, 32],
    ['fd00::/8', undefined, 8],
    ['::1/128:8080', 8080, 128],
    ['[::1]/128:8080', 8080, 128],
    ['[::1]:8080', 8080, 128],
    ['::1', undefined, 128],
  ])('parses range %s', (text, port, prefix) => {
    const entry = parseRangeEntry(text);
    expect(entry?.port).toBe(port);
    expect(entry?.range.prefix).toBe(prefix);
  });

  it.each(['10.0.0.0/99', '127.0.0.1/32:0', '127.0.0.1/32:70000', '127.0.0.1:http', '127.0.0.1/32:', '[::1]:', 'localhost:80', '127.0.0.1/32/8'])(
    'refuses range %s',
    (text) => expect(parseRangeEntry(text)).toBeUndefined(),
  );

  it.each([
    ['intranet.example.com', 'intranet.example.com', undefined],
    ['Intranet.Example.com.:8443', 'intranet.example.com', 8443],
    ['*.internal.test:8080', '*.internal.test', 8080],
    ['[::1]:8080', '::1', 8080],
    ['::1', '::1', undefined],
  ])('parses host %s', (text, host, port) => expect(parseHostEntry(text)).toEqual(port === undefined ? { host } : { host, port }));

  it.each(['intranet.example.com:99999', 'host:port', 'http://intranet.example.com', '[::1]:x'])('refuses host %s', (text) =>
    expect(parseHostEntry(text)).toBeUndefined(),
  );

  it('the config schema names a malformed entry and the expected syntax', () => {
    const result = FetchPolicy.safeParse({ allowRanges: ['127.0.0.1/32', '127.0.0.1/32:99999'], allowHosts: ['box:abc'] });
    expect(result.success).toBe(false);
    const issues = result.error?.issues ?? [];
    expect(issues.map((issue) => issue.path)).toEqual([['allowHosts', 0], ['allowRanges', 1]]);
    expect(issues[1]?.message).toContain('"127.0.0.1/32:99999" is not a valid allowRanges entry');
    expect(issues[1]?.message).toContain('127.0.0.1/32:8080');
  });

  it('a policy built without the schema still fails as a configuration error', () => {
    expect(() => compilePolicy({ ...defaultFetchPolicy, allowRanges: ['127.0.0.1/32:x'] })).toThrow(ConfigError);
  });
});
