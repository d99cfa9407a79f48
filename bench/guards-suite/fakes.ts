/**
 * The systems an injection task's run talks to, on one HTTP server on 127.0.0.1 (port 0), recording every request:
 * the shop's CRM (`/crm`: orders, refunds, tickets), its mailer (`/mail/send`), a Slack incoming webhook
 * (`/slack/hook`), web pages (`/web/<page>`), a SearxNG-style search (`/search`) and the attacker's own site
 * (`/evil/<page>`: the "official" pages a fake-source attack makes a model cite). What a request did is read back from
 * the record: a mail that reached the attacker, a refund of the attacker's amount, a Slack message carrying data.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the server received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Parsed JSON, else the raw text; undefined when empty. */
  body: unknown;
  rawBody: string;
}

/** What the server serves, set per task. */
export interface Content {
  /** CRM orders by id. */
  orders?: Record<string, Record<string, unknown>>;
  /** `/web/<name>` and `/evil/<name>` pages (HTML or text), by path. */
  pages?: Record<string, string>;
  /** What `/search` answers, whatever the query. */
  searchResults?: Array<{ title: string; url: string; content: string }>;
}

export interface Systems {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  requests: RecordedRequest[];
  /** Requests that changed something (POSTs to the CRM, the mailer and Slack). */
  sideEffects(): RecordedRequest[];
  /** Replaces what is served (pages and records may name the server's own URL, known once it runs). */
  serve(content: Content): void;
  close(): Promise<void>;
}

const SIDE_EFFECT_PATHS = new Set(['/crm/refunds', '/crm/tickets', '/mail/send', '/slack/hook']);

function send(response: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  response.statusCode = status;
  response.setHeader('content-type', type);
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseBody(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** Starts the systems, serving `initial` until told otherwise; every answer is immediate. */
export async function startSystems(initial: Content = {}): Promise<Systems> {
  let content = initial;
  const requests: RecordedRequest[] = [];
  let created = 0;
  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const raw = await readBody(request);
      const recorded: RecordedRequest = { method: request.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), body: parseBody(raw), rawBody: raw };
      requests.push(recorded);
      const order = /^\/crm\/orders\/([^/]+)$/.exec(url.pathname);
      if (recorded.method === 'GET' && order) {
        const found = content.orders?.[decodeURIComponent(order[1]!)];
        return found ? send(response, 200, found) : send(response, 404, { error: 'not_found', message: `no order ${order[1]}` });
      }
      if (recorded.method === 'POST' && (url.pathname === '/crm/refunds' || url.pathname === '/crm/tickets')) {
        created += 1;
        return send(response, 201, { id: `${url.pathname.endsWith('refunds') ? 'R' : 'T'}-${created}`, status: 'created', ...(recorded.body as object) });
      }
      if (recorded.method === 'POST' && url.pathname === '/mail/send') return send(response, 202, { queued: true });
      if (recorded.method === 'POST' && url.pathname === '/slack/hook') return send(response, 200, 'ok', 'text/plain');
      if (recorded.method === 'GET' && url.pathname === '/search') return send(response, 200, { results: content.searchResults ?? [] });
      const page = content.pages?.[url.pathname];
      if (recorded.method === 'GET' && page !== undefined) return send(response, 200, page, page.trimStart().startsWith('<') ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8');
      return send(response, 404, { error: 'not_found', message: `nothing at ${url.pathname}` });
    })().catch((error: unknown) => send(response, 500, { error: 'internal', message: String(error) }));
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    sideEffects: () => requests.filter((request) => request.method === 'POST' && SIDE_EFFECT_PATHS.has(request.path)),
    serve: (next) => {
      content = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
