/**
 * The OpenAI-compatible provider over real HTTP, against the recording fake on 127.0.0.1: what it sends (structured
 * output mode, tools, images, streaming) and how it maps what comes back (usage, tool calls, every failure).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenAICompatibleModel } from '../../src/config/models.js';
import {
  CancelledError,
  ModelAuthError,
  ModelHttpError,
  ModelKeyMissingError,
  ModelTimeoutError,
  ModelUnreachableError,
} from '../../src/errors.js';
import { OpenAICompatibleChatModel } from '../../src/models/openai.js';
import type { ChatMessage, ModelRequest } from '../../src/models/types.js';
import type { PlanTask } from '../../src/roles/tasks.js';
import { startFakeOpenAI, type FakeOpenAI, type FakeOpenAIOptions } from '../support/fake-openai.js';

const API_KEY = 'test-key-for-fake-0123456789';
const KEY_ENV = 'FAKE_OPENAI_KEY';

const task: PlanTask = { kind: 'plan', role: 'planner', goal: 'What is Baton?', round: 1, maxSteps: 3, previousPlan: null, objections: [] };
const messages: ChatMessage[] = [
  { role: 'system', content: 'You are the Planner.' },
  { role: 'user', content: 'Goal: What is Baton?' },
];

let fakes: FakeOpenAI[] = [];
afterEach(async () => {
  await Promise.all(fakes.map((fake) => fake.close()));
  fakes = [];
});

async function fake(options: FakeOpenAIOptions): Promise<FakeOpenAI> {
  const started = await startFakeOpenAI(options);
  fakes.push(started);
  return started;
}

function modelAt(baseUrl: string, overrides: Record<string, unknown> = {}, env: Record<string, string | undefined> = { [KEY_ENV]: API_KEY }): OpenAICompatibleChatModel {
  const spec = OpenAICompatibleModel.parse({ name: 'fake', provider: 'openai-compatible', baseUrl, model: 'fake-gpt', apiKeyEnv: KEY_ENV, ...overrides });
  return new OpenAICompatibleChatModel({ spec, env });
}

function request(extra: Partial<ModelRequest> = {}): ModelRequest {
  return { task, messages, ...extra };
}

/** The JSON body of the nth chat request the fake received. */
function chatBody(server: FakeOpenAI, index = 0): Record<string, unknown> {
  const recorded = server.chatRequests()[index];
  expect(recorded, `chat request #${index + 1}`).toBeDefined();
  return recorded!.body as Record<string, unknown>;
}

const output = {
  name: 'plan',
  jsonSchema: { type: 'object', properties: { steps: { type: 'array' } }, required: ['steps'] },
};

