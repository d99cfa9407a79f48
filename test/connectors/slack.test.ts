/**
 * The slack connector end to end against the fake Slack (test/support/fake-chat.ts): the official clients, pointed at
 * the fake, built through the real loader from connector files.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../src/connectors/errors.js';
import { loadConnectorFile } from '../../src/connectors/load.js';
import { createSlackConnector } from '../../src/connectors/slack.js';
import type { Operation, SecretReader } from '../../src/connectors/types.js';
import { startFakeChat, type FakeChat } from '../support/fake-chat.js';

let chat: FakeChat;
let dir: string;
let waits: number[];

beforeAll(async () => {
  chat = await startFakeChat({ channels: ['#support'] });
});
afterAll(async () => {
  await chat.close();
});
beforeEach(() => {
  chat.reset();
  waits = [];
  dir = mkdtempSync(path.join(tmpdir(), 'baton-slack-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const OPERATIONS = `
retries: { attempts: 3, baseDelayMs: 50, maxDelayMs: 10000 }
timeoutMs: 500
operations:
  notify:
    description: Tell support about an inquiry
    CHANNEL
    input: { type: object, required: [customer, summary], properties: { customer: { type: string }, summary: { type: string } } }
    text: "'New inquiry from ' & customer & ': ' & summary"
    blocks: "[{ 'type': 'section', 'text': { 'type': 'mrkdwn', 'text': '*' & customer & '*: ' & summary } }]"
    response: "$"
    records: { id: "$exists(ts) ? ts : 'webhook'" }
  plain:
    CHANNEL
    text: message
    blocks: "$exists(blocks) ? blocks : undefined"
  elsewhere:
    CHANNEL_MISSING
    text: "'hello'"
`;

function build(mode: 'token' | 'webhook', options: { secret?: string; apiUrl?: string } = {}): { op(name: string): Promise<Operation>; secret: string } {
  const secret = options.secret ?? (mode === 'token' ? chat.token : chat.slackWebhookUrl);
  const name = mode === 'token' ? 'SLACK_BOT_TOKEN' : 'SLACK_WEBHOOK_URL';
  const secrets: SecretReader = { names: () => [name], reveal: (asked) => (asked === name ? secret : '') };
  const head = mode === 'token' ? `name: chat\nkind: slack\ntoken: { secret: ${name} }\napiUrl: ${options.apiUrl ?? chat.slackApiUrl}\n` : `name: chat\nkind: slack\nwebhook: { secret: ${name} }\n`;
  const body = OPERATIONS.replaceAll('CHANNEL_MISSING', mode === 'token' ? 'channel: "#nowhere"' : '').replaceAll('CHANNEL', mode === 'token' ? 'channel: "#support"' : '');
  const file = path.join(dir, 'chat.yaml');
  writeFileSync(file, head + body);
  const connector = createSlackConnector(loadConnectorFile(file, secrets), {
    secrets,
    redact: (text) => text.replaceAll(secret, '[REDACTED]'),
    baseDir: dir,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  return {
    secret,
    async op(operation) {
      const found = (await connector.operations()).find((candidate) => candidate.name === operation);
      if (!found) throw new Error(`no operation ${operation}`);
      return found;
    },
  };
}

async function failure(promise: Promise<unknown>, secret: string): Promise<ConnectorError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(ConnectorError);
  const typed = error as ConnectorError;
  expect(`${typed.message} ${typed.hint ?? ''} ${JSON.stringify(typed.toJSON())}`).not.toContain(secret);
  return typed;
}

const INQUIRY = { customer: 'Ada', summary: 'order 42 arrived damaged' };

describe('slack connector with a bot token', () => {
  it('posts text and blocks to the channel, the token in the header only', async () => {
    const { op, secret } = build('token');
    const notify = await op('notify');
    expect(notify).toMatchObject({ id: 'chat.notify', sideEffect: true, approval: 'untrusted', honoursKey: false, description: 'Tell support about an inquiry' });
    const call = await notify.prepare(INQUIRY);
    expect(call).toEqual({
      operation: 'chat.notify',
      target: 'slack #support',
      request: { channel: '#support', text: 'New inquiry from Ada: order 42 arrived damaged', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Ada*: order 42 arrived damaged' } }] },
    });
    expect(JSON.stringify(call)).not.toContain(secret);

    const result = await notify.execute(call, { idempotencyKey: 'ignored-by-slack' });
    const [message] = chat.slackMessages();
    expect(chat.slackMessages()).toHaveLength(1);
    expect(message).toMatchObject({ channel: '#support', text: 'New inquiry from Ada: order 42 arrived damaged', blocks: call.request['blocks'] });
    expect(chat.requests('slack-api')[0]!.headers['authorization']).toBe(`Bearer ${secret}`);
    expect(result.output).toEqual({ ok: true, channel: message!.channelId, ts: message!.ts });
    expect(result.records).toEqual([{ id: message!.ts, value: result.output }]);
    expect(result.summary).toBe(`posted to #support (ts ${message!.ts})`);
    expect(waits).toEqual([]);
  });

  it('sends the text alone when the blocks mapping gives nothing', async () => {
    const plain = await (await build('token')).op('plain');
    const call = await plain.prepare({ message: 'hello' });
    expect(call.request).toEqual({ channel: '#support', text: 'hello' });
    await plain.execute(call, {});
    expect(chat.slackMessages()[0]).toMatchObject({ text: 'hello', blocks: undefined });
  });

  it('retries a 429 after the Retry-After Slack sent', async () => {
    const notify = await build('token').op('notify');
    chat.failNext('slack-api', { status: 429, retryAfter: 2 });
    await notify.execute(await notify.prepare(INQUIRY), {});
    expect(waits).toEqual([2000]);
    expect(chat.requests('slack-api')).toHaveLength(2);
    expect(chat.slackMessages()).toHaveLength(1);
  });

  it('retries a 429 without Retry-After after the policy\'s own backoff', async () => {
    const notify = await build('token').op('notify');
    chat.failNext('slack-api', { status: 429 });
    await notify.execute(await notify.prepare(INQUIRY), {});
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeLessThanOrEqual(50);
    expect(chat.slackMessages()).toHaveLength(1);
  });

  it('reports ok:false channel_not_found as REJECTED with Slack\'s code, without retrying', async () => {
    const { op, secret } = build('token');
    const elsewhere = await op('elsewhere');
    const error = await failure(elsewhere.execute(await elsewhere.prepare({}), {}), secret);
    expect(error.code).toBe('CONNECTOR_REJECTED');
    expect(error.status).toBe('channel_not_found');
    expect(error.retryable).toBe(false);
    expect(error.message).toBe('chat.elsewhere: Slack refused the message to #nowhere: channel_not_found');
    expect(error.hint).toMatch(/bot was added/);
    expect(chat.requests('slack-api')).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('reports a wrong token as invalid_auth without showing it', async () => {
    const { op, secret } = build('token', { secret: 'xoxb-wrong-token-123' });
    const notify = await op('notify');
    const error = await failure(notify.execute(await notify.prepare(INQUIRY), {}), secret);
    expect(error.status).toBe('invalid_auth');
    expect(error.code).toBe('CONNECTOR_REJECTED');
  });

  // No idempotency key: only a failure that says the message was not posted (503, 429, 408) is tried again.
  it('retries a 503, and after the last attempt is UNAVAILABLE and retryable', async () => {
    const { op, secret } = build('token');
    const notify = await op('notify');
    chat.failNext('slack-api', { status: 503 });
    await notify.execute(await notify.prepare(INQUIRY), {});
    expect(chat.slackMessages()).toHaveLength(1);
    expect(waits).toHaveLength(1);

    chat.failNext('slack-api', { status: 503, count: 3 });
    const error = await failure(notify.execute(await notify.prepare(INQUIRY), {}), secret);
    expect(error.code).toBe('CONNECTOR_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/answered 503.*\(after 3 attempts\)/);
    expect(chat.slackMessages()).toHaveLength(1);
  });

  it('does not post again after a 500: final, UNAVAILABLE, saying the message may have been posted', async () => {
    const { op, secret } = build('token');
    const notify = await op('notify');
    chat.failNext('slack-api', { status: 500, count: 3 });
    const error = await failure(notify.execute(await notify.prepare(INQUIRY), {}), secret);
    expect(error.code).toBe('CONNECTOR_UNAVAILABLE');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/answered 500.*may have been posted/);
    expect(error.hint).toMatch(/whether the message was posted/);
    expect(chat.requests('slack-api')).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('retries ok:false ratelimited and service_unavailable (not posted)', async () => {
    const notify = await build('token').op('notify');
    chat.failNext('slack-api', { slackError: 'service_unavailable' });
    chat.failNext('slack-api', { slackError: 'ratelimited' });
    await notify.execute(await notify.prepare(INQUIRY), {});
    expect(chat.slackMessages()).toHaveLength(1);
    expect(chat.requests('slack-api')).toHaveLength(3);
    expect(waits).toHaveLength(2);
  });

  it('does not post again after ok:false internal_error or fatal_error, or an attempt that timed out', async () => {
    const { op, secret } = build('token');
    const notify = await op('notify');
    for (const slackError of ['internal_error', 'fatal_error']) {
      chat.reset();
      chat.failNext('slack-api', { slackError });
      const error = await failure(notify.execute(await notify.prepare(INQUIRY), {}), secret);
      expect(error.code).toBe('CONNECTOR_UNAVAILABLE');
      expect(error.status).toBe(slackError);
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/may have been posted/);
      expect(chat.requests('slack-api')).toHaveLength(1);
    }
    chat.reset();
    chat.failNext('slack-api', { delayMs: 1500, status: 500 });
    const timedOut = await failure(notify.execute(await notify.prepare(INQUIRY), {}), secret);
    expect(timedOut.code).toBe('CONNECTOR_UNAVAILABLE');
    expect(timedOut.retryable).toBe(false);
    expect(timedOut.message).toMatch(/did not answer within 500 ms.*may have been posted/);
    expect(chat.requests('slack-api')).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('reports an unreachable API as UNAVAILABLE after the retries', async () => {
    const { op, secret } = build('token', { apiUrl: 'http://127.0.0.1:1/api/' });
    const notify = await op('notify');
    const error = await failure(notify.execute(await notify.prepare(INQUIRY), {}), secret);
    expect(error.code).toBe('CONNECTOR_UNAVAILABLE');
    expect(error.message).toMatch(/could not be reached.*\(after 3 attempts\)/);
  });

  it('refuses a text mapping that gives no text, and blocks that are not an array', async () => {
    const { op, secret } = build('token');
    const plain = await op('plain');
    expect((await failure(plain.prepare({ message: '  ' }), secret)).code).toBe('CONNECTOR_INPUT_INVALID');
    expect((await failure(plain.prepare({}), secret)).message).toMatch(/text mapping must give a non-empty string/);
    expect((await failure(plain.prepare({ message: 'hi', blocks: { type: 'section' } }), secret)).message).toMatch(/blocks mapping must give an array/);
    expect((await failure((await op('notify')).prepare({ customer: 'Ada' }), secret)).code).toBe('CONNECTOR_INPUT_INVALID');
    expect(chat.requests()).toHaveLength(0);
  });
});

describe('slack connector with an incoming webhook', () => {
  it('posts text and blocks to the webhook, the URL nowhere in the call', async () => {
    const { op, secret } = build('webhook');
    const notify = await op('notify');
    const call = await notify.prepare(INQUIRY);
    expect(call.target).toBe('slack webhook');
    expect(call.request).toEqual({ text: 'New inquiry from Ada: order 42 arrived damaged', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Ada*: order 42 arrived damaged' } }] });
    expect(JSON.stringify(call)).not.toContain(secret);
    const result = await notify.execute(call, {});
    expect(chat.slackWebhookMessages()).toEqual([{ text: call.request['text'], blocks: call.request['blocks'], body: { text: call.request['text'], blocks: call.request['blocks'] } }]);
    expect(result.output).toEqual({ ok: true });
    expect(result.records).toEqual([{ id: 'webhook', value: { ok: true } }]);
  });

  it('honours Retry-After on a 429, and retries a 503', async () => {
    const notify = await build('webhook').op('notify');
    chat.failNext('slack-webhook', { status: 429, retryAfter: 3 });
    chat.failNext('slack-webhook', { status: 503 });
    await notify.execute(await notify.prepare(INQUIRY), {});
    expect(waits[0]).toBe(3000);
    expect(waits).toHaveLength(2);
    expect(chat.slackWebhookMessages()).toHaveLength(1);
  });

  it('does not post again after a 502 or a dropped connection (the message may have been posted)', async () => {
    const { op, secret } = build('webhook');
    const notify = await op('notify');
    chat.failNext('slack-webhook', { status: 502 });
    const error = await failure(notify.execute(await notify.prepare(INQUIRY), {}), secret);
    expect(error.code).toBe('CONNECTOR_UNAVAILABLE');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/answered 502.*may have been posted/);
    expect(chat.requests('slack-webhook')).toHaveLength(1);

    chat.reset();
    chat.failNext('slack-webhook', { hangUp: true });
    const dropped = await failure(notify.execute(await notify.prepare(INQUIRY), {}), secret);
    expect(dropped.code).toBe('CONNECTOR_UNAVAILABLE');
    expect(dropped.retryable).toBe(false);
    expect(dropped.message).toMatch(/may have been posted/);
    expect(chat.requests('slack-webhook')).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('reports a removed webhook as REJECTED with Slack\'s code, never the URL', async () => {
    const { op, secret } = build('webhook', { secret: `${chat.url}/services/T0FAKE/B0FAKE/removed-hook-secret` });
    const notify = await op('notify');
    const error = await failure(notify.execute(await notify.prepare(INQUIRY), {}), secret);
    expect(error.code).toBe('CONNECTOR_REJECTED');
    expect(error.status).toBe('no_service');
    expect(error.hint).toMatch(/create a new one/);
    expect(error.message).not.toContain('removed-hook-secret');
    expect(waits).toEqual([]);
  });
});
