/**
 * The OpenAI-compatible provider: any Chat Completions endpoint (OpenAI, Azure OpenAI, Ollama, vLLM, llama.cpp server,
 * LM Studio) through @langchain/openai. Retries are Baton's, not the client's, so every one is visible in the
 * transcript; this module maps endpoint failures to typed errors that say which endpoint and what to check.
 */
import { AIMessage, AIMessageChunk, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { ChatOpenAICompletions, OpenAIClient, wrapOpenAIClientError, type ChatOpenAICompletionsCallOptions } from '@langchain/openai';
import type { OpenAICompatibleModel } from '../config/models.js';
import {
  CancelledError,
  ModelAuthError,
  ModelHttpError,
  ModelKeyMissingError,
  ModelTimeoutError,
  ModelUnreachableError,
  type ModelError,
} from '../errors.js';
import { parseRetryAfter } from '../routing/resilience.js';
import { abortErrorOf } from '../abort.js';
import { estimateTokens, type ChatMessage, type ChatModel, type ModelRequest, type ModelResponse, type ToolCallRequest, type Usage } from './types.js';

/**
 * @langchain/openai sends a non-streamed `json_schema` request through the SDK's `parse` helper, which parses the reply
 * itself (so a reply that is not bare JSON throws, as if the endpoint were down, before Baton's validation retry can ask
 * again) and demands strict tools (whose rules Baton's tool schemas do not follow, so OpenAI would refuse the call).
 * Baton validates every reply against the role's schema, so these requests go out through the plain `create` call.
 */
class PlainCompletions extends ChatOpenAICompletions {
  override completionWithRetry(
    request: OpenAIClient.Chat.ChatCompletionCreateParamsStreaming,
    requestOptions?: OpenAIClient.RequestOptions,
  ): Promise<AsyncIterable<OpenAIClient.Chat.Completions.ChatCompletionChunk>>;
  override completionWithRetry(
    request: OpenAIClient.Chat.ChatCompletionCreateParamsNonStreaming,
    requestOptions?: OpenAIClient.RequestOptions,
  ): Promise<OpenAIClient.Chat.Completions.ChatCompletion>;
  override async completionWithRetry(
    request: OpenAIClient.Chat.ChatCompletionCreateParams,
    requestOptions?: OpenAIClient.RequestOptions,
  ): Promise<AsyncIterable<OpenAIClient.Chat.Completions.ChatCompletionChunk> | OpenAIClient.Chat.Completions.ChatCompletion> {
    if (request.stream || request.response_format?.type !== 'json_schema') {
      return super.completionWithRetry(request as OpenAIClient.Chat.ChatCompletionCreateParamsNonStreaming, requestOptions);
    }
    const { maxRetries, ...sdkOptions } = requestOptions ?? {};
    const clientOptions = this._getClientOptions(sdkOptions);
    return this.caller.callWithOptions({ ...(maxRetries !== undefined ? { maxRetries } : {}) }, async () => {
      try {
        return await this.client.chat.completions.create({ ...request, stream: false }, clientOptions);
      } catch (error) {
        throw wrapOpenAIClientError(error);
      }
    });
  }
}

export interface OpenAICompatibleOptions {
  spec: OpenAICompatibleModel;
  env: Readonly<Record<string, string | undefined>>;
}

export class OpenAICompatibleChatModel implements ChatModel {
  readonly provider = 'openai-compatible' as const;
  readonly id: string;
  readonly name: string;
  readonly endpoint: string;
  private readonly spec: OpenAICompatibleModel;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private client: PlainCompletions | undefined;

  constructor(options: OpenAICompatibleOptions) {
    this.spec = options.spec;
    this.env = options.env;
    this.id = `openai-compatible:${options.spec.model}`;
    this.name = options.spec.name;
    this.endpoint = options.spec.baseUrl;
  }

  private getClient(): PlainCompletions {
    if (this.client) return this.client;
    let apiKey = 'not-needed';
    if (this.spec.apiKeyEnv) {
      const value = this.env[this.spec.apiKeyEnv];
      if (!value) {
        throw new ModelKeyMissingError(
          `model "${this.name}" reads its API key from ${this.spec.apiKeyEnv}, which is not set`,
          { endpoint: this.endpoint, model: this.name },
          { hint: `export ${this.spec.apiKeyEnv}=... or change apiKeyEnv for model "${this.name}"` },
        );
      }
      apiKey = value;
    }
    this.client = new PlainCompletions({
      model: this.spec.model,
      apiKey,
      configuration: { baseURL: this.spec.baseUrl },
      maxRetries: 0,
      timeout: this.spec.timeoutMs,
      streamUsage: true,
      ...(this.spec.temperature !== undefined ? { temperature: this.spec.temperature } : {}),
    });
    return this.client;
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    const client = this.getClient();
    const started = performance.now();
    const messages = request.messages.map(toLangChainMessage);
    // A server that cannot take tools and a response format together gets the tools; the caller asks for the format
    // in a later call without tools (see `outputDeferred`).
    const deferOutput = Boolean(request.output && request.tools?.length && !this.spec.toolsWithStructuredOutput && this.spec.structuredOutput !== 'prompt');
    const callOptions = {
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.tools?.length
        ? {
            tools: request.tools.map((tool) => ({ type: 'function' as const, function: { name: tool.name, description: tool.description, parameters: tool.parameters } })),
            // LangChain would mark tools strict beside a json_schema response format; Baton's tool schemas are not strict.
            strict: false,
          }
        : {}),
      ...(request.output && !deferOutput ? { response_format: this.responseFormat(request.output) } : {}),
    };
    let message: AIMessage | AIMessageChunk;
    try {
      if (this.spec.stream) {
        let aggregate: AIMessageChunk | undefined;
        for await (const chunk of await client.stream(messages, callOptions)) {
          const delta = typeof chunk.content === 'string' ? chunk.content : '';
          if (delta) request.onToken?.(delta);
          aggregate = aggregate ? aggregate.concat(chunk) : chunk;
        }
        message = aggregate ?? new AIMessageChunk({ content: '' });
      } else {
        message = await client.invoke(messages, callOptions);
      }
    } catch (error) {
      throw this.mapError(error, request.signal);
    }
    const text = typeof message.content === 'string' ? message.content : message.content.map((part) => ('text' in part ? String(part.text) : '')).join('');
    const toolCalls = toolCallsOf(message);
    const usage = usageOf(message) ?? estimateUsage(request.messages, text);
    return { text, toolCalls, usage, model: this.id, latencyMs: performance.now() - started, ...(deferOutput ? { outputDeferred: true } : {}) };
  }

  private responseFormat(output: NonNullable<ModelRequest['output']>): ChatOpenAICompletionsCallOptions['response_format'] {
    switch (this.spec.structuredOutput) {
      case 'json_schema':
        return { type: 'json_schema', json_schema: { name: output.name, schema: output.jsonSchema, strict: false } };
      case 'json_object':
        return { type: 'json_object' };
      case 'prompt':
        return undefined;
    }
  }

  private mapError(error: unknown, signal: AbortSignal | undefined): Error {
    // A timeout or the run's deadline aborts the signal too; only a person's abort is a cancellation.
    if (signal?.aborted) return abortErrorOf(signal, () => new CancelledError(`the call to model "${this.name}" was cancelled`, { cause: error }));
    const context = { endpoint: this.endpoint, model: this.name };
    const record = (error ?? {}) as { status?: unknown; name?: unknown; message?: unknown; headers?: unknown; constructor?: { name?: string } };
    const message = typeof record.message === 'string' ? record.message : String(error);
    if (typeof record.status === 'number') {
      const status = record.status;
      if (status === 401 || status === 403) {
        return new ModelAuthError(`${this.endpoint} refused the API key for model "${this.name}" (HTTP ${status})`, context, {
          cause: error,
          hint: this.spec.apiKeyEnv ? `check ${this.spec.apiKeyEnv} and that the key may use model "${this.spec.model}"` : 'this endpoint wants an API key: set apiKeyEnv for the model',
        });
      }
      const retryAfterMs = parseRetryAfter(readHeader(record.headers, 'retry-after'));
      return new ModelHttpError(`${this.endpoint} answered HTTP ${status} for model "${this.name}": ${this.withoutKey(firstLine(message))}`, { ...context, status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) }, {
        cause: error,
        ...(status === 404 ? { hint: `check that the endpoint serves model "${this.spec.model}" and that the base URL ends in /v1` } : {}),
      });
    }
    if (record.name === 'TimeoutError' || record.constructor?.name === 'APIConnectionTimeoutError') {
      return new ModelTimeoutError(`${this.endpoint} did not answer within ${this.spec.timeoutMs} ms`, context, { cause: error });
    }
    return unreachable(this.endpoint, this.name, error, (text) => this.withoutKey(text));
  }

  /** Endpoint text can echo the key it was sent (some proxies do); error messages reach logs and terminals. */
  private withoutKey(text: string): string {
    const key = this.spec.apiKeyEnv ? this.env[this.spec.apiKeyEnv] : undefined;
    return key ? text.split(key).join('[REDACTED]') : text;
  }
}

