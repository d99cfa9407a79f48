/**
 * The deterministic evidence check every checker runs, whatever model it uses. Each quote must occur in its source as
 * read (after normalising whitespace, case and punctuation), each claim must cite a source the run read, be supported
 * by its own quotes and address its step's question (src/verify), no claim may repeat another, every plan step must
 * have a claim that passes all of that, and the plan and claims must cover the goal. An LLM checker adds judgement on
 * top; it cannot overrule this.
 */
import type { Claim } from '../graph/state.js';
import { ChecksConfig } from '../verify/config.js';
import { checkClaims, stepOfClaim, type ClaimJudgement } from '../verify/index.js';
import type { Objection, Plan } from './schemas.js';
import { excerpt } from '../text/excerpt.js';
import { splitAtMarkers, withoutMarkers } from '../text/redaction-markers.js';

export interface EvidenceReport {
  ok: boolean;
  /** Claims whose every quote occurs in a source the run read. */
  supportedClaims: string[];
  unsupportedClaims: Array<{ claimId: string; reasons: string[] }>;
  /** Steps with no claim that is quoted, supported and relevant. */
  unsupportedSteps: string[];
  /** Support and relevance of each quoted claim. */
  judgements: ClaimJudgement[];
  /** Key terms of the goal no step or passing claim addresses. */
  uncoveredGoalTerms: string[];
  objections: Objection[];
}

