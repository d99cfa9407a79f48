/** The eval runner driven by a fake `runQuestion` and clock: order, concurrency, failures, --only, cancellation, exit status. */
import { describe, expect, it } from 'vitest';
import { evalExitCode } from '../../src/cli/commands/eval.js';
import { EVAL_GATES_FAILED } from '../../src/cli/exit-codes.js';
import { ModelAuthError, UsageError } from '../../src/errors.js';
import type { EvalRunOutcome } from '../../src/eval/metrics.js';
import { ProgressBar } from '../../src/eval/progress.js';
import { runSuite, type EvalProgressEvent } from '../../src/eval/runner.js';
import type { Suite, SuiteQuestion } from '../../src/eval/suite.js';

function question(id: string, answerable = true): SuiteQuestion {
  return answerable
    ? { id, question: `What is ${id}?`, answerable, facts: [[id]], sources: [`${id}.md`] }
    : { id, question: `What is ${id}?`, answerable, why: 'not in the docs', facts: [], sources: [] };
}

const SUITE: Pick<Suite, 'questions' | 'thresholds'> = {
  questions: [question('alpha'), question('beta'), question('gamma'), question('delta', false)],
  thresholds: {},
};

/** A run that answers `id` correctly (approved, the fact stated, its source cited). */
function correct(id: string, durationMs = 100): EvalRunOutcome {
  return {
    runId: `run_${id}`,
    status: 'approved',
    result: { answer: `- It is ${id}. [1]`, citations: [{ marker: 1, source: `docs/${id}.md`, quote: `${id} is this` }], verification: { verified: true, verdicts: [] } },
    rounds: 1,
    inputTokens: 10,
    outputTokens: 5,
    costUsd: 0.001,
    costEstimated: false,
    durationMs,
    error: null,
  };
}

function unverified(id: string): EvalRunOutcome {
  return { ...correct(id), status: 'unverified', rounds: 3, result: { answer: '- (no supported answer found)', citations: [], verification: { verified: false, verdicts: [] } } };
}

/** A fake clock that moves only when told. */
function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1_000;
  return { now: () => time, advance: (ms) => (time += ms) };
}

