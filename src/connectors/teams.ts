/**
 * The `teams` connector kind: each operation posts one Adaptive Card to a Microsoft Teams channel through a Workflows
 * ("Post to a channel when a webhook request is received") webhook. The operation's `card` mapping gives the card's
 * own fields (`body`, `actions`, ...); Baton wraps it in the message envelope Workflows expects, so connector files
 * never repeat the boilerplate and cannot get the schema or version wrong.
 *
 * Plain `fetch` (`deps.fetch`): there is no official client for these webhooks. The URL carries its signature, so it
 * is a stored secret, read at execute time, and left out of targets, requests and messages.
 *
 * Workflows honours no idempotency key: a card is posted again only when the failure says it certainly was not posted
 * (429, 503, 408, an unreachable host); a timeout, a dropped connection or another 5xx is final (see chat/common.ts).
 */
import { attempt, chatOperationInfo, httpFailure, isObject, retryDeps } from './chat/common.js';
import { ConnectorError } from './errors.js';
import type { OperationKit } from './kit.js';
import type { ConnectorFactory } from './load.js';
import { withRetries } from './retry.js';
import type { TeamsConnectorConfig, TeamsOperation } from './schema.js';
import type { CallResult, Connector, ConnectorDeps, ExecuteOptions, Operation, PreparedCall } from './types.js';

/** The Adaptive Card version Teams renders everywhere (desktop, web, mobile). */
export const CARD_VERSION = '1.4';

/** The Workflows message carrying one Adaptive Card. */
export function teamsMessage(card: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: CARD_VERSION, ...card },
      },
    ],
  };
}

function teamsOperation(config: TeamsConnectorConfig, name: string, declared: TeamsOperation, kit: OperationKit, deps: ConnectorDeps): Operation {
  const info = chatOperationInfo(config.name, name, declared, kit);
  const id = info.id;
  const invalid = (message: string) => new ConnectorError('CONNECTOR_INPUT_INVALID', `${id}: ${message}`, { operation: id });

  function checkCard(card: unknown): Record<string, unknown> {
    if (!isObject(card)) throw invalid(`the card mapping must give an Adaptive Card object such as { "body": [{ "type": "TextBlock", "text": "..." }] }, got ${JSON.stringify(card)}`);
    if (!Array.isArray(card['body'])) throw invalid('the card has no body array; an Adaptive Card needs body: [{ "type": "TextBlock", "text": "..." }, ...]');
    return card;
  }

  async function prepare(input: unknown): Promise<PreparedCall> {
    const checked = kit.validate(input);
    const card = checkCard(await kit.map('card', checked));
    return { operation: id, target: 'teams webhook', request: { card } };
  }

  async function execute(call: PreparedCall, options: ExecuteOptions): Promise<CallResult> {
    options.signal?.throwIfAborted();
    if (call.operation !== id) throw invalid(`the prepared call is for ${call.operation}, not ${id}`);
    const body = JSON.stringify(teamsMessage(checkCard(call.request['card'])));
    const url = deps.secrets.reveal(config.webhook.secret);
    const status = await withRetries(
      config.retries,
      async () => {
        const state = attempt(deps, config.timeoutMs, options.signal, info.sideEffect);
        let response: Response;
        let text: string;
        try {
          response = await state.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, redirect: 'error' });
          text = await response.text();
        } catch (error) {
          throw state.failure(error, id, 'the Teams webhook');
        }
        if (response.ok) return response.status;
        throw httpFailure({ operation: id, what: 'the Teams webhook', httpStatus: response.status, body: text, retryAfter: response.headers.get('retry-after'), sideEffect: info.sideEffect, deps });
      },
      retryDeps(deps, options.signal),
    );
    const { output, records } = await kit.result({ ok: true, status });
    return { output, records, summary: `${status} card posted through the Teams webhook`, status };
  }

  return { ...info, prepare, execute };
}

export const createTeamsConnector: ConnectorFactory = (loaded, deps): Connector => {
  const config = loaded.config;
  if (config.kind !== 'teams') throw new Error(`createTeamsConnector was given a ${config.kind} connector (${config.name})`);
  const operations = Object.entries(config.operations).map(([name, declared]) => {
    const kit = loaded.kits.get(name);
    if (!kit) throw new Error(`connector ${config.name} has no kit for operation ${name}`);
    return teamsOperation(config, name, declared, kit, deps);
  });
  return {
    name: config.name,
    kind: 'teams',
    file: loaded.file,
    operations: async () => operations,
    // Nothing is held open between calls.
    close: async () => undefined,
  };
};
