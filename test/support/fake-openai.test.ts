import { connect } from 'node:net';
import { AIMessageChunk, type AIMessage } from '@langchain/core/messages';
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { afterEach, describe, expect, it } from 'vitest';
import {
  boundaryFrom,
  fakeEmbedding,
  parseMultipart,
  startFakeOpenAI,
  type FakeOpenAI,
  type FakeOpenAIOptions,
} from './fake-openai.js';

const running: FakeOpenAI[] = [];
async function start(options?: FakeOpenAIOptions): Promise<FakeOpenAI> {
  const fake = await startFakeOpenAI(options);
  running.push(fake);
  return fake;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((fake) => fake.close()));
});

function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

const chatBody = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model: 'gpt-test',
  messages: [{ role: 'user', content: 'Say hello to the whole world' }],
  ...extra,
});

/** The JSON payloads of a server-sent event stream, and whether it ended with [DONE]. */
function parseEvents(text: string): { events: Array<Record<string, unknown>>; done: boolean } {
  const lines = text.split('\n\n').filter((line) => line.length > 0);
  const payloads = lines.map((line) => {
    expect(line.startsWith('data: ')).toBe(true);
    return line.slice('data: '.length);
  });
  const done = payloads.at(-1) === '[DONE]';
  const events = payloads.filter((payload) => payload !== '[DONE]').map((payload) => JSON.parse(payload) as Record<string, unknown>);
  return { events, done };
}

interface ChunkChoice {
  delta: { role?: string; content?: string | null; tool_calls?: Array<{ index: number; id?: string; function?: { name?: string; arguments?: string } }> };
  finish_reason: string | null;
}

