/** The eval's measures on hand-made run outcomes: correct, wrong-but-approved, unanswerable-but-approved, precision, totals, gates. */
import { describe, expect, it } from 'vitest';
import { checkGates, claimTextOf, computeTotals, containsFact, percentile, scoreQuestion, sourceMatches, type EvalRunOutcome } from '../../src/eval/metrics.js';
import type { SuiteQuestion } from '../../src/eval/suite.js';

/** An answerable question about trailing slashes. */
const TRAILING: SuiteQuestion = {
  id: 'trailing-slash',
  question: 'Can I make /foo and /foo/ match the same route?',
  answerable: true,
  facts: [['ignoreTrailingSlash'], ['true', 'enabled']],
  sources: ['Reference/Server.md'],
};

const GRAPHQL: SuiteQuestion = { id: 'graphql', question: 'Does Fastify ship GraphQL?', answerable: false, why: 'not in the docs', facts: [], sources: [] };

function outcome(overrides: Partial<EvalRunOutcome> = {}): EvalRunOutcome {
  return {
    runId: 'run_1',
    status: 'approved',
    result: null,
    rounds: 1,
    inputTokens: 100,
    outputTokens: 50,
    costUsd: 0.01,
    costEstimated: false,
    durationMs: 1000,
    error: null,
    ...overrides,
  };
}

function answered(answer: string, citations: Array<{ marker: number; source: string; quote: string }>, overrides: Partial<EvalRunOutcome> = {}): EvalRunOutcome {
  return outcome({ result: { answer, citations, verification: { verified: overrides.status === undefined || overrides.status === 'approved', verdicts: [] } }, ...overrides });
}

const GOOD_ANSWER = [
  'Can I make /foo and /foo/ match the same route?',
  '- Set the ignoreTrailingSlash option to true. [1]',
  '- Routes are declared with fastify.get. [2]',
].join('\n');
const GOOD_CITATIONS = [
  { marker: 1, source: 'docs/Reference/Server.md', quote: 'ignoreTrailingSlash: makes /foo and /foo/ the same route' },
  { marker: 2, source: 'docs/Reference/Routes.md', quote: 'fastify.get(path, handler)' },
];

describe('text checks', () => {
  it('finds a fact as whole words, ignoring case, punctuation and spacing', () => {
    expect(containsFact('Set it to TRUE.', ['true'])).toBe(true);
    expect(containsFact('That is untrue', ['true'])).toBe(false);
    expect(containsFact('the ignore-trailing  slash option', ['ignore trailing slash'])).toBe(true);
    expect(containsFact('logging is enabled', ['true', 'enabled'])).toBe(true);
    expect(containsFact('anything', [])).toBe(false);
  });

  it('matches a source by path suffix at a / boundary, with \\ read as /', () => {
    expect(sourceMatches('docs/Reference/Server.md', 'Reference/Server.md')).toBe(true);
    expect(sourceMatches('docs\\Reference\\Server.md', 'Reference/Server.md')).toBe(true);
    expect(sourceMatches('Reference/Server.md', './Reference/Server.md')).toBe(true);
    expect(sourceMatches('https://fastify.dev/docs/Reference/Server.md', 'Reference/Server.md')).toBe(true);
    expect(sourceMatches('docs/Reference/MyServer.md', 'Server.md')).toBe(false);
    expect(sourceMatches('docs/Reference/Routes.md', 'Reference/Server.md')).toBe(false);
  });

  it('takes the claim of a marker from the sentence that carries it, on a composed line or in prose', () => {
    // Markers are no part of the claim: a fact "1" is not stated by "[1]".
    expect(claimTextOf(GOOD_ANSWER, 1)).toBe('- Set the ignoreTrailingSlash option to true.');
    expect(claimTextOf('Fastify routes by path. Set ignoreTrailingSlash to true [2]. Logging uses pino. [1][3]', 2)).toBe('Set ignoreTrailingSlash to true.');
    expect(claimTextOf('Fastify routes by path. Logging uses pino. [1][3] Done.', 3)).toBe('Logging uses pino.');
    expect(claimTextOf('No markers here.', 1)).toBe('');
    // [1] is not [10].
    expect(claimTextOf('Ten. [10]', 1)).toBe('');
  });

  it('computes nearest-rank percentiles', () => {
    expect(percentile([], 50)).toBe(0);
    expect(percentile([5], 95)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([10, 1, 9, 2, 8, 3, 7, 4, 6, 5], 95)).toBe(10);
  });
});

