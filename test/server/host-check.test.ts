import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BatonConfig } from '../../src/config/schema.js';
import { isLoopbackName, parseHostName } from '../../src/net/host-name.js';
import { createServer, startServer } from '../../src/server/app.js';
import { ServerConfigError } from '../../src/server/errors.js';
import { makeRuntime, makeServer } from './helpers.js';

const TOKEN = 'tok_0123456789abcdefghij';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(options: Parameters<typeof makeServer>[0] = {}): Promise<Awaited<ReturnType<typeof makeServer>>> {
  const made = await makeServer(options);
  cleanups.push(() => made.close());
  return made;
}

/** Sends raw bytes to a loopback port and returns everything the server answers before closing. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** Every kind of route: API, health, dashboard page and asset, event stream, unknown path, and a POST that starts a run. */
const routes: Array<{ method: 'GET' | 'POST'; url: string; payload?: object }> = [
  { method: 'GET', url: '/api/runs' },
  { method: 'GET', url: '/healthz' },
  { method: 'GET', url: '/' },
  { method: 'GET', url: '/assets/app.js' },
  { method: 'GET', url: '/api/runs/run_missing/events' },
  { method: 'GET', url: '/no/such/path' },
  { method: 'POST', url: '/api/runs', payload: { goal: 'What is Baton?' } },
];

const refusedHosts = [
  'attacker.example',
  'attacker.example:8787',
  'localhost.attacker.example',
  'localhost.attacker.example:8787',
  '127.0.0.1.nip.io',
  '127.0.0.1.nip.io:8787',
  'evil.localhost.example',
  '10.0.0.5:8787',
  '0.0.0.0:8787',
  '::1',
  '[::2]:8787',
  'localhost:notaport',
  'localhost:99999',
  'local host',
];

const acceptedHosts = ['localhost', 'localhost:8787', 'LOCALHOST:8787', 'localhost.:8787', '127.0.0.1', '127.0.0.1:8787', '127.42.0.9:1', '[::1]', '[::1]:8787', '[::ffff:127.0.0.1]:8787'];

