import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpConnector } from '../../src/connectors/http/index.js';
import { ConnectorError, ConnectorFileError } from '../../src/connectors/errors.js';
import { loadConnectorFile } from '../../src/connectors/load.js';
import type { Operation, SecretReader } from '../../src/connectors/types.js';
import { SecretStoreError } from '../../src/secrets/errors.js';
import { createRedactor } from '../../src/transcript/redact.js';
import { crmSeed, erpSeed, startFakeSystem, type FakeSystem, type FakeSystemOptions } from '../support/fake-systems.js';
import { temporaryDirectories } from '../support/project.js';

const directory = temporaryDirectories('baton-http-');
const systems: FakeSystem[] = [];

afterEach(async () => {
  await Promise.all(systems.splice(0).map((system) => system.close()));
});

function secretReader(values: Record<string, string>): SecretReader {
  return {
    reveal(name) {
      const value = values[name];
      if (value === undefined) throw new SecretStoreError('SECRET_NOT_FOUND', `no secret ${name}`);
      return value;
    },
    names: () => Object.keys(values),
  };
}

async function fake(options: FakeSystemOptions = {}): Promise<FakeSystem> {
  const system = await startFakeSystem(options);
  systems.push(system);
  return system;
}

/** Writes `<name>.yaml`, loads it with the real loader and builds the connector; `waits` records the retry sleeps. */
async function connect(name: string, yaml: string, values: Record<string, string> = {}) {
  const folder = directory();
  const file = path.join(folder, `${name}.yaml`);
  writeFileSync(file, yaml);
  const secrets = secretReader(values);
  const waits: number[] = [];
  const connector = createHttpConnector(loadConnectorFile(file, secrets), {
    secrets,
    redact: createRedactor(Object.values(values)),
    baseDir: folder,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  const operations = new Map((await connector.operations()).map((operation) => [operation.name, operation]));
  const op = (operation: string): Operation => {
    const found = operations.get(operation);
    if (!found) throw new Error(`no operation ${operation}`);
    return found;
  };
  return { connector, op, waits, call: async (operation: string, input: unknown, key?: string) => op(operation).execute(await op(operation).prepare(input), key ? { idempotencyKey: key } : {}) };
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

const CRM = (url: string, extra = '') => `name: crm
kind: http
baseUrl: ${url}
retries: { attempts: 3, baseDelayMs: 100, maxDelayMs: 5000 }
operations:
  purchase_history:
    description: A customer's orders, newest first.
    path: /customers/{customerId}/orders
    input:
      type: object
      properties:
        customerId: { type: string, pattern: "^c-[0-9]+$" }
        status: { type: string, enum: [open, shipped, delivered] }
        limit: { type: integer, minimum: 1, default: 10 }
      required: [customerId]
      additionalProperties: false
    request:
      query: "{ 'status': status, 'limit': limit }"
    response: "[$.{ 'id': id, 'date': date, 'total': total, 'skus': items.sku }]"
    records: { id: id }
  customer:
    path: /customers/{id}
  add_note:
    method: POST
    path: /orders/{orderId}/notes
    input:
      type: object
      properties: { orderId: { type: string }, text: { type: string, minLength: 1 } }
      required: [orderId, text]
    request:
      body: "{ 'text': text, 'author': 'baton' }"
    records: { id: id }
  open_ticket:
    method: POST
    path: /tickets
${extra}`;

describe('http connector: operations', () => {
  it('declares one operation per entry with the defaults HTTP implies', async () => {
    const system = await fake({ seed: crmSeed() });
    const { op } = await connect('crm', CRM(system.url, '    idempotencyHeader: false\n'));
    expect(op('purchase_history')).toMatchObject({ id: 'crm.purchase_history', connector: 'crm', name: 'purchase_history', sideEffect: false, approval: 'never', honoursKey: false, description: "A customer's orders, newest first." });
    expect(op('purchase_history').inputSchema).toMatchObject({ required: ['customerId'] });
    expect(op('add_note')).toMatchObject({ id: 'crm.add_note', sideEffect: true, approval: 'untrusted', honoursKey: true });
    expect(op('open_ticket')).toMatchObject({ sideEffect: true, honoursKey: false });
    expect(op('customer').inputSchema).toEqual({ type: 'object' });
  });
});

describe('http connector: reads', () => {
  it('fills the path, maps the query and the response, and cites records', async () => {
    const system = await fake({ seed: crmSeed() });
    const { call } = await connect('crm', CRM(system.url));
    const result = await call('purchase_history', { customerId: 'c-1001', status: 'delivered' });
    expect(system.requests).toHaveLength(1);
    expect(system.requests[0]).toMatchObject({ method: 'GET', path: '/customers/c-1001/orders', query: { status: 'delivered', limit: '10' } });
    expect(result.output).toEqual([
      { id: 'o-5001', date: '2024-02-11', total: 129.9, skus: 'SKU-100' },
      { id: 'o-5002', date: '2024-03-20', total: 31.5, skus: ['SKU-200', 'SKU-210'] },
    ]);
    expect(result.records.map((record) => record.id)).toEqual(['o-5001', 'o-5002']);
    expect(result.summary).toBe('200 OK, 2 records');
    expect(result.status).toBe(200);
  });

  it('sends a GET without a query mapping the input fields no placeholder used (lists repeat the key)', async () => {
    const system = await fake({ seed: crmSeed() });
    const { call } = await connect('crm', CRM(system.url));
    const result = await call('customer', { id: 'c-1002', fields: ['name', 'tier'], verbose: true, skip: null });
    expect(system.requests[0]).toMatchObject({ path: '/customers/c-1002', query: { fields: ['name', 'tier'], verbose: 'true' } });
    expect(result.output).toMatchObject({ name: 'Grace Hopper' });
    expect(result.summary).toBe('200 OK');
  });

  it('fills placeholders from a request.path mapping and binds $status and $headers for the response', async () => {
    const system = await fake({ seed: erpSeed() });
    const { call } = await connect(
      'erp',
      `name: erp
kind: http
baseUrl: ${system.url}/
operations:
  stock:
    path: /stock/{sku}
    request:
      path: "{ 'sku': $uppercase(product.sku) }"
      query: "{}"
    response: "{ 'available': onHand - reserved, 'status': $status, 'type': $headers.'content-type' }"
`,
    );
    const result = await call('stock', { product: { sku: 'sku-100' } });
    expect(system.requests[0]).toMatchObject({ path: '/stock/SKU-100', query: {} });
    expect(result.output).toEqual({ available: 3, status: 200, type: 'application/json' });
  });

  it('keeps a path value inside its segment and refuses dot segments and missing values', async () => {
    const system = await fake({ seed: crmSeed() });
    const { op } = await connect('crm', CRM(system.url));
    const prepared = await op('customer').prepare({ id: '../../admin?x=1' });
    expect(prepared.request.url).toBe(`${system.url}/customers/..%2F..%2Fadmin%3Fx%3D1`);
    const dots = await failure(op('customer').prepare({ id: '..' }));
    expect(dots.code).toBe('CONNECTOR_INPUT_INVALID');
    expect(dots.message).toMatch(/"\.\." segment/);
    const missing = await failure(op('customer').prepare({ other: 1 }));
    expect(missing.code).toBe('CONNECTOR_INPUT_INVALID');
    expect(missing.message).toContain('{id}');
    expect(system.requests).toHaveLength(0);
  });

  it('reads HEAD and 204 responses as null', async () => {
    const system = await fake({ seed: crmSeed() });
    const { call } = await connect(
      'crm',
      `name: crm
kind: http
baseUrl: ${system.url}
operations:
  exists: { method: HEAD, path: "/customers/{id}" }
  remove: { method: DELETE, path: "/tickets/{id}", idempotencyHeader: false }
`,
    );
    expect((await call('exists', { id: 'c-1001' })).output).toBeNull();
    system.data.set('/tickets/t-1', { id: 't-1' });
    const removed = await call('remove', { id: 't-1' });
    expect(removed).toMatchObject({ output: null, status: 204, summary: '204 No Content' });
    expect(system.requests[1]).toMatchObject({ method: 'DELETE', body: undefined });
    expect(system.effects).toBe(1);
  });
});

describe('http connector: side effects', () => {
  it('sends the idempotency key, and the system applies the effect once when the call is executed twice', async () => {
    const system = await fake({ seed: crmSeed() });
    const { op } = await connect('crm', CRM(system.url));
    const prepared = await op('add_note').prepare({ orderId: 'o-5001', text: 'Customer asked about delivery' });
    const first = await op('add_note').execute(prepared, { idempotencyKey: 'run-1:add_note:1' });
    const second = await op('add_note').execute(prepared, { idempotencyKey: 'run-1:add_note:1' });
    expect(system.requests).toHaveLength(2);
    expect(system.requests.map((request) => request.headers['idempotency-key'])).toEqual(['run-1:add_note:1', 'run-1:add_note:1']);
    expect(system.requests[0]).toMatchObject({ method: 'POST', path: '/orders/o-5001/notes', body: { text: 'Customer asked about delivery', author: 'baton' } });
    expect(system.requests[0]?.headers['content-type']).toBe('application/json');
    expect(system.effects).toBe(1);
    expect(second.output).toEqual(first.output);
    expect(first).toMatchObject({ status: 201, summary: '201 Created, 1 record' });
    expect(system.data.get('/orders/o-5001/notes')).toHaveLength(1);
  });

  it('sends the input less the path values as the body without a body mapping, and no key where the system honours none', async () => {
    const system = await fake({ seed: crmSeed() });
    const { call } = await connect('crm', CRM(system.url, '    idempotencyHeader: false\n'));
    await call('open_ticket', { customerId: 'c-1001', subject: 'Late delivery' }, 'key-1');
    expect(system.requests[0]?.body).toEqual({ customerId: 'c-1001', subject: 'Late delivery' });
    expect(system.requests[0]?.headers['idempotency-key']).toBeUndefined();
  });

  it('prepares without any request (dry run), showing the exact request', async () => {
    const system = await fake({ seed: crmSeed() });
    const { op } = await connect('crm', CRM(system.url).replace('baseUrl:', 'headers: { X-Client: baton }\nbaseUrl:'));
    const prepared = await op('add_note').prepare({ orderId: 'o-5001', text: 'hello' });
    expect(prepared).toEqual({
      operation: 'crm.add_note',
      target: `POST ${system.url}/orders/o-5001/notes`,
      request: { method: 'POST', url: `${system.url}/orders/o-5001/notes`, headers: { accept: 'application/json', 'x-client': 'baton', 'content-type': 'application/json' }, body: { text: 'hello', author: 'baton' } },
    });
    expect(system.requests).toHaveLength(0);
    expect(system.effects).toBe(0);
  });

  it('refuses a prepared call whose URL left the baseUrl, before sending anything', async () => {
    const system = await fake({ seed: crmSeed() });
    const { op } = await connect('crm', CRM(system.url));
    const prepared = await op('customer').prepare({ id: 'c-1001' });
    const tampered = { ...prepared, request: { ...prepared.request, url: 'http://127.0.0.1:1/customers/c-1001' } };
    expect((await failure(op('customer').execute(tampered, {}))).code).toBe('CONNECTOR_INPUT_INVALID');
    expect(system.requests).toHaveLength(0);
  });
});

describe('http connector: failures', () => {
  it('retries 5xx and honours Retry-After', async () => {
    const system = await fake({ seed: crmSeed() });
    system.failNext(2, { status: 503, retryAfter: 2 });
    const { call, waits } = await connect('crm', CRM(system.url));
    const result = await call('purchase_history', { customerId: 'c-1001' });
    expect(system.requests).toHaveLength(3);
    expect(waits).toEqual([2000, 2000]);
    expect(result.records).toHaveLength(3);
  });

  it('retries a keyed side effect on a 500, and the system applies it once', async () => {
    const system = await fake({ seed: crmSeed() });
    system.failNext(1, { status: 500 });
    const { call } = await connect('crm', CRM(system.url));
    expect((await call('add_note', { orderId: 'o-5001', text: 'retry me' }, 'key-500')).status).toBe(201);
    expect(system.requests).toHaveLength(2);
    expect(system.effects).toBe(1);
  });

  it('does not resend an unkeyed side effect whose outcome is unknown, but does when it was certainly not applied', async () => {
    const system = await fake({ seed: crmSeed() });
    const { call } = await connect('crm', CRM(system.url, '    idempotencyHeader: false\n'));
    system.failNext(1, { status: 500 });
    const error = await failure(call('open_ticket', { subject: 'Late delivery' }));
    expect(error).toMatchObject({ code: 'CONNECTOR_UNAVAILABLE', status: 500, retryable: false });
    expect(error.message).toContain('may have been applied');
    expect(system.requests).toHaveLength(1);
    system.failNext(1, { status: 503 });
    expect((await call('open_ticket', { subject: 'Late delivery' })).status).toBe(201);
    expect(system.requests).toHaveLength(3);
    expect(system.effects).toBe(1);
  });

  it('retries a 429 with jittered backoff below the policy cap', async () => {
    const system = await fake({ seed: crmSeed() });
    system.failNext(2, { status: 429 });
    const { call, waits } = await connect('crm', CRM(system.url));
    await call('customer', { id: 'c-1001' });
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeLessThanOrEqual(100);
    expect(waits[1]).toBeLessThanOrEqual(200);
  });

  it('gives up with CONNECTOR_UNAVAILABLE after the attempts when the system keeps failing', async () => {
    const system = await fake({ seed: crmSeed() });
    system.failNext(10, { status: 500, body: { error: 'database down' } });
    const { call } = await connect('crm', CRM(system.url));
    const error = await failure(call('customer', { id: 'c-1001' }));
    expect(error).toMatchObject({ code: 'CONNECTOR_UNAVAILABLE', status: 500, retryable: true, operation: 'crm.customer' });
    expect(error.message).toContain('database down');
    expect(error.message).toContain('after 3 attempts');
    expect(system.requests).toHaveLength(3);
  });

  it('rejects a 4xx at once, quoting the body', async () => {
    const system = await fake({ seed: crmSeed() });
    const { call } = await connect('crm', CRM(system.url));
    const error = await failure(call('customer', { id: 'c-9999' }));
    expect(error).toMatchObject({ code: 'CONNECTOR_REJECTED', status: 404, retryable: false });
    expect(error.message).toContain('no resource at /customers/c-9999');
    expect(system.requests).toHaveLength(1);
  });

  it('times out, retries, then gives up with CONNECTOR_UNAVAILABLE', async () => {
    const system = await fake({ seed: crmSeed(), delayMs: 2000 });
    const { call, waits } = await connect('crm', CRM(system.url).replace('  customer:\n', '  customer:\n    timeoutMs: 100\n    retries: { attempts: 2, baseDelayMs: 0 }\n'));
    const error = await failure(call('customer', { id: 'c-1001' }));
    expect(error).toMatchObject({ code: 'CONNECTOR_UNAVAILABLE', retryable: true });
    expect(error.message).toMatch(/timed out after 100 ms.*after 2 attempts/);
    expect(waits).toHaveLength(1);
    expect(system.requests).toHaveLength(2);
  });

  it('retries a dropped connection', async () => {
    const system = await fake({ seed: crmSeed() });
    system.dropNext(1);
    const { call } = await connect('crm', CRM(system.url));
    expect((await call('customer', { id: 'c-1001' })).status).toBe(200);
    expect(system.requests).toHaveLength(2);
  });

  it('does not retry when the caller aborts, and rethrows the abort', async () => {
    const system = await fake({ seed: crmSeed(), delayMs: 2000 });
    const { op } = await connect('crm', CRM(system.url));
    const prepared = await op('customer').prepare({ id: 'c-1001' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(op('customer').execute(prepared, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(system.requests).toHaveLength(1);
  });

  it('rejects a redirect instead of following it', async () => {
    const system = await fake({ routes: { 'GET /customers/:id': () => ({ status: 301, headers: { location: 'https://crm.example.com/v2/customers' } }) } });
    const { call } = await connect('crm', CRM(system.url));
    const error = await failure(call('customer', { id: 'c-1001' }));
    expect(error).toMatchObject({ code: 'CONNECTOR_REJECTED', status: 301 });
    expect(error.message).toContain('redirected to https://crm.example.com/v2/customers; point baseUrl at the final address');
    expect(system.requests).toHaveLength(1);
  });

  it('fails with CONNECTOR_RESPONSE_INVALID when the response mapping fails or the JSON is broken', async () => {
    const system = await fake({ seed: { '/customers/c-1': { name: 'Ada', score: 'high' } }, routes: { 'GET /broken/:id': () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"id": ' }) } });
    const { call } = await connect(
      'crm',
      `name: crm
kind: http
baseUrl: ${system.url}
operations:
  score: { path: "/customers/{id}", response: "$number(score) * 2" }
  broken: { path: "/broken/{id}" }
`,
    );
    const mapping = await failure(call('score', { id: 'c-1' }));
    expect(mapping.code).toBe('CONNECTOR_RESPONSE_INVALID');
    expect(mapping.message).toContain('$number(score) * 2');
    const broken = await failure(call('broken', { id: 'x' }));
    expect(broken.code).toBe('CONNECTOR_RESPONSE_INVALID');
    expect(broken.message).toContain('not JSON');
    expect(system.requests).toHaveLength(2);
  });

  it('refuses input failing the schema, naming the field, without a request', async () => {
    const system = await fake({ seed: crmSeed() });
    const { op } = await connect('crm', CRM(system.url));
    const error = await failure(op('purchase_history').prepare({ customerId: 'nobody', status: 'lost' }));
    expect(error.code).toBe('CONNECTOR_INPUT_INVALID');
    expect(error.message).toContain('/customerId must match pattern');
    expect(error.message).toContain('/status must be equal to one of the allowed values');
    const missing = await failure(op('purchase_history').prepare({}));
    expect(missing.message).toContain("must have required property 'customerId'");
    expect(system.requests).toHaveLength(0);
  });
});

describe('http connector: loading', () => {
  it('refuses a JSONata expression that does not compile, showing it, the position and the line', async () => {
    const yaml = `name: crm
kind: http
baseUrl: http://127.0.0.1:9
operations:
  customer:
    path: /customers/{id}
    response: "{ 'name': name, "
`;
    const error = await connect('crm', yaml).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConnectorFileError);
    const message = (error as ConnectorFileError).message;
    expect((error as ConnectorFileError).code).toBe('CONNECTOR_INVALID');
    expect(message).toContain('crm.yaml:7');
    expect(message).toContain("{ 'name': name, ");
    expect(message).toMatch(/\^ at character \d+/);
  });

  it('refuses a file naming a secret that is not stored', async () => {
    const error = await connect('crm', `name: crm\nkind: http\nbaseUrl: http://127.0.0.1:9\nauth: { type: bearer, secret: CRM_TOKEN }\noperations:\n  customer: { path: "/customers/{id}" }\n`, { OTHER: 'x' }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConnectorFileError);
    expect((error as ConnectorFileError).message).toContain('the secret CRM_TOKEN is not stored');
  });
});
