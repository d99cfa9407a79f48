/**
 * Recording fakes of the chat systems Baton posts to, on one `node:http` server (127.0.0.1, an ephemeral port):
 *
 * - a Slack-compatible Web API: `POST /api/chat.postMessage`, checking `Authorization: Bearer <token>`, reading the
 *   form or JSON bodies `@slack/web-api` sends, answering `{ ok: true, channel, ts }` or `{ ok: false, error }`;
 * - a Slack incoming webhook at {@link FakeChat.slackWebhookUrl} (answers `ok`, or Slack's error codes as text);
 * - a Microsoft Teams Workflows webhook at {@link FakeChat.teamsWebhookUrl} (checks the Adaptive Card envelope,
 *   answers 202).
 *
 * Each records every request (also refused ones) and the messages it accepted, and can be told to fail its next
 * requests (a status, `Retry-After`, a Slack `ok: false` error, a dropped connection). The production clients are
 * pointed at these URLs unchanged, so end-to-end tests (a customer-inquiry example counting its messages) reuse it.
 *
 * @example
 * const chat = await startFakeChat({ channels: ['#support'] });
 * chat.failNext('slack-api', { status: 429, retryAfter: 2 });
 * // ... post through a connector whose apiUrl is chat.slackApiUrl ...
 * expect(chat.slackMessages()).toHaveLength(1);
 * await chat.close();
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ChatEndpoint = 'slack-api' | 'slack-webhook' | 'teams';

/** One request as a fake received it. */
export interface ChatRequest {
  endpoint: ChatEndpoint | 'unknown';
  method: string;
  /** Path with the query string. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body parsed (JSON or form), or the raw text when it is neither. */
  body: unknown;
  rawBody: string;
  /** The status the fake answered with (0 when it dropped the connection). */
  status: number;
  receivedAt: number;
}

/** A message chat.postMessage accepted. */
export interface SlackApiMessage {
  /** The channel as sent (`#support`) and the id the fake answered with. */
  channel: string;
  channelId: string;
  text: string | undefined;
  blocks: unknown[] | undefined;
  ts: string;
  /** Every field sent (form fields with JSON values parsed). */
  fields: Record<string, unknown>;
}

/** A message an incoming webhook accepted. */
export interface SlackWebhookMessage {
  text: string | undefined;
  blocks: unknown[] | undefined;
  body: Record<string, unknown>;
}

/** A message the Teams webhook accepted: the envelope and its Adaptive Card. */
export interface TeamsMessage {
  body: Record<string, unknown>;
  card: Record<string, unknown>;
}

/** How the fake fails one request instead of answering it. */
export interface InjectedFailure {
  /** HTTP status, default 500 (ignored with `slackError`, which answers 200 `{ ok: false }` like Slack does). */
  status?: number;
  /** `Retry-After` header (seconds, or an HTTP date). */
  retryAfter?: number | string;
  /** Body sent; default Slack's or Teams' style of error for the status. */
  body?: string | Record<string, unknown>;
  /** Slack Web API only: answer `{ ok: false, error: slackError }` with HTTP 200. */
  slackError?: string;
  /** Drop the connection without answering. */
  hangUp?: boolean;
  /** Wait this long before failing (to trip client timeouts). */
  delayMs?: number;
}

export interface FakeChatOptions {
  /** The bot token chat.postMessage accepts; default a fixed fake `xoxb-...`. */
  token?: string;
  /** Channels that exist (names like `#support`, or ids); others get `channel_not_found`. Default: every channel. */
  channels?: string[];
}

