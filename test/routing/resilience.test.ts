import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../src/config/models.js';
import {
  AllModelsFailedError,
  CancelledError,
  ModelAuthError,
  ModelHttpError,
  ModelOutputError,
  ModelTimeoutError,
  ModelUnreachableError,
} from '../../src/errors.js';
import { HealthTracker } from '../../src/routing/health.js';
import { RunLabels } from '../../src/routing/needs.js';
import { DeadlineExceededError, backoffDelay, callWithFallback, parseRetryAfter, type FallbackEvent } from '../../src/routing/resilience.js';
import { rankedModels, route } from '../../src/routing/router.js';
import { spec } from './helpers.js';

const alpha = spec({ name: 'alpha' });
const beta = spec({ name: 'beta' });
const gamma = spec({ name: 'gamma' });

/** A fake clock whose sleep returns at once and moves time forward by what was asked. */
function fakeClock(start = 0) {
  let time = start;
  const waits: number[] = [];
  return {
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
    sleep: async (ms: number) => {
      waits.push(ms);
      time += ms;
    },
    waits,
  };
}

const http = (model: string, status: number, retryAfterMs?: number): ModelHttpError =>
  new ModelHttpError(`HTTP ${status}`, { endpoint: 'http://127.0.0.1:9/v1', model, status, retryAfterMs });

/** An attempt function that plays scripted outcomes per model and records every call. */
function scripted(script: Record<string, Array<Error | string>>) {
  const calls: string[] = [];
  const attempt = async (model: ModelSpec): Promise<string> => {
    calls.push(model.name);
    const outcome = script[model.name]?.shift() ?? `answer from ${model.name}`;
    if (outcome instanceof Error) throw outcome;
    return outcome;
  };
  return { calls, attempt };
}

