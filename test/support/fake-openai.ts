/**
 * A scripted, recording fake of the OpenAI HTTP API for tests, built on `node:http` alone.
 *
 * It serves chat completions (plain and streamed), embeddings, audio transcriptions and the model list on
 * 127.0.0.1 with an ephemeral port, records every request it receives (including rejected ones), and answers chat
 * requests from a script the test supplies. It speaks the wire format the official `openai` SDK and
 * `@langchain/openai` expect, so production clients can be pointed at {@link FakeOpenAI.url} unchanged.
 *
 * @example
 * const fake = await startFakeOpenAI({ chat: [{ content: 'hello' }] });
 * const model = new ChatOpenAI({ model: 'x', apiKey: 'k', configuration: { baseURL: fake.url }, maxRetries: 0 });
 * await model.invoke('hi'); // AIMessage with content 'hello'
 * expect(fake.chatRequests()).toHaveLength(1);
 * await fake.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { z } from 'zod';

/** One HTTP request as the fake received it. */
export interface RecordedRequest {
  method: string;
  /** URL path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body parsed as JSON when it is JSON; `undefined` otherwise (multipart, empty, malformed). */
  body: unknown;
  rawBody: Buffer;
  /** Milliseconds since the epoch, from the injected clock. */
  receivedAt: number;
}

/** How the fake answers one request. Every field is optional: `{}` is a successful empty assistant reply. */
export interface ChatReply {
  /** HTTP status, default 200. A status >= 400 without `body` sends an OpenAI-style error whose message is `content`. */
  status?: number;
  /** Extra response headers, e.g. `{ 'retry-after': '1' }`. */
  headers?: Record<string, string>;
  /**
   * Raw body to send as-is (for error bodies, or a malformed success). Overrides the fields below. A string is sent
   * verbatim, so it can be invalid JSON; anything else is serialized with `JSON.stringify`.
   */
  body?: unknown;
  /** Assistant text. */
  content?: string;
  /** Tool calls; object arguments are serialized, string arguments are sent verbatim (so they can be malformed). */
  toolCalls?: Array<{ id?: string; name: string; arguments: Record<string, unknown> | string }>;
  /** Token usage; `null` reports none. Default: a rough count of characters / 4 of the request and the reply. */
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
  /** Default `'tool_calls'` when there are tool calls, else `'stop'`. */
  finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  /** Wait this long before answering (before the headers, too). */
  delayMs?: number;
  /** Drop the connection without answering (socket destroy). */
  hangUp?: boolean;
}

/**
 * Chat replies: a list answered in order, or a function called per request with the request and its 0-based index
 * among the chat requests the script has answered. Replies added with {@link FakeOpenAI.enqueue} always go first.
 */
export type ChatScript = ChatReply[] | ((request: RecordedRequest, index: number) => ChatReply);

/** Options of {@link startFakeOpenAI}. */
export interface FakeOpenAIOptions {
  /** Chat replies. When nothing is left to answer with, the fake sends a 500 saying the script ran out. */
  chat?: ChatScript;
  /** Embedding function, one vector per input. Default: {@link fakeEmbedding} of each input. */
  embeddings?: (input: string[], model: string) => number[][];
  /** Transcription function: the text, or a full reply (e.g. an error). Default: a text naming the file and its size. */
  transcription?: (file: { name: string; bytes: Buffer; mimeType: string }, model: string) => string | ChatReply;
  /** When set, any request without `Authorization: Bearer <key>` gets 401 with an OpenAI-style error body. */
  requireApiKey?: string;
  /** Model name echoed in responses and listed by `GET /v1/models`. Default: the request's model (`fake-model` in the list). */
  modelName?: string;
  /** Clock in milliseconds since the epoch, default `Date.now`. Feeds `receivedAt` and `created`. */
  now?: () => number;
}