export interface FakeChat {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** For `apiUrl:` / WebClient's `slackApiUrl`: `<url>/api/`. */
  readonly slackApiUrl: string;
  readonly slackWebhookUrl: string;
  readonly teamsWebhookUrl: string;
  readonly token: string;
  requests(endpoint?: ChatEndpoint): ChatRequest[];
  slackMessages(): SlackApiMessage[];
  slackWebhookMessages(): SlackWebhookMessage[];
  teamsMessages(): TeamsMessage[];
  /** Fails the endpoint's next `count` (default 1) requests. */
  failNext(endpoint: ChatEndpoint, failure?: InjectedFailure & { count?: number }): void;
  /** Forgets the recorded requests, messages and pending failures. */
  reset(): void;
  close(): Promise<void>;
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    const fields: Record<string, unknown> = {};
    for (const [key, value] of new URLSearchParams(raw)) {
      // @slack/web-api sends arrays and objects (blocks) as JSON text inside the form.
      fields[key] = /^[[{]/.test(value) ? safeJson(value) ?? value : value;
    }
    return fields;
  }
  return safeJson(raw) ?? (raw === '' ? undefined : raw);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export async function startFakeChat(options: FakeChatOptions = {}): Promise<FakeChat> {
  const token = options.token ?? 'xoxb-0000-fake-bot-token';
  const webhookPath = `/services/T0FAKE/B0FAKE/${randomBytes(12).toString('hex')}`;
  const teamsPath = `/workflows/${randomBytes(8).toString('hex')}/triggers/manual/paths/invoke`;
  const teamsSig = randomBytes(16).toString('hex');
  const known = options.channels ? new Set(options.channels) : undefined;
  const channelIds = new Map<string, string>();
  let requests: ChatRequest[] = [];
  let slack: SlackApiMessage[] = [];
  let hooks: SlackWebhookMessage[] = [];
  let teams: TeamsMessage[] = [];
  let failures = new Map<ChatEndpoint, InjectedFailure[]>();
  let tsCounter = 0;

  function endpointOf(url: URL): ChatEndpoint | 'unknown' {
    if (url.pathname.startsWith('/api/')) return 'slack-api';
    if (url.pathname.startsWith('/services/')) return 'slack-webhook';
    if (url.pathname.startsWith('/workflows/')) return 'teams';
    return 'unknown';
  }

  function send(response: ServerResponse, record: ChatRequest, status: number, body: unknown, headers: Record<string, string> = {}): void {
    record.status = status;
    const text = typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body);
    const type = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
    response.writeHead(status, { 'content-type': type, ...headers });
    response.end(text);
  }

  async function fail(endpoint: ChatEndpoint, failure: InjectedFailure, response: ServerResponse, record: ChatRequest): Promise<void> {
    if (failure.delayMs) await new Promise((resolve) => setTimeout(resolve, failure.delayMs));
    if (failure.hangUp) {
      record.status = 0;
      response.socket?.destroy();
      return;
    }
    const headers: Record<string, string> = failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {};
    if (endpoint === 'slack-api' && failure.slackError) return send(response, record, 200, { ok: false, error: failure.slackError }, headers);
    const status = failure.status ?? 500;
    const fallback = endpoint === 'slack-api' ? { ok: false, error: status === 429 ? 'ratelimited' : 'internal_error' } : endpoint === 'slack-webhook' ? (status === 429 ? 'rate_limited' : 'internal_error') : { error: { code: status === 429 ? 'TooManyRequests' : 'InternalServerError', message: `injected ${status}` } };
    send(response, record, status, failure.body ?? fallback, headers);
  }

  function slackApi(url: URL, record: ChatRequest, response: ServerResponse): void {
    if (url.pathname !== '/api/chat.postMessage') return send(response, record, 404, { ok: false, error: 'unknown_method' });
    const fields = asRecord(record.body);
    const auth = record.headers['authorization'];
    const sent = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : typeof fields['token'] === 'string' ? fields['token'] : undefined;
    if (!sent) return send(response, record, 200, { ok: false, error: 'not_authed' });
    if (sent !== token) return send(response, record, 200, { ok: false, error: 'invalid_auth' });
    const channel = fields['channel'];
    if (typeof channel !== 'string' || !channel) return send(response, record, 200, { ok: false, error: 'channel_not_found' });
    if (known && !known.has(channel)) return send(response, record, 200, { ok: false, error: 'channel_not_found' });
    const text = typeof fields['text'] === 'string' ? fields['text'] : undefined;
    const blocks = Array.isArray(fields['blocks']) ? fields['blocks'] : undefined;
    if (!text && !blocks) return send(response, record, 200, { ok: false, error: 'no_text' });
    const channelId = /^[CGD][A-Z0-9]+$/.test(channel) ? channel : (channelIds.get(channel) ?? `C${String(channelIds.size + 1).padStart(8, '0')}`);
    channelIds.set(channel, channelId);
    tsCounter += 1;
    const ts = `1700000000.${String(tsCounter).padStart(6, '0')}`;
    slack.push({ channel, channelId, text, blocks, ts, fields });
    send(response, record, 200, { ok: true, channel: channelId, ts, message: { type: 'message', text, ...(blocks ? { blocks } : {}), ts } });
  }

  function slackWebhook(url: URL, record: ChatRequest, response: ServerResponse): void {
    if (url.pathname !== webhookPath) return send(response, record, 404, 'no_service');
    const body = record.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return send(response, record, 400, 'invalid_payload');
    const fields = body as Record<string, unknown>;
    const text = typeof fields['text'] === 'string' ? fields['text'] : undefined;
    const blocks = Array.isArray(fields['blocks']) ? fields['blocks'] : undefined;
    if (!text && !blocks) return send(response, record, 400, 'no_text');
    hooks.push({ text, blocks, body: fields });
    send(response, record, 200, 'ok');
  }

  function teamsWebhook(url: URL, record: ChatRequest, response: ServerResponse): void {
    if (url.pathname !== teamsPath) return send(response, record, 404, { error: { code: 'TriggerNotFound', message: 'no such workflow' } });
    if (url.searchParams.get('sig') !== teamsSig) return send(response, record, 401, { error: { code: 'DirectApiAuthorizationRequired', message: 'bad signature' } });
    const body = asRecord(record.body);
    const attachment = asRecord(Array.isArray(body['attachments']) ? body['attachments'][0] : undefined);
    const card = asRecord(attachment['content']);
    if (body['type'] !== 'message' || attachment['contentType'] !== 'application/vnd.microsoft.card.adaptive' || card['type'] !== 'AdaptiveCard' || !Array.isArray(card['body'])) {
      return send(response, record, 400, { error: { code: 'InvalidRequestContent', message: 'expected a message with one Adaptive Card attachment' } });
    }
    teams.push({ body, card });
    send(response, record, 202, '');
  }

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://fake');
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const endpoint = endpointOf(url);
      const record: ChatRequest = { endpoint, method: request.method ?? 'GET', path: url.pathname + url.search, headers: { ...request.headers }, body: parseBody(rawBody, request.headers['content-type']), rawBody, status: 0, receivedAt: Date.now() };
      requests.push(record);
      if (endpoint === 'unknown' || request.method !== 'POST') return send(response, record, 404, { error: 'not found' });
      const failure = failures.get(endpoint)?.shift();
      if (failure) {
        void fail(endpoint, failure, response, record);
        return;
      }
      if (endpoint === 'slack-api') slackApi(url, record, response);
      else if (endpoint === 'slack-webhook') slackWebhook(url, record, response);
      else teamsWebhook(url, record, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    slackApiUrl: `${base}/api/`,
    slackWebhookUrl: `${base}${webhookPath}`,
    teamsWebhookUrl: `${base}${teamsPath}?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${teamsSig}`,
    token,
    requests: (endpoint) => (endpoint ? requests.filter((request) => request.endpoint === endpoint) : [...requests]),
    slackMessages: () => [...slack],
    slackWebhookMessages: () => [...hooks],
    teamsMessages: () => [...teams],
    failNext(endpoint, failure = {}) {
      const { count = 1, ...rest } = failure;
      const queue = failures.get(endpoint) ?? [];
      for (let index = 0; index < count; index += 1) queue.push(rest);
      failures.set(endpoint, queue);
    },
    reset() {
      requests = [];
      slack = [];
      hooks = [];
      teams = [];
      failures = new Map();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
