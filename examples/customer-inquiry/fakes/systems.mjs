/* global URL, Buffer */
/**
 * Stand-ins for the shop's systems, so the customer-inquiry example runs on one machine with nothing to install:
 *
 * - the customer database (`data/customers.db`, SQLite), built from `customers.json`;
 * - a CRM (REST, bearer token): `GET /customers/by-email/:email/orders`, seeded from `crm.json`;
 * - an ERP (REST, API key in `X-API-Key`): `GET /stock/:sku`, seeded from `erp.json`;
 * - a receiver of Slack incoming-webhook posts (`POST /slack`) and Teams Workflows posts (`POST /teams`) that keeps
 *   and prints every message.
 *
 * Plain Node (node:http and better-sqlite3, which Baton depends on), no build step. `start.mjs` starts them on fixed
 * ports for a person; tests start them on port 0 and read `url` back.
 */
import { createServer } from 'node:http';
import { setTimeout } from 'node:timers';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

/** This folder, and the example's folder above it. */
export const FAKES_DIR = path.dirname(fileURLToPath(import.meta.url));
export const EXAMPLE_DIR = path.dirname(FAKES_DIR);

/** The credentials the fakes accept unless told otherwise (start.mjs prints them). */
export const DEFAULT_CRM_TOKEN = 'crm-demo-token-4010';
export const DEFAULT_ERP_KEY = 'erp-demo-key-4011';

/** A seed file of this folder (`customers`, `crm`, `erp`), parsed. */
export function readSeed(name) {
  return JSON.parse(readFileSync(path.join(FAKES_DIR, `${name}.json`), 'utf8'));
}

/**
 * (Re)builds the customer database the `customers` connector reads: one table, `customers (id, name, email, tier,
 * phone)`. Returns the file's path.
 */
export function buildCustomerDb(file = path.join(EXAMPLE_DIR, 'data', 'customers.db'), customers = readSeed('customers').customers) {
  mkdirSync(path.dirname(file), { recursive: true });
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
  const db = new Database(file);
  try {
    db.exec('CREATE TABLE customers (id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE, tier TEXT NOT NULL, phone TEXT)');
    const insert = db.prepare('INSERT INTO customers (id, name, email, tier, phone) VALUES (:id, :name, :email, :tier, :phone)');
    db.transaction((rows) => {
      for (const row of rows) insert.run({ phone: null, ...row });
    })(customers);
  } finally {
    db.close();
  }
  return file;
}

/**
 * A small JSON server: `handle(request)` answers `{ status, body }`; every request is recorded. `delayMs` makes every
 * answer wait, like a real system's latency (the benchmark sets it).
 */
