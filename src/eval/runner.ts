/**
 * Runs a suite's questions and scores them. What runs a question is injected (`runQuestion`), as is the clock, so the
 * same code drives real runs from the CLI and scripted outcomes in tests. Questions run one at a time unless asked
 * otherwise; results come back in suite order whatever order they finished in.
 */
import { BatonError, UsageError } from '../errors.js';
import { checkGates, computeTotals, scoreQuestion, type EvalRunOutcome, type EvalTotals, type GateFailure, type QuestionResult } from './metrics.js';
import { MAX_EVAL_CONCURRENCY, selectQuestions, type Suite, type SuiteQuestion } from './suite.js';

/** Told as questions start and end, for a progress display. */
export type EvalProgressEvent =
  | { type: 'question-start'; id: string; started: number; done: number; total: number }
  | { type: 'question-end'; id: string; result: QuestionResult; done: number; total: number };

export interface RunSuiteOptions {
  suite: Pick<Suite, 'questions' | 'thresholds'>;
  /** Runs one question as a run and returns its outcome; may throw when no run could be started. */
  runQuestion: (question: SuiteQuestion) => Promise<EvalRunOutcome>;
  /** Only these question ids (in suite order); an unknown id is a usage error. */
  only?: readonly string[];
  /** Questions run at once, 1 to {@link MAX_EVAL_CONCURRENCY}; default 1. */
  concurrency?: number;
  /** Once aborted, no further question starts; the ones cut short are left out of the scores. */
  signal?: AbortSignal;
  /** Milliseconds from some fixed point; default `performance.now`. */
  now?: () => number;
  onProgress?: (event: EvalProgressEvent) => void;
}

/** The scored eval of one config. */
export interface EvalReport {
  results: QuestionResult[];
  totals: EvalTotals;
  /** No wrong answer approved, no unanswerable question approved, every threshold met, every question run. */
  passed: boolean;
  failures: GateFailure[];
  /** Wall-clock time of the whole eval. */
  durationMs: number;
  /** The eval was stopped (Ctrl-C) before every question ran. */
  cancelled: boolean;
}

/** The outcome recorded for a question whose run could not even start (the runtime threw). */
function failedOutcome(error: unknown, durationMs: number): EvalRunOutcome {
  const described = error instanceof BatonError ? error.toJSON() : { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
  return { runId: null, status: 'failed', result: null, rounds: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, costEstimated: false, durationMs, error: described };
}

/** Runs the suite's (selected) questions through `runQuestion` and scores them. */
export async function runSuite(options: RunSuiteOptions): Promise<EvalReport> {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_EVAL_CONCURRENCY) {
    throw new UsageError(`concurrency must be a whole number from 1 to ${MAX_EVAL_CONCURRENCY}; got ${concurrency}`);
  }
  const questions = selectQuestions(options.suite, options.only);
  const now = options.now ?? (() => performance.now());
  const startedAt = now();
  const slots: Array<QuestionResult | undefined> = new Array<QuestionResult | undefined>(questions.length);
  const total = questions.length;
  let next = 0;
  let done = 0;

  const runOne = async (question: SuiteQuestion, index: number): Promise<void> => {
    options.onProgress?.({ type: 'question-start', id: question.id, started: index + 1, done, total });
    const questionStart = now();
    let outcome: EvalRunOutcome;
    try {
      outcome = await options.runQuestion(question);
    } catch (error) {
      outcome = failedOutcome(error, now() - questionStart);
    }
    // A run cut short by Ctrl-C says nothing about the answers: it is left out, and the report marked cancelled.
    if (options.signal?.aborted && outcome.status !== 'approved') return;
    const result = scoreQuestion(question, outcome);
    slots[index] = result;
    done += 1;
    options.onProgress?.({ type: 'question-end', id: question.id, result, done, total });
  };

  const worker = async (): Promise<void> => {
    while (next < questions.length && !options.signal?.aborted) {
      const index = next;
      next += 1;
      await runOne(questions[index]!, index);
      // A run on the offline engine never waits for I/O: without a turn of the event loop between questions, Ctrl-C
      // (and the progress bar's clock) would be heard only when the whole suite has run.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, questions.length)) }, worker));

  const results = slots.filter((result): result is QuestionResult => result !== undefined);
  const totals = computeTotals(results);
  const failures = checkGates(results, totals, options.suite.thresholds, questions.length);
  return { results, totals, passed: failures.length === 0, failures, durationMs: Math.round(now() - startedAt), cancelled: results.length < questions.length };
}