describe('scoreQuestion', () => {
  it('an approved answer with every fact and an expected source cited is correct; precise citations are counted', () => {
    const result = scoreQuestion(TRAILING, answered(GOOD_ANSWER, GOOD_CITATIONS));
    expect(result).toMatchObject({ approved: true, correct: true, wrongButApproved: false, unanswerableButApproved: false, missingFacts: [], expectedSourceCited: true, citations: 2, preciseCitations: 1, tokens: 150, latencyMs: 1000, runId: 'run_1' });
  });

  it('an approved answer missing a fact is wrong but approved, and names the missing fact', () => {
    const answer = '- Set the ignoreTrailingSlash option. [1]';
    const result = scoreQuestion(TRAILING, answered(answer, [{ marker: 1, source: 'Reference/Server.md', quote: 'ignoreTrailingSlash option' }]));
    expect(result).toMatchObject({ approved: true, correct: false, wrongButApproved: true, missingFacts: ['true | enabled'] });
    // Its citation is still precise: the claim states ignoreTrailingSlash, and the source is expected.
    expect(result.preciseCitations).toBe(1);
  });

  it('an approved answer with every fact but no expected source cited is wrong but approved', () => {
    const result = scoreQuestion(TRAILING, answered('- ignoreTrailingSlash set to true. [1]', [{ marker: 1, source: 'blog/post.md', quote: 'ignoreTrailingSlash true' }]));
    expect(result).toMatchObject({ correct: false, wrongButApproved: true, expectedSourceCited: false, missingFacts: [], citations: 1, preciseCitations: 0 });
  });

  it('an answer not approved is neither correct nor wrong-but-approved, and its citations are not counted', () => {
    const result = scoreQuestion(TRAILING, answered(GOOD_ANSWER, GOOD_CITATIONS, { status: 'unverified', rounds: 3 }));
    expect(result).toMatchObject({ approved: false, correct: false, wrongButApproved: false, citations: 0, preciseCitations: 0, rounds: 3, status: 'unverified' });
  });

  it('a failed run counts as not approved and keeps its error', () => {
    const error = { code: 'MODEL_AUTH', message: 'the key was refused' };
    const result = scoreQuestion(TRAILING, outcome({ status: 'failed', error }));
    expect(result).toMatchObject({ approved: false, correct: false, wrongButApproved: false, answer: null, error });
  });

  it('an approved unanswerable question is flagged, and every citation of it is imprecise', () => {
    const result = scoreQuestion(GRAPHQL, answered('- Fastify has GraphQL. [1]', [{ marker: 1, source: 'Reference/Server.md', quote: 'GraphQL' }]));
    expect(result).toMatchObject({ approved: true, correct: false, wrongButApproved: false, unanswerableButApproved: true, citations: 1, preciseCitations: 0 });
  });

  it('an unanswerable question that is not approved raises no flag', () => {
    const result = scoreQuestion(GRAPHQL, answered('- (no supported answer found)', [], { status: 'unverified' }));
    expect(result).toMatchObject({ approved: false, unanswerableButApproved: false, wrongButApproved: false });
  });

  it('a citation is precise when its quote holds a fact even if the sentence does not', () => {
    const result = scoreQuestion(TRAILING, answered('- ignoreTrailingSlash is a server option. [1] It can be turned on. [2]', [
      { marker: 1, source: 'Reference/Server.md', quote: 'ignoreTrailingSlash' },
      { marker: 2, source: 'Reference/Server.md', quote: 'default: false, set it to true' },
    ]));
    expect(result.preciseCitations).toBe(2);
  });
});

