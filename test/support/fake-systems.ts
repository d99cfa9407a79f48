/**
 * Fake business systems for connector tests: a small REST/JSON server on 127.0.0.1 (ephemeral port, `node:http`
 * alone) over seeded resources, with the behaviours real systems have and tests need to provoke.
 *
 * - Resources: `seed` maps a path to a JSON value (`/customers/c-1001`, `/customers/c-1001/orders`). GET returns it
 *   (a list filtered by query parameters: `?status=open` keeps items whose `status` is "open", `limit` caps it); POST
 *   to a list path appends the body as a new record (id assigned unless given) and answers 201; PUT replaces, PATCH
 *   merges, DELETE removes. Each applied write counts one {@link FakeSystem.effects}. Custom `routes` go first.
 * - Idempotency: a write carrying `Idempotency-Key` is applied once; the same key again gets the first answer back
 *   (with `Idempotent-Replayed: true`) and applies nothing; the same key with another request is a 422.
 * - Auth: bearer, basic, an API key header, or OAuth2 client credentials with a token endpoint at `/oauth/token`
 *   issuing tokens that expire (`expiresIn`, by the injected clock) and can be revoked to provoke a 401.
 * - Failures: fail the next N requests with a status (and `Retry-After`), drop connections, delay answers.
 *
 * {@link crmSeed} and {@link erpSeed} are the seeds of the customer-inquiry systems (a CRM with customers and their
 * orders, an ERP with stock), reused by the examples' tests.
 *
 * @example
 * const crm = await startFakeSystem({ seed: crmSeed(), auth: { type: 'bearer', token: 'tok-123' } });
 * crm.failNext(2, { status: 503, retryAfter: 1 });
 * // ... point a connector's baseUrl at crm.url ...
 * await crm.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the fake received it (failed, refused and replayed ones included). */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Query parameters; a repeated one as a list. */
  query: Record<string, string | string[]>;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** Parsed JSON, a form as an object, text otherwise; undefined when empty. */
  body: unknown;
  rawBody: string;
  receivedAt: number;
}

/** An answer. Without `body` a status >= 400 sends `{ error, message }`. */
export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Whether this answer applied a side effect (counted in `effects`). */
  effect?: boolean;
}

/** A custom route handler; `params` holds the `:name` parts of its pattern. */
export type FakeRoute = (request: RecordedRequest, params: Record<string, string>, system: FakeSystem) => FakeReply | Promise<FakeReply>;

export type FakeAuth =
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string }
  | { type: 'header'; header: string; value: string }
  /** Tokens from POST /oauth/token (form: grant_type=client_credentials, client_id, client_secret). */
  | { type: 'oauth2'; clientId: string; clientSecret: string; expiresIn?: number };

export interface FakeFailure {
  /** Default 503. */
  status?: number;
  /** Sent as `Retry-After` (seconds or an HTTP date). */
  retryAfter?: number | string;
  body?: unknown;
  /** Only requests to this path fail (default: any but the token endpoint). */
  path?: string;
}

export interface FakeSystemOptions {
  /** Path → JSON value. */
  seed?: Record<string, unknown>;
  /** `'METHOD /path/:param'` → handler, tried before the seeded resources. */
  routes?: Record<string, FakeRoute>;
  auth?: FakeAuth;
  /** Delay of every answer, in ms (see also {@link FakeSystem.delay}). */
  delayMs?: number;
  /** Default `Idempotency-Key`. */
  idempotencyHeader?: string;
  now?: () => number;
}

export interface FakeSystem {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  requests: RecordedRequest[];
  /** Side effects actually applied (replays and failures not counted). */
  readonly effects: number;
  readonly tokensIssued: number;
  /** The live resources by path. */
  data: Map<string, unknown>;
  /** Requests other than those to the token endpoint. */
  apiRequests(): RecordedRequest[];
  /** The next `count` matching requests get `failure` (default 503) before anything is applied. */
  failNext(count: number, failure?: FakeFailure): void;
  /** The next `count` requests have their connection dropped without an answer. */
  dropNext(count: number): void;
  /** Delays every later answer by `ms`. */
  delay(ms: number): void;
  /** Forgets every issued OAuth2 token (the next API call gets 401). */
  revokeTokens(): void;
  close(): Promise<void>;
}