/** A running fake server. */
export interface FakeOpenAI {
  /** Base URL including `/v1`, e.g. `http://127.0.0.1:PORT/v1`. */
  url: string;
  /** Every request received, in order, including rejected ones. The array is live. */
  requests: RecordedRequest[];
  /** Only the `POST /v1/chat/completions` requests. */
  chatRequests(): RecordedRequest[];
  /** Add replies to the end of the chat queue. */
  enqueue(...replies: ChatReply[]): void;
  /** Close the server and every open socket, including keep-alive and in-flight ones. Safe to call twice. */
  close(): Promise<void>;
}

// Clients send many fields the fake ignores, so request schemas are loose rather than strict.
const ChatRequestBody = z.looseObject({
  model: z.string(),
  messages: z.array(z.unknown()),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
});
type ChatRequestBody = z.infer<typeof ChatRequestBody>;

const EmbeddingsRequestBody = z.looseObject({
  input: z.union([z.string(), z.array(z.string())]),
  model: z.string(),
  encoding_format: z.enum(['float', 'base64']).optional(),
});

const CHAT_PATH = '/v1/chat/completions';
const DEFAULT_LISTED_MODEL = 'fake-model';
const DEFAULT_EMBEDDING_DIMENSIONS = 32;

/** Start a fake on 127.0.0.1 with an ephemeral port. */
export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const now = options.now ?? Date.now;
  const requests: RecordedRequest[] = [];
  const queue: ChatReply[] = Array.isArray(options.chat) ? [...options.chat] : [];
  const scriptFunction = typeof options.chat === 'function' ? options.chat : undefined;
  const sockets = new Set<Socket>();
  const pendingDelays = new Set<{ timer: NodeJS.Timeout; finish: () => void }>();
  let chatIndex = 0;
  let responseCounter = 0;
  let closed = false;

  /** Resolves early when the fake closes, so no handler outlives the server. */
  const sleep = (milliseconds: number): Promise<void> =>
    new Promise((resolve) => {
      const pending = {
        timer: setTimeout(() => pending.finish(), milliseconds),
        finish: () => {
          clearTimeout(pending.timer);
          pendingDelays.delete(pending);
          resolve();
        },
      };
      pendingDelays.add(pending);
    });

  /** Applies the parts of a reply every endpoint shares; calls `success` only when the reply is a success. */
  async function deliver(reply: ChatReply, response: ServerResponse, success: () => void): Promise<void> {
    if (reply.delayMs !== undefined && reply.delayMs > 0) await sleep(reply.delayMs);
    if (closed || response.destroyed) return;
    if (reply.hangUp) {
      response.socket?.destroy();
      return;
    }
    const status = reply.status ?? 200;
    if (reply.body !== undefined) {
      const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      send(response, status, text, { 'content-type': 'application/json', ...lowerCaseKeys(reply.headers) });
    } else if (status >= 400) {
      sendError(response, status, reply.content ?? `fake-openai: scripted ${status} reply`, lowerCaseKeys(reply.headers));
    } else {
      success();
    }
  }

  function nextChatReply(recorded: RecordedRequest): ChatReply | undefined {
    const queued = queue.shift();
    if (queued !== undefined) return queued;
    if (scriptFunction === undefined) return undefined;
    return scriptFunction(recorded, chatIndex);
  }

  async function handleChat(recorded: RecordedRequest, response: ServerResponse): Promise<void> {
    const parsed = ChatRequestBody.safeParse(recorded.body);
    if (!parsed.success) {
      sendError(response, 400, `invalid chat request: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
      return;
    }
    let reply: ChatReply | undefined;
    try {
      reply = nextChatReply(recorded);
    } catch (error) {
      sendError(response, 500, `fake-openai: the chat script threw: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const index = chatIndex;
    chatIndex += 1;
    if (reply === undefined) {
      sendError(response, 500, `fake-openai: the chat script ran out of replies (chat request #${index + 1} had none)`, {}, 'script_exhausted');
      return;
    }
    const chosen = reply;
    const model = options.modelName ?? parsed.data.model;
    responseCounter += 1;
    const completion = buildCompletion(chosen, parsed.data, { id: `chatcmpl-fake-${responseCounter}`, created: Math.floor(now() / 1000), model });
    await deliver(chosen, response, () => {
      const headers = lowerCaseKeys(chosen.headers);
      if (parsed.data.stream) {
        const includeUsage = parsed.data.stream_options?.include_usage === true;
        send(response, 200, streamChunks(completion, includeUsage), { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
      } else {
        send(response, 200, JSON.stringify(completion), { 'content-type': 'application/json', ...headers });
      }
    });
  }

  function handleEmbeddings(recorded: RecordedRequest, response: ServerResponse): void {
    const parsed = EmbeddingsRequestBody.safeParse(recorded.body);
    if (!parsed.success) {
      sendError(response, 400, 'invalid embeddings request: expected { input: string | string[], model: string, encoding_format?: "float" | "base64" }');
      return;
    }
    const inputs = typeof parsed.data.input === 'string' ? [parsed.data.input] : parsed.data.input;
    const embed = options.embeddings ?? ((texts: string[]) => texts.map((text) => fakeEmbedding(text)));
    const vectors = embed(inputs, parsed.data.model);
    if (vectors.length !== inputs.length) {
      sendError(response, 500, `fake-openai: the embeddings function returned ${vectors.length} vectors for ${inputs.length} inputs`);
      return;
    }
    const base64 = parsed.data.encoding_format === 'base64';
    const promptTokens = inputs.reduce((sum, text) => sum + estimateTokens(text.length), 0);
    const body = {
      object: 'list',
      data: vectors.map((vector, index) => ({ object: 'embedding', index, embedding: base64 ? float32Base64(vector) : vector })),
      model: options.modelName ?? parsed.data.model,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    };
    send(response, 200, JSON.stringify(body), { 'content-type': 'application/json' });
  }

  async function handleTranscription(recorded: RecordedRequest, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const boundary = boundaryFrom(request.headers['content-type'] ?? '');
    if (boundary === undefined) {
      sendError(response, 400, 'transcription requests must be multipart/form-data with a boundary');
      return;
    }
    const multipart = parseMultipart(recorded.rawBody, boundary);
    if (!multipart.ok) {
      sendError(response, 400, `malformed multipart body: ${multipart.reason}`);
      return;
    }
    const filePart = multipart.parts.find((part) => part.name === 'file' && part.filename !== undefined);
    const model = multipart.parts.find((part) => part.name === 'model')?.data.toString('utf8');
    if (filePart === undefined || model === undefined) {
      sendError(response, 400, 'transcription requests need a `file` part with a filename and a `model` field');
      return;
    }
    const format = multipart.parts.find((part) => part.name === 'response_format')?.data.toString('utf8');
    const file = { name: filePart.filename ?? '', bytes: filePart.data, mimeType: filePart.contentType };
    const outcome = options.transcription
      ? options.transcription(file, model)
      : `fake transcript of ${file.name} (${file.bytes.length} bytes)`;
    const reply: ChatReply = typeof outcome === 'string' ? { content: outcome } : outcome;
    await deliver(reply, response, () => {
      const text = reply.content ?? '';
      const headers = lowerCaseKeys(reply.headers);
      if (format === 'text') send(response, 200, text, { 'content-type': 'text/plain; charset=utf-8', ...headers });
      else send(response, 200, JSON.stringify({ text }), { 'content-type': 'application/json', ...headers });
    });
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const rawBody = await readBody(request);
    const path = new URL(request.url ?? '/', 'http://fake.invalid').pathname;
    const isMultipart = /^multipart\//i.test(request.headers['content-type'] ?? '');
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path,
      headers: { ...request.headers },
      body: isMultipart ? undefined : parseJson(rawBody),
      rawBody,
      receivedAt: now(),
    };
    requests.push(recorded);

    if (options.requireApiKey !== undefined && request.headers.authorization !== `Bearer ${options.requireApiKey}`) {
      sendError(response, 401, 'Incorrect API key provided.', {}, 'invalid_api_key');
      return;
    }
    const route = `${recorded.method} ${path}`;
    const expectsJson = route === `POST ${CHAT_PATH}` || route === 'POST /v1/embeddings';
    if (expectsJson && recorded.body === undefined) {
      sendError(response, 400, 'We could not parse the JSON body of your request.');
      return;
    }
    switch (route) {
      case `POST ${CHAT_PATH}`:
        return handleChat(recorded, response);
      case 'POST /v1/embeddings':
        return handleEmbeddings(recorded, response);
      case 'POST /v1/audio/transcriptions':
        return handleTranscription(recorded, request, response);
      case 'GET /v1/models': {
        const data = [{ id: options.modelName ?? DEFAULT_LISTED_MODEL, object: 'model', created: 0, owned_by: 'fake-openai' }];
        send(response, 200, JSON.stringify({ object: 'list', data }), { 'content-type': 'application/json' });
        return;
      }
      default:
        sendError(response, 404, `fake-openai: no route for ${route}`, {}, 'unknown_url');
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      // A bug in the fake or a client that vanished mid-request: answer if still possible, never crash the test run.
      if (!response.headersSent && !response.destroyed) {
        sendError(response, 500, `fake-openai internal error: ${error instanceof Error ? error.message : String(error)}`);
      } else {
        response.destroy();
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    chatRequests: () => requests.filter((recorded) => recorded.method === 'POST' && recorded.path === CHAT_PATH),
    enqueue: (...replies) => {
      queue.push(...replies);
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        closed = true;
        for (const pending of [...pendingDelays]) pending.finish();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

/** The completion object a non-streaming request receives; streams are derived from it. */
interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  system_fingerprint: string;
  choices: [
    {
      index: 0;
      message: { role: 'assistant'; content: string | null; refusal: null; tool_calls?: ToolCallWire[] };
      logprobs: null;
      finish_reason: string;
    },
  ];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}
interface ToolCallWire {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

function buildCompletion(reply: ChatReply, request: ChatRequestBody, meta: { id: string; created: number; model: string }): ChatCompletion {
  const toolCalls: ToolCallWire[] = (reply.toolCalls ?? []).map((call, position) => ({
    id: call.id ?? `call_fake_${meta.id.slice('chatcmpl-fake-'.length)}_${position}`,
    type: 'function',
    function: { name: call.name, arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments) },
  }));
  const hasToolCalls = toolCalls.length > 0;
  // OpenAI sends null content when the model only calls tools; clients branch on that.
  const content = reply.content ?? (hasToolCalls ? null : '');
  const message: ChatCompletion['choices'][0]['message'] = { role: 'assistant', content, refusal: null };
  if (hasToolCalls) message.tool_calls = toolCalls;
  const completion: ChatCompletion = {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    system_fingerprint: 'fp_fake',
    choices: [{ index: 0, message, logprobs: null, finish_reason: reply.finishReason ?? (hasToolCalls ? 'tool_calls' : 'stop') }],
  };
  if (reply.usage !== null) {
    const replyChars = (content ?? '').length + toolCalls.reduce((sum, call) => sum + call.function.name.length + call.function.arguments.length, 0);
    const usage = reply.usage ?? { prompt_tokens: estimateTokens(messagesLength(request.messages)), completion_tokens: estimateTokens(replyChars) };
    completion.usage = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
  }
  return completion;
}

/** Renders a completion as the server-sent events of a streamed answer, ending with `data: [DONE]`. */
function streamChunks(completion: ChatCompletion, includeUsage: boolean): string {
  const { message, finish_reason } = completion.choices[0];
  const events: unknown[] = [];
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null): void => {
    const event: Record<string, unknown> = {
      id: completion.id,
      object: 'chat.completion.chunk',
      created: completion.created,
      model: completion.model,
      system_fingerprint: completion.system_fingerprint,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    };
    // With include_usage, OpenAI sends `usage: null` on every chunk but the last.
    if (includeUsage) event.usage = null;
    events.push(event);
  };
  chunk({ role: 'assistant', content: message.content === null ? null : '', refusal: null });
  for (const piece of splitText(message.content ?? '', 3)) chunk({ content: piece });
  (message.tool_calls ?? []).forEach((call, index) => {
    const [firstArguments = '', ...restArguments] = splitText(call.function.arguments, 2);
    chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: firstArguments } }] });
    for (const piece of restArguments) chunk({ tool_calls: [{ index, function: { arguments: piece } }] });
  });
  chunk({}, finish_reason);
  if (includeUsage && completion.usage !== undefined) {
    const { id, created, model, system_fingerprint, usage } = completion;
    events.push({ id, object: 'chat.completion.chunk', created, model, system_fingerprint, choices: [], usage });
  }
  return `${events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join('')}data: [DONE]\n\n`;
}

