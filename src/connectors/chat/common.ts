/**
 * What the chat kinds (slack, teams) share: their operations are messages (side effects by default, no idempotency
 * key: neither Slack nor Teams Workflows drops a repeated post), every attempt is bounded by the connector's
 * `timeoutMs`, and failures are sorted the same way for `withRetries`, by the rule the http connector applies to a
 * side effect sent without an idempotency key:
 *
 * - tried again (honouring `Retry-After`) only when the message certainly was not posted: 429, 503, 408, a refused
 *   connection or failed DNS lookup, a failure before the request was sent;
 * - a timeout, a dropped connection or another 5xx leaves the outcome unknown: final, as CONNECTOR_UNAVAILABLE (not
 *   retryable) saying the message may have been posted. The runtime's ledger then asks a person rather than post it
 *   blind again;
 * - any other refusal fails at once as CONNECTOR_REJECTED.
 *
 * An operation declared `sideEffect: false` repeats nothing, so every transient failure is tried again for it.
 *
 * The credential of a chat connector is the token or the webhook URL itself; messages are built from the operation id
 * and what the system answered, never from the URL, and pass through the redactor besides.
 */
import { ConnectorError } from '../errors.js';
import type { OperationKit } from '../kit.js';
import { neverSent } from '../http/failures.js';
import { retryAfterMs, Transient, type RetryDeps } from '../retry.js';
import type { ConnectorDeps, OperationInfo } from '../types.js';

/** The declared fields every chat operation shares. */
interface ChatDeclared {
  description: string;
  sideEffect?: boolean | undefined;
  approval?: OperationInfo['approval'] | undefined;
}

export function chatOperationInfo(connector: string, name: string, declared: ChatDeclared, kit: OperationKit): OperationInfo {
  const sideEffect = declared.sideEffect ?? true;
  return {
    id: `${connector}.${name}`,
    connector,
    name,
    description: declared.description,
    inputSchema: kit.inputSchema,
    sideEffect,
    approval: declared.approval ?? (sideEffect ? 'untrusted' : 'never'),
    honoursKey: false,
  };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A system's answer cut to one short line for a message. */
export function snippet(text: string, max = 200): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

export function retryDeps(deps: ConnectorDeps, signal: AbortSignal | undefined): RetryDeps {
  return { ...(deps.sleep ? { sleep: deps.sleep } : {}), ...(signal ? { signal } : {}) };
}

/** What a final "outcome unknown" failure adds to its message, and what it asks the person to do. */
const MAYBE_POSTED = '; not retried: the message may have been posted, and chat systems honour no idempotency key';
const CHECK_HINT = 'check in the channel whether the message was posted before sending it again';

/**
 * A failure worth another attempt, as a Transient, when another attempt cannot post the message twice: the operation
 * is no side effect, or the failure says the message certainly was not posted. Otherwise the final
 * CONNECTOR_UNAVAILABLE (not retryable) whose message says the message may have been posted.
 */
export function unavailable(options: { operation: string; message: string; sideEffect: boolean; certainlyNotPosted: boolean; status?: number | string | undefined; retryAfter?: number | undefined; cause?: unknown }): Transient | ConnectorError {
  const { operation, message, sideEffect, certainlyNotPosted } = options;
  const status = options.status !== undefined ? { status: options.status } : {};
  const cause = options.cause !== undefined ? { cause: options.cause } : {};
  if (sideEffect && !certainlyNotPosted) return new ConnectorError('CONNECTOR_UNAVAILABLE', `${message}${MAYBE_POSTED}`, { operation, ...status, retryable: false }, { ...cause, hint: CHECK_HINT });
  return new Transient(new ConnectorError('CONNECTOR_UNAVAILABLE', message, { operation, ...status, retryable: true }, cause), options.retryAfter);
}

/**
 * One attempt's `fetch`: bounded by the timeout and the caller's signal, and remembering the last response's status
 * and `Retry-After`, which the Slack clients' errors do not all carry, and whether a request was sent at all.
 */
export interface Attempt {
  fetch: typeof fetch;
  status: number | undefined;
  retryAfter: string | null;
  /** Whether `fetch` was called: a failure before it posted nothing. */
  sent: boolean;
  /** Why a rejected fetch failed: the caller cancelled, the timeout passed, or the network. */
  failure(error: unknown, operation: string, what: string): unknown;
}

export function attempt(deps: ConnectorDeps, timeoutMs: number, signal: AbortSignal | undefined, sideEffect: boolean): Attempt {
  const base = deps.fetch ?? fetch;
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const state: Attempt = {
    status: undefined,
    retryAfter: null,
    sent: false,
    fetch: async (input, init) => {
      const inner = init?.signal ? AbortSignal.any([init.signal, combined]) : combined;
      state.sent = true;
      const response = await base(input, { ...init, signal: inner });
      state.status = response.status;
      state.retryAfter = response.headers.get('retry-after');
      return response;
    },
    failure(error, operation, what) {
      if (signal?.aborted) return signal.reason ?? error;
      if (timeout.aborted) return unavailable({ operation, message: `${operation}: ${what} did not answer within ${timeoutMs} ms`, sideEffect, certainlyNotPosted: !state.sent });
      const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
      const code = typeof cause?.code === 'string' ? cause.code : undefined;
      const detail = [error instanceof Error ? error.message : String(error), code ?? (typeof cause?.message === 'string' ? cause.message : undefined)].filter(Boolean).join(': ');
      // A refused connection or a failed lookup never reached the system; a dropped one may have posted the message.
      const notSent = !state.sent || (state.status === undefined && neverSent(error));
      const how = notSent ? 'could not be reached' : 'failed before answering';
      return unavailable({ operation, message: `${operation}: ${what} ${how}: ${deps.redact(detail)}`, sideEffect, certainlyNotPosted: notSent, cause: error });
    },
  };
  return state;
}

/**
 * An HTTP refusal: 429, 503 and 408 (the message was not taken) are tried again, waiting what `Retry-After` asks;
 * another 5xx is tried again only for an operation that is no side effect, and is otherwise final (the message may
 * have been posted); anything else is REJECTED with `status` (Slack's error code when it sent one, else the HTTP
 * status).
 */
export function httpFailure(options: { operation: string; what: string; httpStatus: number; body: string; retryAfter: string | null; status?: string | undefined; sideEffect: boolean; deps: ConnectorDeps }): Transient | ConnectorError {
  const { operation, what, httpStatus, deps } = options;
  const said = options.body ? `: ${deps.redact(snippet(options.body))}` : '';
  const status = options.status ?? httpStatus;
  if (httpStatus === 408 || httpStatus === 429 || httpStatus >= 500) {
    const notPosted = httpStatus === 408 || httpStatus === 429 || httpStatus === 503;
    return unavailable({ operation, message: `${operation}: ${what} answered ${httpStatus}${said}`, sideEffect: options.sideEffect, certainlyNotPosted: notPosted, status: httpStatus, retryAfter: retryAfterMs(options.retryAfter, deps.now?.()) });
  }
  return new ConnectorError('CONNECTOR_REJECTED', `${operation}: ${what} refused the message (${httpStatus})${said}`, { operation, status });
}