describe('Host header check without API tokens (DNS rebinding)', () => {
  it.each(refusedHosts)('refuses Host %j on every route with 421 and the usual error body', async (host) => {
    const { app, runtime } = await server();
    for (const route of routes) {
      const response = await app.inject({ ...route, headers: { host } });
      expect(response.statusCode, `${route.method} ${route.url}`).toBe(421);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      const body = response.json() as { error: { code: string; message: string; hint?: string } };
      expect(body.error.code).toBe('HOST_NOT_ALLOWED');
      expect(body.error.message).toContain('does not answer to');
      expect(body.error.hint).toContain('--allowed-host');
    }
    expect(await runtime.store.listRuns({ limit: 10 })).toEqual([]);
  });

  it('refuses a request with a missing or empty Host header, on a real socket', async () => {
    const test = await makeRuntime();
    const running = await startServer({ runtime: test.runtime, env: {}, port: 0, onShutdownSignal: () => () => undefined });
    cleanups.push(async () => {
      await running.close();
      await test.cleanup();
    });
    // HTTP/1.0 may omit Host; an HTTP/1.1 request may send it empty. inject() always fills one in, so use a socket.
    for (const head of ['GET /healthz HTTP/1.0\r\n\r\n', 'GET /healthz HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n']) {
      const raw = await rawRequest(running.port, head);
      expect(raw, head).toMatch(/^HTTP\/1\.[01] 421 /);
      expect(raw).toContain('"code":"HOST_NOT_ALLOWED"');
    }
    expect(await rawRequest(running.port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${running.port}\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 200 /);
  });

  it.each(acceptedHosts)('answers Host %j', async (host) => {
    const { app } = await server();
    expect((await app.inject({ url: '/healthz', headers: { host } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/', headers: { host } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/runs', headers: { host } })).statusCode).toBe(200);
  });

  it('answers the host names it is configured with, exactly and case-insensitively', async () => {
    const { app } = await server({ allowedHosts: ['Baton.Example.com', 'lan-box:9000'] });
    const status = async (host: string): Promise<number> => (await app.inject({ url: '/healthz', headers: { host } })).statusCode;
    expect(await status('baton.example.com')).toBe(200);
    expect(await status('BATON.example.com.:8787')).toBe(200);
    expect(await status('lan-box:9000')).toBe(200);
    expect(await status('lan-box:9001')).toBe(421);
    expect(await status('lan-box')).toBe(421);
    expect(await status('sub.baton.example.com')).toBe(421);
    expect(await status('baton.example.com.attacker.example')).toBe(421);
    expect(await status('localhost:8787')).toBe(200);
  });

  it('refuses a malformed allowed host at start with a typed error', async () => {
    const test = await makeRuntime();
    cleanups.push(() => test.cleanup());
    await expect(createServer({ runtime: test.runtime, env: {}, allowedHosts: ['http://baton.example.com/'] })).rejects.toBeInstanceOf(ServerConfigError);
  });
});

describe('every place a request names its host, on a real socket (inject normalises these)', () => {
  async function listening(options: { tokens?: string[] } = {}): Promise<number> {
    const test = await makeRuntime();
    const running = await startServer({ runtime: test.runtime, env: {}, port: 0, onShutdownSignal: () => () => undefined, ...(options.tokens ? { tokens: options.tokens } : {}) });
    cleanups.push(async () => {
      await running.close();
      await test.cleanup();
    });
    return running.port;
  }
  const request = (target: string, headers: string[]): string => `GET ${target} HTTP/1.1\r\n${headers.map((header) => `${header}\r\n`).join('')}Connection: close\r\n\r\n`;

  it('refuses an absolute-form target naming another host than Host, or a host not answered to', async () => {
    const port = await listening();
    const refused: Array<[string, string[], RegExp]> = [
      ['http://attacker.example/api/runs', ['Host: localhost'], /^HTTP\/1\.1 400 /],
      [`http://attacker.example:${port}/api/runs`, [`Host: localhost:${port}`], /^HTTP\/1\.1 400 /],
      ['http://attacker.example/api/runs', ['Host: attacker.example'], /^HTTP\/1\.1 421 /],
      [`http://localhost:${port + 1}/healthz`, [`Host: localhost:${port}`], /^HTTP\/1\.1 400 /],
      ['http://user@localhost/healthz', ['Host: localhost'], /^HTTP\/1\.1 400 /],
      ['ftp://localhost/healthz', ['Host: localhost'], /^HTTP\/1\.1 400 /],
    ];
    for (const [target, headers, status] of refused) {
      const raw = await rawRequest(port, request(target, headers));
      expect(raw, `${target} ${headers.join(' ')}`).toMatch(status);
      expect(raw).toContain('"code":"HOST_NOT_ALLOWED"');
    }
    // Without any Host header Node itself answers 400 before Baton sees the request.
    expect(await rawRequest(port, request('http://attacker.example/api/runs', []))).toMatch(/^HTTP\/1\.1 400 /);
    // The same host in both places is an ordinary request.
    expect(await rawRequest(port, request(`http://localhost:${port}/healthz`, [`Host: localhost:${port}`]))).toMatch(/^HTTP\/1\.1 200 /);
    expect(await rawRequest(port, request('http://LOCALHOST/healthz', ['Host: localhost:80']))).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('refuses two Host headers with 400 whatever they say, tokens or not', async () => {
    for (const tokens of [undefined, [TOKEN]]) {
      const port = await listening(tokens ? { tokens } : {});
      for (const headers of [['Host: localhost', 'Host: attacker.example'], ['Host: localhost', 'Host: localhost']]) {
        const raw = await rawRequest(port, request('/healthz', headers));
        expect(raw, headers.join(' ')).toMatch(/^HTTP\/1\.1 400 /);
        expect(raw).toContain('Host headers');
      }
    }
  });
});

describe('Host header check with API tokens', () => {
  it('leaves the Host alone when tokens are required and no names are configured', async () => {
    const { app } = await server({ tokens: [TOKEN] });
    const response = await app.inject({ url: '/api/runs', headers: { host: 'baton.example.com', authorization: `Bearer ${TOKEN}` } });
    expect(response.statusCode).toBe(200);
  });

  it('applies configured names even with tokens, before the token check', async () => {
    const { app } = await server({ tokens: [TOKEN], allowedHosts: ['baton.example.com'] });
    expect((await app.inject({ url: '/healthz', headers: { host: 'baton.example.com' } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/runs', headers: { host: 'other.example', authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(421);
  });
});

describe('host names', () => {
  it.each([
    ['localhost', { name: 'localhost' }],
    ['LocalHost.:80', { name: 'localhost', port: 80 }],
    ['[::1]:8787', { name: '::1', port: 8787 }],
    ['127.0.0.1', { name: '127.0.0.1' }],
  ])('parses %j', (text, expected) => expect(parseHostName(text)).toEqual(expected));

  it.each(['', '::1', '[::1', '[nothex]:80', 'a b', 'host:', 'host:0', 'host:65536', '.', 'user@host', 'host/path'])('refuses %j', (text) =>
    expect(parseHostName(text)).toBeUndefined(),
  );

  it('validates server.allowedHosts in the config, naming the bad entry', () => {
    expect(BatonConfig.parse({}).server.allowedHosts).toEqual([]);
    expect(BatonConfig.parse({ server: { allowedHosts: ['baton.example.com:8443'] } }).server.allowedHosts).toEqual(['baton.example.com:8443']);
    const result = BatonConfig.safeParse({ server: { allowedHosts: ['ok.example', 'https://baton.example.com/'] } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['server', 'allowedHosts', 1]);
    expect(result.error?.issues[0]?.message).toContain('expected a host name');
  });

  it('knows loopback names', () => {
    expect(['localhost', '127.0.0.1', '127.255.255.254', '::1', '::ffff:127.0.0.1'].every(isLoopbackName)).toBe(true);
    expect(['localhost.example', '128.0.0.1', '::2', '0.0.0.0', '127.0.0.1.nip.io', '::ffff:10.0.0.1'].some(isLoopbackName)).toBe(false);
  });
});