/**
 * The default embedding: a unit vector from hashing each lower-cased word into one of `dimensions` signed buckets.
 * Equal texts get equal vectors and texts sharing words get similar ones, so retrieval tests can rank results.
 */
export function fakeEmbedding(text: string, dimensions: number = DEFAULT_EMBEDDING_DIMENSIONS): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [text];
  for (const word of words) {
    const hash = fnv1a(word);
    vector[hash % dimensions] = (vector[hash % dimensions] ?? 0) + ((hash >>> 16) & 1 ? 1 : -1);
  }
  const norm = Math.hypot(...vector);
  // A text whose words cancel out still needs a usable (non-zero) direction for cosine similarity.
  if (norm === 0) return vector.map((_, index) => (index === fnv1a(text) % dimensions ? 1 : 0));
  return vector.map((value) => value / norm);
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

/** Base64 of little-endian float32 values: what OpenAI returns for `encoding_format: 'base64'`. */
function float32Base64(vector: number[]): string {
  const buffer = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => buffer.writeFloatLE(value, index * 4));
  return buffer.toString('base64');
}

function estimateTokens(characters: number): number {
  return Math.ceil(characters / 4);
}

/** Characters of text in chat messages, whether content is a string or a list of parts. */
function messagesLength(messages: unknown[]): number {
  let total = 0;
  for (const message of messages) {
    const content: unknown = typeof message === 'object' && message !== null ? (message as { content?: unknown }).content : undefined;
    if (typeof content === 'string') total += content.length;
    else if (Array.isArray(content)) {
      for (const part of content) {
        const text: unknown = typeof part === 'object' && part !== null ? (part as { text?: unknown }).text : undefined;
        if (typeof text === 'string') total += text.length;
      }
    }
  }
  return total;
}

