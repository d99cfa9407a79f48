/**
 * The `slack` connector kind: each operation posts one message, built by the operation's `text` (and optional
 * `blocks`) mappings. Two modes, chosen by the file: a bot token (chat.postMessage through `@slack/web-api`, to the
 * operation's channel) or an incoming webhook (`@slack/webhook`, to the channel the webhook was made for).
 *
 * The official clients send the requests, but the retry policy is Baton's: each client is built per attempt with its
 * own retries off (`retryConfig: { retries: 0 }`, `rejectRateLimitedCalls`), and `withRetries` tries again, honouring
 * `Retry-After` the same way as every other connector. Both clients take a `fetch`, so each attempt goes through
 * `deps.fetch`, bounded by `timeoutMs` and the caller's signal.
 *
 * Slack has no idempotency key: a message is posted again only when the failure says it certainly was not posted (429,
 * 503, 408, `ratelimited`, `service_unavailable`, an unreachable host). A timeout, a dropped connection, another 5xx or
 * `internal_error` / `fatal_error` (Slack: "some aspect of the operation may have succeeded") is final, as
 * CONNECTOR_UNAVAILABLE, and the runtime puts the message to a person, never sends it blind again (see chat/common.ts).
 */
import { WebClient, WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError, type Logger, LogLevel } from '@slack/web-api';
import { IncomingWebhook, IncomingWebhookHTTPError, IncomingWebhookRequestError } from '@slack/webhook';
import { attempt, chatOperationInfo, httpFailure, retryDeps, unavailable, type Attempt } from './chat/common.js';
import { ConnectorError } from './errors.js';
import type { OperationKit } from './kit.js';
import type { ConnectorFactory } from './load.js';
import { Transient, withRetries } from './retry.js';
import type { SlackConnectorConfig, SlackOperation } from './schema.js';
import type { CallResult, Connector, ConnectorDeps, ExecuteOptions, Operation, PreparedCall } from './types.js';

/** Slack `ok: false` errors that say "later", not "never". */
const TRANSIENT_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'ratelimited']);
/** Of those, the ones that say the message was not posted: tried again even for a side effect. */
const NOT_POSTED_ERRORS = new Set(['service_unavailable', 'ratelimited']);

/** What to do about the refusals people meet most. */
const HINTS: Record<string, string> = {
  channel_not_found: 'check the channel in the connector file, and that the bot was added to it',
  not_in_channel: 'invite the bot to the channel (/invite @your-bot)',
  invalid_auth: 'the stored bot token is not valid; store a current one with `baton secrets set`',
  not_authed: 'no token was sent; check token.secret in the connector file',
  account_inactive: 'the bot token belongs to a deactivated app or user; store a current one',
  missing_scope: 'the app lacks the chat:write scope; add it and reinstall the app',
  no_service: 'the incoming webhook was removed or disabled; create a new one and store its URL',
  channel_is_archived: 'the webhook\'s channel is archived',
};

/** The clients log through this: their messages would only repeat what the ConnectorError says. */
const QUIET: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, setLevel: () => undefined, getLevel: () => LogLevel.ERROR, setName: () => undefined };

interface Message {
  channel?: string;
  text: string;
  blocks?: unknown[];
}

function refused(operation: string, where: string, code: string, deps: ConnectorDeps): ConnectorError {
  const hint = HINTS[code];
  return new ConnectorError('CONNECTOR_REJECTED', `${operation}: Slack refused the message to ${where}: ${deps.redact(code)}`, { operation, status: code }, hint ? { hint } : undefined);
}

