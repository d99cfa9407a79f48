/**
 * What an adversarial review of `baton eval` found, each pinned: a fact found only in the question is not stated, a
 * marker is not a fact, a fact with punctuation is compared as written, YAML numbers that do not read back as written
 * are refused, failed runs fail the suite, and Ctrl-C is heard between questions on an engine that never waits.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkGates, computeTotals, containsFact, scoreQuestion, statedText, type EvalRunOutcome } from '../../src/eval/metrics.js';
import { runSuite } from '../../src/eval/runner.js';
import { loadSuite, type SuiteQuestion } from '../../src/eval/suite.js';

const question: SuiteQuestion = {
  id: 'model-env',
  question: 'When I set OPENAI_ORGANIZATION, which environment variable names the model?',
  answerable: true,
  facts: [['OPENAI_ORGANIZATION']],
  sources: ['models.md'],
};

function approvedWith(answer: string): EvalRunOutcome {
  return {
    runId: 'run_1',
    status: 'approved',
    result: { answer, citations: [{ marker: 1, source: 'kb/models.md', quote: 'Baton reads BATON_MODEL' }], verification: { verified: true, verdicts: [] } },
    rounds: 1,
    inputTokens: 1,
    outputTokens: 1,
    costUsd: 0,
    costEstimated: true,
    durationMs: 5,
    error: null,
  };
}

describe('what an answer states', () => {
  it('is its cited sentences, without the step questions over them or the markers', () => {
    const answer = `${question.question}\n- Baton reads the model name from BATON_MODEL. [1]`;
    expect(statedText(answer)).toBe('- Baton reads the model name from BATON_MODEL.');
    const result = scoreQuestion(question, approvedWith(answer));
    expect(result.correct).toBe(false);
    expect(result.wrongButApproved).toBe(true);
    expect(scoreQuestion({ ...question, facts: [['1']] }, approvedWith(answer)).missingFacts).toEqual(['1']);
  });

  it('compares a fact that carries punctuation as written', () => {
    expect(containsFact('Baton keeps runs under the Baton folder', ['.baton'])).toBe(false);
    expect(containsFact('Runs live in .baton in the working directory', ['.baton'])).toBe(true);
    expect(containsFact('It needs Node.js 20', ['node.js'])).toBe(true);
    expect(containsFact('Use @fastify/cors.', ['@fastify/cors'])).toBe(true);
    expect(containsFact('Use fastify cors.', ['@fastify/cors'])).toBe(false);
  });
});

describe('the suite file', () => {
  it('refuses a number YAML would not read back as written, and takes whole numbers', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-suite-'));
    writeFileSync(path.join(dir, 'suite.yaml'), 'name: n\nquestions:\n  - id: v\n    question: "Which version?"\n    facts: [1.50, 1024]\n    sources: [a.md]\n');
    expect(() => loadSuite('suite.yaml', dir)).toThrow(/suite\.yaml:5:\d+ .*the number 1\.5 would be compared as YAML reads it, not as written; quote it/);
  });
});

describe('the gates', () => {
  it('fail the suite when a run failed, unless the suite allows it', () => {
    const failed: EvalRunOutcome = { ...approvedWith(''), status: 'failed', result: null, error: { code: 'MODEL_UNREACHABLE', message: 'cannot reach' } };
    const results = [scoreQuestion(question, failed)];
    const totals = computeTotals(results);
    expect(checkGates(results, totals, {}).map((failure) => failure.gate)).toEqual(['failedRuns']);
    expect(checkGates(results, totals, { maxFailedRuns: 1 })).toEqual([]);
  });
});

describe('the runner', () => {
  it('hears a cancellation between questions even when no question waits for anything', async () => {
    const controller = new AbortController();
    setImmediate(() => controller.abort());
    const questions = Array.from({ length: 50 }, (_, index) => ({ ...question, id: `q${index}` }));
    let ran = 0;
    const report = await runSuite({
      suite: { questions, thresholds: {} },
      signal: controller.signal,
      // Synchronous work, as on the offline engine: nothing gives the event loop a turn.
      runQuestion: async () => {
        ran += 1;
        return approvedWith('- BATON_MODEL. [1]');
      },
    });
    expect(ran).toBeLessThan(5);
    expect(report.cancelled).toBe(true);
  });
});
