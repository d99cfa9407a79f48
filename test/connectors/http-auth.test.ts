import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpConnector } from '../../src/connectors/http/index.js';
import { ConnectorError } from '../../src/connectors/errors.js';
import { loadConnectorFile } from '../../src/connectors/load.js';
import type { Operation, SecretReader } from '../../src/connectors/types.js';
import { SecretStoreError } from '../../src/secrets/errors.js';
import { createRedactor } from '../../src/transcript/redact.js';
import { crmSeed, startFakeSystem, type FakeSystem, type FakeSystemOptions } from '../support/fake-systems.js';
import { temporaryDirectories } from '../support/project.js';

const directory = temporaryDirectories('baton-http-auth-');
const systems: FakeSystem[] = [];
/** Planted credentials: none may show up in a message, a summary or a prepared call. */
const TOKEN = 'crm-token-7f3a9c2e41b8d6';
const PASSWORD = 'pw-51c0ffee93ab77';
const API_KEY = 'key-0d15ea5e42b1c9';
const CLIENT_SECRET = 'client-secret-8e2f44a1b7';

afterEach(async () => {
  await Promise.all(systems.splice(0).map((system) => system.close()));
});

async function fake(options: FakeSystemOptions): Promise<FakeSystem> {
  const system = await startFakeSystem({ seed: crmSeed(), ...options });
  systems.push(system);
  return system;
}

/** Loads `crm.yaml` with `auth` through the real loader; `store` may be changed later (rotation), `clock` moved. */
async function connect(url: string, auth: string, store: Record<string, string>, extra = '', clock?: { now: number }) {
  const folder = directory();
  const file = path.join(folder, 'crm.yaml');
  writeFileSync(
    file,
    `name: crm
kind: http
baseUrl: ${url}
auth: ${auth}
retries: { attempts: 2, baseDelayMs: 0 }
operations:
  customer: { path: "/customers/{id}" }
  open_ticket: { method: POST, path: /tickets }
${extra}`,
  );
  const secrets: SecretReader = {
    reveal(name) {
      const value = store[name];
      if (value === undefined) throw new SecretStoreError('SECRET_NOT_FOUND', `no secret ${name}`);
      return value;
    },
    names: () => Object.keys(store),
  };
  const connector = createHttpConnector(loadConnectorFile(file, secrets), {
    secrets,
    redact: createRedactor(Object.values(store)),
    baseDir: folder,
    sleep: async () => {},
    ...(clock ? { now: () => clock.now } : {}),
  });
  const operations = await connector.operations();
  const op = (name: string): Operation => operations.find((operation) => operation.name === name) as Operation;
  return { connector, op, call: async (name: string, input: unknown) => op(name).execute(await op(name).prepare(input), { idempotencyKey: 'k-1' }) };
}

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw error;
  }
  throw new Error('expected a ConnectorError');
}

function expectClean(text: string, ...values: string[]): void {
  for (const value of values) expect(text).not.toContain(value);
}