function splitText(text: string, pieces: number): string[] {
  if (text.length === 0) return [];
  const size = Math.ceil(text.length / pieces);
  const result: string[] = [];
  for (let start = 0; start < text.length; start += size) result.push(text.slice(start, start + size));
  return result;
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
}

function send(response: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  if (response.destroyed) return;
  response.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  response.end(body);
}

/** OpenAI's error envelope, with the `type` OpenAI uses for each status class. */
function sendError(response: ServerResponse, status: number, message: string, headers: Record<string, string> = {}, code?: string): void {
  const type = status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error';
  const errorCode = code ?? (status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : null);
  const body = JSON.stringify({ error: { message, type, param: null, code: errorCode } });
  send(response, status, body, { 'content-type': 'application/json', ...headers });
}

/** One part of a multipart/form-data body. */
export interface MultipartPart {
  /** The `name` of the form field. */
  name: string;
  /** The file name, for file parts only. */
  filename?: string;
  /** The part's `Content-Type`; `text/plain` for fields and `application/octet-stream` for files when absent. */
  contentType: string;
  /** Header names are lower-cased. */
  headers: Record<string, string>;
  data: Buffer;
}

/** Result of {@link parseMultipart}: the parts, or why the body is malformed. Never throws, since bodies are outside data. */
export type MultipartResult = { ok: true; parts: MultipartPart[] } | { ok: false; reason: string };