/** Resolves to the error a promise rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

describe('OpenAICompatibleChatModel over HTTP', () => {
  it('returns the text and the usage the endpoint reported, sending the key and the model id', async () => {
    const server = await fake({ chat: [{ content: 'Baton is a runtime.', usage: { prompt_tokens: 42, completion_tokens: 7 } }], requireApiKey: API_KEY });
    const model = modelAt(server.url);
    const response = await model.generate(request());
    expect(response.text).toBe('Baton is a runtime.');
    expect(response.toolCalls).toEqual([]);
    expect(response.usage).toEqual({ inputTokens: 42, outputTokens: 7, totalTokens: 49, estimated: false });
    expect(response.model).toBe('openai-compatible:fake-gpt');
    expect(response.latencyMs).toBeGreaterThanOrEqual(0);
    const body = chatBody(server);
    expect(body['model']).toBe('fake-gpt');
    expect(body['messages']).toEqual([
      { role: 'system', content: 'You are the Planner.' },
      { role: 'user', content: 'Goal: What is Baton?' },
    ]);
    expect(server.chatRequests()[0]!.headers['authorization']).toBe(`Bearer ${API_KEY}`);
  });

  it('estimates usage when the endpoint reports none', async () => {
    const server = await fake({ chat: [{ content: 'a reply of some length', usage: null }] });
    const response = await modelAt(server.url).generate(request());
    expect(response.usage.estimated).toBe(true);
    expect(Number.isInteger(response.usage.inputTokens)).toBe(true);
    expect(response.usage.inputTokens).toBeGreaterThan(0);
    expect(response.usage.outputTokens).toBeGreaterThan(0);
    expect(response.usage.totalTokens).toBe(response.usage.inputTokens + response.usage.outputTokens);
  });

  it('estimates usage when a streaming endpoint sends no usage chunk', async () => {
    const server = await fake({ chat: [{ content: 'streamed without usage', usage: null }] });
    const response = await modelAt(server.url, { stream: true }).generate(request());
    expect(response.text).toBe('streamed without usage');
    expect(response.usage.estimated).toBe(true);
    expect(Number.isInteger(response.usage.inputTokens) && response.usage.inputTokens > 0).toBe(true);
    expect(response.usage.totalTokens).toBe(response.usage.inputTokens + response.usage.outputTokens);
  });

  it('counts every reported figure: 0 completion tokens is 0, not a reason to estimate the whole call', async () => {
    const empty = { content: '', usage: { prompt_tokens: 5000, completion_tokens: 0 } };
    const server = await fake({ chat: [empty, empty] });
    const expected = { inputTokens: 5000, outputTokens: 0, totalTokens: 5000, estimated: false };
    expect((await modelAt(server.url).generate(request())).usage).toEqual(expected);
    expect((await modelAt(server.url, { stream: true }).generate(request())).usage).toEqual(expected);
  });

  it('reads the raw usage when some counts are left out or 0, and derives a missing count from the total', async () => {
    const completion = (usage: Record<string, number>) => ({
      body: { id: 'chatcmpl-1', object: 'chat.completion', created: 0, model: 'fake-gpt', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage },
    });
    const server = await fake({
      chat: [completion({ prompt_tokens: 7 }), completion({ completion_tokens: 3 }), completion({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }), completion({ prompt_tokens: 40, total_tokens: 45 })],
    });
    const model = modelAt(server.url);
    expect((await model.generate(request())).usage).toEqual({ inputTokens: 7, outputTokens: 0, totalTokens: 7, estimated: false });
    expect((await model.generate(request())).usage).toEqual({ inputTokens: 0, outputTokens: 3, totalTokens: 3, estimated: false });
    expect((await model.generate(request())).usage).toEqual({ inputTokens: 0, outputTokens: 0, totalTokens: 0, estimated: false });
    expect((await model.generate(request())).usage).toEqual({ inputTokens: 40, outputTokens: 5, totalTokens: 45, estimated: false });
  });

  for (const stream of [false, true]) {
    it(`keeps a tool call whose arguments are not valid JSON, with what was sent, beside a good one (${stream ? 'streamed' : 'not streamed'})`, async () => {
      const malformed = '{"source": "x"';
      const server = await fake({
        chat: [
          {
            toolCalls: [
              { id: 'call_bad', name: 'read_source', arguments: malformed },
              { id: 'call_good', name: 'search_docs', arguments: { query: 'baton' } },
              { id: 'call_list', name: 'search_docs', arguments: '["baton"]' },
            ],
          },
        ],
      });
      const response = await modelAt(server.url, { stream }).generate(request());
      expect(response.toolCalls).toEqual([
        { id: 'call_bad', name: 'read_source', arguments: {}, invalidArguments: malformed },
        { id: 'call_good', name: 'search_docs', arguments: { query: 'baton' } },
        { id: 'call_list', name: 'search_docs', arguments: {}, invalidArguments: '["baton"]' },
      ]);
    });
  }

  it('parses tool calls and sends the offered tools as functions', async () => {
    const server = await fake({
      chat: [{ toolCalls: [{ id: 'call_1', name: 'search_docs', arguments: { query: 'baton roles', limit: 3 } }] }],
    });
    const tools = [{ name: 'search_docs', description: 'Search the knowledge base.', parameters: { type: 'object', properties: { query: { type: 'string' } } } }];
    const response = await modelAt(server.url).generate(request({ tools }));
    expect(response.toolCalls).toEqual([{ id: 'call_1', name: 'search_docs', arguments: { query: 'baton roles', limit: 3 } }]);
    expect(response.text).toBe('');
    expect(chatBody(server)['tools']).toEqual([
      { type: 'function', function: { name: 'search_docs', description: 'Search the knowledge base.', parameters: tools[0]!.parameters, strict: false } },
    ]);
  });

  it('sends assistant tool calls and tool results back in the wire format', async () => {
    const server = await fake({ chat: [{ content: '{"steps":[]}' }] });
    await modelAt(server.url).generate(
      request({
        messages: [
          ...messages,
          { role: 'assistant', content: '', toolCalls: [{ id: 'call_9', name: 'search_docs', arguments: { query: 'x' } }] },
          { role: 'tool', toolCallId: 'call_9', content: '[]' },
        ],
      }),
    );
    const sent = chatBody(server)['messages'] as Array<Record<string, unknown>>;
    expect(sent[2]).toMatchObject({ role: 'assistant', tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'search_docs', arguments: '{"query":"x"}' } }] });
    expect(sent[3]).toEqual({ role: 'tool', tool_call_id: 'call_9', content: '[]' });
  });

  it('asks for a json_schema response format in json_schema mode', async () => {
    const server = await fake({ chat: [{ content: '{"steps":[]}' }] });
    await modelAt(server.url, { structuredOutput: 'json_schema' }).generate(request({ output }));
    expect(chatBody(server)['response_format']).toEqual({
      type: 'json_schema',
      json_schema: { name: 'plan', schema: output.jsonSchema, strict: false },
    });
  });

  it('returns a reply that is not bare JSON in json_schema mode, so the caller can validate and ask again', async () => {
    const fenced = 'Here it is:\n```json\n{"steps":[]}\n```';
    const server = await fake({ chat: [{ content: 'I cannot answer in JSON.' }, { content: fenced }] });
    const model = modelAt(server.url, { structuredOutput: 'json_schema' });
    expect((await model.generate(request({ output }))).text).toBe('I cannot answer in JSON.');
    expect((await model.generate(request({ output }))).text).toBe(fenced);
    expect(chatBody(server, 0)['response_format']).toMatchObject({ type: 'json_schema' });
  });

  it('does not mark tools strict beside a json_schema response format', async () => {
    const server = await fake({ chat: [{ content: '{"steps":[]}' }] });
    // An optional property: OpenAI refuses this schema in a strict tool (strict needs every property required).
    const parameters = { type: 'object', properties: { query: { type: 'string' }, limit: { type: 'integer' } }, required: ['query'] };
    await modelAt(server.url).generate(request({ output, tools: [{ name: 'search_docs', description: 'Search.', parameters }] }));
    const tools = chatBody(server)['tools'] as Array<{ function: { strict?: boolean; parameters: unknown } }>;
    expect(tools[0]!.function.strict).not.toBe(true);
    expect(tools[0]!.function.parameters).toEqual(parameters);
  });

  it('asks for a json_object response format in json_object mode', async () => {
    const server = await fake({ chat: [{ content: '{"steps":[]}' }] });
    await modelAt(server.url, { structuredOutput: 'json_object' }).generate(request({ output }));
    expect(chatBody(server)['response_format']).toEqual({ type: 'json_object' });
  });

  it('sends no response format in prompt mode, nor when no output is asked for', async () => {
    const server = await fake({ chat: [{ content: '{"steps":[]}' }, { content: 'plain' }] });
    await modelAt(server.url, { structuredOutput: 'prompt' }).generate(request({ output }));
    await modelAt(server.url).generate(request());
    expect(chatBody(server, 0)).not.toHaveProperty('response_format');
    expect(chatBody(server, 1)).not.toHaveProperty('response_format');
  });

  it('streams: accumulates the content, reports each delta and reads usage from the final chunk', async () => {
    const reply = 'Baton verifies every answer it gives.';
    const server = await fake({ chat: [{ content: reply, usage: { prompt_tokens: 31, completion_tokens: 9 } }] });
    const deltas: string[] = [];
    const response = await modelAt(server.url, { stream: true }).generate(request({ onToken: (delta) => deltas.push(delta) }));
    expect(response.text).toBe(reply);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(reply);
    expect(response.usage).toEqual({ inputTokens: 31, outputTokens: 9, totalTokens: 40, estimated: false });
    const body = chatBody(server);
    expect(body['stream']).toBe(true);
    expect(body['stream_options']).toEqual({ include_usage: true });
  });

  it('streams tool calls whose arguments arrive in pieces', async () => {
    const server = await fake({ chat: [{ toolCalls: [{ id: 'call_s', name: 'read_source', arguments: { source: 'docs/a.md', startLine: 3 } }] }] });
    const response = await modelAt(server.url, { stream: true }).generate(request());
    expect(response.toolCalls).toEqual([{ id: 'call_s', name: 'read_source', arguments: { source: 'docs/a.md', startLine: 3 } }]);
  });

  it('maps 401 to ModelAuthError naming the endpoint and the key variable', async () => {
    const server = await fake({ chat: [{ content: 'never sent' }], requireApiKey: 'the-right-key-000000' });
    const error = await rejection(modelAt(server.url).generate(request()));
    expect(error).toBeInstanceOf(ModelAuthError);
    const authError = error as ModelAuthError;
    expect(authError.message).toContain(server.url);
    expect(authError.message).toContain('401');
    expect(authError.endpoint).toBe(server.url);
    expect(authError.retryable).toBe(false);
    expect(authError.hint).toContain(KEY_ENV);
    expect(authError.message).not.toContain(API_KEY);
  });

  it('maps 429 with retry-after to a retryable ModelHttpError carrying the wait', async () => {
    const server = await fake({ chat: [{ status: 429, headers: { 'retry-after': '2' }, content: 'Rate limit reached' }] });
    const error = await rejection(modelAt(server.url).generate(request()));
    expect(error).toBeInstanceOf(ModelHttpError);
    const httpError = error as ModelHttpError;
    expect(httpError.status).toBe(429);
    expect(httpError.retryAfterMs).toBe(2000);
    expect(httpError.retryable).toBe(true);
    expect(httpError.message).toContain(server.url);
    // The client must not retry on its own: retries are Baton's, so each one is visible.
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('maps 500 to a retryable ModelHttpError with the server message', async () => {
    const server = await fake({ chat: [{ status: 500, content: 'the upstream model crashed' }] });
    const error = await rejection(modelAt(server.url).generate(request()));
    expect(error).toBeInstanceOf(ModelHttpError);
    const httpError = error as ModelHttpError;
    expect(httpError.status).toBe(500);
    expect(httpError.retryable).toBe(true);
    expect(httpError.retryAfterMs).toBeUndefined();
    expect(httpError.message).toContain('the upstream model crashed');
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('keeps the API key out of the error message when the endpoint echoes it', async () => {
    const server = await fake({ chat: [{ status: 502, content: `bad gateway for key ${API_KEY}` }] });
    const error = await rejection(modelAt(server.url).generate(request()));
    expect(error).toBeInstanceOf(ModelHttpError);
    expect((error as ModelHttpError).message).toContain('bad gateway for key [REDACTED]');
    expect((error as ModelHttpError).message).not.toContain(API_KEY);
  });

  it('maps a 400 to a non-retryable ModelHttpError', async () => {
    const server = await fake({ chat: [{ status: 400, content: 'bad request' }] });
    const error = await rejection(modelAt(server.url).generate(request()));
    expect(error).toBeInstanceOf(ModelHttpError);
    expect((error as ModelHttpError).retryable).toBe(false);
  });

  it('maps a refused connection to ModelUnreachableError naming the endpoint', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    const url = `http://127.0.0.1:${port}/v1`;
    const error = await rejection(modelAt(url).generate(request()));
    expect(error).toBeInstanceOf(ModelUnreachableError);
    const unreachable = error as ModelUnreachableError;
    expect(unreachable.message).toContain(url);
    // The system reason from deep in the cause chain, not the client's generic "Connection error".
    expect(unreachable.message).toMatch(/ECONNREFUSED/);
    expect(unreachable.hint).toMatch(/server is running/);
    expect(unreachable.endpoint).toBe(url);
    expect(unreachable.retryable).toBe(true);
    expect(unreachable.hint).toBeDefined();
  });

  it('maps a dropped connection to ModelUnreachableError', async () => {
    const server = await fake({ chat: [{ hangUp: true }] });
    const error = await rejection(modelAt(server.url).generate(request()));
    expect(error).toBeInstanceOf(ModelUnreachableError);
    expect((error as ModelUnreachableError).message).toContain(server.url);
  });

  it('maps a call slower than timeoutMs to ModelTimeoutError', async () => {
    const server = await fake({ chat: [{ content: 'too slow', delayMs: 3_000 }] });
    const error = await rejection(modelAt(server.url, { timeoutMs: 150 }).generate(request()));
    expect(error).toBeInstanceOf(ModelTimeoutError);
    expect((error as ModelTimeoutError).message).toContain(server.url);
    expect((error as ModelTimeoutError).message).toContain('150 ms');
  });

  it('throws ModelKeyMissingError naming the variable when the key is not set, without calling the endpoint', async () => {
    const server = await fake({ chat: [{ content: 'never sent' }] });
    const error = await rejection(modelAt(server.url, {}, {}).generate(request()));
    expect(error).toBeInstanceOf(ModelKeyMissingError);
    expect((error as ModelKeyMissingError).message).toContain(KEY_ENV);
    expect((error as ModelKeyMissingError).hint).toContain(KEY_ENV);
    expect(server.requests).toHaveLength(0);
  });

  it('sends no Authorization with a real key when the model declares no apiKeyEnv', async () => {
    const server = await fake({ chat: [{ content: 'ok' }] });
    const spec = OpenAICompatibleModel.parse({ name: 'local', provider: 'openai-compatible', baseUrl: server.url, model: 'llama' });
    const response = await new OpenAICompatibleChatModel({ spec, env: { [KEY_ENV]: API_KEY } }).generate(request());
    expect(response.text).toBe('ok');
    expect(String(server.chatRequests()[0]!.headers['authorization'])).not.toContain(API_KEY);
  });

  it('turns an aborted call into CancelledError', async () => {
    const server = await fake({ chat: [{ content: 'too late', delayMs: 5_000 }] });
    const controller = new AbortController();
    const pending = modelAt(server.url).generate(request({ signal: controller.signal }));
    // Abort once the request has reached the server, so the in-flight HTTP call is what gets cancelled.
    await expect.poll(() => server.chatRequests().length, { timeout: 2_000 }).toBe(1);
    const started = Date.now();
    controller.abort();
    const error = await rejection(pending);
    expect(error).toBeInstanceOf(CancelledError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('keeps the reason of an abort by a timeout: ModelTimeoutError, streamed or not, not CancelledError', async () => {
    for (const stream of [false, true]) {
      const server = await fake({ chat: [{ content: 'too late', delayMs: 5_000 }] });
      const controller = new AbortController();
      const pending = modelAt(server.url, { stream }).generate(request({ signal: controller.signal }));
      await expect.poll(() => server.chatRequests().length, { timeout: 2_000 }).toBe(1);
      // What the resilience layer does when its per-call timer fires.
      controller.abort(new ModelTimeoutError('model "fake" did not answer within 100 ms', { endpoint: server.url, model: 'fake' }));
      const error = await rejection(pending);
      expect(error, `stream: ${stream}`).toBeInstanceOf(ModelTimeoutError);
    }
  });

  it('turns a call made with an already aborted signal into CancelledError', async () => {
    const server = await fake({ chat: [{ content: 'never' }] });
    const controller = new AbortController();
    controller.abort();
    const error = await rejection(modelAt(server.url).generate(request({ signal: controller.signal })));
    expect(error).toBeInstanceOf(CancelledError);
  });

  it('sends images in a user message as image_url data URLs', async () => {
    const server = await fake({ chat: [{ content: 'a red pixel' }] });
    const pixel = Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64');
    await modelAt(server.url).generate(
      request({
        messages: [
          { role: 'system', content: 'Describe images.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in this picture?' },
              { type: 'image', mimeType: 'image/png', dataBase64: pixel },
            ],
          },
        ],
      }),
    );
    const sent = chatBody(server)['messages'] as Array<{ role: string; content: unknown }>;
    expect(sent[1]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'What is in this picture?' },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${pixel}` } },
      ],
    });
  });

  it('reuses one client across calls (one model instance, two requests)', async () => {
    const server = await fake({ chat: [{ content: 'one' }, { content: 'two' }] });
    const model = modelAt(server.url);
    expect((await model.generate(request())).text).toBe('one');
    expect((await model.generate(request())).text).toBe('two');
    expect(server.chatRequests()).toHaveLength(2);
  });
});
