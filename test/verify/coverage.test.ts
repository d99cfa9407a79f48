import { describe, expect, it } from 'vitest';
import { ChecksConfig } from '../../src/verify/config.js';
import { coverageObjection, judgeCoverage } from '../../src/verify/coverage.js';

const config = ChecksConfig.parse({}).coverage;

describe('judgeCoverage', () => {
  it('covers a goal whose key terms the step questions and claims mention', () => {
    expect(judgeCoverage('Explain how Baton verifies answers.', ['How does Baton verify an answer?'], config)).toEqual({
      ok: true,
      score: 1,
      keyTerms: ['baton', 'verify', 'answer'],
      uncovered: [],
    });
  });

  it('reports the goal terms no step and no approved claim mentions', () => {
    const judgement = judgeCoverage(
      'How do I install Baton, configure its models and export transcripts?',
      ['How do I install Baton?', 'Baton is installed with npm.'],
      config,
    );
    expect(judgement).toEqual({
      ok: false,
      score: 2 / 6,
      keyTerms: ['install', 'baton', 'configure', 'model', 'export', 'transcript'],
      uncovered: ['configure', 'model', 'export', 'transcript'],
    });
  });

  it('passes when the covered share reaches the threshold, and still lists what is missing', () => {
    const judgement = judgeCoverage('Summarise how the planner, researcher and checker hand over work.', ['What does the planner do?', 'What does the researcher do?', 'How does the checker hand over?'], config);
    expect(judgement.uncovered).toEqual([]);
    const partial = judgeCoverage('Planner researcher checker supervisor transcript', ['planner researcher checker'], config);
    expect(partial).toMatchObject({ ok: true, score: 0.6, uncovered: ['supervisor', 'transcript'] });
  });

  it('treats a goal with no key terms as covered', () => {
    expect(judgeCoverage('How do I do it?', [], config)).toMatchObject({ ok: true, score: 1, keyTerms: [] });
  });
});

describe('coverageObjection', () => {
  it('names the missing terms and what was expected, with no target', () => {
    const judgement = judgeCoverage('Install Baton and export transcripts', ['How do I install Baton?'], config);
    expect(coverageObjection(judgement, config)).toEqual({
      kind: 'coverage',
      message:
        'the plan and the approved claims cover 50% of the goal\'s key terms (expected at least 60%): no step question and no approved claim mentions "export", "transcript". Expected: a step that asks about them, answered by a supported claim (key terms: install, baton, export, transcript).',
    });
  });
});
