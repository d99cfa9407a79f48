/**
 * "What a model copies out of marked text is read back with spaces, so quotes still verify against their sources."
 * A source that itself holds U+02C6 (PDF text extraction yields it for circumflexes: `hˆotel`, `Geneˆve`) is marked
 * with `^` in its place, and the copy is read back with `^`: the quote can never match the source.
 */
import { describe, expect, it } from 'vitest';
import { datamark, unmarkText } from '../../../src/guards/spotlight.js';
import { normaliseForQuote } from '../../../src/roles/evidence.js';

describe('review: datamark round trip', () => {
  it('a quote copied from a marked source holding U+02C6 reads back as the source wrote it', () => {
    const source = 'Le siège est à Gene\u02C6ve, pr\u00E8s de l\u2019h\u02C6otel de ville.';
    const copied = datamark(source); // the model copies the marked words verbatim
    // As the checker compares quotes (U+02C6 is a letter there, `^` is not):
    expect(normaliseForQuote(source)).toContain(normaliseForQuote(unmarkText(copied)));
  });
});
