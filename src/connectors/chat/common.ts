/**
 * What the chat kinds (slack, teams) share: their operations are messages (side effects by default, no idempotency
 * key: neither Slack nor Teams Workflows drops a repeated post), every attempt is bounded by the connector's
 * `timeoutMs`, and failures are sorted the same way for `withRetries`: 429, 408, 5xx, timeouts and network failures
 * are tried again (honouring `Retry-After`), any other refusal fails at once as CONNECTOR_REJECTED.
 *
 * The credential of a chat connector is the token or the webhook URL itself; messages are built from the operation id
 * and what the system answered, never from the URL, and pass through the redactor besides.
 */
import { ConnectorError } from '../errors.js';
import type { OperationKit } from '../kit.js';
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

/**
 * One attempt's `fetch`: bounded by the timeout and the caller's signal, and remembering the last response's status
 * and `Retry-After`, which the Slack clients' errors do not all carry.
 */
export interface Attempt {
  fetch: typeof fetch;
  status: number | undefined;
  retryAfter: string | null;
  /** Why a rejected fetch failed: the caller cancelled, the timeout passed, or the network. */
  failure(error: unknown, operation: string, what: string): unknown;
}

export function attempt(deps: ConnectorDeps, timeoutMs: number, signal: AbortSignal | undefined): Attempt {
  const base = deps.fetch ?? fetch;
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const state: Attempt = {
    status: undefined,
    retryAfter: null,
    fetch: async (input, init) => {
      const inner = init?.signal ? AbortSignal.any([init.signal, combined]) : combined;
      const response = await base(input, { ...init, signal: inner });
      state.status = response.status;
      state.retryAfter = response.headers.get('retry-after');
      return response;
    },
    failure(error, operation, what) {
      if (signal?.aborted) return signal.reason ?? error;
      if (timeout.aborted) return new Transient(new ConnectorError('CONNECTOR_UNAVAILABLE', `${operation}: ${what} did not answer within ${timeoutMs} ms`, { operation, retryable: true }));
      const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
      const detail = [error instanceof Error ? error.message : String(error), typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined].filter(Boolean).join(': ');
      return new Transient(new ConnectorError('CONNECTOR_UNAVAILABLE', `${operation}: ${what} could not be reached: ${deps.redact(detail)}`, { operation, retryable: true }, { cause: error }));
    },
  };
  return state;
}

/**
 * An HTTP refusal: 408, 429 and 5xx are tried again (waiting what `Retry-After` asks), anything else is REJECTED with
 * `status` (Slack's error code when it sent one, else the HTTP status).
 */
export function httpFailure(options: { operation: string; what: string; httpStatus: number; body: string; retryAfter: string | null; status?: string | undefined; deps: ConnectorDeps }): Transient | ConnectorError {
  const { operation, what, httpStatus, deps } = options;
  const said = options.body ? `: ${deps.redact(snippet(options.body))}` : '';
  const status = options.status ?? httpStatus;
  if (httpStatus === 408 || httpStatus === 429 || httpStatus >= 500) {
    const final = new ConnectorError('CONNECTOR_UNAVAILABLE', `${operation}: ${what} answered ${httpStatus}${said}`, { operation, status: httpStatus, retryable: true });
    return new Transient(final, retryAfterMs(options.retryAfter, deps.now?.()));
  }
  return new ConnectorError('CONNECTOR_REJECTED', `${operation}: ${what} refused the message (${httpStatus})${said}`, { operation, status });
}
