/**
 * A draft a role rewrote (an editor) is the answer the user reads, so it is checked like the claims it came from:
 * every sentence must carry a citation marker, and say only what the quotes of its citations say (the support check).
 * The plan step questions the composed draft puts over its claims, and its "(no supported answer found)" lines, state
 * nothing and are left alone. A draft the supervisor composed is made of checked claims and needs no second look.
 */
import type { ChecksConfig } from '../verify/config.js';
import { judgeSupport } from '../verify/support.js';
import type { Objection, Plan } from './schemas.js';
import { excerpt } from '../text/excerpt.js';
import { ANSWER_SENTENCE_BREAK } from '../graph/compose.js';

const MARKER = /\[(\d+)\]/g;

export function draftObjections(text: string, plan: Plan, citations: ReadonlyArray<{ marker: number; quote: string }>, checks: ChecksConfig): Objection[] {
  const questions = new Set(plan.steps.map((step) => normalise(step.question)));
  const objections: Objection[] = [];
  for (const line of text.split('\n')) {
    const body = line.replace(/^\s*(?:[-*+]|\d+[.)])\s+/, '').trim();
    if (!body || questions.has(normalise(body)) || /^\(no supported answer found\)$/i.test(body) || /^#{1,6}\s/.test(body)) continue;
    for (const sentence of body.split(ANSWER_SENTENCE_BREAK)) {
      const markers = [...sentence.matchAll(MARKER)].map((match) => Number(match[1]));
      const said = sentence.replace(MARKER, '').trim();
      if (!/[\p{L}\p{N}]/u.test(said)) continue;
      const shown = excerpt(said, 100);
      const quoted = `"${shown.text}${shown.cut ? '…' : ''}"`;
      if (markers.length === 0) {
        objections.push({ kind: 'support', target: 'draft', message: `the edited draft says ${quoted} without a citation; expected every sentence of the answer to cite the claims it comes from` });
        continue;
      }
      const quotes = citations.filter((citation) => markers.includes(citation.marker)).map((citation) => citation.quote);
      const support = judgeSupport(said, quotes, checks.support);
      if (!support.ok) {
        const missing = [...support.missingTerms, ...support.missingNumbers, ...support.missingNames];
        objections.push({
          kind: 'support',
          target: 'draft',
          message: `the edited draft says ${quoted}, which its cited quotes do not support${support.negation ? ` (${support.negation})` : missing.length ? ` (nothing on ${missing.map((word) => `"${word}"`).join(', ')})` : ''}; expected it to say only what they say`,
        });
      }
    }
  }
  return objections;
}

function normalise(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}