export const TOKEN_PATH = '/oauth/token';

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw === '') return undefined;
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function matchRoute(pattern: string, method: string, path: string): Record<string, string> | undefined {
  const [routeMethod, routePath = ''] = pattern.split(' ');
  if (routeMethod !== method) return undefined;
  const want = routePath.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of want.entries()) {
    const actual = got[index] as string;
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(actual);
    else if (part !== actual) return undefined;
  }
  return params;
}

function problem(status: number, error: string, message: string): FakeReply {
  return { status, body: { error, message } };
}

/** Keeps the items of a list whose fields equal the query's values; `limit` caps the count. */
function filterList(items: unknown[], query: Record<string, string | string[]>): unknown[] {
  let result = items.filter((item) =>
    Object.entries(query).every(([name, value]) => name === 'limit' || (typeof item === 'object' && item !== null && [value].flat().includes(String((item as Record<string, unknown>)[name])))),
  );
  if (typeof query.limit === 'string') result = result.slice(0, Number(query.limit));
  return result;
}

export async function startFakeSystem(options: FakeSystemOptions = {}): Promise<FakeSystem> {
  const now = options.now ?? Date.now;
  const data = new Map<string, unknown>(Object.entries(structuredClone(options.seed ?? {})));
  const idempotencyHeader = (options.idempotencyHeader ?? 'Idempotency-Key').toLowerCase();
  const replies = new Map<string, { fingerprint: string; reply: FakeReply }>();
  const tokens = new Map<string, number>();
  const failures: FakeFailure[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  let drops = 0;
  let delayMs = options.delayMs ?? 0;
  let effects = 0;
  let tokensIssued = 0;
  let created = 0;

  function issueToken(request: RecordedRequest): FakeReply {
    const auth = options.auth;
    if (auth?.type !== 'oauth2') return problem(404, 'not_found', 'no token endpoint');
    const form = (request.body ?? {}) as Record<string, string>;
    if (form.grant_type !== 'client_credentials') return problem(400, 'unsupported_grant_type', 'expected grant_type=client_credentials');
    if (form.client_id !== auth.clientId || form.client_secret !== auth.clientSecret) return problem(401, 'invalid_client', 'unknown client or wrong secret');
    tokensIssued += 1;
    const token = `fake-access-${tokensIssued}-${Math.random().toString(36).slice(2, 10)}`;
    const expiresIn = auth.expiresIn ?? 3600;
    tokens.set(token, now() + expiresIn * 1000);
    return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: expiresIn } };
  }

  function authorized(request: RecordedRequest): boolean {
    const auth = options.auth;
    const header = request.headers.authorization;
    if (!auth) return true;
    if (auth.type === 'bearer') return header === `Bearer ${auth.token}`;
    if (auth.type === 'basic') return header === `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    if (auth.type === 'header') return request.headers[auth.header.toLowerCase()] === auth.value;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
    const expiresAt = token === undefined ? undefined : tokens.get(token);
    return expiresAt !== undefined && now() < expiresAt;
  }

  /** The seeded-resource semantics (see the module comment). */
  function resource(request: RecordedRequest): FakeReply {
    const { method, path } = request;
    const current = data.get(path);
    if (method === 'GET' || method === 'HEAD') {
      if (current === undefined) return problem(404, 'not_found', `no resource at ${path}`);
      return { status: 200, body: Array.isArray(current) ? filterList(current, request.query) : current };
    }
    const body = request.body;
    if (method === 'DELETE') {
      if (current === undefined) return problem(404, 'not_found', `no resource at ${path}`);
      data.delete(path);
      return { status: 204, effect: true };
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return problem(400, 'invalid_body', 'expected a JSON object');
    if (method === 'POST') {
      if (current !== undefined && !Array.isArray(current)) return problem(405, 'method_not_allowed', `${path} is not a collection`);
      created += 1;
      const segment = path.split('/').pop() || 'item';
      const record = { id: `${segment}-${created}`, ...(body as Record<string, unknown>), createdAt: new Date(now()).toISOString() };
      data.set(path, [...((current as unknown[] | undefined) ?? []), record]);
      data.set(`${path}/${String(record.id)}`, record);
      return { status: 201, headers: { location: `${path}/${String(record.id)}` }, body: record, effect: true };
    }
    if (method === 'PUT') {
      data.set(path, body);
      return { status: 200, body, effect: true };
    }
    if (current === undefined || typeof current !== 'object' || Array.isArray(current)) return problem(404, 'not_found', `no record at ${path}`);
    const merged = { ...(current as Record<string, unknown>), ...(body as Record<string, unknown>) };
    data.set(path, merged);
    return { status: 200, body: merged, effect: true };
  }

  async function answer(request: RecordedRequest): Promise<FakeReply> {
    if (request.method === 'POST' && request.path === TOKEN_PATH && options.auth?.type === 'oauth2') {
      const index = failures.findIndex((failure) => failure.path === TOKEN_PATH);
      if (index >= 0) return injected(failures.splice(index, 1)[0] as FakeFailure);
      return issueToken(request);
    }
    const index = failures.findIndex((failure) => failure.path === undefined || failure.path === request.path);
    if (index >= 0) return injected(failures.splice(index, 1)[0] as FakeFailure);
    if (!authorized(request)) return { ...problem(401, 'unauthorized', 'missing or invalid credentials'), headers: { 'www-authenticate': 'Bearer' } };

    const write = request.method !== 'GET' && request.method !== 'HEAD';
    const key = write ? request.headers[idempotencyHeader] : undefined;
    const fingerprint = `${request.method} ${request.path} ${request.rawBody}`;
    if (key !== undefined) {
      const first = replies.get(key);
      if (first && first.fingerprint !== fingerprint) return problem(422, 'idempotency_key_reused', 'this idempotency key was used for another request');
      if (first) return { ...first.reply, effect: false, headers: { ...first.reply.headers, 'idempotent-replayed': 'true' } };
    }
    let reply: FakeReply | undefined;
    for (const [pattern, handler] of Object.entries(options.routes ?? {})) {
      const params = matchRoute(pattern, request.method, request.path);
      if (params) {
        reply = await handler(request, params, system);
        break;
      }
    }
    reply ??= resource(request);
    if (key !== undefined && (reply.status ?? 200) < 500) replies.set(key, { fingerprint, reply });
    return reply;
  }

  function injected(failure: FakeFailure): FakeReply {
    const status = failure.status ?? 503;
    return {
      status,
      ...(failure.retryAfter !== undefined ? { headers: { 'retry-after': String(failure.retryAfter) } } : {}),
      body: failure.body ?? { error: 'injected', message: `injected failure ${status}` },
    };
  }

  function send(response: ServerResponse, reply: FakeReply): void {
    if (response.destroyed) return;
    const status = reply.status ?? 200;
    const body = reply.body ?? (status >= 400 ? { error: 'error', message: `status ${status}` } : undefined);
    const text = body === undefined || status === 204 ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    const type = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
    response.writeHead(status, { ...(text ? { 'content-type': type } : {}), ...reply.headers });
    response.end(text);
  }

  async function handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const url = new URL(incoming.url ?? '/', 'http://fake');
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of url.searchParams) {
      const known = query[name];
      query[name] = known === undefined ? value : [known, value].flat();
    }
    const headers = Object.fromEntries(Object.entries(incoming.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]));
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const request: RecordedRequest = { method: incoming.method ?? 'GET', path: url.pathname, query, headers, body: parseBody(rawBody, headers['content-type']), rawBody, receivedAt: now() };
    system.requests.push(request);
    if (drops > 0) {
      drops -= 1;
      incoming.socket.destroy();
      return;
    }
    if (delayMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, delayMs);
        timers.add(timer);
      });
    }
    const reply = await answer(request);
    if (reply.effect) effects += 1;
    send(response, reply);
  }

  const server = createServer((incoming, response) => {
    handle(incoming, response).catch((error: unknown) => send(response, problem(500, 'fake_error', String(error))));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const system: FakeSystem = {
    url: `http://127.0.0.1:${port}`,
    requests: [],
    get effects() {
      return effects;
    },
    get tokensIssued() {
      return tokensIssued;
    },
    data,
    apiRequests: () => system.requests.filter((request) => request.path !== TOKEN_PATH),
    failNext(count, failure = {}) {
      for (let index = 0; index < count; index += 1) failures.push(failure);
    },
    dropNext(count) {
      drops += count;
    },
    delay(ms) {
      delayMs = ms;
    },
    revokeTokens() {
      tokens.clear();
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return system;
}

/** A list at `path` and each item at `path/<id>`. */
export function collection(path: string, items: ReadonlyArray<Record<string, unknown>>, idField = 'id'): Record<string, unknown> {
  const seed: Record<string, unknown> = { [path]: items };
  for (const item of items) seed[`${path}/${String(item[idField])}`] = item;
  return seed;
}

/** The CRM of the customer-inquiry example: customers, their orders (by customer and by id), and an empty ticket list. */
export function crmSeed(): Record<string, unknown> {
  const customers = [
    { id: 'c-1001', name: 'Ada Lovelace', email: 'ada@example.com', tier: 'gold', since: '2019-04-12' },
    { id: 'c-1002', name: 'Grace Hopper', email: 'grace@example.com', tier: 'silver', since: '2021-09-30' },
    { id: 'c-1003', name: 'Alan Turing', email: 'alan@example.com', tier: 'standard', since: '2023-01-05' },
  ];
  const orders = [
    { id: 'o-5001', customerId: 'c-1001', date: '2024-02-11', status: 'delivered', total: 129.9, currency: 'EUR', items: [{ sku: 'SKU-100', name: 'Espresso machine', quantity: 1, price: 129.9 }] },
    { id: 'o-5002', customerId: 'c-1001', date: '2024-03-20', status: 'delivered', total: 31.5, currency: 'EUR', items: [{ sku: 'SKU-200', name: 'Coffee beans 1 kg', quantity: 1, price: 24.5 }, { sku: 'SKU-210', name: 'Descaler', quantity: 1, price: 7 }] },
    { id: 'o-5003', customerId: 'c-1001', date: '2024-05-02', status: 'shipped', total: 49, currency: 'EUR', items: [{ sku: 'SKU-300', name: 'Milk frother', quantity: 1, price: 49 }] },
    { id: 'o-5004', customerId: 'c-1002', date: '2024-04-14', status: 'open', total: 73.5, currency: 'EUR', items: [{ sku: 'SKU-200', name: 'Coffee beans 1 kg', quantity: 3, price: 24.5 }] },
  ];
  const seed: Record<string, unknown> = { ...collection('/customers', customers), ...collection('/orders', orders), '/tickets': [] };
  for (const customer of customers) seed[`/customers/${customer.id}/orders`] = orders.filter((order) => order.customerId === customer.id);
  return seed;
}

/** The ERP of the customer-inquiry example: stock per SKU. */
export function erpSeed(): Record<string, unknown> {
  return collection(
    '/stock',
    [
      { sku: 'SKU-100', name: 'Espresso machine', onHand: 4, reserved: 1, warehouse: 'Berlin', nextDelivery: '2024-06-03' },
      { sku: 'SKU-200', name: 'Coffee beans 1 kg', onHand: 120, reserved: 8, warehouse: 'Berlin', nextDelivery: null },
      { sku: 'SKU-300', name: 'Milk frother', onHand: 0, reserved: 0, warehouse: 'Hamburg', nextDelivery: '2024-06-10' },
    ],
    'sku',
  );
}
