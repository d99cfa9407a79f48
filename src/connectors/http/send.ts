/**
 * Sends a prepared http request: the credential and the idempotency key added, each attempt bounded by the
 * operation's timeout (and the caller's signal), transient failures retried by the connector's policy, the response
 * classified and mapped.
 *
 * - 2xx: the body is read and mapped (`$status` and `$headers` bound for the mapping). The call's credential values
 *   (the stored secret, a Basic pair, an OAuth2 access token the redactor never saw) are scrubbed from the body and
 *   headers before the mapping runs, and from its output and records after, so a system echoing them back hands
 *   them neither to the role nor to the run store.
 * - 5xx, 429, 408, a timeout, a refused or dropped connection: retried, honouring `Retry-After`; then
 *   CONNECTOR_UNAVAILABLE (retryable). A side effect is retried only because its idempotency key is the same on every
 *   attempt: one sent without a key is retried only when the request certainly was not applied (429, 503, 408, a
 *   refused connection, a failure before sending); a timeout, a dropped connection or another 5xx is final for it
 *   (CONNECTOR_UNAVAILABLE, not retryable), since sending it again could apply it twice.
 * - Any other 4xx: CONNECTOR_REJECTED at once, quoting the start of the body so the role can act on it. With OAuth2, a
 *   401 first drops the cached token, and the request is sent once more with a fresh one.
 * - 3xx: CONNECTOR_REJECTED. Redirects are not followed: the credential would go along to wherever they point.
 * - The caller's abort is not a failure of the system: it is rethrown as it is, never retried.
 */
import { BatonError } from '../../errors.js';
import type { ConnectorError } from '../errors.js';
import type { OperationKit } from '../kit.js';
import { retryAfterMs, Transient, withRetries } from '../retry.js';
import type { HttpConnectorConfig, HttpOperation } from '../schema.js';
import type { CallResult, ConnectorDeps, ExecuteOptions } from '../types.js';
import type { AuthProvider, Credential } from './auth.js';
import { connectorError, excerpt, neverSent, reason, scrubValue } from './failures.js';
import { encodeBody, underBase, type HttpRequest } from './request.js';
import { discard, errorText, headerObject, readBody, summarize } from './response.js';

export interface SendSpec {
  config: HttpConnectorConfig;
  operation: HttpOperation;
  kit: OperationKit;
  auth: AuthProvider;
  deps: ConnectorDeps;
  /** Whether the operation is a side effect (the idempotency header goes only on those). */
  sideEffect: boolean;
  /** The idempotency header, or false when the system honours none. */
  idempotencyHeader: string | false;
}

/** What one successful attempt read. */
interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** The credential values of the attempt that answered, scrubbed from what the mapping gives as well. */
  sensitive: readonly string[];
}

/** What one attempt knows about the call, for classifying its failure. */
interface AttemptState {
  request: HttpRequest;
  /** Whether a retry cannot repeat an effect: a read, or a side effect sent with its idempotency key. */
  repeatable: boolean;
  /** Whether the API request was sent (a failure before it, fetching a token, repeats nothing). */
  sent: boolean;
  sensitive: string[];
}

const UNSAFE = '; not retried: the request may have been applied, and the system honours no idempotency key for it';

/**
 * A failure worth another attempt, as a Transient; but for a side effect sent without an idempotency key, a failure
 * that leaves its outcome unknown (a timeout, a dropped connection, a 500) is final and not retryable: sending it again
 * could apply it twice.
 */
function transient(spec: SendSpec, state: AttemptState, message: string, context: { status?: number; hint?: string; retryAfter?: number }, certainlyNotApplied: boolean): Transient | ConnectorError {
  const id = spec.kit.id;
  const safe = state.repeatable || !state.sent || certainlyNotApplied;
  const status = context.status !== undefined ? { status: context.status } : {};
  const options = { sensitive: state.sensitive, ...(context.hint ? { hint: context.hint } : {}) };
  if (!safe) return connectorError('CONNECTOR_UNAVAILABLE', `${message}${UNSAFE}`, { operation: id, ...status, retryable: false }, spec.deps.redact, { ...options, hint: 'check in the system whether the request was applied before calling again' });
  return new Transient(connectorError('CONNECTOR_UNAVAILABLE', message, { operation: id, ...status, retryable: true }, spec.deps.redact, options), context.retryAfter);
}

/** Classifies an error thrown by fetch or while reading: the caller's abort as it is, a timeout or network failure as transient. */
function thrown(spec: SendSpec, state: AttemptState, error: unknown, caller: AbortSignal | undefined, timeout: AbortSignal, timeoutMs: number): unknown {
  if (caller?.aborted) return error;
  // Typed failures (a refusal, a secret missing from the store) are final as they are.
  if (error instanceof BatonError || error instanceof Transient) return error;
  const where = `${spec.kit.id}: ${state.request.method} ${state.request.url}`;
  if (timeout.aborted) return transient(spec, state, `${where} timed out after ${timeoutMs} ms`, {}, false);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  const notSent = neverSent(error);
  return transient(spec, state, `${where} failed: ${notSent ? 'the system could not be reached' : 'the connection failed'} (${detail})`, { hint: 'check that the system is up and that baseUrl is right' }, notSent);
}

