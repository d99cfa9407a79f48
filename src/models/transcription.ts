/**
 * Speech to text through an OpenAI-compatible `/audio/transcriptions` endpoint (multipart upload), for audio a run is
 * given. Failures map to the same typed errors as chat calls, so the resilience layer retries and falls back alike.
 */
import type { OpenAICompatibleModel } from '../config/models.js';
import { CancelledError, ModelAuthError, ModelHttpError, ModelKeyMissingError, ModelUnreachableError } from '../errors.js';
import { parseRetryAfter } from '../routing/resilience.js';
import { abortErrorOf } from '../abort.js';

export interface TranscriptionRequest {
  fileName: string;
  mimeType: string;
  bytes: Buffer;
  signal?: AbortSignal;
}

export async function transcribe(
  spec: OpenAICompatibleModel,
  env: Readonly<Record<string, string | undefined>>,
  request: TranscriptionRequest,
  fetchImplementation: typeof fetch = fetch,
): Promise<string> {
  const context = { endpoint: spec.baseUrl, model: spec.name };
  const headers: Record<string, string> = {};
  if (spec.apiKeyEnv) {
    const key = env[spec.apiKeyEnv];
    if (!key) throw new ModelKeyMissingError(`model "${spec.name}" reads its API key from ${spec.apiKeyEnv}, which is not set`, context);
    headers['authorization'] = `Bearer ${key}`;
  }
  const form = new FormData();
  form.append('model', spec.model);
  form.append('file', new Blob([new Uint8Array(request.bytes)], { type: request.mimeType }), request.fileName);
  let response: Response;
  try {
    response = await fetchImplementation(`${spec.baseUrl.replace(/\/$/, '')}/audio/transcriptions`, {
      method: 'POST',
      headers,
      body: form,
      ...(request.signal ? { signal: request.signal } : {}),
    });
  } catch (error) {
    if (request.signal?.aborted) throw abortErrorOf(request.signal, () => new CancelledError(`the transcription by model "${spec.name}" was cancelled`, { cause: error }));
    throw new ModelUnreachableError(`cannot reach ${spec.baseUrl} for model "${spec.name}"`, context, { cause: error });
  }
  if (response.status === 401 || response.status === 403) {
    throw new ModelAuthError(`${spec.baseUrl} refused the API key for model "${spec.name}" (HTTP ${response.status})`, context);
  }
  if (!response.ok) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    throw new ModelHttpError(`${spec.baseUrl} answered HTTP ${response.status} to a transcription`, {
      ...context,
      status: response.status,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  const body = (await response.json().catch((error: unknown) => {
    // An abort while the body streams in is the abort, not a reply without text.
    if (request.signal?.aborted) throw abortErrorOf(request.signal, () => new CancelledError(`the transcription by model "${spec.name}" was cancelled`, { cause: error }));
    return undefined;
  })) as { text?: unknown } | undefined;
  if (typeof body?.text !== 'string') throw new ModelHttpError(`${spec.baseUrl} sent a transcription without text`, { ...context, status: response.status });
  return body.text;
}
