/**
 * The teams connector end to end against the fake Teams Workflows webhook (test/support/fake-chat.ts), built through
 * the real loader from a connector file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../src/connectors/errors.js';
import { loadConnectorFile } from '../../src/connectors/load.js';
import { createTeamsConnector } from '../../src/connectors/teams.js';
import type { Operation, SecretReader } from '../../src/connectors/types.js';
import { startFakeChat, type FakeChat } from '../support/fake-chat.js';

let chat: FakeChat;
let dir: string;
let waits: number[];

beforeAll(async () => {
  chat = await startFakeChat();
});
afterAll(async () => {
  await chat.close();
});
beforeEach(() => {
  chat.reset();
  waits = [];
  dir = mkdtempSync(path.join(tmpdir(), 'baton-teams-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const CONNECTOR = `
name: teams_alerts
kind: teams
webhook: { secret: TEAMS_WEBHOOK_URL }
timeoutMs: 400
retries: { attempts: 3, baseDelayMs: 20, maxDelayMs: 10000 }
operations:
  escalate:
    description: Escalate an inquiry to the support channel
    input: { type: object, required: [customer, summary], properties: { customer: { type: string }, summary: { type: string } } }
    card: |
      {
        'body': [
          { 'type': 'TextBlock', 'size': 'Medium', 'weight': 'Bolder', 'text': 'Escalation: ' & customer },
          { 'type': 'TextBlock', 'wrap': true, 'text': summary }
        ],
        'actions': [{ 'type': 'Action.OpenUrl', 'title': 'Open', 'url': 'https://crm.example.com/' & customer }]
      }
  raw:
    approval: always
    card: card
  ping:
    sideEffect: false
    card: "{ 'body': [{ 'type': 'TextBlock', 'text': 'ping' }] }"
`;

function build(secret = chat.teamsWebhookUrl): { op(name: string): Promise<Operation>; secret: string } {
  const secrets: SecretReader = { names: () => ['TEAMS_WEBHOOK_URL'], reveal: () => secret };
  const file = path.join(dir, 'teams_alerts.yaml');
  writeFileSync(file, CONNECTOR);
  const connector = createTeamsConnector(loadConnectorFile(file, secrets), {
    secrets,
    redact: (text) => text.replaceAll(secret, '[REDACTED]'),
    baseDir: dir,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  return {
    secret,
    async op(name) {
      const found = (await connector.operations()).find((candidate) => candidate.name === name);
      if (!found) throw new Error(`no operation ${name}`);
      return found;
    },
  };
}

async function failure(promise: Promise<unknown>, secret: string): Promise<ConnectorError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(ConnectorError);
  const typed = error as ConnectorError;
  const shown = `${typed.message} ${typed.hint ?? ''} ${JSON.stringify(typed.toJSON())}`;
  expect(shown).not.toContain(secret);
  expect(shown).not.toContain(new URL(secret).searchParams.get('sig'));
  return typed;
}

const INQUIRY = { customer: 'ada', summary: 'order 42 arrived damaged' };

describe('teams connector', () => {
  it('posts the card wrapped in the Workflows message, the URL nowhere in the call', async () => {
    const { op, secret } = build();
    const escalate = await op('escalate');
    expect(escalate).toMatchObject({ id: 'teams_alerts.escalate', sideEffect: true, approval: 'untrusted', honoursKey: false });
    expect((await op('raw')).approval).toBe('always');
    const call = await escalate.prepare(INQUIRY);
    const card = {
      body: [
        { type: 'TextBlock', size: 'Medium', weight: 'Bolder', text: 'Escalation: ada' },
        { type: 'TextBlock', wrap: true, text: 'order 42 arrived damaged' },
      ],
      actions: [{ type: 'Action.OpenUrl', title: 'Open', url: 'https://crm.example.com/ada' }],
    };
    expect(call).toEqual({ operation: 'teams_alerts.escalate', target: 'teams webhook', request: { card } });
    expect(JSON.stringify(call)).not.toContain(secret);

    const result = await escalate.execute(call, { idempotencyKey: 'not-honoured' });
    expect(chat.teamsMessages()).toHaveLength(1);
    const [request] = chat.requests('teams');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.body).toEqual({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', ...card },
        },
      ],
    });
    expect(result).toMatchObject({ output: { ok: true, status: 202 }, records: [], status: 202 });
    expect(waits).toEqual([]);
  });

  it('retries a 503 (not posted) and then succeeds', async () => {
    const escalate = await build().op('escalate');
    chat.failNext('teams', { status: 503 });
    await escalate.execute(await escalate.prepare(INQUIRY), {});
    expect(chat.requests('teams').map((request) => request.status)).toEqual([503, 202]);
    expect(chat.teamsMessages()).toHaveLength(1);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeLessThanOrEqual(20);
  });

  // No idempotency key: a failure that leaves the outcome unknown is final, and the runtime asks a person.
  it('does not post again after a 502 or an attempt that timed out (the card may have been posted)', async () => {
    const { op, secret } = build();
    const escalate = await op('escalate');
    chat.failNext('teams', { status: 502 });
    const error = await failure(escalate.execute(await escalate.prepare(INQUIRY), {}), secret);
    expect(error.code).toBe('CONNECTOR_UNAVAILABLE');
    expect(error.status).toBe(502);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/answered 502.*may have been posted/);
    expect(chat.requests('teams')).toHaveLength(1);

    chat.reset();
    chat.failNext('teams', { hangUp: true, delayMs: 1000 });
    const timedOut = await failure(escalate.execute(await escalate.prepare(INQUIRY), {}), secret);
    expect(timedOut.code).toBe('CONNECTOR_UNAVAILABLE');
    expect(timedOut.retryable).toBe(false);
    expect(timedOut.message).toMatch(/did not answer within 400 ms.*may have been posted/);
    expect(chat.requests('teams')).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('still retries a 5xx and a timeout for an operation declared sideEffect: false', async () => {
    const ping = await build().op('ping');
    chat.failNext('teams', { status: 500 });
    chat.failNext('teams', { hangUp: true, delayMs: 1000 });
    await ping.execute(await ping.prepare({}), {});
    expect(chat.requests('teams')).toHaveLength(3);
    expect(waits).toHaveLength(2);
  });

  it('honours Retry-After on a 429', async () => {
    const escalate = await build().op('escalate');
    chat.failNext('teams', { status: 429, retryAfter: 3 });
    await escalate.execute(await escalate.prepare(INQUIRY), {});
    expect(waits).toEqual([3000]);
    expect(chat.teamsMessages()).toHaveLength(1);
  });

  it('retries a refused connection: nothing was sent', async () => {
    const { createServer } = await import('node:net');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { op, secret } = build(`http://127.0.0.1:${port}/workflows/x?sig=0badc0ffee`);
    const error = await failure((await op('escalate')).execute(await (await op('escalate')).prepare(INQUIRY), {}), secret);
    expect(error.code).toBe('CONNECTOR_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/could not be reached.*\(after 3 attempts\)/);
    expect(waits).toHaveLength(2);
  });

  it('reports a 4xx as REJECTED with the status, without retrying or showing the URL', async () => {
    const { op, secret } = build();
    const escalate = await op('escalate');
    chat.failNext('teams', { status: 400, body: { error: { code: 'WorkflowTriggerIsNotEnabled', message: 'disabled' } } });
    const error = await failure(escalate.execute(await escalate.prepare(INQUIRY), {}), secret);
    expect(error.code).toBe('CONNECTOR_REJECTED');
    expect(error.status).toBe(400);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/refused the message \(400\).*WorkflowTriggerIsNotEnabled/);
    expect(chat.requests('teams')).toHaveLength(1);

    const { op: wrongSig, secret: wrong } = build(chat.teamsWebhookUrl.replace(/sig=[0-9a-f]+/, 'sig=0badc0ffee'));
    const refused = await failure((await wrongSig('escalate')).execute(await escalate.prepare(INQUIRY), {}), wrong);
    expect(refused.status).toBe(401);
  });

  it('is UNAVAILABLE and retryable when the webhook keeps failing', async () => {
    const { op, secret } = build();
    const escalate = await op('escalate');
    chat.failNext('teams', { status: 503, count: 3 });
    const error = await failure(escalate.execute(await escalate.prepare(INQUIRY), {}), secret);
    expect(error.code).toBe('CONNECTOR_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/answered 503.*\(after 3 attempts\)/);
    expect(chat.teamsMessages()).toHaveLength(0);
  });

  it('leaves a cancelled call cancelled: not retried, not turned into a connector error', async () => {
    const escalate = await build().op('escalate');
    chat.failNext('teams', { delayMs: 1000, status: 500 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('run cancelled')), 50);
    const error = await escalate.execute(await escalate.prepare(INQUIRY), { signal: controller.signal }).then(() => undefined, (caught: unknown) => caught);
    expect(error).toEqual(new Error('run cancelled'));
    expect(waits).toEqual([]);
    expect(chat.requests('teams')).toHaveLength(1);
  });

  it('refuses a card that is no object or has no body array', async () => {
    const { op, secret } = build();
    const raw = await op('raw');
    expect((await failure(raw.prepare({ card: 'hello' }), secret)).message).toMatch(/must give an Adaptive Card object/);
    const error = await failure(raw.prepare({ card: { actions: [] } }), secret);
    expect(error.code).toBe('CONNECTOR_INPUT_INVALID');
    expect(error.message).toMatch(/no body array/);
    expect(chat.requests()).toHaveLength(0);
  });
});
