/** The human report of `baton eval`: the question table with its flags, notes on what failed, totals, gates, and the comparison. */
import { describe, expect, it } from 'vitest';
import { formatComparison, formatReport, type EvalDocument } from '../../src/cli/commands/eval.js';
import type { EvalRunOutcome } from '../../src/eval/metrics.js';
import { runSuite } from '../../src/eval/runner.js';
import type { Suite } from '../../src/eval/suite.js';

const SUITE: Pick<Suite, 'questions' | 'thresholds'> = {
  thresholds: { approvedCorrect: 0.9 },
  questions: [
    { id: 'good', question: 'Good?', answerable: true, facts: [['pino']], sources: ['logging.md'] },
    { id: 'wrong', question: 'Wrong?', answerable: true, facts: [['ignoreTrailingSlash']], sources: ['routing.md'] },
    { id: 'graphql', question: 'GraphQL?', answerable: false, why: 'the docs have no GraphQL', facts: [], sources: [] },
    { id: 'broken', question: 'Broken?', answerable: true, facts: [['x']], sources: ['x.md'] },
  ],
};

function approved(answer: string, source: string, quote: string): EvalRunOutcome {
  return {
    runId: 'run_x',
    status: 'approved',
    result: { answer, citations: [{ marker: 1, source, quote }], verification: { verified: true, verdicts: [] } },
    rounds: 1,
    inputTokens: 100,
    outputTokens: 20,
    costUsd: 0.002,
    costEstimated: false,
    durationMs: 1500,
    error: null,
  };
}

async function evaluate(outcomes: Record<string, EvalRunOutcome>): Promise<EvalDocument> {
  const report = await runSuite({ suite: SUITE, now: () => 0, runQuestion: async (question) => outcomes[question.id]! });
  return { suite: { name: 'docs', file: '/s/suite.yaml', questions: 4 }, config: { file: '/p/baton.config.yaml', dataDir: '/p/.baton', engine: 'config', defaultModel: 'gpt' }, ...report };
}

const FAILED_RUN: EvalRunOutcome = { ...approved('', 'x', 'x'), runId: 'run_f', status: 'failed', result: null, error: { code: 'MODEL_AUTH', message: 'the key was refused' } };

describe('formatReport', () => {
  it('shows each question with its flags, says why it failed, and lists the missed gates', async () => {
    const document = await evaluate({
      good: approved('- Fastify logs with pino. [1]', 'docs/logging.md', 'pino'),
      wrong: approved('- Routes are fast. [1]', 'docs/routing.md', 'fast'),
      graphql: approved('- GraphQL is built in. [1]', 'docs/server.md', 'GraphQL'),
      broken: FAILED_RUN,
    });
    const text = formatReport(document, SUITE);
    expect(text).toMatch(/^Suite docs: 4 question\(s\) on \/p\/baton\.config\.yaml \(engine config, default model gpt\)/);
    expect(text).toMatch(/^good +✓ +✓ +1\/1 +1 +120 +\$0\.00200 +1\.5 s +run_x$/m);
    expect(text).toMatch(/^wrong +✓ +✗ +WRONG +0\/1 /m);
    expect(text).toMatch(/^graphql +✓ +n\/a +UNANSWERABLE-APPROVED +0\/1 /m);
    expect(text).toMatch(/^broken +✗ failed +- +- /m);
    expect(text).toContain('  wrong: WRONG: missing fact(s): ignoreTrailingSlash');
    expect(text).toContain('  graphql: approved, but the suite marks it unanswerable: the docs have no GraphQL');
    expect(text).toContain('  broken: failed: MODEL_AUTH: the key was refused');
    expect(text).toMatch(/approved and correct +1\/3 \(33\.3%\)/);
    expect(text).toContain('Gates: wrong but approved = 0, unanswerable but approved = 0, failed runs ≤ 0, approved and correct ≥ 90%');
    expect(text).toMatch(/FAILED:\n {2}- 1 answer\(s\) approved but wrong: wrong\n {2}- 1 unanswerable question\(s\) approved: graphql\n {2}- approved and correct 33\.3% \(1\/3\) is below the threshold 90%\n {2}- 1 run\(s\) failed \(at most 0 may\): broken\n\nRuns are recorded in \/p\/\.baton: baton show <run> --config \/p\/baton\.config\.yaml$/);
  });

  it('says PASSED when every gate holds', async () => {
    const document = await evaluate({
      good: approved('- pino [1]', 'logging.md', 'pino'),
      wrong: approved('- ignoreTrailingSlash [1]', 'routing.md', 'ignoreTrailingSlash'),
      graphql: { ...FAILED_RUN, status: 'unverified', error: null },
      broken: approved('- x [1]', 'x.md', 'x'),
    });
    expect(formatReport(document, SUITE)).toMatch(/PASSED: no wrong or unanswerable answer approved, every threshold met\n\nRuns are recorded in /);
  });
});

describe('formatComparison', () => {
  it('puts the totals side by side with deltas and lists only the questions whose outcome differs', async () => {
    const good = approved('- pino [1]', 'logging.md', 'pino');
    const current = await evaluate({ good, wrong: approved('- Routes are fast. [1]', 'routing.md', 'fast'), graphql: { ...FAILED_RUN, status: 'unverified', error: null }, broken: FAILED_RUN });
    const other = await evaluate({ good, wrong: approved('- ignoreTrailingSlash [1]', 'routing.md', 'ignoreTrailingSlash'), graphql: { ...FAILED_RUN, status: 'unverified', error: null }, broken: FAILED_RUN });
    const text = formatComparison(current, { ...other, config: { ...other.config, file: '/p/other.yaml' } });
    expect(text).toContain('  other:   /p/other.yaml (engine config, default model gpt)');
    expect(text).toMatch(/^approved and correct +1\/3 \(33\.3%\) +2\/3 \(66\.7%\) +\+33\.3 pts$/m);
    expect(text).toMatch(/^wrong but approved +1 +0 +-1$/m);
    expect(text).toMatch(/^gates +FAILED +FAILED/m);
    expect(text).toMatch(/Questions whose outcome differs\nID +CURRENT +OTHER +RUNS\nwrong +✓ WRONG 0\/1 +✓ correct 1\/1 +run_x run_x$/m);
  });
});