/** Lower case, NFKC, punctuation removed, whitespace collapsed: how quotes and sources are compared. */
export function normaliseForQuote(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    // The spotlighting datamark (U+02C6) is read as a space on both sides: a source that held one itself (PDF text
    // gives it for circumflexes) and a quote copied out of marked text compare alike.
    .replace(/\u02C6/g, ' ')
    .replace(/[\u2018\u2019\u201c\u201d]/g, '')
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export interface EvidenceInputs {
  /** The run's goal, for the coverage check (left out: no coverage check). */
  goal?: string;
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
  /** Thresholds of the support, relevance, coverage and duplication checks (default: the documented defaults). */
  checks?: ChecksConfig;
  /** What the researchers said they could not find, per step: named when a step ends without an answer. */
  gaps?: ReadonlyMap<string, readonly string[]>;
}

/** Runs the evidence check. Never throws for bad evidence: it reports it. */
export async function checkEvidence(inputs: EvidenceInputs): Promise<EvidenceReport> {
  const read = new Set(inputs.sourcesRead);
  const normalisedSources = new Map<string, { plain: string; redacted?: string } | undefined>();
  const sourceText = async (source: string): Promise<{ plain: string; redacted?: string } | undefined> => {
    if (!normalisedSources.has(source)) {
      // A source that cannot be read is reported as such, not thrown: the check never throws for bad evidence.
      const text = await inputs.readSource(source).catch(() => undefined);
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
      } else if (quote.length === 0 || !quoteOccurs(text, citation.quote, quote, (citation as { redacted?: string[] }).redacted !== undefined)) {
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

  // A redaction marker stands for words no one can see: they are no evidence for what a claim says, nor its words.
  const claimReport = checkClaims({
    goal: inputs.goal ?? '',
    steps: inputs.plan.steps,
    claims: inputs.claims.map((claim) => ({ ...claim, text: withoutMarkers(claim.text), citations: claim.citations.map((citation) => ({ ...citation, quote: withoutMarkers(citation.quote) })) })),
    quoteVerified: new Set(supportedClaims),
    config: inputs.checks ?? ChecksConfig.parse({}),
  });
  objections.push(...claimReport.objections.filter((objection) => objection.kind !== 'coverage' || inputs.goal !== undefined));
  const quoted = new Set(supportedClaims);
  const unsupportedSteps = inputs.plan.steps
    .filter((step) => claimReport.unsupportedSteps.includes(step.id) || !inputs.claims.some((claim) => stepOfClaim(claim.id) === step.id && quoted.has(claim.id)))
    .map((step) => step.id);
  for (const stepId of unsupportedSteps) {
    const step = inputs.plan.steps.find((candidate) => candidate.id === stepId);
    objections.push({
      kind: 'step-unsupported',
      target: stepId,
      message: `plan step ${stepId} ("${truncate(step?.question ?? '', 80)}") has no claim that is quoted, supported and relevant: ${missingEvidence(stepId, inputs, quoted, claimReport.claims, new Set(claimReport.duplicates.map((duplicate) => duplicate.claimId)))}`,
    });
  }

  return {
    ok: objections.length === 0,
    supportedClaims,
    unsupportedClaims,
    unsupportedSteps,
    judgements: claimReport.claims,
    uncoveredGoalTerms: inputs.goal === undefined ? [] : claimReport.uncoveredGoalTerms,
    objections,
  };
}

/** What evidence a step lacks, in words a person (and a planner) can act on. */
function missingEvidence(stepId: string, inputs: EvidenceInputs, quoted: ReadonlySet<string>, judgements: readonly ClaimJudgement[], duplicated: ReadonlySet<string>): string {
  const claims = inputs.claims.filter((claim) => stepOfClaim(claim.id) === stepId);
  if (claims.length === 0) {
    const gaps = inputs.gaps?.get(stepId) ?? [];
    return gaps.length ? `no claim was made (${gaps.map((gap) => truncate(gap, 120)).join('; ')})` : 'no claim was made; the sources read do not answer it';
  }
  return claims
    .map((claim) => {
      if (!quoted.has(claim.id)) return `${claim.id}'s quotes are not in the sources read`;
      const judgement = judgements.find((candidate) => candidate.claimId === claim.id);
      if (!judgement) return `${claim.id} was not judged`;
      const problems = [
        ...(judgement.support.ok ? [] : ['is not supported by its quotes']),
        ...(judgement.relevance.ok ? [] : [`does not address the question${judgement.relevance.missing.length ? ` (nothing on ${judgement.relevance.missing.map((term) => `"${term}"`).join(', ')})` : ''}`]),
      ];
      if (problems.length) return `${claim.id} ${problems.join(' and ')}`;
      return duplicated.has(claim.id) ? `${claim.id} repeats another claim` : `${claim.id} does not give what the question asks for`;
    })
    .join('; ');
}

/** How many normalised characters one redaction marker may stand for in a source (a secret is never longer). */
const MAX_REDACTED_LENGTH = 512;

/**
 * Whether a quote occurs in its source. A quote redaction changed is checked against the source as read: its literal
 * pieces must occur in order, each marker standing for at most {@link MAX_REDACTED_LENGTH} characters between them.
 * The source redacted the same way is tried too (a page fetched before a resume is kept redacted in the state).
 */
function quoteOccurs(source: { plain: string; redacted?: string }, raw: string, normalised: string, redactedByBaton: boolean): boolean {
  // Whole words only: "10" is not found in "100", nor "supported" in "unsupported" (the texts are normalised to words
  // separated by single spaces, and padded).
  const padded = ` ${normalised} `;
  if (` ${source.plain} `.includes(padded) || (source.redacted !== undefined && ` ${source.redacted} `.includes(padded))) return true;
  // Markers stand for redacted words only where Baton's redaction put them (the citation says so): a marker a model
  // typed itself is text that must occur in the source like any other.
  if (!redactedByBaton) return false;
  const pieces = splitAtMarkers(raw).map(normaliseForQuote);
  if (pieces.length < 2 || pieces.join('').length < 3) return false;
  return piecesInOrder(` ${source.plain} `, pieces) || (source.redacted !== undefined && piecesInOrder(` ${source.redacted} `, pieces));
}

/** Whether `pieces` occur in `text` in order, consecutive pieces at most {@link MAX_REDACTED_LENGTH} apart. */
function piecesInOrder(text: string, pieces: readonly string[]): boolean {
  // Each piece is whole words: padded, it matches only at word boundaries of the padded text.
  const literal = pieces.filter((piece) => piece.length > 0).map((piece) => ` ${piece} `);
  for (let start = text.indexOf(literal[0]!); start !== -1; start = text.indexOf(literal[0]!, start + 1)) {
    let end = start + literal[0]!.length;
    let matched = true;
    for (const piece of literal.slice(1)) {
      // The earliest next occurrence leaves the most room for the pieces after it.
      const at = text.slice(end, end + MAX_REDACTED_LENGTH + piece.length).indexOf(piece);
      if (at === -1) {
        matched = false;
        break;
      }
      end += at + piece.length;
    }
    if (matched) return true;
  }
  return false;
}

function truncate(text: string, length: number): string {
  const shown = excerpt(text, length - 1);
  return shown.cut ? `${shown.text}…` : text;
}
