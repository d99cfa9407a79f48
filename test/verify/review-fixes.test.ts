/** What an adversarial review of the claim checks found, each pinned. */
import { describe, expect, it } from 'vitest';
import { judgementObjections } from '../../src/roles/run.js';
import { ChecksConfig } from '../../src/verify/config.js';
import { checkClaims, MAX_CHECKED_LENGTH } from '../../src/verify/index.js';
import { gives } from '../../src/verify/answer-type.js';
import { keyTermsOf, judgeRelevance, questionKeys } from '../../src/verify/relevance.js';
import { numbersIn } from '../../src/verify/terms.js';
import { judgeSupport } from '../../src/verify/support.js';

const config = ChecksConfig.parse({});
const claim = (id: string, text: string, quote = text) => ({ id, text, citations: [{ source: 'kb/a.md', quote }] });

describe('the claim checks, after review', () => {
  it('let one quote answer two steps without calling the second claim a repeat', () => {
    const quote = 'The bodyLimit option defaults to 1048576 bytes and can be overridden per route.';
    const report = checkClaims({
      goal: 'What is the default bodyLimit, and can a route override the bodyLimit?',
      steps: [{ id: 's1', question: 'What is the default bodyLimit?' }, { id: 's2', question: 'Can a route override the bodyLimit?' }],
      claims: [claim('s1.c1', 'The bodyLimit option defaults to 1048576 bytes.', quote), claim('s2.c1', 'The bodyLimit can be overridden per route.', quote)],
      quoteVerified: new Set(['s1.c1', 's2.c1']),
      config,
    });
    expect(report.duplicates).toEqual([]);
  });

  it('judge relevance on the quotes: a claim cannot lend its quote the question\'s words', () => {
    const keys = questionKeys('How tall is the tallest lighthouse ever built?');
    const quote = 'A lighthouse warns ships away from dangerous rocks at night.';
    expect(judgeRelevance(keys, 'The tallest lighthouse ever built warns ships away from dangerous rocks at night.', [quote], config.relevance).ok).toBe(false);
  });

  it('keep "option" and "configuration" as what a question is about', () => {
    // One term: "configuration" and "option" are one group of the lexicon; neither is dropped as framing.
    expect(keyTermsOf('Which configuration option sets the body limit?').map((entry) => entry.word)).toEqual(['configuration', 'body', 'limit']);
    expect(keyTermsOf('Which option sets the body limit?').map((entry) => entry.word)).toEqual(['option', 'body', 'limit']);
  });

  it('read no number in "constructor", and a command as a name', () => {
    expect(numbersIn('The constructor takes an options object.')).toEqual([]);
    expect(gives('name', ['Install it with npm install fastify.'])).toBe(true);
  });

  it('answer nothing for a question with no key terms, and refuse to analyse a megabyte "quote"', () => {
    expect(judgeRelevance(questionKeys('???'), 'Anything at all.', ['Anything at all.'], config.relevance).ok).toBe(false);
    const long = 'word '.repeat(MAX_CHECKED_LENGTH);
    const started = performance.now();
    const report = checkClaims({ goal: 'g', steps: [{ id: 's1', question: 'What is a word?' }], claims: [claim('s1.c1', long)], quoteVerified: new Set(['s1.c1']), config });
    expect(performance.now() - started).toBeLessThan(500);
    expect(report.objections[0]?.message).toMatch(/of at most 2000 characters/);
  });
});

describe('support, after review', () => {
  it('reads a quantity as its number and its unit', () => {
    const quote = 'The connection timeout is 10 seconds by default.';
    expect(judgeSupport('The connection timeout is 10 minutes by default.', [quote], config.support)).toMatchObject({ ok: false, missingNumbers: ['10 minutes'] });
    expect(judgeSupport('The timeout is 10ms.', ['The timeout is 10s.'], config.support).ok).toBe(false);
    expect(judgeSupport('The connection timeout is 10 seconds by default.', [quote], config.support).ok).toBe(true);
    expect(judgeSupport('The body limit is 1MiB.', ['The body limit is 1MiB by default.'], config.support).ok).toBe(true);
  });

  it('knows opposites beyond "enabled" and "disabled"', () => {
    expect(judgeSupport('Fastify serializes responses slower than JSON.stringify.', ['Fastify serializes responses faster than JSON.stringify.'], config.support).ok).toBe(false);
    expect(judgeSupport('Logging is off by default.', ['Logging is enabled by default.'], config.support).ok).toBe(false);
  });
});

describe('a checker model\'s judgements', () => {
  const plan = { steps: [{ id: 's1', question: 'q1?' }, { id: 's2', question: 'q2?' }] };
  const claims = [claim('s1.c1', 'one'), claim('s2.c1', 'two')];
  const evidence = { ok: true, supportedClaims: ['s1.c1', 's2.c1'], unsupportedClaims: [], unsupportedSteps: [], judgements: [], uncoveredGoalTerms: [], objections: [] };

  it('read ids as written ("claim s2.c1", "s2c1", "S2-C1")', () => {
    for (const id of ['claim s2.c1', 's2c1', 'S2-C1']) {
      expect(judgementObjections([{ id, supported: false, relevant: true }], claims, plan, evidence).map((objection) => objection.target)).toContain('s2.c1');
    }
  });

  it('fail closed on a judgement against a claim that does not exist', () => {
    const objections = judgementObjections([{ id: 'c1', supported: false, relevant: true }], claims, plan, evidence);
    expect(objections).toEqual([expect.objectContaining({ kind: 'judgement', message: expect.stringMatching(/judged "c1" unsupported, and no claim has that id/) })]);
  });
});
