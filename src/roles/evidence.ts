/**
 * The deterministic evidence check every checker runs, whatever model it uses: each quote must occur in its source
 * (after normalising whitespace, case and punctuation), each claim must cite a source the run actually read, and every
 * plan step must have at least one supported claim. An LLM checker adds judgement on top; it cannot overrule this.
 */
import type { Claim } from '../graph/state.js';
import type { Objection, Plan } from './schemas.js';
import { excerpt } from '../text/excerpt.js';

export interface EvidenceReport {
  ok: boolean;
  supportedClaims: string[];
  unsupportedClaims: Array<{ claimId: string; reasons: string[] }>;
  unsupportedSteps: string[];
  objections: Objection[];
}

/** Lower case, NFKC, punctuation removed, whitespace collapsed: how quotes and sources are compared. */
export function normaliseForQuote(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u201c\u201d]/g, '')
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export interface EvidenceInputs {
  plan: Plan;
  claims: Claim[];
  /** Sources the run read; a citation of anything else is refused. */
  sourcesRead: readonly string[];
  /** Full text of a source, or undefined when it cannot be read. */
  readSource: (source: string) => Promise<string | undefined>;
  /**
   * The run's redactor. Claims are redacted before they enter the state, so a quote of a passage that held a secret
   * is compared with the source redacted the same way.
   */
  redact?: (text: string) => string;
}

/** Runs the evidence check. Never throws for bad evidence: it reports it. */
export async function checkEvidence(inputs: EvidenceInputs): Promise<EvidenceReport> {
  const read = new Set(inputs.sourcesRead);
  const normalisedSources = new Map<string, { plain: string; redacted?: string } | undefined>();
  const sourceText = async (source: string): Promise<{ plain: string; redacted?: string } | undefined> => {
    if (!normalisedSources.has(source)) {
      const text = await inputs.readSource(source);
      if (text === undefined) normalisedSources.set(source, undefined);
      else {
        const redacted = inputs.redact?.(text);
        normalisedSources.set(source, { plain: normaliseForQuote(text), ...(redacted !== undefined && redacted !== text ? { redacted: normaliseForQuote(redacted) } : {}) });
      }
    }
    return normalisedSources.get(source);
  };

  const supportedClaims: string[] = [];
  const unsupportedClaims: EvidenceReport['unsupportedClaims'] = [];
  const objections: Objection[] = [];

  for (const claim of inputs.claims) {
    const reasons: string[] = [];
    let supportingCitations = 0;
    if (claim.citations.length === 0) reasons.push('cites no source');
    for (const citation of claim.citations) {
      if (!read.has(citation.source)) {
        reasons.push(`cites ${citation.source}, which the run never read`);
        objections.push({
          kind: 'source-not-read',
          target: claim.id,
          message: `claim ${claim.id} cites ${citation.source}, which no role read during this run`,
        });
        continue;
      }
      const text = await sourceText(citation.source);
      const quote = normaliseForQuote(citation.quote);
      if (text === undefined) {
        reasons.push(`source ${citation.source} cannot be read`);
        objections.push({ kind: 'quote-not-in-source', target: claim.id, message: `claim ${claim.id}: source ${citation.source} cannot be read` });
      } else if (quote.length === 0 || !(text.plain.includes(quote) || (text.redacted?.includes(quote) ?? false))) {
        reasons.push(`quote not found in ${citation.source}`);
        objections.push({
          kind: 'quote-not-in-source',
          target: claim.id,
          message: `claim ${claim.id}: the quote "${truncate(citation.quote, 80)}" does not occur in ${citation.source}`,
        });
      } else {
        supportingCitations += 1;
      }
    }
    if (supportingCitations > 0 && reasons.length === 0) {
      supportedClaims.push(claim.id);
    } else {
      unsupportedClaims.push({ claimId: claim.id, reasons });
      objections.push({
        kind: 'unsupported-claim',
        target: claim.id,
        message: `claim ${claim.id} ("${truncate(claim.text, 80)}") is not supported: ${reasons.join('; ')}`,
      });
    }
  }

  const supported = new Set(supportedClaims);
  const unsupportedSteps = inputs.plan.steps
    .filter((step) => !inputs.claims.some((claim) => claim.id.startsWith(`${step.id}.`) && supported.has(claim.id)))
    .map((step) => step.id);
  for (const stepId of unsupportedSteps) {
    const step = inputs.plan.steps.find((candidate) => candidate.id === stepId);
    objections.push({
      kind: 'step-unsupported',
      target: stepId,
      message: `plan step ${stepId} ("${truncate(step?.question ?? '', 80)}") has no supported claim`,
    });
  }

  return {
    ok: unsupportedClaims.length === 0 && unsupportedSteps.length === 0,
    supportedClaims,
    unsupportedClaims,
    unsupportedSteps,
    objections,
  };
}

function truncate(text: string, length: number): string {
  const shown = excerpt(text, length - 1);
  return shown.cut ? `${shown.text}…` : text;
}
