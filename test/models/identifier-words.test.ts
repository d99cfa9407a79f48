/** A camelCase identifier in the documents is also its words: a reader asking about "the message key" finds `messageKey`. */
import { describe, expect, it } from 'vitest';
import { FolderEvidence } from '../../src/knowledge/folder.js';
import { searchTerms } from '../../src/knowledge/text.js';
import { offlineResearch } from '../../src/models/offline/researcher.js';

const DOC = [
  '# Options',
  '',
  'If the mixin feature is used to add metadata to each log message, a child logger should be used instead.',
  '',
  'The `messageKey` option can be used at instantiation time to change the namespace from `msg` to another string.',
].join('\n');

describe('identifier words', () => {
  it('are search terms beside the identifier', () => {
    expect(searchTerms('Set messageKey.')).toEqual(expect.arrayContaining(['messagekey', 'message', 'key']));
  });

  it('let the search and the offline researcher answer in the reader\'s words', async () => {
    const question = 'How do I change the key used for the log message?';
    const passages = await FolderEvidence.fromTexts([['docs/api.md', DOC]]).search(question, { limit: 6 });
    expect(passages[0]!.text).toContain('messageKey');
    const output = offlineResearch({ kind: 'research', role: 'researcher', goal: question, step: { id: 's1', question }, passages });
    expect(output.claims[0]?.text).toMatch(/^The messageKey option can be used/);
  });
});