describe('runSuite', () => {
  it('runs questions one at a time in suite order and passes when nothing wrong or unanswerable is approved', async () => {
    const clock = fakeClock();
    const asked: string[] = [];
    const events: EvalProgressEvent[] = [];
    const report = await runSuite({
      suite: SUITE,
      now: clock.now,
      onProgress: (event) => events.push(event),
      runQuestion: async (q) => {
        asked.push(q.id);
        clock.advance(250);
        return q.answerable ? correct(q.id) : unverified(q.id);
      },
    });
    expect(asked).toEqual(['alpha', 'beta', 'gamma', 'delta']);
    expect(report.passed).toBe(true);
    expect(report.failures).toEqual([]);
    expect(report.cancelled).toBe(false);
    expect(report.durationMs).toBe(1000);
    expect(report.totals).toMatchObject({ questions: 4, approved: 3, approvedCorrect: { count: 3, share: 1 }, wrongButApproved: 0, unanswerableButApproved: 0 });
    expect(events.map((event) => `${event.type}:${event.id}:${event.done}/${event.total}`)).toEqual([
      'question-start:alpha:0/4',
      'question-end:alpha:1/4',
      'question-start:beta:1/4',
      'question-end:beta:2/4',
      'question-start:gamma:2/4',
      'question-end:gamma:3/4',
      'question-start:delta:3/4',
      'question-end:delta:4/4',
    ]);
    expect(evalExitCode([report])).toBe(0);
  });

  it('fails the gates (exit status 7) when an unanswerable question is approved or a wrong answer is', async () => {
    const report = await runSuite({
      suite: SUITE,
      now: fakeClock().now,
      runQuestion: async (q) => (q.id === 'beta' ? { ...correct('beta'), result: { ...correct('beta').result!, answer: '- Something else. [1]' } } : correct(q.id)),
    });
    expect(report.passed).toBe(false);
    expect(report.failures.map((failure) => failure.gate)).toEqual(['wrongButApproved', 'unanswerableButApproved']);
    expect(report.results.find((result) => result.id === 'beta')).toMatchObject({ wrongButApproved: true, missingFacts: ['beta'] });
    expect(report.results.find((result) => result.id === 'delta')).toMatchObject({ unanswerableButApproved: true });
    expect(evalExitCode([report])).toBe(EVAL_GATES_FAILED);
    expect(EVAL_GATES_FAILED).toBe(7);
  });

  it('fails when a threshold is missed, even with nothing wrongly approved', async () => {
    const report = await runSuite({
      suite: { ...SUITE, thresholds: { approvedCorrect: 0.9 } },
      now: fakeClock().now,
      runQuestion: async (q) => (q.id === 'gamma' || !q.answerable ? unverified(q.id) : correct(q.id)),
    });
    expect(report.totals.approvedCorrect.share).toBeCloseTo(2 / 3);
    expect(report.failures.map((failure) => failure.gate)).toEqual(['approvedCorrect']);
    expect(evalExitCode([report])).toBe(EVAL_GATES_FAILED);
  });

  it('records a run that could not start as failed with its error, and goes on', async () => {
    const report = await runSuite({
      suite: SUITE,
      now: fakeClock().now,
      runQuestion: async (q) => {
        if (q.id === 'beta') throw new ModelAuthError('the key was refused', { endpoint: 'https://api.example.com', model: 'm' });
        return q.answerable ? correct(q.id) : unverified(q.id);
      },
    });
    expect(report.results.map((result) => result.id)).toEqual(['alpha', 'beta', 'gamma', 'delta']);
    expect(report.results[1]).toMatchObject({ status: 'failed', approved: false, runId: null, error: { code: 'MODEL_AUTH', message: 'the key was refused' } });
    expect(report.totals.failed).toBe(1);
  });

  it('runs at most --concurrency questions at once and keeps suite order in the results', async () => {
    let running = 0;
    let most = 0;
    const finishOrder: string[] = [];
    const delays: Record<string, number> = { alpha: 30, beta: 5, gamma: 15, delta: 1 };
    const report = await runSuite({
      suite: SUITE,
      concurrency: 2,
      runQuestion: async (q) => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, delays[q.id]));
        running -= 1;
        finishOrder.push(q.id);
        return q.answerable ? correct(q.id) : unverified(q.id);
      },
    });
    expect(most).toBe(2);
    expect(finishOrder).not.toEqual(['alpha', 'beta', 'gamma', 'delta']);
    expect(report.results.map((result) => result.id)).toEqual(['alpha', 'beta', 'gamma', 'delta']);
  });

  it('runs only the questions --only names, and refuses an unknown id or a concurrency out of range before running any', async () => {
    const asked: string[] = [];
    const runQuestion = async (q: SuiteQuestion) => {
      asked.push(q.id);
      return correct(q.id);
    };
    const report = await runSuite({ suite: SUITE, only: ['gamma', 'alpha'], runQuestion });
    expect(report.results.map((result) => result.id)).toEqual(['alpha', 'gamma']);
    await expect(runSuite({ suite: SUITE, only: ['nope'], runQuestion })).rejects.toThrow(UsageError);
    await expect(runSuite({ suite: SUITE, concurrency: 9, runQuestion })).rejects.toThrow(/from 1 to 8/);
    expect(asked).toEqual(['alpha', 'gamma']);
  });

  it('stops starting questions once cancelled, leaves the cut-short run out and reports the eval incomplete (exit 130)', async () => {
    const controller = new AbortController();
    const report = await runSuite({
      suite: SUITE,
      signal: controller.signal,
      runQuestion: async (q) => {
        if (q.id === 'beta') {
          controller.abort();
          return { ...unverified('beta'), status: 'cancelled' };
        }
        return correct(q.id);
      },
    });
    expect(report.results.map((result) => result.id)).toEqual(['alpha']);
    expect(report.cancelled).toBe(true);
    expect(report.passed).toBe(false);
    expect(report.failures.map((failure) => failure.gate)).toEqual(['incomplete']);
    expect(evalExitCode([report])).toBe(130);
  });

  it('with --compare, exits 7 when either config misses a gate', () => {
    expect(evalExitCode([{ passed: true, cancelled: false }, { passed: false, cancelled: false }])).toBe(EVAL_GATES_FAILED);
    expect(evalExitCode([{ passed: true, cancelled: false }, { passed: true, cancelled: false }])).toBe(0);
  });
});

describe('ProgressBar', () => {
  it('draws done/total, elapsed time and the running question on one line, escaping control characters, and erases itself', () => {
    const written: string[] = [];
    const clock = fakeClock();
    const bar = new ProgressBar({ write: (text) => written.push(text), columns: 60 }, { label: 'eval', now: clock.now });
    bar.update({ type: 'question-start', id: 'alpha\u001b[2J', started: 1, done: 0, total: 4 });
    clock.advance(65_000);
    bar.update({ type: 'question-end', id: 'alpha\u001b[2J', result: {} as never, done: 1, total: 4 });
    const erase = '\r\u001b[K';
    expect(written[0]).toBe(`${erase}eval ${'░'.repeat(24)} 0/4  0s  alpha\\u001b[2J`);
    expect(written[1]).toBe(`${erase}eval ${'█'.repeat(6)}${'░'.repeat(18)} 1/4  1m 05s`);
    expect(bar.line().length).toBeLessThanOrEqual(59);
    bar.clear();
    expect(written.at(-1)).toBe('\r\u001b[K');
  });
});
