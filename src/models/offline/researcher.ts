/**
 * Offline researcher strategy: from the passages the search returned, extracts the sentences that answer the step's
 * question, each cited with its source path and the sentence itself as the quoted evidence.
 */
import { contentTerms, splitSentences, stripMarkdown } from '../../knowledge/text.js';
import type { ResearchOutput } from '../../roles/schemas.js';
import type { ResearchTask } from '../../roles/tasks.js';

const MAX_CLAIMS = 3;

export function offlineResearch(task: ResearchTask): ResearchOutput {
  const questionTerms = new Set(contentTerms(task.step.question));
  const candidates: Array<{ sentence: string; source: string; chunkId: string; score: number; order: number }> = [];
  let order = 0;
  for (const passage of task.passages) {
    for (const sentence of splitSentences(passage.text)) {
      order += 1;
      const display = stripMarkdown(sentence);
      // Headings and fragments state nothing a checker could verify.
      if (/^\s*#/.test(sentence) || display.split(/\s+/).length < 5) continue;
      const terms = new Set(contentTerms(sentence));
      let overlap = 0;
      for (const term of questionTerms) if (terms.has(term)) overlap += 1;
      if (overlap === 0) continue;
      const coverage = overlap / Math.max(1, questionTerms.size);
      // A sentence whose subject is the question's topic ("Baton is ...") answers it more directly than a passing mention.
      const subject = contentTerms(display.split(/\s+/).slice(0, 2).join(' ')).some((term) => questionTerms.has(term)) ? 0.25 : 0;
      candidates.push({ sentence, source: passage.source, chunkId: passage.chunkId, score: coverage + subject + passage.score * 0.01, order });
    }
  }
  const minimumCoverage = questionTerms.size >= 3 ? 0.34 : 0.5;
  const selected = candidates
    .filter((candidate) => candidate.score >= minimumCoverage)
    .sort((left, right) => right.score - left.score || left.order - right.order)
    .filter((candidate, index, all) => all.findIndex((other) => other.sentence === candidate.sentence) === index)
    .slice(0, MAX_CLAIMS);
  return {
    claims: selected.map((candidate) => ({
      text: stripMarkdown(candidate.sentence),
      citations: [{ source: candidate.source, quote: candidate.sentence, chunkId: candidate.chunkId }],
    })),
    gaps: selected.length === 0 ? [`no passage in the knowledge base answers "${task.step.question}"`] : [],
  };
}