/** Sorts what @slack/web-api threw into a retry or a typed error. */
function apiFailure(error: unknown, state: Attempt, operation: string, channel: string, sideEffect: boolean, deps: ConnectorDeps): unknown {
  if (error instanceof WebAPIPlatformError) {
    const code = String(error.data.error);
    if (!TRANSIENT_ERRORS.has(code)) return refused(operation, channel, code, deps);
    return unavailable({ operation, message: `${operation}: Slack could not post to ${channel}: ${code}`, sideEffect, certainlyNotPosted: NOT_POSTED_ERRORS.has(code), status: code });
  }
  if (error instanceof WebAPIRateLimitedError) {
    return new Transient(new ConnectorError('CONNECTOR_UNAVAILABLE', `${operation}: Slack rate-limited the message to ${channel} (429)`, { operation, status: 429, retryable: true }), error.retryAfter * 1000);
  }
  if (error instanceof WebAPIHTTPError) {
    return httpFailure({ operation, what: 'Slack', httpStatus: error.statusCode, body: typeof error.body === 'string' ? error.body : '', retryAfter: error.headers['retry-after'] ?? null, sideEffect, deps });
  }
  if (error instanceof WebAPIRequestError) return state.failure(error.original, operation, 'Slack');
  // A 429 without a usable Retry-After comes back as a plain Error: the status the attempt saw tells it apart.
  if (state.status === 429) return httpFailure({ operation, what: 'Slack', httpStatus: 429, body: '', retryAfter: state.retryAfter, sideEffect, deps });
  if (state.status === undefined) return state.failure(error, operation, 'Slack');
  return new ConnectorError('CONNECTOR_UNAVAILABLE', `${operation}: the Slack call failed: ${deps.redact(error instanceof Error ? error.message : String(error))}`, { operation }, { cause: error });
}

/** Sorts what @slack/webhook threw. Its HTTP errors carry Slack's error code (`no_service`, `invalid_payload`) as the body. */
function webhookFailure(error: unknown, state: Attempt, operation: string, sideEffect: boolean, deps: ConnectorDeps): unknown {
  if (error instanceof IncomingWebhookHTTPError) {
    const body = typeof error.body === 'string' ? error.body.trim() : '';
    const code = /^[a-z_]{1,64}$/.test(body) ? body : undefined;
    const failure = httpFailure({ operation, what: 'the Slack webhook', httpStatus: error.statusCode, body, retryAfter: state.retryAfter, status: code, sideEffect, deps });
    if (failure instanceof ConnectorError && code && HINTS[code]) return new ConnectorError(failure.code, failure.message, { operation, status: code }, { hint: HINTS[code]! });
    return failure;
  }
  if (error instanceof IncomingWebhookRequestError) return state.failure(error.original, operation, 'the Slack webhook');
  return state.failure(error, operation, 'the Slack webhook');
}

async function postWithToken(config: SlackConnectorConfig, message: Message, operation: string, sideEffect: boolean, options: ExecuteOptions, deps: ConnectorDeps): Promise<Record<string, unknown>> {
  const token = deps.secrets.reveal(config.token!.secret);
  const channel = message.channel!;
  return withRetries(
    config.retries,
    async () => {
      const state = attempt(deps, config.timeoutMs, options.signal, sideEffect);
      const client = new WebClient(token, { ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}), retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, fetch: state.fetch, logger: QUIET });
      try {
        const answer = await client.chat.postMessage({ channel, text: message.text, ...(message.blocks ? { blocks: message.blocks as never[] } : {}) });
        return { ok: true, channel: answer.channel ?? channel, ts: answer.ts ?? null };
      } catch (error) {
        throw apiFailure(error, state, operation, channel, sideEffect, deps);
      }
    },
    retryDeps(deps, options.signal),
  );
}

async function postWithWebhook(config: SlackConnectorConfig, message: Message, operation: string, sideEffect: boolean, options: ExecuteOptions, deps: ConnectorDeps): Promise<Record<string, unknown>> {
  const url = deps.secrets.reveal(config.webhook!.secret);
  return withRetries(
    config.retries,
    async () => {
      const state = attempt(deps, config.timeoutMs, options.signal, sideEffect);
      const webhook = new IncomingWebhook(url, { fetch: state.fetch, retryConfig: { retries: 0 }, timeout: 0 });
      try {
        await webhook.send({ text: message.text, ...(message.blocks ? { blocks: message.blocks as never[] } : {}) });
        return { ok: true };
      } catch (error) {
        throw webhookFailure(error, state, operation, sideEffect, deps);
      }
    },
    retryDeps(deps, options.signal),
  );
}