describe('chat completions', () => {
  it('answers a scripted reply in the chat.completion shape and records the request', async () => {
    const fake = await start({ chat: [{ content: 'Hello, world!' }], now: () => 1_700_000_000_500 });
    const response = await postJson(`${fake.url}/chat/completions`, chatBody());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const completion = (await response.json()) as Record<string, unknown>;
    expect(completion).toMatchObject({
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'gpt-test',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello, world!' }, finish_reason: 'stop' }],
      // 28 request characters and 13 reply characters, at 4 characters a token, rounded up.
      usage: { prompt_tokens: 7, completion_tokens: 4, total_tokens: 11 },
    });
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.choices).toEqual([expect.not.objectContaining({ message: expect.objectContaining({ tool_calls: expect.anything() }) })]);

    expect(fake.requests).toHaveLength(1);
    const [recorded] = fake.chatRequests();
    expect(recorded).toMatchObject({ method: 'POST', path: '/v1/chat/completions', body: chatBody(), receivedAt: 1_700_000_000_500 });
    expect(recorded?.rawBody.toString()).toBe(JSON.stringify(chatBody()));
    expect(recorded?.headers['content-type']).toBe('application/json');
  });

  it('uses explicit usage, omits usage when null, and echoes the configured model name', async () => {
    const fake = await start({ chat: [{ content: 'a', usage: { prompt_tokens: 10, completion_tokens: 3 } }, { content: 'b', usage: null }], modelName: 'fixed' });
    const first = (await (await postJson(`${fake.url}/chat/completions`, chatBody())).json()) as Record<string, unknown>;
    expect(first.usage).toEqual({ prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 });
    expect(first.model).toBe('fixed');
    const second = (await (await postJson(`${fake.url}/chat/completions`, chatBody())).json()) as Record<string, unknown>;
    expect(second).not.toHaveProperty('usage');
  });

  it('sends tool calls with JSON-string arguments, null content and finish_reason tool_calls', async () => {
    const fake = await start({
      chat: [{ toolCalls: [{ id: 'call_1', name: 'search', arguments: { query: 'cats' } }, { name: 'broken', arguments: '{"half' }] }],
    });
    const completion = (await (await postJson(`${fake.url}/chat/completions`, chatBody())).json()) as {
      choices: Array<{ message: { content: unknown; tool_calls: Array<{ id: string; type: string; function: { name: string; arguments: string } }> }; finish_reason: string }>;
    };
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBeNull();
    expect(choice?.message.tool_calls).toEqual([
      { id: 'call_1', type: 'function', function: { name: 'search', arguments: '{"query":"cats"}' } },
      { id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'broken', arguments: '{"half' } },
    ]);
  });

  it('streams role, content, tool-call and finish chunks, then usage when asked, then [DONE]', async () => {
    const fake = await start({
      chat: [{ content: 'Streaming works fine', toolCalls: [{ id: 'call_s', name: 'lookup', arguments: { term: 'alpha beta' } }], usage: { prompt_tokens: 5, completion_tokens: 6 } }],
    });
    const response = await postJson(`${fake.url}/chat/completions`, chatBody({ stream: true, stream_options: { include_usage: true } }));
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const { events, done } = parseEvents(await response.text());
    expect(done).toBe(true);
    for (const event of events) expect(event.object).toBe('chat.completion.chunk');

    const choices = events.slice(0, -1).map((event) => (event.choices as ChunkChoice[])[0]);
    expect(choices[0]?.delta.role).toBe('assistant');
    const contentChunks = choices.filter((choice) => typeof choice?.delta.content === 'string' && choice.delta.content !== '');
    expect(contentChunks.length).toBeGreaterThan(1);
    expect(contentChunks.map((choice) => choice?.delta.content).join('')).toBe('Streaming works fine');
    const toolDeltas = choices.flatMap((choice) => choice?.delta.tool_calls ?? []);
    expect(toolDeltas.length).toBeGreaterThan(1);
    expect(toolDeltas[0]).toMatchObject({ index: 0, id: 'call_s', function: { name: 'lookup' } });
    expect(toolDeltas.map((delta) => delta.function?.arguments ?? '').join('')).toBe('{"term":"alpha beta"}');
    expect(choices.at(-1)?.finish_reason).toBe('tool_calls');
    expect(choices.slice(0, -1).every((choice) => choice?.finish_reason === null)).toBe(true);

    const usageEvent = events.at(-1);
    expect(usageEvent?.choices).toEqual([]);
    expect(usageEvent?.usage).toEqual({ prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 });
  });

  it('sends no usage chunk when the stream request did not ask for usage', async () => {
    const fake = await start({ chat: [{ content: 'hi' }] });
    const { events, done } = parseEvents(await (await postJson(`${fake.url}/chat/completions`, chatBody({ stream: true }))).text());
    expect(done).toBe(true);
    expect(events.every((event) => !('usage' in event) && (event.choices as unknown[]).length === 1)).toBe(true);
  });

  it('sends a 429 with retry-after and an OpenAI-style error body', async () => {
    const fake = await start({ chat: [{ status: 429, headers: { 'Retry-After': '1' }, content: 'slow down' }] });
    const response = await postJson(`${fake.url}/chat/completions`, chatBody({ stream: true }));
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toEqual({ error: { message: 'slow down', type: 'requests', param: null, code: 'rate_limit_exceeded' } });
  });

  it('sends a raw body verbatim, even malformed JSON', async () => {
    const fake = await start({ chat: [{ status: 503, body: { detail: 'custom' } }, { body: '{"choices": [' }] });
    const custom = await postJson(`${fake.url}/chat/completions`, chatBody());
    expect(custom.status).toBe(503);
    expect(await custom.json()).toEqual({ detail: 'custom' });
    const malformed = await postJson(`${fake.url}/chat/completions`, chatBody());
    expect(malformed.status).toBe(200);
    expect(await malformed.text()).toBe('{"choices": [');
  });

  it('rejects requests without the required API key with 401, and records them', async () => {
    const fake = await start({ requireApiKey: 'sk-good', chat: [{ content: 'ok' }] });
    const missing = await postJson(`${fake.url}/chat/completions`, chatBody());
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_api_key' } });
    const wrong = await fetch(`${fake.url}/models`, { headers: { authorization: 'Bearer sk-bad' } });
    expect(wrong.status).toBe(401);
    const right = await postJson(`${fake.url}/chat/completions`, chatBody(), { authorization: 'Bearer sk-good' });
    expect(right.status).toBe(200);
    expect(fake.requests.map((recorded) => recorded.path)).toEqual(['/v1/chat/completions', '/v1/models', '/v1/chat/completions']);
    expect(fake.chatRequests()).toHaveLength(2);
  });

  it('answers 500 when the script runs out, and serves replies enqueued later', async () => {
    const fake = await start({ chat: [{ content: 'only one' }] });
    expect((await postJson(`${fake.url}/chat/completions`, chatBody())).status).toBe(200);
    const exhausted = await postJson(`${fake.url}/chat/completions`, chatBody());
    expect(exhausted.status).toBe(500);
    const error = (await exhausted.json()) as { error: { message: string; code: string } };
    expect(error.error.message).toMatch(/ran out/);
    expect(error.error.code).toBe('script_exhausted');
    fake.enqueue({ content: 'more' });
    const later = (await (await postJson(`${fake.url}/chat/completions`, chatBody())).json()) as { choices: Array<{ message: { content: string } }> };
    expect(later.choices[0]?.message.content).toBe('more');
  });

  it('calls a script function with the request and its index, after any enqueued replies', async () => {
    const fake = await start({ chat: (request, index) => ({ content: `#${index} for ${(request.body as { model: string }).model}` }) });
    fake.enqueue({ content: 'queued first' });
    const contents: string[] = [];
    for (let round = 0; round < 3; round += 1) {
      const completion = (await (await postJson(`${fake.url}/chat/completions`, chatBody())).json()) as { choices: Array<{ message: { content: string } }> };
      contents.push(completion.choices[0]?.message.content ?? '');
    }
    expect(contents).toEqual(['queued first', '#1 for gpt-test', '#2 for gpt-test']);
  });

  it('waits delayMs before answering and drops the connection on hangUp', async () => {
    const fake = await start({ chat: [{ content: 'late', delayMs: 150 }, { hangUp: true }] });
    const started = performance.now();
    expect((await postJson(`${fake.url}/chat/completions`, chatBody())).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    await expect(postJson(`${fake.url}/chat/completions`, chatBody())).rejects.toThrow();
  });
});

