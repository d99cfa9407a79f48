import { describe, expect, it } from 'vitest';
import { ChecksConfig, checkClaims, type ClaimInput } from '../../src/verify/index.js';

const config = ChecksConfig.parse({});

/** A claim quoting one source. */
function claim(id: string, text: string, quote = text): ClaimInput {
  return { id, text, citations: [{ source: 'docs/Logging.md', quote }] };
}

describe('ChecksConfig', () => {
  it('defaults every field', () => {
    expect(config).toEqual({
      support: { minTermCoverage: 0.7, numbers: true, names: true, negation: true },
      relevance: { minQuestionCoverage: 0.55, minMatchedTerms: 2, maxRequiredTerms: 20, answerType: true },
      coverage: { minGoalCoverage: 0.6 },
      duplication: { maxSimilarity: 0.85 },
    });
    expect(ChecksConfig.parse({ relevance: { minMatchedTerms: 3 } }).relevance).toEqual({ minQuestionCoverage: 0.55, minMatchedTerms: 3, maxRequiredTerms: 20, answerType: true });
  });

  it('refuses unknown fields and shares outside 0..1', () => {
    expect(ChecksConfig.safeParse({ support: { minCoverage: 0.5 } }).success).toBe(false);
    expect(ChecksConfig.safeParse({ coverage: { minGoalCoverage: 1.5 } }).success).toBe(false);
    expect(ChecksConfig.safeParse({ relevance: { minMatchedTerms: 0 } }).success).toBe(false);
  });
});

describe('checkClaims', () => {
  const steps = [
    { id: 's1', question: 'How do I drop redacted keys from the log output?' },
    { id: 's2', question: 'What log level does Fastify use by default?' },
  ];
  const goal = 'How do I drop redacted keys from the log output, and what log level does Fastify use by default?';
  const claims = [
    claim('s1.c1', 'Log levels are printed as words in the output.'),
    claim('s1.c2', 'The redact option removes 5 listed keys from every log line.', 'The redact option removes the listed keys from every log line.'),
    claim('s2.c1', 'By default, Fastify logs at the info level.'),
    claim('s2.c2', 'Fastify logs at the info level by default.', 'By default, Fastify logs at the info level.'),
    claim('s2.c3', 'Fastify never logs.', 'a quote the quote check refused'),
  ];
  const report = checkClaims({ goal, steps, claims, quoteVerified: new Set(['s1.c1', 's1.c2', 's2.c1', 's2.c2']), config });

  it('judges only the quote-verified claims, each with support and relevance', () => {
    expect(report.claims.map((judgement) => [judgement.claimId, judgement.stepId, judgement.support.ok, judgement.relevance.ok])).toEqual([
      ['s1.c1', 's1', true, false],
      ['s1.c2', 's1', false, true],
      ['s2.c1', 's2', true, true],
      ['s2.c2', 's2', true, true],
    ]);
    expect(report.claims[1]?.support.missingNumbers).toEqual(['5']);
  });

  it('objects to the irrelevant, the unsupported and the repeated claim, each by target', () => {
    expect(report.objections.map((objection) => [objection.kind, objection.target])).toEqual([
      ['relevance', 's1.c1'],
      ['support', 's1.c2'],
      ['duplication', 's2.c2'],
    ]);
    expect(report.objections[0]?.message).toBe(
      'claim s1.c1 does not answer step s1 ("How do I drop redacted keys from the log output?"): of the question\'s key terms it mentions only "log", "output", not "drop", "redacted", "key"; expected at least 3 of 5 (55%): drop, redacted, key, log, output; it never says "drop", the action the question asks about. Expected: a claim whose quote addresses the question.',
    );
    expect(report.duplicates).toEqual([{ claimId: 's2.c2', duplicateOf: 's2.c1', similarity: 1 }]);
  });

  it('reports a step whose every claim fails as unsupported, and covers the goal through the steps', () => {
    expect(report.unsupportedSteps).toEqual(['s1']);
    expect(report.uncoveredGoalTerms).toEqual([]);
  });

  it('reports a goal the plan covers only in part', () => {
    const partial = checkClaims({
      goal: 'Install Baton and export transcripts as JSON',
      steps: [{ id: 's1', question: 'How do I install Baton?' }],
      claims: [claim('s1.c1', 'Install Baton with `npm install baton`.')],
      quoteVerified: new Set(['s1.c1']),
      config,
    });
    expect(partial.unsupportedSteps).toEqual([]);
    expect(partial.uncoveredGoalTerms).toEqual(['export', 'transcript', 'JSON']);
    expect(partial.objections).toEqual([
      {
        kind: 'coverage',
        message:
          'the plan and the approved claims cover 40% of the goal\'s key terms (expected at least 60%): no step question and no approved claim mentions "export", "transcript", "JSON". Expected: a step that asks about them, answered by a supported claim (key terms: install, baton, export, transcript, JSON).',
      },
    ]);
  });

  it('counts only claims that pass every check toward coverage', () => {
    const report = checkClaims({
      goal: 'Explain Baton transcripts and exports',
      steps: [{ id: 's1', question: 'What is Baton?' }],
      claims: [claim('s1.c1', 'Baton stores transcripts and exports them as JSON files.', 'Baton stores transcripts.')],
      quoteVerified: new Set(['s1.c1']),
      config,
    });
    expect(report.claims[0]?.support.ok).toBe(false);
    expect(report.uncoveredGoalTerms).toEqual(['transcript', 'export']);
    expect(report.unsupportedSteps).toEqual(['s1']);
  });

  it('objects to a claim of a step the plan does not have, and judges nothing when nothing is verified', () => {
    const stray = checkClaims({ goal: 'What is Baton?', steps: [{ id: 's1', question: 'What is Baton?' }], claims: [claim('s9.c1', 'Baton is a runtime.')], quoteVerified: new Set(['s9.c1']), config });
    expect(stray.objections.map((objection) => [objection.kind, objection.target])).toEqual([['relevance', 's9.c1']]);
    expect(stray.unsupportedSteps).toEqual(['s1']);
    const none = checkClaims({ goal: 'What is Baton?', steps: [{ id: 's1', question: 'What is Baton?' }], claims: [claim('s1.c1', 'Baton is a runtime.')], quoteVerified: new Set(), config });
    expect(none).toEqual({ claims: [], objections: [], unsupportedSteps: ['s1'], uncoveredGoalTerms: [], duplicates: [] });
  });
});
