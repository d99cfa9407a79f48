/**
 * The resilience layer around the model seam: per-model retries with exponential backoff and full jitter, Retry-After,
 * per-call timeouts, a circuit breaker (cooldown) per model and fallback down the router's ranked list.
 *
 * Confidentiality: the ranked list has already been filtered by the router, so falling back can never cross the
 * private-only rule. This function only ever calls models from the list it is given, in that order.
 */
import type { ModelSpec } from '../config/models.js';
import {
  AllModelsFailedError,
  BatonError,
  BudgetExceededError,
  CancelledError,
  ModelAuthError,
  ModelError,
  ModelHttpError,
  ModelKeyMissingError,
  ModelOutputError,
  ModelTimeoutError,
  errorMessage,
} from '../errors.js';
import { abortErrorOf } from '../abort.js';
import { HealthTracker } from './health.js';

/** An event for the transcript. `attempt` counts calls to `model` within this fallback call, from 1. */
export interface FallbackEvent {
  type: 'attempt-start' | 'retry' | 'fallback' | 'cooldown';
  model: string;
  attempt: number;
  /** The failure that led to this event (`code: message`). */
  error?: string;
  /** `retry`: how long we wait before the next attempt; `cooldown`: how long the model stays in cooldown. */
  waitMs?: number;
  /** `fallback`: the model tried next. */
  nextModel?: string;
}

/** Options of {@link callWithFallback}; every clock and random source is injectable for tests. */
export interface FallbackOptions {
  /** Calls per model at most, first try included. Default 3. */
  maxAttemptsPerModel?: number;
  /** Backoff base: the cap before jitter is `baseDelayMs × 2^retry`. Default 500. */
  baseDelayMs?: number;
  /** Backoff cap. Default 20 000. */
  maxDelayMs?: number;
  /** A Retry-After longer than this makes us move to the next model instead of waiting. Default 60 000. */
  maxRetryAfterMs?: number;
  /** Timeout of one call; default the model's own `timeoutMs` (OpenAI-compatible models), else none. */
  timeoutMs?: number;
  /** Shared circuit breaker; a private one (scoped to this call) when omitted. */
  health?: HealthTracker;
  /** Cancels everything, waits included, at once. */
  signal?: AbortSignal;
  /** Absolute deadline of the run, on the `now` clock. */
  deadlineMs?: number;
  onEvent?: (event: FallbackEvent) => void;
  /** Uniform in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Waits `ms`; should settle early when `signal` aborts (we stop waiting on abort regardless). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  now?: () => number;
  /** Starts a timer for call timeouts and returns its cancel function. Default `setTimeout`. */
  startTimer?: (ms: number, onFire: () => void) => () => void;
}

/** One failed call. */
export interface FailedAttempt {
  model: string;
  attempt: number;
  error: string;
}

/** What a successful fallback call returns. */
export interface FallbackResult<T> {
  value: T;
  /** The model that answered. */
  model: ModelSpec;
  /** Calls made in all, the successful one included. */
  calls: number;
  /** Every failed call before the success. */
  failures: FailedAttempt[];
}

/**
 * The run's deadline passed before any model answered. A budget, not a model failure: it ends the run
 * `budget_exceeded` with code `BUDGET_EXCEEDED`, apart from `MODEL_TIMEOUT` (every attempt of a call timed out).
 * The run aborts its signal with one (without a model) when its deadline passes.
 */
export class DeadlineExceededError extends BudgetExceededError {
  readonly failures: FailedAttempt[];
  constructor(model: string | undefined, failures: FailedAttempt[] = []) {
    super(`the run's deadline passed${model === undefined ? '' : ` while calling model "${model}"`}`, { hint: 'allow the run more time, or mark it urgent to prefer faster models' });
    this.failures = failures;
  }
}

/** HTTP statuses that mean "this request will not work on this model": no retry, go to the next model. */
const NO_RETRY_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 404]);

/** What to do after a failed call: try the same model again, move on, or stop (not a model failure). */
export function failureVerdict(error: unknown): 'retry' | 'next-model' | 'rethrow' {
  if (error instanceof ModelHttpError) return NO_RETRY_STATUSES.has(error.status) || !error.retryable ? 'next-model' : 'retry';
  if (error instanceof ModelError) return error.retryable ? 'retry' : 'next-model';
  // The output-repair loop runs inside the attempt; if it gave up, another model may still do better.
  if (error instanceof ModelOutputError) return 'next-model';
  // Anything else is cancellation or a bug in Baton, not a model outage; falling back would only hide it.
  return 'rethrow';
}

/** Full-jitter exponential backoff: uniform in [0, min(cap, base × 2^retryIndex)). */
export function backoffDelay(retryIndex: number, random: () => number, baseDelayMs = 500, maxDelayMs = 20_000): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** retryIndex);
  return Math.floor(random() * ceiling);
}