/** The boundary of a `multipart/form-data` content type, or `undefined` when it is another type or has none. */
export function boundaryFrom(contentType: string): string | undefined {
  const { value, parameters } = parseHeaderValue(contentType);
  if (value.toLowerCase() !== 'multipart/form-data') return undefined;
  const boundary = parameters.boundary;
  return boundary !== undefined && boundary.length > 0 && boundary.length <= 70 ? boundary : undefined;
}

/** Parses a multipart/form-data body (RFC 7578 / RFC 2046) byte-exactly: part bodies may hold any bytes, CRLF included. */
export function parseMultipart(body: Buffer, boundary: string): MultipartResult {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  // Inside the body a delimiter is always preceded by CRLF, which belongs to the delimiter, not to the part's data.
  const innerDelimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  const parts: MultipartPart[] = [];
  let position = body.subarray(0, delimiter.length).equals(delimiter) ? 0 : body.indexOf(innerDelimiter);
  if (position < 0) return { ok: false, reason: 'the boundary does not occur in the body' };
  if (position > 0) position += 2;
  for (;;) {
    position += delimiter.length;
    if (body[position] === 0x2d && body[position + 1] === 0x2d) return { ok: true, parts };
    while (body[position] === 0x20 || body[position] === 0x09) position += 1; // transport padding
    if (body[position] !== 0x0d || body[position + 1] !== 0x0a) return { ok: false, reason: 'a boundary line does not end with CRLF' };
    position += 2;
    let headerText = '';
    let dataStart = position + 2;
    if (body[position] !== 0x0d || body[position + 1] !== 0x0a) {
      const headerEnd = body.indexOf('\r\n\r\n', position, 'latin1');
      if (headerEnd < 0) return { ok: false, reason: 'a part has no end of headers' };
      headerText = body.subarray(position, headerEnd).toString('utf8');
      dataStart = headerEnd + 4;
    }
    const dataEnd = body.indexOf(innerDelimiter, dataStart);
    if (dataEnd < 0) return { ok: false, reason: 'the body ends before the closing boundary' };
    const headers: Record<string, string> = {};
    for (const line of headerText.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const disposition = parseHeaderValue(headers['content-disposition'] ?? '');
    const name = disposition.parameters.name;
    if (disposition.value.toLowerCase() !== 'form-data' || name === undefined) {
      return { ok: false, reason: 'a part lacks `Content-Disposition: form-data; name=...`' };
    }
    const filename = disposition.parameters['filename*'] ?? disposition.parameters.filename;
    parts.push({
      name,
      ...(filename === undefined ? {} : { filename }),
      contentType: headers['content-type'] ?? (filename === undefined ? 'text/plain' : 'application/octet-stream'),
      headers,
      data: body.subarray(dataStart, dataEnd),
    });
    position = dataEnd + 2;
  }
}

/** Splits `value; key=token; key="quoted \"string\""` into the value and lower-cased parameters (RFC 5987 `key*` decoded). */
function parseHeaderValue(header: string): { value: string; parameters: Record<string, string> } {
  const semicolon = header.indexOf(';');
  const value = (semicolon < 0 ? header : header.slice(0, semicolon)).trim();
  const parameters: Record<string, string> = {};
  if (semicolon < 0) return { value, parameters };
  const pattern = /;\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
  for (const match of header.slice(semicolon).matchAll(pattern)) {
    const key = (match[1] ?? '').toLowerCase();
    let text = (match[2] ?? '').trim();
    if (text.startsWith('"')) text = text.slice(1, -1).replace(/\\(.)/g, '$1');
    if (key.endsWith('*')) {
      const extended = /^[^']*'[^']*'(.*)$/.exec(text);
      try {
        text = decodeURIComponent(extended?.[1] ?? text);
      } catch {
        continue; // an undecodable extended value is ignored in favour of the plain one
      }
    }
    parameters[key] = text;
  }
  return { value, parameters };
}
