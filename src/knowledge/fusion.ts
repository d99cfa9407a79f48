/**
 * Reciprocal rank fusion: combines rankings from different retrievers (vector and keyword) by rank alone, so their
 * incomparable scores never need calibrating. A passage ranked well by both beats one ranked first by only one.
 */

/** The usual constant from Cormack et al. (2009); it damps the advantage of the very top ranks. */
export const rrfK = 60;

/** Fuses rankings of ids (best first) into one, best first, with each id's fused score. Ties keep first-seen order. */
export function reciprocalRankFusion<Id>(rankings: ReadonlyArray<readonly Id[]>, k = rrfK): Array<{ id: Id; score: number }> {
  const scores = new Map<Id, number>();
  for (const ranking of rankings) {
    const seen = new Set<Id>();
    ranking.forEach((id, position) => {
      if (seen.has(id)) return;
      seen.add(id);
      scores.set(id, (scores.get(id) ?? 0) + 1 / (k + position + 1));
    });
  }
  return [...scores.entries()].map(([id, score]) => ({ id, score })).sort((left, right) => right.score - left.score);
}
