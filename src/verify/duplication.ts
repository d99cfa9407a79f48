/**
 * Duplication: two claims that say the same thing. Repeats inflate the evidence an answer seems to have and crowd out
 * the claims a step still lacks. Two claims are duplicates when the Jaccard similarity of their content terms reaches
 * `maxSimilarity`, or when every quote of the later one is already a quote of the earlier one (it adds no evidence).
 * Comparing quote sets rather than single quotes lets two claims share a cited section heading and still differ.
 * The later claim, in the order given, is the one reported.
 */
import { stepOfClaim } from './claim-id.js';
import type { Objection } from '../roles/schemas.js';
import type { DuplicationConfig } from './config.js';
import { percent, shorten } from './format.js';
import { termsOf } from './terms.js';

export interface DuplicationCandidate {
  id: string;
  text: string;
  quotes: readonly string[];
}

export interface Duplicate {
  claimId: string;
  duplicateOf: string;
  /** Jaccard similarity of the two claims' terms, or 1 when the later one's quotes are all the earlier one's. */
  similarity: number;
}

/** Jaccard similarity of two sets: shared over all; 0 when both are empty (two empty claims say nothing alike). */
export function jaccard(left: ReadonlySet<string>, right: ReadonlySet<string>): number {
  let shared = 0;
  for (const item of left) if (right.has(item)) shared += 1;
  const union = left.size + right.size - shared;
  return union === 0 ? 0 : shared / union;
}

/** A quote as the quote check compares it: letters and digits only, lower case, single spaces. */
function normaliseQuote(quote: string): string {
  return (quote.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).join(' ');
}

/** Each claim that repeats an earlier one, with the first earlier one it repeats. Quadratic; claims are few (≤ 100). */
export function findDuplicates(claims: readonly DuplicationCandidate[], config: DuplicationConfig): Duplicate[] {
  const prepared = claims.map((claim) => ({
    id: claim.id,
    terms: new Set(termsOf(claim.text).map((entry) => entry.term)),
    quotes: new Set(claim.quotes.map(normaliseQuote).filter((quote) => quote.length > 0)),
  }));
  const duplicates: Duplicate[] = [];
  for (const [index, later] of prepared.entries()) {
    for (const earlier of prepared.slice(0, index)) {
      // The same quote may answer two steps ("bodyLimit defaults to 1 MiB and can be set per route"): evidence
      // repeats only within a step; across steps only the same statement does.
      const sameStep = stepOfClaim(later.id) === stepOfClaim(earlier.id);
      const sameEvidence = sameStep && later.quotes.size > 0 && [...later.quotes].every((quote) => earlier.quotes.has(quote));
      const similarity = sameEvidence ? 1 : jaccard(later.terms, earlier.terms);
      if (sameEvidence || similarity >= config.maxSimilarity) {
        duplicates.push({ claimId: later.id, duplicateOf: earlier.id, similarity });
        break;
      }
    }
  }
  return duplicates;
}

/** The objection on the later claim, naming the earlier one. */
export function duplicationObjection(duplicate: Duplicate, text: string): Objection {
  return {
    kind: 'duplication',
    target: duplicate.claimId,
    message:
      `claim ${duplicate.claimId} ("${shorten(text)}") repeats claim ${duplicate.duplicateOf} ` +
      `(${duplicate.similarity === 1 ? 'the same quotes or the same terms' : `${percent(duplicate.similarity)} of their terms shared`}). ` +
      `Expected: each claim states a different fact; drop it or cite evidence for something else.`,
  };
}