/** Turns a non-2xx response into the error to throw (transient or final). */
async function failure(spec: SendSpec, state: AttemptState, response: Response): Promise<Transient | ConnectorError> {
  const { deps, kit } = spec;
  const { request, sensitive } = state;
  const id = kit.id;
  const status = response.status;
  const line = `${id}: ${request.method} ${request.url} answered ${status} ${reason(status)}`;
  if (status >= 300 && status < 400) {
    await discard(response);
    const location = response.headers.get('location');
    return connectorError('CONNECTOR_REJECTED', `${line}: the system redirected to ${location ?? '(no location)'}; point baseUrl at the final address`, { operation: id, status }, deps.redact, { sensitive });
  }
  const body = excerpt(await errorText(response), deps.redact, sensitive);
  if (status >= 500 || status === 429 || status === 408) {
    // 429, 503 and 408 say the request was not processed; another 5xx may come after the effect was applied.
    const retryAfter = retryAfterMs(response.headers.get('retry-after'), (deps.now ?? Date.now)());
    return transient(spec, state, `${line}: ${body}`, { status, ...(retryAfter !== undefined ? { retryAfter } : {}) }, status === 429 || status === 503 || status === 408);
  }
  const hint = status === 401 || status === 403 ? 'the system refused the credential; check the connector\'s auth and the stored secret' : 'the system refused the request as sent; change the input';
  return connectorError('CONNECTOR_REJECTED', `${line}: ${body}`, { operation: id, status }, deps.redact, { sensitive, hint });
}

/** One attempt: with OAuth2, a 401 drops the token and sends once more with a fresh one. */
async function attempt(spec: SendSpec, request: HttpRequest, options: ExecuteOptions): Promise<Answer> {
  const timeoutMs = spec.operation.timeoutMs ?? spec.config.timeoutMs;
  const keyed = spec.idempotencyHeader !== false && !!options.idempotencyKey;
  let refreshed = false;
  for (;;) {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const state: AttemptState = { request, repeatable: !spec.sideEffect || keyed, sent: false, sensitive: [] };
    try {
      const credential: Credential | undefined = await spec.auth.credential(signal);
      state.sensitive = credential?.sensitive ?? [];
      const headers: Record<string, string> = { ...request.headers };
      if (credential) headers[credential.header] = credential.value;
      if (spec.sideEffect && spec.idempotencyHeader !== false && options.idempotencyKey) headers[spec.idempotencyHeader.toLowerCase()] = options.idempotencyKey;
      const body = encodeBody(request);
      state.sent = true;
      const response = await (spec.deps.fetch ?? fetch)(request.url, { method: request.method, headers, redirect: 'manual', signal, ...(body !== undefined ? { body } : {}) });
      if (response.status === 401 && credential && !refreshed && spec.auth.invalidate(credential)) {
        await discard(response);
        refreshed = true;
        continue;
      }
      if (response.status < 200 || response.status >= 300) throw await failure(spec, state, response);
      const answer = await readBody(spec.kit.id, request.method, response, spec.deps.redact, state.sensitive);
      const sensitive = state.sensitive;
      return { status: response.status, headers: scrubValue(headerObject(response.headers), sensitive), body: scrubValue(answer, sensitive), sensitive };
    } catch (error) {
      throw thrown(spec, state, error, options.signal, timeout, timeoutMs);
    }
  }
}

/** Sends the request with retries, then maps the response (see the module comment). */
export async function send(spec: SendSpec, request: HttpRequest, options: ExecuteOptions): Promise<CallResult> {
  const id = spec.kit.id;
  if (!underBase(request.url, spec.config.baseUrl)) {
    // A prepared call read back from the ledger or an approval must not send the credential to another address.
    throw connectorError('CONNECTOR_INPUT_INVALID', `${id}: the prepared URL ${request.url} is not under the connector's baseUrl ${spec.config.baseUrl}`, { operation: id }, spec.deps.redact);
  }
  const policy = spec.operation.retries ?? spec.config.retries;
  const answer = await withRetries(policy, () => attempt(spec, request, options), {
    ...(spec.deps.sleep ? { sleep: spec.deps.sleep } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const mapped = await spec.kit.result(answer.body, { status: answer.status, headers: answer.headers });
  const output = scrubValue(mapped.output, answer.sensitive);
  const records = scrubValue(mapped.records, answer.sensitive);
  const summary = spec.deps.redact(summarize(answer.status, output, records.length, spec.kit.has('records.id')));
  return { output, records, summary, status: answer.status };
}
