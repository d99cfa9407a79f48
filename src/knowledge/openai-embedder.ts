/**
 * Embeddings from any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, Ollama, vLLM, llama.cpp server, LM
 * Studio…) over plain `fetch`. Texts go in batches; rate limits and server errors are retried with backoff; failures
 * become typed model errors that name the endpoint.
 */
import { z } from 'zod';
import {
  BatonError,
  CancelledError,
  ModelAuthError,
  ModelHttpError,
  ModelOutputError,
  ModelTimeoutError,
  ModelUnreachableError,
} from '../errors.js';
import { abortErrorOf } from '../abort.js';
import { normalise, throwIfCancelled, type Embedder } from './embedder.js';

/** A `fetch`-shaped function, injectable for tests. */
export type EmbeddingFetch = (input: string, init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<Response>;

/** Options of {@link OpenAIEmbedder}. */
export interface OpenAIEmbedderOptions {
  /** Base URL including `/v1`, e.g. `http://localhost:11434/v1`; requests go to `<baseUrl>/embeddings`. */
  baseUrl: string;
  /** The model id the endpoint expects, e.g. `text-embedding-3-small` or `nomic-embed-text`. */
  model: string;
  /** Vector size the model returns; every vector is checked against it. */
  dimensions: number;
  /** The API key itself (the caller reads it from the environment), or none for local servers. */
  apiKey?: string;
  /** Also send `dimensions` in the request, for models that can shorten their vectors (OpenAI text-embedding-3). */
  sendDimensions?: boolean;
  /** Texts per request. Default 64. */
  batchSize?: number;
  /** Retries after the first attempt for 429, 5xx, timeouts and refused connections. Default 4. */
  maxRetries?: number;
  /** Milliseconds for one request. Default 60 000. */
  timeoutMs?: number;
  fetch?: EmbeddingFetch;
  sleep?: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
}

const EmbeddingResponse = z.object({
  data: z.array(z.object({ embedding: z.array(z.number()), index: z.number().int().nonnegative().optional() })),
});

function defaultSleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, milliseconds);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal ? abortErrorOf(signal, () => new CancelledError('embedding was cancelled')) : new CancelledError('embedding was cancelled'));
      },
      { once: true },
    );
  });
}

function retryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Whether an error from `fetch` means nothing is listening (or the host is unknown). */
function connectionFailure(error: unknown): string | undefined {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String((cause as { code: unknown }).code) : '';
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)) return code;
  return error instanceof TypeError ? 'fetch failed' : undefined;
}

/** Embeddings over an OpenAI-compatible HTTP API. */
export class OpenAIEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly endpoint: string;
  private readonly options: OpenAIEmbedderOptions;

  constructor(options: OpenAIEmbedderOptions) {
    this.options = options;
    this.dimensions = options.dimensions;
    this.endpoint = `${options.baseUrl.replace(/\/+$/, '')}/embeddings`;
    this.id = `openai:${options.model}:${options.dimensions}`;
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const batchSize = Math.max(1, this.options.batchSize ?? 64);
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += batchSize) {
      throwIfCancelled(signal, 'embedding');
      vectors.push(...(await this.embedBatch(texts.slice(start, start + batchSize), signal)));
    }
    return vectors;
  }

  private context(): { endpoint: string; model: string } {
    return { endpoint: this.endpoint, model: this.options.model };
  }

  private async embedBatch(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const maxRetries = this.options.maxRetries ?? 4;
    const sleep = this.options.sleep ?? defaultSleep;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.request(texts, signal);
      } catch (error) {
        const retryable = error instanceof ModelHttpError || error instanceof ModelTimeoutError || error instanceof ModelUnreachableError;
        if (!retryable || !error.retryable || attempt >= maxRetries) throw error;
        const wait = (error instanceof ModelHttpError ? error.retryAfterMs : undefined) ?? Math.min(30_000, 500 * 2 ** attempt);
        await sleep(wait, signal);
      }
    }
  }

  private async request(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const fetchFunction: EmbeddingFetch = this.options.fetch ?? ((input, init) => fetch(input, init));
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 60_000);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    const body = {
      model: this.options.model,
      input: texts,
      encoding_format: 'float',
      ...(this.options.sendDimensions ? { dimensions: this.dimensions } : {}),
    };
    let response: Response;
    try {
      response = await fetchFunction(this.endpoint, { method: 'POST', headers, body: JSON.stringify(body), signal: combined });
    } catch (error) {
      throw this.transportError(error, signal, timeout);
    }
    if (!response.ok) {
      const detail = (await response.text().catch(() => '')).slice(0, 300);
      if (response.status === 401 || response.status === 403) {
        throw new ModelAuthError(`the embeddings endpoint ${this.endpoint} refused the API key (HTTP ${response.status})`, this.context(), {
          hint: 'check the API key configured for the embedding model',
        });
      }
      const retryAfterMs = retryAfter(response.headers.get('retry-after'));
      throw new ModelHttpError(`the embeddings endpoint ${this.endpoint} answered HTTP ${response.status}${detail ? `: ${detail}` : ''}`, {
        ...this.context(),
        status: response.status,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      });
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch (error) {
      if (signal?.aborted || timeout.aborted) throw this.transportError(error, signal, timeout);
      throw new ModelOutputError(`the embeddings endpoint ${this.endpoint} did not answer with JSON`, { role: 'embedder', attempts: 1 }, { cause: error });
    }
    return this.vectors(json, texts.length);
  }

  private vectors(json: unknown, expected: number): Float32Array[] {
    const parsed = EmbeddingResponse.safeParse(json);
    if (!parsed.success || parsed.data.data.length !== expected) {
      throw new ModelOutputError(
        `the embeddings endpoint ${this.endpoint} answered with ${parsed.success ? `${parsed.data.data.length} vectors for ${expected} texts` : 'an unexpected shape'}`,
        { role: 'embedder', attempts: 1 },
      );
    }
    // Servers may return items out of order; `index` says where each belongs.
    const ordered = [...parsed.data.data].sort((left, right) => (left.index ?? 0) - (right.index ?? 0));
    return ordered.map((item) => {
      if (item.embedding.length !== this.dimensions) {
        throw new ModelOutputError(
          `the embeddings endpoint ${this.endpoint} returned ${item.embedding.length}-dimensional vectors for model ${this.options.model}, but ${this.dimensions} are configured`,
          { role: 'embedder', attempts: 1 },
          { hint: `set the embedding model's dimensions to ${item.embedding.length}` },
        );
      }
      return normalise(Float32Array.from(item.embedding));
    });
  }

  private transportError(error: unknown, signal: AbortSignal | undefined, timeout: AbortSignal): BatonError {
    if (signal?.aborted) return abortErrorOf(signal, () => new CancelledError('embedding was cancelled'));
    if (timeout.aborted) {
      return new ModelTimeoutError(`the embeddings endpoint ${this.endpoint} did not answer within ${this.options.timeoutMs ?? 60_000} ms`, this.context());
    }
    const failure = connectionFailure(error);
    return new ModelUnreachableError(
      `cannot reach the embeddings endpoint ${this.endpoint}${failure ? ` (${failure})` : ''}: ${error instanceof Error ? error.message : String(error)}`,
      this.context(),
      { cause: error, hint: 'check that the embedding server is running and the base URL (including /v1) is right' },
    );
  }
}