describe('http connector: auth kinds', () => {
  it('sends a bearer token read at call time, never in the prepared call', async () => {
    const system = await fake({ auth: { type: 'bearer', token: TOKEN } });
    const store = { CRM_TOKEN: TOKEN };
    const { op, call } = await connect(system.url, '{ type: bearer, secret: CRM_TOKEN }', store);
    const prepared = await op('customer').prepare({ id: 'c-1001' });
    expectClean(JSON.stringify(prepared), TOKEN);
    expect(JSON.stringify(prepared).toLowerCase()).not.toContain('authorization');
    const result = await op('customer').execute(prepared, {});
    expect(system.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expectClean(result.summary, TOKEN);
    // A rotated secret is used by the next call without rebuilding the connector.
    store.CRM_TOKEN = 'rotated-token-123456';
    const error = await failure(call('customer', { id: 'c-1001' }));
    expect(system.requests[1]?.headers.authorization).toBe('Bearer rotated-token-123456');
    expect(error).toMatchObject({ code: 'CONNECTOR_REJECTED', status: 401 });
    expect(system.requests).toHaveLength(2);
  });

  it('sends basic credentials', async () => {
    const system = await fake({ auth: { type: 'basic', username: 'baton', password: PASSWORD } });
    const { call } = await connect(system.url, '{ type: basic, username: baton, secret: CRM_PASSWORD }', { CRM_PASSWORD: PASSWORD });
    expect((await call('customer', { id: 'c-1001' })).status).toBe(200);
    expect(system.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from(`baton:${PASSWORD}`).toString('base64')}`);
  });

  it('sends an API key header, and refuses a mapping that would set it', async () => {
    const system = await fake({ auth: { type: 'header', header: 'X-API-Key', value: API_KEY } });
    const { op, call } = await connect(system.url, '{ type: header, header: X-API-Key, secret: CRM_KEY }', { CRM_KEY: API_KEY }, `  sneaky:\n    path: /customers/{id}\n    request: { headers: "{ 'X-Api-Key': key }" }\n`);
    expect((await call('customer', { id: 'c-1001' })).status).toBe(200);
    expect(system.requests[0]?.headers['x-api-key']).toBe(API_KEY);
    const error = await failure(op('sneaky').prepare({ id: 'c-1001', key: 'other' }));
    expect(error.code).toBe('CONNECTOR_INPUT_INVALID');
    expect(error.message).toContain('auth sets it');
  });
});

describe('http connector: OAuth2 client credentials', () => {
  const OAUTH = (url: string) => `{ type: oauth2, tokenUrl: "${url}/oauth/token", clientId: baton, secret: CRM_CLIENT_SECRET, scope: "crm.read crm.write", audience: crm-api }`;

  it('fetches one token for two calls, form-encoded with the client credentials', async () => {
    const system = await fake({ auth: { type: 'oauth2', clientId: 'baton', clientSecret: CLIENT_SECRET } });
    const { call } = await connect(system.url, OAUTH(system.url), { CRM_CLIENT_SECRET: CLIENT_SECRET });
    await call('customer', { id: 'c-1001' });
    await call('customer', { id: 'c-1002' });
    expect(system.tokensIssued).toBe(1);
    const tokenRequests = system.requests.filter((request) => request.path === '/oauth/token');
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(tokenRequests[0]?.body).toEqual({ grant_type: 'client_credentials', client_id: 'baton', client_secret: CLIENT_SECRET, scope: 'crm.read crm.write', audience: 'crm-api' });
    const api = system.apiRequests();
    expect(api).toHaveLength(2);
    expect(api[0]?.headers.authorization).toMatch(/^Bearer fake-access-1-/);
    expect(api[1]?.headers.authorization).toBe(api[0]?.headers.authorization);
  });

  it('fetches a fresh token once on a 401 and sends the call again', async () => {
    const system = await fake({ auth: { type: 'oauth2', clientId: 'baton', clientSecret: CLIENT_SECRET } });
    const { call } = await connect(system.url, OAUTH(system.url), { CRM_CLIENT_SECRET: CLIENT_SECRET });
    await call('customer', { id: 'c-1001' });
    system.revokeTokens();
    const result = await call('customer', { id: 'c-1002' });
    expect(result.status).toBe(200);
    expect(system.tokensIssued).toBe(2);
    expect(system.apiRequests().map((request) => request.path)).toEqual(['/customers/c-1001', '/customers/c-1002', '/customers/c-1002']);
  });

  it('refreshes only once: a second 401 is CONNECTOR_REJECTED', async () => {
    const system = await fake({ auth: { type: 'oauth2', clientId: 'baton', clientSecret: CLIENT_SECRET }, routes: { 'GET /customers/:id': () => ({ status: 401, body: { error: 'insufficient_scope' } }) } });
    const { call } = await connect(system.url, OAUTH(system.url), { CRM_CLIENT_SECRET: CLIENT_SECRET });
    const error = await failure(call('customer', { id: 'c-1001' }));
    expect(error).toMatchObject({ code: 'CONNECTOR_REJECTED', status: 401 });
    expect(error.message).toContain('insufficient_scope');
    expect(system.tokensIssued).toBe(2);
    expect(system.apiRequests()).toHaveLength(2);
  });

  it('renews the token before it expires, by the clock', async () => {
    const clock = { now: 1_700_000_000_000 };
    const system = await fake({ auth: { type: 'oauth2', clientId: 'baton', clientSecret: CLIENT_SECRET, expiresIn: 120 }, now: () => clock.now });
    const { call } = await connect(system.url, OAUTH(system.url), { CRM_CLIENT_SECRET: CLIENT_SECRET }, '', clock);
    await call('customer', { id: 'c-1001' });
    clock.now += 60_000;
    await call('customer', { id: 'c-1001' });
    expect(system.tokensIssued).toBe(1);
    clock.now += 31_000; // within the 30 s margin of the 120 s lifetime
    await call('customer', { id: 'c-1001' });
    expect(system.tokensIssued).toBe(2);
    expect(system.apiRequests()).toHaveLength(3);
  });

  it('rejects refused client credentials without quoting the secret', async () => {
    const system = await fake({ auth: { type: 'oauth2', clientId: 'baton', clientSecret: 'the-right-secret-42' } });
    const { call } = await connect(system.url, OAUTH(system.url), { CRM_CLIENT_SECRET: CLIENT_SECRET });
    const error = await failure(call('customer', { id: 'c-1001' }));
    expect(error).toMatchObject({ code: 'CONNECTOR_REJECTED', status: 401 });
    expect(error.message).toContain('refused the client credentials');
    expectClean(error.message + (error.hint ?? ''), CLIENT_SECRET);
    expect(system.apiRequests()).toHaveLength(0);
  });

  it('retries a failing token endpoint', async () => {
    const system = await fake({ auth: { type: 'oauth2', clientId: 'baton', clientSecret: CLIENT_SECRET } });
    system.failNext(1, { status: 503, path: '/oauth/token' });
    const { call } = await connect(system.url, OAUTH(system.url), { CRM_CLIENT_SECRET: CLIENT_SECRET });
    expect((await call('customer', { id: 'c-1001' })).status).toBe(200);
    expect(system.requests.map((request) => request.path)).toEqual(['/oauth/token', '/oauth/token', '/customers/c-1001']);
  });
});

describe('http connector: credentials stay out of every message', () => {
  /** A system that echoes the request's headers back in its error body, as some do. */
  const echo = { 'GET /echo/:status': (request: { headers: Record<string, string> }, params: Record<string, string>) => ({ status: Number(params.status), body: { error: 'echo', headers: request.headers } }) };
  const extra = '  echo: { path: "/echo/{status}" }\n';

  it.each([
    ['bearer', '{ type: bearer, secret: CRM_TOKEN }', { CRM_TOKEN: TOKEN }, [TOKEN]],
    ['basic', '{ type: basic, username: baton, secret: CRM_PASSWORD }', { CRM_PASSWORD: PASSWORD }, [PASSWORD, Buffer.from(`baton:${PASSWORD}`).toString('base64')]],
    ['header', '{ type: header, header: X-API-Key, secret: CRM_KEY }', { CRM_KEY: API_KEY }, [API_KEY]],
  ])('%s: an echoed credential is redacted from rejected and unavailable errors', async (_kind, auth, store, planted) => {
    const system = await fake({ routes: echo });
    const { op, call } = await connect(system.url, auth, store, extra);
    const rejected = await failure(call('echo', { status: 400 }));
    expect(rejected.code).toBe('CONNECTOR_REJECTED');
    expect(rejected.message).toContain('REDACTED');
    const unavailable = await failure(call('echo', { status: 502 }));
    expect(unavailable.code).toBe('CONNECTOR_UNAVAILABLE');
    const prepared = await op('open_ticket').prepare({ subject: 'Late delivery' });
    const result = await call('customer', { id: 'c-1001' });
    for (const text of [rejected.message, JSON.stringify(rejected), unavailable.message, JSON.stringify(unavailable), result.summary]) expectClean(text, ...planted);
    expectClean(JSON.stringify(prepared), ...planted);
  });

  it('oauth2: neither the client secret nor the access token is quoted', async () => {
    const system = await fake({ auth: { type: 'oauth2', clientId: 'baton', clientSecret: CLIENT_SECRET }, routes: echo });
    const { call } = await connect(system.url, `{ type: oauth2, tokenUrl: "${system.url}/oauth/token", clientId: baton, secret: CRM_CLIENT_SECRET }`, { CRM_CLIENT_SECRET: CLIENT_SECRET }, extra);
    const error = await failure(call('echo', { status: 400 }));
    const token = system.apiRequests()[0]?.headers.authorization?.slice('Bearer '.length) ?? '';
    expect(token).toMatch(/^fake-access-/);
    expectClean(error.message, CLIENT_SECRET, token);
    expect(error.message).toContain('REDACTED');
  });
});
