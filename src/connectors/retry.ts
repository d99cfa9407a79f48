/**
 * Retries of a connector call: transient failures (a 5xx, 429, a timeout, a refused connection) are tried again with
 * exponential backoff and full jitter, and a `Retry-After` the system sent (seconds or an HTTP date) is honoured, capped
 * by `maxDelayMs`. Anything else (a 4xx, a schema failure) fails at once. The same policy serves http, slack and teams.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { ConnectorError } from './errors.js';
import type { Retries } from './schema.js';

/** Waits `ms`, or rejects when the signal aborts. */
export function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, signal ? { signal } : undefined);
}

/** Milliseconds a `Retry-After` header asks for (delta seconds or an HTTP date), or undefined. */
export function retryAfterMs(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A failure that may be tried again, with the wait the system asked for. */
export class Transient extends Error {
  readonly retryAfterMs: number | undefined;
  readonly final: ConnectorError;
  constructor(final: ConnectorError, retryAfter?: number) {
    super(final.message);
    this.final = final;
    this.retryAfterMs = retryAfter;
  }
}

export interface RetryDeps {
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  signal?: AbortSignal;
  /** Told before each wait (for logs and tests). */
  onRetry?: (attempt: number, waitMs: number, reason: string) => void;
}

/**
 * Runs `attempt` until it succeeds, throws a non-{@link Transient} error, or the attempts are used up (then the last
 * transient failure's ConnectorError is thrown, its message saying how many attempts were made).
 */
export async function withRetries<T>(policy: Retries, attempt: (n: number) => Promise<T>, deps: RetryDeps = {}): Promise<T> {
  const sleep = deps.sleep ?? sleepFor;
  const random = deps.random ?? Math.random;
  for (let n = 1; ; n += 1) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof Transient)) throw error;
      if (n >= policy.attempts || deps.signal?.aborted) {
        const final = error.final;
        throw new ConnectorError(final.code, `${final.message} (after ${n} attempt${n === 1 ? '' : 's'})`, { ...(final.operation ? { operation: final.operation } : {}), ...(final.status !== undefined ? { status: final.status } : {}), retryable: true }, { cause: final, ...(final.hint ? { hint: final.hint } : {}) });
      }
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
      const wait = error.retryAfterMs !== undefined ? Math.min(policy.maxDelayMs, error.retryAfterMs) : Math.round(random() * backoff);
      deps.onRetry?.(n, wait, error.message);
      await sleep(wait, deps.signal);
    }
  }
}