describe('other routes', () => {
  it('returns 400 for malformed JSON or an invalid chat body, 404 for unknown paths, and lists the model', async () => {
    const fake = await start({ modelName: 'listed-model' });
    const malformed = await fetch(`${fake.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model": ' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    expect(fake.requests[0]?.body).toBeUndefined();
    expect(fake.requests[0]?.rawBody.toString()).toBe('{"model": ');
    expect((await postJson(`${fake.url}/chat/completions`, { model: 'm' })).status).toBe(400);

    const unknown = await fetch(`${fake.url}/completions/legacy?x=1`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { message: expect.stringContaining('GET /v1/completions/legacy') } });
    expect(fake.requests.at(-1)?.path).toBe('/v1/completions/legacy');

    const models = (await (await fetch(`${fake.url}/models`)).json()) as { object: string; data: Array<{ id: string }> };
    expect(models.object).toBe('list');
    expect(models.data.map((model) => model.id)).toEqual(['listed-model']);
  });

  it('returns embeddings as float arrays and as little-endian float32 base64', async () => {
    const fake = await start();
    const floats = (await (await postJson(`${fake.url}/embeddings`, { input: ['red apple', 'green apple'], model: 'emb' })).json()) as {
      object: string; model: string; data: Array<{ object: string; index: number; embedding: number[] }>; usage: { prompt_tokens: number; total_tokens: number };
    };
    expect(floats).toMatchObject({ object: 'list', model: 'emb', usage: { prompt_tokens: 6, total_tokens: 6 } });
    expect(floats.data.map((item) => [item.object, item.index])).toEqual([['embedding', 0], ['embedding', 1]]);
    expect(floats.data[0]?.embedding).toEqual(fakeEmbedding('red apple'));

    const encoded = (await (await postJson(`${fake.url}/embeddings`, { input: 'red apple', model: 'emb', encoding_format: 'base64' })).json()) as {
      data: Array<{ embedding: string }>;
    };
    const bytes = Buffer.from(encoded.data[0]?.embedding ?? '', 'base64');
    const decoded = Array.from({ length: bytes.length / 4 }, (_, index) => bytes.readFloatLE(index * 4));
    expect(decoded).toEqual(Array.from(new Float32Array(fakeEmbedding('red apple'))));
  });

  it('uses a custom embeddings function', async () => {
    const fake = await start({ embeddings: (input, model) => input.map((text) => [text.length, model.length]) });
    const result = (await (await postJson(`${fake.url}/embeddings`, { input: 'abc', model: 'mm' })).json()) as { data: Array<{ embedding: number[] }> };
    expect(result.data[0]?.embedding).toEqual([3, 2]);
  });

  it('transcribes a multipart upload from fetch FormData', async () => {
    const seen: Array<{ name: string; bytes: Buffer; mimeType: string; model: string }> = [];
    const fake = await start({ transcription: (file, model) => (seen.push({ ...file, model }), `heard ${file.bytes.length} bytes`) });
    const audio = Buffer.from([0x00, 0x0d, 0x0a, 0x2d, 0x2d, 0xff, 0x0d, 0x0a]);
    const form = new FormData();
    form.append('model', 'whisper-1');
    form.append('file', new Blob([audio], { type: 'audio/wav' }), 'speech één.wav');
    const response = await fetch(`${fake.url}/audio/transcriptions`, { method: 'POST', body: form });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ text: 'heard 8 bytes' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ name: 'speech één.wav', mimeType: 'audio/wav', model: 'whisper-1' });
    expect(seen[0]?.bytes.equals(audio)).toBe(true);
    expect(fake.requests[0]?.body).toBeUndefined();

    const textForm = new FormData();
    textForm.append('model', 'whisper-1');
    textForm.append('response_format', 'text');
    textForm.append('file', new Blob([audio]), 'a.wav');
    expect(await (await fetch(`${fake.url}/audio/transcriptions`, { method: 'POST', body: textForm })).text()).toBe('heard 8 bytes');
  });

  it('lets a transcription function answer with an error reply, and rejects a body without a file', async () => {
    const fake = await start({ transcription: () => ({ status: 413, content: 'too large' }) });
    const form = new FormData();
    form.append('model', 'whisper-1');
    form.append('file', new Blob(['x']), 'a.mp3');
    const response = await fetch(`${fake.url}/audio/transcriptions`, { method: 'POST', body: form });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { message: 'too large' } });
    const noFile = new FormData();
    noFile.append('model', 'whisper-1');
    expect((await fetch(`${fake.url}/audio/transcriptions`, { method: 'POST', body: noFile })).status).toBe(400);
  });
});

describe('multipart parser', () => {
  it('reads a quoted boundary, a preamble, parts without content-type, binary data and RFC 5987 names', () => {
    const boundary = 'b0und:ary';
    expect(boundaryFrom(`multipart/form-data; charset=utf-8; boundary="${boundary}"`)).toBe(boundary);
    expect(boundaryFrom('application/json; boundary=x')).toBeUndefined();
    // Everything a careless parser might stop at, short of the boundary itself (which RFC 2046 forbids in data).
    const binary = Buffer.from(`\r\n--b0und\r\n\r\n\u0000\u00ff--\r\n`, 'latin1');
    const body = Buffer.concat([
      Buffer.from(`preamble text\r\n--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n`, 'latin1'),
      Buffer.from(`--${boundary}  \r\ncontent-disposition: form-data; name="file"; filename="plain.bin"; filename*=UTF-8''caf%C3%A9.bin\r\nContent-Type: application/x-test\r\n\r\n`, 'latin1'),
      binary,
      Buffer.from(`\r\n--${boundary}--\r\nepilogue`, 'latin1'),
    ]);
    const result = parseMultipart(body, boundary);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.parts.map((part) => [part.name, part.filename, part.contentType])).toEqual([
      ['model', undefined, 'text/plain'],
      ['file', 'café.bin', 'application/x-test'],
    ]);
    expect(result.parts[0]?.data.toString()).toBe('whisper-1');
    expect(result.parts[1]?.data.equals(binary)).toBe(true);
  });

  it('reports malformed bodies instead of throwing', () => {
    expect(parseMultipart(Buffer.from('no boundary here'), 'zz')).toEqual({ ok: false, reason: expect.stringContaining('boundary') });
    expect(parseMultipart(Buffer.from('--zz\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated'), 'zz').ok).toBe(false);
    expect(parseMultipart(Buffer.from('--zz\r\nContent-Type: text/plain\r\n\r\nx\r\n--zz--'), 'zz').ok).toBe(false);
  });
});

describe('fakeEmbedding', () => {
  it('is deterministic, unit length, and closer for texts that share words', () => {
    const cosine = (left: number[], right: number[]): number => left.reduce((sum, value, index) => sum + value * (right[index] ?? 0), 0);
    const apple = fakeEmbedding('the red apple');
    expect(apple).toEqual(fakeEmbedding('The red APPLE'));
    expect(apple).toHaveLength(32);
    expect(Math.hypot(...apple)).toBeCloseTo(1, 10);
    expect(Math.hypot(...fakeEmbedding(''))).toBeCloseTo(1, 10);
    expect(fakeEmbedding('x', 8)).toHaveLength(8);
    expect(cosine(apple, fakeEmbedding('a red apple pie'))).toBeGreaterThan(cosine(apple, fakeEmbedding('quantum chromodynamics lecture notes')));
  });
});

describe('close', () => {
  it('closes promptly with an idle keep-alive connection and with a request still waiting for its reply', async () => {
    const fake = await startFakeOpenAI({ chat: [{ content: 'never sent', delayMs: 60_000 }] });
    const port = new URL(fake.url).port;
    const socket = connect(Number(port), '127.0.0.1');
    const socketClosed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    const firstResponse = new Promise<string>((resolve) => socket.once('data', (data: Buffer) => resolve(data.toString())));
    socket.write('GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    expect(await firstResponse).toMatch(/^HTTP\/1\.1 200/);

    const pending = postJson(`${fake.url}/chat/completions`, chatBody()).then(
      () => 'answered',
      () => 'failed',
    );
    while (fake.chatRequests().length === 0) await new Promise((resolve) => setTimeout(resolve, 5));

    const started = performance.now();
    await fake.close();
    expect(performance.now() - started).toBeLessThan(2_000);
    await socketClosed;
    expect(await pending).toBe('failed');
    await fake.close(); // idempotent
    await expect(fetch(`${fake.url}/models`)).rejects.toThrow();
  });
});

describe('with @langchain/openai', () => {
  const model = (fake: FakeOpenAI): ChatOpenAI => new ChatOpenAI({ model: 'x', apiKey: 'k', configuration: { baseURL: fake.url }, maxRetries: 0 });

  it('invoke returns the content and usage_metadata', async () => {
    const fake = await start({ chat: [{ content: 'Paris', usage: { prompt_tokens: 12, completion_tokens: 2 } }], requireApiKey: 'k' });
    const message = await model(fake).invoke('Capital of France?');
    expect(message.content).toBe('Paris');
    expect(message.usage_metadata).toMatchObject({ input_tokens: 12, output_tokens: 2, total_tokens: 14 });
    expect(fake.chatRequests()[0]?.body).toMatchObject({ model: 'x', messages: [{ role: 'user', content: 'Capital of France?' }] });
  });

  it('stream accumulates the content and the usage', async () => {
    const fake = await start({ chat: [{ content: 'one two three four five', usage: { prompt_tokens: 9, completion_tokens: 5 } }] });
    let accumulated: AIMessageChunk | undefined;
    let chunks = 0;
    for await (const chunk of await model(fake).stream('count')) {
      chunks += 1;
      accumulated = accumulated === undefined ? chunk : accumulated.concat(chunk);
    }
    expect(chunks).toBeGreaterThan(2);
    expect(accumulated?.content).toBe('one two three four five');
    expect(accumulated?.usage_metadata).toMatchObject({ input_tokens: 9, output_tokens: 5, total_tokens: 14 });
    expect(fake.chatRequests()[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('a tool-call reply yields tool_calls on the AIMessage, streamed or not', async () => {
    const reply = { toolCalls: [{ id: 'call_w', name: 'get_weather', arguments: { city: 'Oslo', days: 3 } }] };
    const fake = await start({ chat: [reply, reply] });
    const tool = { type: 'function' as const, function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'number' } } } } };
    const bound = model(fake).bindTools([tool]);
    const message: AIMessage = await bound.invoke('Weather in Oslo?');
    expect(message.tool_calls).toEqual([expect.objectContaining({ id: 'call_w', name: 'get_weather', args: { city: 'Oslo', days: 3 } })]);

    let accumulated = new AIMessageChunk({ content: '' });
    for await (const chunk of await bound.stream('Weather in Oslo?')) accumulated = accumulated.concat(chunk);
    expect(accumulated.tool_calls).toEqual([expect.objectContaining({ id: 'call_w', name: 'get_weather', args: { city: 'Oslo', days: 3 } })]);
    expect((fake.chatRequests()[0]?.body as { tools: unknown[] }).tools).toHaveLength(1);
  });

  it('OpenAIEmbeddings decodes the default base64 embeddings', async () => {
    const fake = await start();
    const embeddings = new OpenAIEmbeddings({ model: 'emb', apiKey: 'k', configuration: { baseURL: fake.url }, maxRetries: 0 });
    const vectors = await embeddings.embedDocuments(['red apple', 'green pear']);
    expect(vectors).toHaveLength(2);
    expect(vectors[0]).toEqual(Array.from(new Float32Array(fakeEmbedding('red apple'))));
  });
});