/**
 * Parses an HTTP `Retry-After` value, delta-seconds (`120`) or an HTTP date, into milliseconds from `nowMs`.
 * Returns undefined for a missing or unreadable value; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // Only date-looking strings: Date.parse accepts bare numbers such as "-5", which are not valid here.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function describe(error: unknown): string {
  return error instanceof BatonError ? `${error.code}: ${error.message}` : errorMessage(error);
}

function endpointOf(model: ModelSpec): string {
  return model.provider === 'openai-compatible' ? model.baseUrl : model.provider;
}

const defaultSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

const defaultTimer = (ms: number, onFire: () => void): (() => void) => {
  const timer = setTimeout(onFire, ms);
  return () => clearTimeout(timer);
};

/**
 * Calls `attempt` on the ranked models until one succeeds. Retryable failures (timeouts, unreachable, 408, 409, 429,
 * 5xx) are retried on the same model with backoff, honouring `retryAfterMs`; 400/401/403/404 and other non-retryable
 * model errors move straight to the next model. A model that reaches the tracker's failure threshold goes into
 * cooldown and we move on; a model already cooling down gets a single probe call. Errors that are not model failures
 * are rethrown unchanged. Throws a `ModelTimeoutError` naming every model when every attempt timed out,
 * `AllModelsFailedError` (its `cause` the last failure) when every model failed otherwise, `CancelledError` when a
 * person aborts `signal`, and {@link DeadlineExceededError} when the run's deadline passes (or aborts `signal` with one).
 */
export async function callWithFallback<T>(
  ranked: readonly ModelSpec[],
  attempt: (model: ModelSpec, signal: AbortSignal) => Promise<T>,
  options: FallbackOptions = {},
): Promise<FallbackResult<T>> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const startTimer = options.startTimer ?? defaultTimer;
  const health = options.health ?? new HealthTracker({ now });
  const maxAttempts = Math.max(1, options.maxAttemptsPerModel ?? 3);
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const emit = options.onEvent ?? ((): void => undefined);
  const outer = options.signal;
  const failures: FailedAttempt[] = [];
  const lastErrors: Array<{ model: string; error: string }> = [];
  let calls = 0;

  // Why the outer signal stopped us: the run's deadline (a budget), or a person cancelling.
  const stopped = (model: string): BatonError => {
    if (outer?.reason instanceof DeadlineExceededError) return new DeadlineExceededError(model, failures);
    const cancelled = (): BatonError => new CancelledError(`the call to model "${model}" was cancelled`);
    return outer ? abortErrorOf(outer, cancelled) : cancelled();
  };
  // The timeout of each model's calls and whether every failed call so far timed out: then the call fails MODEL_TIMEOUT.
  const timeouts = new Map<string, number | undefined>();
  let onlyTimeouts = true;
  let lastCause: unknown;

  for (const [position, model] of ranked.entries()) {
    const next = ranked[position + 1]?.name;
    // A model already in cooldown is probed once: enough to notice it recovered, not enough to waste the run's time.
    const budget = health.isCoolingDown(model.name) ? 1 : maxAttempts;
    let lastError = '';
    for (let attemptNumber = 1; attemptNumber <= budget; attemptNumber += 1) {
      if (outer?.aborted) throw stopped(model.name);
      const remaining = options.deadlineMs === undefined ? Infinity : options.deadlineMs - now();
      if (remaining <= 0) throw new DeadlineExceededError(model.name, failures);
      const ownTimeout = options.timeoutMs ?? (model.provider === 'openai-compatible' ? model.timeoutMs : undefined);
      const timeoutMs = Math.min(ownTimeout ?? Infinity, remaining);
      timeouts.set(model.name, ownTimeout);
      emit({ type: 'attempt-start', model: model.name, attempt: attemptNumber });
      calls += 1;
      let error: unknown;
      try {
        const value = await runOnce(model, attempt, {
          timeoutMs: Number.isFinite(timeoutMs) ? timeoutMs : undefined,
          cutByDeadline: remaining < (ownTimeout ?? Infinity),
          signal: outer,
          startTimer,
        });
        health.recordSuccess(model.name);
        return { value, model, calls, failures };
      } catch (caught) {
        error = caught;
      }
      if (error instanceof RunOnceStop) {
        if (error.reason === 'cancelled') throw stopped(model.name);
        throw new DeadlineExceededError(model.name, failures);
      }
      const verdict = failureVerdict(error);
      if (verdict === 'rethrow') throw error;
      lastError = describe(error);
      lastCause = error;
      onlyTimeouts &&= error instanceof ModelTimeoutError;
      failures.push({ model: model.name, attempt: attemptNumber, error: lastError });
      // A refused or missing key will not fix itself: cool the model down at once so later calls skip it.
      const outcome = health.recordFailure(model.name, lastError, { trip: error instanceof ModelAuthError || error instanceof ModelKeyMissingError });
      if (outcome.enteredCooldown) {
        emit({ type: 'cooldown', model: model.name, attempt: attemptNumber, error: lastError, waitMs: health.cooldownMs });
        break;
      }
      if (verdict === 'next-model' || attemptNumber === budget) break;
      const retryAfterMs = error instanceof ModelHttpError ? error.retryAfterMs : undefined;
      if (retryAfterMs !== undefined && retryAfterMs > maxRetryAfterMs) break;
      const waitMs = retryAfterMs ?? backoffDelay(attemptNumber - 1, random, options.baseDelayMs, options.maxDelayMs);
      // Waiting past the deadline is pointless; the next model might still answer in time.
      if (options.deadlineMs !== undefined && now() + waitMs >= options.deadlineMs) break;
      emit({ type: 'retry', model: model.name, attempt: attemptNumber, error: lastError, waitMs });
      if (!(await waitUnlessAborted(sleep, waitMs, outer))) throw stopped(model.name);
    }
    const tried = failures.filter((failure) => failure.model === model.name).length;
    lastErrors.push({ model: model.name, error: `${lastError}, after ${tried} attempt${tried === 1 ? '' : 's'}` });
    if (next !== undefined) {
      emit({ type: 'fallback', model: model.name, attempt: tried, error: lastError, nextModel: next });
    }
  }
  if (onlyTimeouts && failures.length > 0) throw allTimedOut(ranked, failures, timeouts);
  throw new AllModelsFailedError(lastErrors, { cause: lastCause });
}

