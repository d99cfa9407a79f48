import { describe, expect, it } from 'vitest';
import { ChecksConfig } from '../../src/verify/config.js';
import { duplicationObjection, findDuplicates, jaccard } from '../../src/verify/duplication.js';

const config = ChecksConfig.parse({}).duplication;

describe('jaccard', () => {
  it('is shared over all, and 0 for two empty sets', () => {
    expect(jaccard(new Set(['a', 'b', 'c']), new Set(['b', 'c', 'd']))).toBe(0.5);
    expect(jaccard(new Set(), new Set())).toBe(0);
  });
});

describe('findDuplicates', () => {
  it('reports the later of two claims that say the same, across steps, naming the earlier', () => {
    const duplicates = findDuplicates(
      [
        { id: 's1.c1', text: 'The Checker approves an answer only when every quote occurs in its source.', quotes: ['The Checker approves an answer only when every quote occurs in its source.'] },
        { id: 's1.c2', text: 'Baton records every turn in a transcript.', quotes: ['Baton records every turn in a transcript.'] },
        { id: 's2.c1', text: 'The checker approves answers only when every quote occurs in their sources.', quotes: ['The checker approves answers only when every quote occurs in their sources!'] },
      ],
      config,
    );
    expect(duplicates).toEqual([{ claimId: 's2.c1', duplicateOf: 's1.c1', similarity: 1 }]);
  });

  it('reports a claim whose quotes are all an earlier claim\'s, however it words itself', () => {
    const duplicates = findDuplicates(
      [
        { id: 's1.c1', text: 'Transcripts are stored in SQLite.', quotes: ['## Storage', 'Transcripts are stored in SQLite.'] },
        { id: 's1.c2', text: 'Baton keeps its history in a database file.', quotes: ['Transcripts are  stored in sqlite'] },
      ],
      config,
    );
    expect(duplicates).toEqual([{ claimId: 's1.c2', duplicateOf: 's1.c1', similarity: 1 }]);
  });

  it('keeps claims that share a quoted heading but state different facts', () => {
    const duplicates = findDuplicates(
      [
        { id: 's1.c1', text: 'Storage: transcripts are stored in SQLite.', quotes: ['## Storage', 'Transcripts are stored in SQLite.'] },
        { id: 's1.c2', text: 'Storage: the database lives under .baton in the project.', quotes: ['## Storage', 'The database lives under .baton in the project.'] },
      ],
      config,
    );
    expect(duplicates).toEqual([]);
  });

  it('keeps claims that are similar but below the threshold', () => {
    const claims = [
      { id: 's1.c1', text: 'The planner splits the goal into steps.', quotes: ['The planner splits the goal into steps.'] },
      { id: 's1.c2', text: 'The planner splits the goal into research questions.', quotes: ['The planner splits the goal into research questions.'] },
    ];
    expect(findDuplicates(claims, config)).toEqual([]);
    expect(findDuplicates(claims, { maxSimilarity: 0.5 })).toEqual([{ claimId: 's1.c2', duplicateOf: 's1.c1', similarity: 0.5 }]);
  });
});

describe('duplicationObjection', () => {
  it('targets the later claim and names the earlier one', () => {
    expect(duplicationObjection({ claimId: 's2.c1', duplicateOf: 's1.c1', similarity: 0.9 }, 'The checker approves answers.')).toEqual({
      kind: 'duplication',
      target: 's2.c1',
      message:
        'claim s2.c1 ("The checker approves answers.") repeats claim s1.c1 (90% of their terms shared). Expected: each claim states a different fact; drop it or cite evidence for something else.',
    });
  });
});