describe('totals and gates', () => {
  const results = [
    scoreQuestion(TRAILING, answered(GOOD_ANSWER, GOOD_CITATIONS, { durationMs: 100, costUsd: 0.02, rounds: 1 })),
    scoreQuestion({ ...TRAILING, id: 'wrong' }, answered('- Set it to true. [1]', [{ marker: 1, source: 'Reference/Server.md', quote: 'true' }], { durationMs: 300, rounds: 2 })),
    scoreQuestion({ ...TRAILING, id: 'unverified' }, answered('- nothing', [], { status: 'unverified', durationMs: 200, rounds: 3, costEstimated: true })),
    scoreQuestion(GRAPHQL, answered('- GraphQL is built in. [1]', [{ marker: 1, source: 'Reference/Server.md', quote: 'GraphQL' }], { durationMs: 400 })),
  ];
  const totals = computeTotals(results);

  it('counts approvals, correct answers, flags and citation precision', () => {
    expect(totals).toMatchObject({ questions: 4, answerable: 3, unanswerable: 1, approved: 3, failed: 0, wrongButApproved: 1, unanswerableButApproved: 1 });
    expect(totals.approvedCorrect).toEqual({ count: 1, share: 1 / 3 });
    // Approved citations: 2 (good answer, 1 precise) + 1 (wrong answer: "true" is a fact, source expected: precise) + 1 (unanswerable: imprecise).
    expect(totals.citationPrecision).toEqual({ precise: 2, cited: 4, share: 0.5 });
  });

  it('sums and averages rounds, tokens and cost, and gives latency percentiles', () => {
    expect(totals.rounds).toEqual({ total: 7, mean: 1.75 });
    expect(totals.tokens).toEqual({ input: 400, output: 200, total: 600, mean: 150 });
    expect(totals.cost.totalUsd).toBeCloseTo(0.05);
    expect(totals.cost.estimated).toBe(true);
    expect(totals.latency).toEqual({ p50Ms: 200, p95Ms: 400, totalMs: 1000 });
  });

  it('fails the two fixed gates and each missed threshold, naming the questions', () => {
    const failures = checkGates(results, totals, { approvedCorrect: 0.5, citationPrecision: 0.5 });
    expect(failures.map((failure) => failure.gate)).toEqual(['wrongButApproved', 'unanswerableButApproved', 'approvedCorrect']);
    expect(failures[0]?.message).toMatch(/approved but wrong: wrong$/);
    expect(failures[1]?.message).toMatch(/unanswerable question\(s\) approved: graphql$/);
    expect(failures[2]).toMatchObject({ actual: 1 / 3, expected: 0.5 });
    expect(failures[2]?.message).toMatch(/33\.3% \(1\/3\) is below the threshold 50%/);
  });

  it('a share equal to its threshold meets it, and no citations count as full precision', () => {
    const good = [1, 2, 3, 4, 5].map((index) => scoreQuestion({ ...TRAILING, id: `q${index}` }, answered(GOOD_ANSWER, GOOD_CITATIONS, index === 5 ? { status: 'unverified' } : {})));
    const goodTotals = computeTotals(good);
    expect(goodTotals.approvedCorrect.share).toBeCloseTo(0.8);
    expect(checkGates(good, goodTotals, { approvedCorrect: 0.8 })).toEqual([]);
    const none = [scoreQuestion(TRAILING, answered('- nothing', [], { status: 'unverified' }))];
    const noneTotals = computeTotals(none);
    expect(noneTotals.citationPrecision).toEqual({ precise: 0, cited: 0, share: 1 });
    expect(checkGates(none, noneTotals, { citationPrecision: 1 })).toEqual([]);
    expect(checkGates(none, noneTotals, { approvedCorrect: 0.1 }).map((failure) => failure.gate)).toEqual(['approvedCorrect']);
  });

  it('an eval with fewer results than questions is incomplete', () => {
    expect(checkGates(results.slice(0, 1), computeTotals(results.slice(0, 1)), {}, 4).map((failure) => failure.gate)).toEqual(['incomplete']);
  });
});