/** The most specific reason in an error's cause chain: a system code such as ECONNREFUSED, or the deepest message. */
function rootReason(error: unknown): string {
  let current: unknown = error;
  let message = String(error);
  for (let depth = 0; current && depth < 6; depth += 1) {
    const record = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof record.code === 'string' && /^E[A-Z]+$/.test(record.code)) return `${record.code}${typeof record.message === 'string' ? ` (${firstLine(record.message)})` : ''}`;
    if (typeof record.message === 'string') message = firstLine(record.message);
    current = record.cause;
  }
  return message;
}

function unreachable(endpoint: string, model: string, cause: unknown, scrub: (text: string) => string): ModelError {
  return new ModelUnreachableError(`cannot reach ${endpoint} for model "${model}": ${scrub(rootReason(cause))}`, { endpoint, model }, {
    cause,
    hint: 'check that the server is running and the base URL (including /v1) is right',
  });
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

function readHeader(headers: unknown, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** A token count as reported: a finite, non-negative number, or `undefined`. */
function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * The usage the endpoint reported, every figure it gave, or `undefined` when it reported none at all. @langchain/openai
 * attaches a usage object even when the endpoint reported none and leaves a count of 0 out of it (non-streamed), so
 * the response's raw `usage` is read too; a count still missing beside a reported one is derived from the total, else 0
 * (an empty reply costs its prompt, not an estimate of the whole call).
 */
function usageOf(message: AIMessage | AIMessageChunk): Usage | undefined {
  const metadata = message.usage_metadata;
  const raw: unknown = (message.response_metadata as Record<string, unknown> | undefined)?.['usage'];
  const wire = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const input = count(metadata?.input_tokens) ?? count(wire['prompt_tokens']);
  const output = count(metadata?.output_tokens) ?? count(wire['completion_tokens']);
  const total = count(metadata?.total_tokens) ?? count(wire['total_tokens']);
  if (input === undefined && output === undefined && total === undefined) return undefined;
  const inputTokens = input ?? Math.max(0, (total ?? 0) - (output ?? 0));
  const outputTokens = output ?? Math.max(0, (total ?? 0) - inputTokens);
  return { inputTokens, outputTokens, totalTokens: total ?? inputTokens + outputTokens, estimated: false };
}

/** A tool call as the endpoint sent it: arguments still JSON text. */
interface WireToolCall {
  id?: unknown;
  function?: { name?: unknown; arguments?: unknown };
}

/**
 * The tool calls of a reply, in the order the model made them, each parsed strictly from the JSON text the endpoint
 * sent. A call whose arguments are not a JSON object is kept with `invalidArguments` (so the caller can tell the model
 * and let it retry) instead of being dropped, as @langchain/openai does when not streaming, or completed from a
 * truncated text, as its streaming parser does.
 */
function toolCallsOf(message: AIMessage | AIMessageChunk): ToolCallRequest[] {
  const raw: unknown = message.additional_kwargs?.tool_calls;
  if (!Array.isArray(raw) || raw.length === 0) {
    // No wire form to read: what @langchain/openai parsed, valid and invalid.
    return [
      ...(message.tool_calls ?? []).map((call, index) => ({ id: call.id ?? `call_${index}`, name: call.name, arguments: (call.args ?? {}) as Record<string, unknown> })),
      ...(message.invalid_tool_calls ?? []).map((call, index) => ({ id: call.id ?? `call_invalid_${index}`, name: call.name ?? '', arguments: {}, invalidArguments: call.args ?? '' })),
    ];
  }
  return (raw as WireToolCall[]).map((call, index) => {
    const id = typeof call.id === 'string' && call.id ? call.id : `call_${index}`;
    const name = typeof call.function?.name === 'string' ? call.function.name : '';
    const text = typeof call.function?.arguments === 'string' ? call.function.arguments : '';
    // Servers send "" for a call without arguments.
    if (text.trim() === '') return { id, name, arguments: {} };
    const parsed = parseObject(text);
    return parsed ? { id, name, arguments: parsed } : { id, name, arguments: {}, invalidArguments: text };
  });
}

/** A JSON object in `text`, or `undefined` when the text is not one. */
function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function estimateUsage(messages: ChatMessage[], reply: string): ModelResponse['usage'] {
  const inputTokens = estimateTokens(messages.map((message) => (typeof message.content === 'string' ? message.content : JSON.stringify(message.content))).join('\n'));
  const outputTokens = estimateTokens(reply);
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens, estimated: true };
}

function toLangChainMessage(message: ChatMessage): BaseMessage {
  switch (message.role) {
    case 'system':
      return new SystemMessage(message.content);
    case 'user':
      return new HumanMessage({
        content:
          typeof message.content === 'string'
            ? message.content
            : message.content.map((part) =>
                part.type === 'text' ? { type: 'text', text: part.text } : { type: 'image_url', image_url: { url: `data:${part.mimeType};base64,${part.dataBase64}` } },
              ),
      });
    case 'assistant':
      // A call whose arguments were not JSON goes back with empty arguments (its tool result quotes what was sent):
      // the wire form is only ever built from parsed arguments.
      return new AIMessage({
        content: message.content,
        tool_calls: (message.toolCalls ?? []).map((call) => ({ id: call.id, name: call.name, args: call.arguments, type: 'tool_call' as const })),
      });
    case 'tool':
      return new ToolMessage({ content: message.content, tool_call_id: message.toolCallId });
  }
}