/** Slack's three control characters, escaped in every string of the data (https://api.slack.com/reference/surfaces/formatting#escaping). */
export function escapeSlackData(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  if (Array.isArray(value)) return value.map(escapeSlackData);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, escapeSlackData(child)]));
  return value;
}

function slackOperation(config: SlackConnectorConfig, name: string, declared: SlackOperation, kit: OperationKit, deps: ConnectorDeps): Operation {
  const info = chatOperationInfo(config.name, name, declared, kit);
  const id = info.id;
  const target = config.token ? `slack ${declared.channel}` : 'slack webhook';
  const invalid = (message: string) => new ConnectorError('CONNECTOR_INPUT_INVALID', `${id}: ${message}`, { operation: id });

  async function prepare(input: unknown): Promise<PreparedCall> {
    // The data a message is built from (a model's words, an e-mail's) is escaped before the templates run: `<!channel>`
    // or `<https://evil|click>` in it reaches Slack as text, while markup the connector file writes stays markup.
    const checked = escapeSlackData(kit.validate(input)) as Record<string, unknown>;
    const text = await kit.map('text', checked);
    if (typeof text !== 'string' || !text.trim()) throw invalid(`the text mapping must give a non-empty string, got ${JSON.stringify(text)}`);
    const request: Record<string, unknown> = config.token ? { channel: declared.channel, text } : { text };
    if (kit.has('blocks')) {
      const blocks = await kit.map('blocks', checked);
      // null (the mapping gave nothing) sends the text alone; anything else must be Block Kit's array of blocks.
      if (blocks !== null && !Array.isArray(blocks)) throw invalid(`the blocks mapping must give an array of Block Kit blocks, got ${JSON.stringify(blocks)}`);
      if (blocks !== null) request['blocks'] = blocks;
    }
    return { operation: id, target, request };
  }

  async function execute(call: PreparedCall, options: ExecuteOptions): Promise<CallResult> {
    options.signal?.throwIfAborted();
    const { text, blocks } = call.request;
    if (call.operation !== id || typeof text !== 'string' || (blocks !== undefined && !Array.isArray(blocks))) throw invalid('the prepared call is not a message of this operation; prepare it again');
    // The channel is the declared one, whatever the prepared call says: a recorded request cannot redirect a message.
    const message: Message = { text, ...(declared.channel ? { channel: declared.channel } : {}), ...(Array.isArray(blocks) ? { blocks } : {}) };
    const raw = config.token ? await postWithToken(config, message, id, info.sideEffect, options, deps) : await postWithWebhook(config, message, id, info.sideEffect, options, deps);
    const { output, records } = await kit.result(raw);
    const summary = config.token ? `posted to ${declared.channel} (ts ${String(raw['ts'])})` : 'posted through the Slack webhook';
    return { output, records, summary, status: 'ok' };
  }

  return { ...info, prepare, execute };
}

export const createSlackConnector: ConnectorFactory = (loaded, deps): Connector => {
  const config = loaded.config;
  if (config.kind !== 'slack') throw new Error(`createSlackConnector was given a ${config.kind} connector (${config.name})`);
  const operations = Object.entries(config.operations).map(([name, declared]) => {
    const kit = loaded.kits.get(name);
    if (!kit) throw new Error(`connector ${config.name} has no kit for operation ${name}`);
    return slackOperation(config, name, declared, kit, deps);
  });
  return {
    name: config.name,
    kind: 'slack',
    file: loaded.file,
    operations: async () => operations,
    // Clients are built per attempt and hold nothing open.
    close: async () => undefined,
  };
};