describe('callWithFallback', () => {
  it('waits exactly the Retry-After on 429 and then succeeds on the same model', async () => {
    const clock = fakeClock();
    const events: FallbackEvent[] = [];
    const { calls, attempt } = scripted({ alpha: [http('alpha', 429, 1000), http('alpha', 429, 1000), 'ok'] });
    const result = await callWithFallback([alpha, beta], attempt, { ...clock, onEvent: (event) => events.push(event) });
    expect(result.value).toBe('ok');
    expect(result.model.name).toBe('alpha');
    expect(result.calls).toBe(3);
    expect(result.failures.map((failure) => failure.attempt)).toEqual([1, 2]);
    expect(clock.waits).toEqual([1000, 1000]);
    expect(calls).toEqual(['alpha', 'alpha', 'alpha']);
    expect(events.map((event) => `${event.type}:${event.model}:${event.attempt}:${event.waitMs ?? ''}`)).toEqual([
      'attempt-start:alpha:1:',
      'retry:alpha:1:1000',
      'attempt-start:alpha:2:',
      'retry:alpha:2:1000',
      'attempt-start:alpha:3:',
    ]);
    expect(events[1]?.error).toMatch(/^MODEL_HTTP: HTTP 429/);
    expect(JSON.parse(JSON.stringify(events))).toEqual(events);
  });

  it('retries 500 with full-jitter backoff until the model cools down, then falls back', async () => {
    const clock = fakeClock();
    const health = new HealthTracker({ failureThreshold: 3, cooldownMs: 30_000, now: clock.now });
    const events: FallbackEvent[] = [];
    const failures = Array.from({ length: 10 }, () => http('alpha', 500));
    const { calls, attempt } = scripted({ alpha: failures });
    const result = await callWithFallback([alpha, beta], attempt, {
      ...clock,
      health,
      random: () => 0.5,
      maxAttemptsPerModel: 5,
      onEvent: (event) => events.push(event),
    });
    expect(result.model.name).toBe('beta');
    expect(calls).toEqual(['alpha', 'alpha', 'alpha', 'beta']);
    // Backoff caps 500 and 1000 ms, halved by random() = 0.5.
    expect(clock.waits).toEqual([250, 500]);
    expect(events.filter((event) => event.type !== 'attempt-start').map((event) => event.type)).toEqual(['retry', 'retry', 'cooldown', 'fallback']);
    expect(events.find((event) => event.type === 'cooldown')).toMatchObject({ model: 'alpha', attempt: 3, waitMs: 30_000 });
    expect(events.find((event) => event.type === 'fallback')).toMatchObject({ model: 'alpha', nextModel: 'beta', attempt: 3 });
    expect(health.snapshot().alpha).toMatchObject({ coolingDown: true, consecutiveFailures: 3 });
    expect(health.snapshot().beta).toMatchObject({ coolingDown: false, consecutiveFailures: 0 });
  });

  it('does not retry 401 (or other non-retryable errors) and falls back at once', async () => {
    const clock = fakeClock();
    const { calls, attempt } = scripted({
      alpha: [http('alpha', 401)],
      beta: [new ModelAuthError('bad key', { endpoint: 'x', model: 'beta' })],
    });
    const result = await callWithFallback([alpha, beta, gamma], attempt, clock);
    expect(calls).toEqual(['alpha', 'beta', 'gamma']);
    expect(clock.waits).toEqual([]);
    expect(result.model.name).toBe('gamma');
    expect(result.failures.map((failure) => failure.error)).toEqual(['MODEL_HTTP: HTTP 401', 'MODEL_AUTH: bad key']);
  });

  it.each([400, 403, 404])('does not retry HTTP %i', async (status) => {
    const { calls, attempt } = scripted({ alpha: [http('alpha', status)] });
    await callWithFallback([alpha, beta], attempt, fakeClock());
    expect(calls).toEqual(['alpha', 'beta']);
  });

  it('throws AllModelsFailedError listing every model tried and why', async () => {
    const { attempt } = scripted({
      alpha: [http('alpha', 503), http('alpha', 503)],
      beta: [new ModelUnreachableError('connection refused', { endpoint: 'http://127.0.0.1:9/v1', model: 'beta' }), http('beta', 403)],
    });
    const error = await callWithFallback([alpha, beta], attempt, { ...fakeClock(), maxAttemptsPerModel: 2 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AllModelsFailedError);
    const failed = error as AllModelsFailedError;
    expect(failed.attempts).toEqual([
      { model: 'alpha', error: 'MODEL_HTTP: HTTP 503, after 2 attempts' },
      { model: 'beta', error: 'MODEL_HTTP: HTTP 403, after 2 attempts' },
    ]);
    expect(failed.message).toContain('alpha');
  });

  it('only ever calls models from the ranked list it was given (fallback never crosses the confidential rule)', async () => {
    const registry = [spec({ name: 'external-a' }), spec({ name: 'private-a', zone: 'private' }), spec({ name: 'external-b' }), spec({ name: 'private-b', zone: 'private' })];
    const decision = route({}, RunLabels.parse({ confidential: true }), registry, {});
    const ranked = rankedModels(decision, registry);
    const called: string[] = [];
    const error = await callWithFallback(
      ranked,
      async (model) => {
        called.push(model.name);
        throw http(model.name, 503);
      },
      fakeClock(),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AllModelsFailedError);
    expect(new Set(called)).toEqual(new Set(['private-a', 'private-b']));
    expect(called.every((name) => decision.ranked.includes(name))).toBe(true);
  });

  it('times out a call, aborts its signal and retries', async () => {
    const signals: AbortSignal[] = [];
    let calls = 0;
    const result = await callWithFallback(
      [alpha],
      (_model, signal) => {
        signals.push(signal);
        calls += 1;
        // The first call hangs for ever; the second answers.
        return calls === 1 ? new Promise<string>(() => undefined) : Promise.resolve('late but fine');
      },
      { timeoutMs: 15, sleep: async () => undefined },
    );
    expect(result.value).toBe('late but fine');
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[0]?.reason).toBeInstanceOf(ModelTimeoutError);
    expect(result.failures[0]?.error).toMatch(/^MODEL_TIMEOUT: model "alpha" did not answer within 15 ms/);
  });

  it('uses the model timeout from the spec when none is given', async () => {
    const timers: number[] = [];
    await callWithFallback([spec({ name: 'slowpoke', timeoutMs: 1234 })], async () => 'ok', {
      startTimer: (ms) => {
        timers.push(ms);
        return () => undefined;
      },
    });
    expect(timers).toEqual([1234]);
  });

  it('stops waiting at once when the outer signal aborts, even if sleep ignores it', async () => {
    const controller = new AbortController();
    const { calls, attempt } = scripted({ alpha: [http('alpha', 503)] });
    const pending = callWithFallback([alpha, beta], attempt, {
      signal: controller.signal,
      sleep: () => new Promise<void>(() => undefined),
      random: () => 0.5,
    });
    setTimeout(() => controller.abort(), 5);
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
    expect(calls).toEqual(['alpha']);
  });

  it('cancels a running call and aborts its signal', async () => {
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const pending = callWithFallback(
      [alpha, beta],
      (_model, signal) => {
        seen = signal;
        return new Promise<string>(() => undefined);
      },
      { signal: controller.signal },
    );
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
    expect(seen?.aborted).toBe(true);
    const already = AbortSignal.abort();
    const { calls, attempt } = scripted({});
    await expect(callWithFallback([alpha], attempt, { signal: already })).rejects.toBeInstanceOf(CancelledError);
    expect(calls).toEqual([]);
  });

  it('respects the run deadline: no wait past it, and no call after it', async () => {
    const clock = fakeClock(1_000);
    const { calls, attempt } = scripted({ alpha: [http('alpha', 429, 5_000)], beta: [http('beta', 503)] });
    const events: FallbackEvent[] = [];
    const result = await callWithFallback([alpha, beta], attempt, {
      ...clock,
      deadlineMs: 3_000,
      random: () => 0.999,
      onEvent: (event) => events.push(event),
    });
    // Waiting 5 s on alpha would pass the deadline, so beta is tried at once; beta's backoff (499 ms) fits.
    expect(calls).toEqual(['alpha', 'beta', 'beta']);
    expect(clock.waits).toEqual([499]);
    expect(result.model.name).toBe('beta');
    expect(events.filter((event) => event.type === 'fallback')).toMatchObject([{ model: 'alpha', nextModel: 'beta' }]);

    const late = fakeClock(10_000);
    const lateCalls = scripted({});
    await expect(callWithFallback([alpha], lateCalls.attempt, { ...late, deadlineMs: 9_000 })).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(lateCalls.calls).toEqual([]);
  });

  it('cuts a call short at the deadline and reports the deadline, not a model timeout', async () => {
    const error = await callWithFallback([alpha, beta], () => new Promise<string>(() => undefined), {
      now: () => 0,
      deadlineMs: 10,
      timeoutMs: 60_000,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    // A budget, not a model failure: MODEL_TIMEOUT means every attempt timed out.
    expect((error as DeadlineExceededError).code).toBe('BUDGET_EXCEEDED');
  });

  it('fails MODEL_TIMEOUT, not cancelled, when every attempt on every model times out, whatever the aborted calls throw', async () => {
    const attempt = (_model: ModelSpec, signal: AbortSignal): Promise<string> =>
      // Like a real client: the aborted call fails afterwards, with an abort error of its own.
      new Promise<string>((_resolve, reject) => signal.addEventListener('abort', () => reject(new CancelledError('the call was cancelled'))));
    const error = await callWithFallback([alpha, beta], attempt, { timeoutMs: 10, maxAttemptsPerModel: 2, sleep: async () => undefined }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelTimeoutError);
    expect((error as ModelTimeoutError).message).toBe('no model answered in time: model "alpha" did not answer within 10 ms (2 attempts); model "beta" did not answer within 10 ms (2 attempts)');
    expect((error as ModelTimeoutError).model).toBe('alpha, beta');
  });

  it('keeps the last failure as the cause when models fail in other ways', async () => {
    const { attempt } = scripted({ alpha: [http('alpha', 400)] });
    const failing = (model: ModelSpec): Promise<string> => (model.name === 'alpha' ? attempt(model) : Promise.reject(new ModelTimeoutError('slow', { endpoint: 'x', model: 'beta' })));
    const error = await callWithFallback([alpha, beta], failing, { maxAttemptsPerModel: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AllModelsFailedError);
    expect((error as AllModelsFailedError).cause).toBeInstanceOf(ModelTimeoutError);
  });

  it('reports the run deadline, not a cancellation, when the outer signal is aborted for the deadline', async () => {
    const controller = new AbortController();
    const pending = callWithFallback([alpha], () => new Promise<string>(() => undefined), { signal: controller.signal });
    controller.abort(new DeadlineExceededError(undefined));
    const error = await pending.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as DeadlineExceededError).message).toBe('the run\'s deadline passed while calling model "alpha"');
  });

  it('probes a model already in cooldown only once', async () => {
    const clock = fakeClock();
    const health = new HealthTracker({ failureThreshold: 1, now: clock.now });
    health.recordFailure('alpha', 'down');
    const { calls, attempt } = scripted({ alpha: [http('alpha', 503), http('alpha', 503)] });
    const result = await callWithFallback([alpha, beta], attempt, { ...clock, health });
    expect(calls).toEqual(['alpha', 'beta']);
    expect(result.model.name).toBe('beta');
  });

  it('moves on when Retry-After asks for longer than it is worth waiting', async () => {
    const clock = fakeClock();
    const { calls, attempt } = scripted({ alpha: [http('alpha', 429, 120_000)] });
    await callWithFallback([alpha, beta], attempt, { ...clock, maxRetryAfterMs: 60_000 });
    expect(calls).toEqual(['alpha', 'beta']);
    expect(clock.waits).toEqual([]);
  });

  it('falls back on invalid output but rethrows errors that are not model failures', async () => {
    const output = scripted({ alpha: [new ModelOutputError('bad json', { role: 'planner', attempts: 3 })] });
    expect((await callWithFallback([alpha, beta], output.attempt, fakeClock())).model.name).toBe('beta');
    const bug = scripted({ alpha: [new TypeError('undefined is not a function')] });
    await expect(callWithFallback([alpha, beta], bug.attempt, fakeClock())).rejects.toBeInstanceOf(TypeError);
    expect(bug.calls).toEqual(['alpha']);
  });

  it('throws AllModelsFailedError for an empty list', async () => {
    await expect(callWithFallback([], async () => 'never', fakeClock())).rejects.toBeInstanceOf(AllModelsFailedError);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('1', now)).toBe(1000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
  });
  it('returns undefined for missing or unreadable values', () => {
    for (const value of [undefined, null, '', '-5', 'soon', '12abc']) expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  it('grows exponentially, is capped, and jitters over the whole range', () => {
    expect([0, 1, 2, 3].map((retry) => backoffDelay(retry, () => 0.999, 100, 10_000))).toEqual([99, 199, 399, 799]);
    expect(backoffDelay(20, () => 0.999, 100, 10_000)).toBe(9990);
    expect(backoffDelay(3, () => 0, 100, 10_000)).toBe(0);
  });
});