/**
 * Every attempt on every model timed out: a model failure (`MODEL_TIMEOUT`), not a cancellation, even though each
 * timeout aborted its call. The message names each model, its timeout and how many attempts it had.
 */
function allTimedOut(ranked: readonly ModelSpec[], failures: readonly FailedAttempt[], timeouts: ReadonlyMap<string, number | undefined>): ModelTimeoutError {
  const tried = ranked.filter((model) => timeouts.has(model.name));
  const parts = tried.map((model) => {
    const attempts = failures.filter((failure) => failure.model === model.name).length;
    const timeoutMs = timeouts.get(model.name);
    return `"${model.name}" did not answer${timeoutMs === undefined ? ' in time' : ` within ${timeoutMs} ms`} (${attempts} attempt${attempts === 1 ? '' : 's'})`;
  });
  const message = tried.length === 1 ? `model ${parts[0] ?? ''}` : `no model answered in time: model ${parts.join('; model ')}`;
  return new ModelTimeoutError(
    message,
    { endpoint: tried.map(endpointOf).join(', '), model: tried.map((model) => model.name).join(', ') },
    { hint: 'raise timeoutMs of the model in the Baton config if it is slow, or check that its endpoint is not overloaded' },
  );
}

/** Internal signal from {@link runOnce}: the run was cancelled or its deadline cut the call short. */
class RunOnceStop extends Error {
  constructor(readonly reason: 'cancelled' | 'deadline') {
    super(reason);
  }
}

/** One call with its own abort signal, raced against the timeout and the outer signal so a stuck call cannot hang us. */
function runOnce<T>(
  model: ModelSpec,
  attempt: (model: ModelSpec, signal: AbortSignal) => Promise<T>,
  settings: { timeoutMs: number | undefined; cutByDeadline: boolean; signal: AbortSignal | undefined; startTimer: NonNullable<FallbackOptions['startTimer']> },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const controller = new AbortController();
    const cleanups: Array<() => void> = [];
    let settled = false;
    const settle = (action: () => void): void => {
      if (settled) return;
      settled = true;
      for (const cleanup of cleanups) cleanup();
      action();
    };
    const outer = settings.signal;
    if (outer) {
      const onAbort = (): void => {
        controller.abort(outer.reason);
        settle(() => reject(new RunOnceStop('cancelled')));
      };
      if (outer.aborted) return onAbort();
      outer.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => outer.removeEventListener('abort', onAbort));
    }
    if (settings.timeoutMs !== undefined) {
      const timeoutMs = settings.timeoutMs;
      const cancelTimer = settings.startTimer(timeoutMs, () => {
        const timeout = new ModelTimeoutError(`model "${model.name}" did not answer within ${timeoutMs} ms`, {
          endpoint: endpointOf(model),
          model: model.name,
        });
        // The reason tells the model's error mapping why its call stopped: a timeout or the deadline, not a cancel.
        controller.abort(settings.cutByDeadline ? new DeadlineExceededError(model.name) : timeout);
        settle(() => reject(settings.cutByDeadline ? new RunOnceStop('deadline') : timeout));
      });
      cleanups.push(cancelTimer);
    }
    let pending: Promise<T>;
    try {
      pending = attempt(model, controller.signal);
    } catch (error) {
      return settle(() => reject(error));
    }
    // A late answer or failure after a timeout is ignored here, and handled so it is never an unhandled rejection.
    pending.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
  });
}

/** Sleeps, but returns false the moment `signal` aborts, whatever the injected sleep does. */
async function waitUnlessAborted(
  sleep: NonNullable<FallbackOptions['sleep']>,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (signal?.aborted) return false;
  const local = new AbortController();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<false>((resolve) => {
    onAbort = (): void => resolve(false);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  const slept = sleep(ms, signal ?? local.signal).then(
    () => true,
    () => !signal?.aborted,
  );
  try {
    return await Promise.race([slept, aborted]);
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}
