/**
 * Composes the draft answer from a round's findings: each claim under its plan step, with a numbered marker that
 * points at the source and the quoted evidence. Deterministic, so every sentence of the draft is a checked claim.
 */
import type { Plan } from '../roles/schemas.js';
import type { Finding, RecordedCitation } from './state.js';

export interface ComposedAnswer {
  text: string;
  /** `redacted`: the detectors whose redaction changed the quote, when one did. */
  citations: Array<{ marker: number; source: string; quote: string; redacted?: string[] }>;
}

export function composeDraft(plan: Plan, findings: readonly Finding[]): ComposedAnswer {
  const citations: ComposedAnswer['citations'] = [];
  const markerOf = ({ source, quote, redacted }: RecordedCitation): number => {
    const existing = citations.find((citation) => citation.source === source && citation.quote === quote);
    if (existing) return existing.marker;
    const marker = citations.length + 1;
    citations.push({ marker, source, quote, ...(redacted?.length ? { redacted } : {}) });
    return marker;
  };
  const sections: string[] = [];
  for (const step of plan.steps) {
    const claims = findings.filter((finding) => finding.stepId === step.id).flatMap((finding) => finding.claims);
    const lines = claims.map((claim) => `${claim.text} ${claim.citations.map((citation) => `[${markerOf(citation)}]`).join('')}`);
    sections.push(`${step.question}\n${lines.length ? lines.map((line) => `- ${line}`).join('\n') : '- (no supported answer found)'}`);
  }
  return { text: sections.join('\n\n'), citations };
}

/** The citations list as text, printed under an answer. */
export function formatCitations(citations: ComposedAnswer['citations']): string {
  return citations.map((citation) => `[${citation.marker}] ${citation.source}: "${citation.quote}"${redactedNote(citation.redacted)}`).join('\n');
}

/** What a reader is told about a quote redaction changed: it is not the source's exact words. */
export function redactedNote(redacted: readonly string[] | undefined): string {
  return redacted?.length ? ` (partly redacted: ${redacted.join(', ')})` : '';
}

/**
 * Where a sentence of an answer ends inside a line: after `.`, `!` or `?` and the citation markers that close it
 * (`… true. [1][2]`), before the next word. Markers stay with the sentence they close.
 */
export const ANSWER_SENTENCE_BREAK = /(?<=[.!?](?:\s*\[\d+\])*)\s+(?=[^\s[])/u;
