/**
 * Quotes are checked against the source as read, before redaction: a quote that redaction changed still matches when
 * its literal pieces occur in the source in order, and only then.
 */
import { describe, expect, it } from 'vitest';
import { checkEvidence } from '../../src/roles/evidence.js';
import { createRedactor } from '../../src/transcript/redact.js';
import { addedRedactions, markerKinds } from '../../src/text/redaction-markers.js';

const SOURCE = '# Redaction\n\nWith `{ "secret": "will be redacted" }` the logger prints the secret field redacted.\n';
const plan = { steps: [{ id: 's1', question: 'How does the logger print the secret field?', rationale: 'r' }] };

/** Checks one claim; `redacted` is what Baton's redaction marks on a citation it changed (absent: the model's own text). */
function check(quote: string, source = SOURCE, redacted: string[] | null = ['secret-assignment']) {
  return checkEvidence({
    plan,
    claims: [{ id: 's1.c1', text: 'The logger prints the secret field redacted.', citations: [{ source: 'kb/a.md', quote, ...(redacted ? { redacted } : {}) }] }],
    sourcesRead: ['kb/a.md'],
    readSource: async () => source,
    redact: createRedactor(),
  });
}

describe('a quote redaction changed', () => {
  it('is found in the source as read, its marker standing for the redacted words', async () => {
    const redact = createRedactor();
    const quote = redact('With `{ "secret": "will be redacted" }` the logger prints the secret field redacted.');
    expect(markerKinds(quote)).toEqual(['secret-assignment']);
    expect(addedRedactions('With "secret": "will be redacted"', quote)).toEqual(['secret-assignment']);
    expect((await check(quote)).supportedClaims).toEqual(['s1.c1']);
  });

  it('matches even when the source, redacted whole, names another detector', async () => {
    // Redacted alone, the cut quote is a generic secret assignment; in the whole source a Stripe key detector takes the
    // span: the two redacted texts differ, and only the source as read can decide.
    const redact = createRedactor();
    const source = 'Use api_key=sk_live_abcdef1234567890XYZ in the header of every request.';
    const quote = redact('Use api_key=sk_live_abcdef12');
    expect(markerKinds(quote)).toEqual(['secret-assignment']);
    expect(markerKinds(redact(source))).not.toEqual(['secret-assignment']);
    expect((await check(quote, source)).supportedClaims).toEqual(['s1.c1']);
  });

  it('is refused when its words around the marker are not the source\'s', async () => {
    const report = await check('With `{ "secret": "[REDACTED:secret-assignment]" }` the logger hides the secret field.');
    expect(report.supportedClaims).toEqual([]);
    expect(report.objections.map((objection) => objection.kind)).toContain('quote-not-in-source');
  });

  it('is refused when a marker would stand for more text than any secret', async () => {
    const long = `With ${'filler words '.repeat(60)} the logger prints the secret field redacted.`;
    const report = await check('With [REDACTED:secret-assignment] the logger prints the secret field redacted.', long);
    expect(report.supportedClaims).toEqual([]);
  });

  it('is text like any other when the model typed the marker itself', async () => {
    // Only a marker Baton's redaction put there stands for redacted words: "[REDACTED:anything]" typed by a model
    // would otherwise match any text.
    const typed = 'A [REDACTED:Fastify.is.not.safe.to.expose] ships away from dangerous rocks at night.';
    const source = 'A lighthouse warns ships away from dangerous rocks at night.';
    expect((await check(typed, source, null)).supportedClaims).toEqual([]);
    expect((await check(typed, source)).supportedClaims).toEqual(['s1.c1']);
  });

  it('matches whole words only', async () => {
    const source = 'The default request limit is 100 per minute; unsupported on Windows.';
    expect((await check('The default request limit is 10', source, null)).supportedClaims).toEqual([]);
    expect((await check('supported on Windows', source, null)).supportedClaims).toEqual([]);
    expect((await check('request limit is 100', source, null)).supportedClaims).toEqual(['s1.c1']);
  });

  it('is refused when it is only markers', async () => {
    expect((await check('[REDACTED:secret-assignment] [REDACTED:api-key]')).supportedClaims).toEqual([]);
  });
});