async function serve({ port = 0, host = '127.0.0.1', handle, delayMs = 0 }) {
  const requests = [];
  const sockets = new Set();
  const server = createServer((incoming, response) => {
    const chunks = [];
    incoming.on('data', (chunk) => chunks.push(chunk));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://fake');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      const request = { method: incoming.method ?? 'GET', path: url.pathname, headers: incoming.headers, body, receivedAt: new Date().toISOString() };
      requests.push(request);
      let reply;
      try {
        reply = handle(request);
      } catch (error) {
        reply = { status: 500, body: { error: 'fake_error', message: String(error) } };
      }
      const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
      if (delayMs > 0) {
        setTimeout(() => {
          response.writeHead(reply.status ?? 200, { 'content-type': typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json' });
          response.end(text);
        }, delayMs);
        return;
      }
      response.writeHead(reply.status ?? 200, { 'content-type': typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json' });
      response.end(text);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = server.address().port;
  let closing;
  return {
    url: `http://${host}:${actual}`,
    port: actual,
    requests,
    close() {
      closing ??= new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

/** `/a/:b/c` against a path: the parameters, or undefined. */
function match(pattern, pathname) {
  const want = pattern.split('/');
  const got = pathname.split('/');
  if (want.length !== got.length) return undefined;
  const params = {};
  for (const [index, part] of want.entries()) {
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(got[index]);
    else if (part !== got[index]) return undefined;
  }
  return params;
}

const problem = (status, error, message) => ({ status, body: { error, message } });

/**
 * The CRM: a customer's orders by their e-mail address, behind a bearer token.
 * `GET /customers/by-email/:email/orders` → `{ customer: { id, email }, orders: [...] }`, 404 for an unknown address.
 */
export function startCrm({ port = 0, host = '127.0.0.1', delayMs = 0, token = DEFAULT_CRM_TOKEN, seed = readSeed('crm'), log = () => undefined } = {}) {
  return serve({
    port,
    host,
    delayMs,
    handle(request) {
      if (request.headers.authorization !== `Bearer ${token}`) return problem(401, 'unauthorized', 'missing or wrong bearer token');
      const params = request.method === 'GET' ? match('/customers/by-email/:email/orders', request.path) : undefined;
      if (!params) return problem(404, 'not_found', `no route ${request.method} ${request.path}`);
      const email = params.email.trim().toLowerCase();
      const customer = seed.customers.find((candidate) => candidate.email.toLowerCase() === email);
      log(`crm: ${request.method} ${request.path} → ${customer ? `${customer.orders.length} order(s)` : '404'}`);
      if (!customer) return problem(404, 'not_found', `no customer with the e-mail address ${params.email}`);
      return { status: 200, body: { customer: { id: customer.id, email: customer.email }, orders: customer.orders } };
    },
  });
}

/** The ERP: stock of one SKU, behind an API key in `X-API-Key`. `GET /stock/:sku`, 404 for an unknown SKU. */
export function startErp({ port = 0, host = '127.0.0.1', delayMs = 0, key = DEFAULT_ERP_KEY, seed = readSeed('erp'), log = () => undefined } = {}) {
  return serve({
    port,
    host,
    delayMs,
    handle(request) {
      if (request.headers['x-api-key'] !== key) return problem(401, 'unauthorized', 'missing or wrong X-API-Key');
      const params = request.method === 'GET' ? match('/stock/:sku', request.path) : undefined;
      if (!params) return problem(404, 'not_found', `no route ${request.method} ${request.path}`);
      const item = seed.stock.find((candidate) => candidate.sku.toLowerCase() === params.sku.toLowerCase());
      log(`erp: ${request.method} ${request.path} → ${item ? `${item.available} available` : '404'}`);
      if (!item) return problem(404, 'not_found', `no item with the SKU ${params.sku}`);
      return { status: 200, body: item };
    },
  });
}

/** The text a person reads of an Adaptive Card: its text blocks and facts, one per line. */
function cardText(card) {
  const lines = [];
  for (const element of card?.body ?? []) {
    if (element.type === 'TextBlock') lines.push(String(element.text));
    if (element.type === 'FactSet') for (const fact of element.facts ?? []) lines.push(`${fact.title}: ${fact.value}`);
  }
  return lines.join('\n');
}

/**
 * Receives Slack incoming-webhook posts (`POST /slack`, answers `ok` like Slack) and Teams Workflows posts (`POST
 * /teams`, an Adaptive Card in a message envelope, answers 202); keeps every message in `messages` and hands it to
 * `log`. `GET /messages` lists what was received.
 */
export async function startWebhooks({ port = 0, host = '127.0.0.1', delayMs = 0, log = () => undefined } = {}) {
  const messages = [];
  const server = await serve({
    port,
    host,
    delayMs,
    handle(request) {
      if (request.method === 'GET' && request.path === '/messages') return { status: 200, body: messages };
      if (request.method !== 'POST') return problem(404, 'not_found', `no route ${request.method} ${request.path}`);
      const body = typeof request.body === 'object' && request.body !== null ? request.body : undefined;
      if (request.path === '/slack') {
        if (!body || typeof body.text !== 'string') return { status: 400, body: 'invalid_payload' };
        const message = { channel: 'slack', text: body.text, blocks: body.blocks, body, receivedAt: request.receivedAt };
        messages.push(message);
        log(message);
        return { status: 200, body: 'ok' };
      }
      if (request.path === '/teams') {
        const card = body?.type === 'message' ? body.attachments?.[0] : undefined;
        if (card?.contentType !== 'application/vnd.microsoft.card.adaptive') return problem(400, 'invalid_payload', 'expected a message with an Adaptive Card attachment');
        const message = { channel: 'teams', text: cardText(card.content), card: card.content, body, receivedAt: request.receivedAt };
        messages.push(message);
        log(message);
        return { status: 202, body: '' };
      }
      return problem(404, 'not_found', `no route ${request.method} ${request.path}`);
    },
  });
  return {
    ...server,
    slackUrl: `${server.url}/slack`,
    teamsUrl: `${server.url}/teams`,
    messages,
  };
}
