import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { assertSafeBinding, createTokenCheck, isLoopbackHost, resolveApiTokens } from '../../src/server/auth.js';
import { createServer } from '../../src/server/app.js';
import { ServerConfigError } from '../../src/server/errors.js';
import { makeRuntime, makeServer, waitForEnd, type TestRuntime } from './helpers.js';

const TOKEN = 'tok_0123456789abcdefghij';
const OTHER = 'tok_zyxwvutsrqponmlkjihg';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function runtime(): Promise<TestRuntime> {
  const test = await makeRuntime();
  cleanups.push(() => test.cleanup());
  return test;
}

describe('tokens', () => {
  it('reads tokens from options, BATON_API_TOKENS and a token file, ignoring blanks and comments', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'baton-tokens-'));
    cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
    const file = path.join(folder, 'tokens');
    writeFileSync(file, `# team tokens\n${OTHER}\n\n  ${TOKEN}  \n`);
    expect(resolveApiTokens({ env: { BATON_API_TOKENS: ` ${TOKEN}, ,${OTHER}` } })).toEqual([TOKEN, OTHER]);
    expect(resolveApiTokens({ tokensFile: file })).toEqual([OTHER, TOKEN]);
    expect(resolveApiTokens({ tokens: [TOKEN], env: { BATON_API_TOKENS: TOKEN } })).toEqual([TOKEN]);
    expect(resolveApiTokens({ env: {} })).toEqual([]);
  });

  it('refuses an unreadable token file and weak tokens without echoing them', () => {
    expect(() => resolveApiTokens({ tokensFile: '/nonexistent/tokens' })).toThrow(ServerConfigError);
    expect(() => resolveApiTokens({ tokensFile: '/nonexistent/tokens' })).toThrow(/cannot read the API token file \/nonexistent\/tokens/);
    let error: unknown;
    try {
      resolveApiTokens({ env: { BATON_API_TOKENS: 'hunter2' } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ServerConfigError);
    expect((error as Error).message).toBe('1 API token is shorter than 16 characters');
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('tells loopback addresses from exposed ones', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.20', '10.0.0.1', 'example.com', '']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('refuses to bind beyond loopback without tokens, with a message naming both ways out', async () => {
    expect(() => assertSafeBinding('0.0.0.0', [])).toThrow(/refusing to listen on 0.0.0.0 without API tokens/);
    expect(() => assertSafeBinding('0.0.0.0', [TOKEN])).not.toThrow();
    expect(() => assertSafeBinding('127.0.0.1', [])).not.toThrow();
    const test = await runtime();
    const refused = createServer({ runtime: test.runtime, env: {}, host: '0.0.0.0' });
    await expect(refused).rejects.toBeInstanceOf(ServerConfigError);
    await expect(createServer({ runtime: test.runtime, env: {}, host: '0.0.0.0' })).rejects.toMatchObject({ code: 'CONFIG_INVALID', hint: expect.stringContaining('BATON_API_TOKENS') });
    const app = await createServer({ runtime: test.runtime, env: { BATON_API_TOKENS: TOKEN }, host: '0.0.0.0' });
    await app.close();
  });

  it('compares bearer tokens exactly, accepting any configured token', () => {
    const check = createTokenCheck([TOKEN, OTHER]);
    expect(check(`Bearer ${TOKEN}`)).toBe(true);
    expect(check(`bearer ${OTHER}`)).toBe(true);
    expect(check(`Bearer ${TOKEN}x`)).toBe(false);
    expect(check(`Bearer ${TOKEN.slice(0, -1)}`)).toBe(false);
    expect(check(`Basic ${TOKEN}`)).toBe(false);
    expect(check(TOKEN)).toBe(false);
    expect(check('Bearer ')).toBe(false);
    expect(check(undefined)).toBe(false);
    expect(createTokenCheck([])(`Bearer ${TOKEN}`)).toBe(false);
  });
});

describe('a server with tokens', () => {
  it('answers 401 on every /api route without the right bearer token, and serves health and the dashboard openly', async () => {
    const created = await makeServer({ tokens: [TOKEN] });
    cleanups.push(() => created.close());
    const { app } = created;
    for (const [method, url] of [['GET', '/api/runs'], ['POST', '/api/runs'], ['GET', '/api/runs/x'], ['GET', '/api/runs/x/events'], ['POST', '/api/runs/x/cancel'], ['GET', '/api/stats'], ['GET', '/api/openapi.json']] as const) {
      const missing = await app.inject({ method, url });
      expect(missing.statusCode, url).toBe(401);
      expect(missing.headers['www-authenticate']).toBe('Bearer realm="baton"');
      expect(missing.json()).toMatchObject({ error: { code: 'UNAUTHORIZED', message: 'this server requires an API token', hint: expect.stringContaining('Authorization: Bearer') } });
      const wrong = await app.inject({ method, url, headers: { authorization: `Bearer ${OTHER}` } });
      expect(wrong.statusCode, url).toBe(401);
      expect(wrong.json()).toMatchObject({ error: { code: 'UNAUTHORIZED', message: 'the bearer token is not valid' } });
    }
    expect(((await app.inject({ method: 'POST', url: '/api/runs', payload: { goal: 'What is Baton?' } })).statusCode)).toBe(401);
    // Spellings the router maps onto API routes must not slip past the check.
    for (const url of ['/%61pi/runs', '/api/runs/', '/./api/runs', '/x/../api/stats', '/api/runs;x', '/nowhere']) {
      expect((await app.inject({ url })).statusCode, url).toBe(401);
    }
    expect(((await app.inject({ url: '/api/runs' })).json() as Record<string, unknown>)['runs']).toBeUndefined();

    const headers = { authorization: `Bearer ${TOKEN}` };
    const accepted = await app.inject({ method: 'POST', url: '/api/runs', payload: { goal: 'What is Baton?' }, headers });
    expect(accepted.statusCode).toBe(202);
    expect(await waitForEnd(app, (accepted.json() as { runId: string }).runId, headers)).toBe('approved');
    expect((await app.inject({ url: '/api/runs', headers })).statusCode).toBe(200);
    expect((await app.inject({ url: '/healthz' })).json()).toMatchObject({ ok: true, auth: true });
    expect((await app.inject({ url: '/' })).statusCode).toBe(200);
  });

  it('never writes the token to the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ level: 'trace' }, sink);
    const created = await makeServer({ tokens: [TOKEN], logger });
    cleanups.push(() => created.close());
    await created.app.inject({ url: '/api/runs', headers: { authorization: `Bearer ${TOKEN}` } });
    await created.app.inject({ url: '/api/runs', headers: { authorization: `Bearer ${TOKEN}nope` } });
    // Even a handler that logs the headers outright gets them redacted.
    created.app.log.info({ req: { headers: { authorization: `Bearer ${TOKEN}` } }, headers: { authorization: `Bearer ${TOKEN}` } }, 'headers');
    const log = lines.join('');
    expect(log).toContain('incoming request');
    expect(log).toContain('[REDACTED]');
    expect(log).not.toContain(TOKEN);
  });
});
