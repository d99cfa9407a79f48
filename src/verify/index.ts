/**
 * The deterministic claim checks that sit beside the quote-in-source check (roles/evidence.ts). A quote that occurs in
 * a source proves the words exist, not that they say what the claim says or answer what the step asks: real quotes of
 * unrelated sentences were approved as answers. These checks are lexical and documented, with thresholds in config.ts,
 * and no model: support (the claim is in its quotes), relevance (the claim answers its step), coverage (the plan and
 * the approved claims address the goal) and duplication (no claim repeats another).
 */
import type { Objection } from '../roles/schemas.js';
import type { ChecksConfig } from './config.js';
import { coverageObjection, judgeCoverage } from './coverage.js';
import { duplicationObjection, findDuplicates, type Duplicate } from './duplication.js';
import { judgeRelevance, questionKeys, relevanceObjection, type QuestionKeys, type RelevanceJudgement } from './relevance.js';
import { judgeSupport, supportObjection, type SupportJudgement } from './support.js';
import { demandsOf, describeDemand, gives, unmetDemands } from './answer-type.js';
import { shorten } from './format.js';
import { stepOfClaim } from './claim-id.js';

export { ChecksConfig } from './config.js';

export interface ClaimInput {
  id: string;
  text: string;
  citations: Array<{ source: string; quote: string }>;
}

export interface StepInput {
  id: string;
  question: string;
}

export interface ClaimCheckInputs {
  goal: string;
  steps: readonly StepInput[];
  /** Ids are `${stepId}.c${n}`: the step is the part before the first `.`. */
  claims: readonly ClaimInput[];
  /** Claims whose quotes all passed the quote-in-source check; only these are judged (the others already have objections). */
  quoteVerified: ReadonlySet<string>;
  config: ChecksConfig;
}

export interface ClaimJudgement {
  claimId: string;
  stepId: string;
  support: SupportJudgement;
  relevance: RelevanceJudgement;
}

export interface ClaimCheckReport {
  /** One judgement per quote-verified claim, in the order given. */
  claims: ClaimJudgement[];
  /** Kinds `support`, `relevance`, `coverage` and `duplication`, each saying what is wrong and what was expected. */
  objections: Objection[];
  /** Steps with no claim that passes quote, support and relevance: the checker reports them as step-unsupported. */
  unsupportedSteps: string[];
  uncoveredGoalTerms: string[];
  duplicates: Duplicate[];
}

/** The longest claim text or quote the checks analyse. */
export const MAX_CHECKED_LENGTH = 2000;

export { stepOfClaim } from './claim-id.js';

/** Runs the four checks. Pure and synchronous; never throws for bad claims, it reports them. */
export function checkClaims(inputs: ClaimCheckInputs): ClaimCheckReport {
  const { config } = inputs;
  const keysByStep = new Map<string, QuestionKeys>(inputs.steps.map((step) => [step.id, questionKeys(step.question)]));
  const demandsByStep = new Map(inputs.steps.map((step) => [step.id, demandsOf(step.question)]));
  const judged = inputs.claims.filter((claim) => inputs.quoteVerified.has(claim.id));
  const objections: Objection[] = [];
  const judgements: ClaimJudgement[] = [];
  const passed: ClaimInput[] = [];

  for (const claim of judged) {
    const stepId = stepOfClaim(claim.id);
    const quotes = claim.citations.map((citation) => citation.quote);
    // A claim or quote is a sentence or two: one longer than this is refused rather than analysed (the checks are
    // linear in practice, not on adversarial megabyte-long "quotes").
    const tooLong = [claim.text, ...quotes].find((text) => text.length > MAX_CHECKED_LENGTH);
    if (tooLong !== undefined) {
      judgements.push({ claimId: claim.id, stepId, support: { ok: false, score: 0, missingTerms: [], missingNumbers: [], missingNames: [] }, relevance: { ok: false, score: 0, matched: [], missing: [] } });
      objections.push({ kind: 'support', target: claim.id, message: `claim ${claim.id} has a text or quote of ${tooLong.length} characters; expected a claim and quotes of at most ${MAX_CHECKED_LENGTH} characters each: quote the sentences that support it` });
      continue;
    }
    const support = judgeSupport(claim.text, quotes, config.support);
    const keys = keysByStep.get(stepId);
    const relevance: RelevanceJudgement = keys
      ? judgeRelevance(keys, claim.text, quotes, config.relevance)
      : { ok: false, score: 0, matched: [], missing: [] };
    // A claim on the question's topic that gives none of what it asks for ("how long": a number) does not answer it.
    const demands = config.relevance.answerType ? (demandsByStep.get(stepId) ?? []) : [];
    const givesNothing = relevance.ok && demands.length > 0 && !demands.some((demand) => gives(demand.kind, [claim.text, ...quotes]));
    if (givesNothing) relevance.ok = false;
    judgements.push({ claimId: claim.id, stepId, support, relevance });
    if (!support.ok) objections.push(supportObjection(claim.id, claim.text, support, config.support));
    if (givesNothing) {
      objections.push({
        kind: 'relevance',
        target: claim.id,
        message: `claim ${claim.id} is on the topic of step ${stepId} ("${shorten(keys!.question)}") but gives none of what it asks for: ${demands.map(describeDemand).join(' or ')}. Expected: a claim whose quote states it.`,
      });
    } else if (keys && !relevance.ok) objections.push(relevanceObjection(claim.id, stepId, keys, relevance, config.relevance));
    if (!keys) {
      objections.push({
        kind: 'relevance',
        target: claim.id,
        message: `claim ${claim.id} belongs to step ${stepId}, which the plan does not have (steps: ${inputs.steps.map((step) => step.id).join(', ')}). Expected: a claim for a step of the plan.`,
      });
    }
    if (support.ok && relevance.ok) passed.push(claim);
  }

  const answered = new Set(passed.map((claim) => stepOfClaim(claim.id)));
  // A step that asks for a number or a name is answered only when one of its passing claims gives one.
  if (config.relevance.answerType) {
    for (const step of inputs.steps) {
      if (!answered.has(step.id)) continue;
      const answers = passed.filter((claim) => stepOfClaim(claim.id) === step.id).map((claim) => [claim.text, ...claim.citations.map((citation) => citation.quote)]);
      const unmet = unmetDemands(step.question, answers);
      if (unmet.length === 0) continue;
      answered.delete(step.id);
      objections.push({
        kind: 'relevance',
        target: step.id,
        message: `step ${step.id} ("${shorten(step.question)}") asks for ${unmet.map(describeDemand).join(' and ')}, and no claim of it gives one. Expected: a claim whose quote states it.`,
      });
    }
  }
  const unsupportedSteps = inputs.steps.filter((step) => !answered.has(step.id)).map((step) => step.id);

  const textOf = new Map(judged.map((claim) => [claim.id, claim.text]));
  const duplicates = findDuplicates(
    judged.map((claim) => ({ id: claim.id, text: claim.text, quotes: claim.citations.map((citation) => citation.quote) })),
    config.duplication,
  );
  for (const duplicate of duplicates) objections.push(duplicationObjection(duplicate, textOf.get(duplicate.claimId) ?? ''));

  const coverage = judgeCoverage(
    inputs.goal,
    [...inputs.steps.map((step) => step.question), ...passed.flatMap((claim) => [claim.text, ...claim.citations.map((citation) => citation.quote)])],
    config.coverage,
  );
  if (!coverage.ok) objections.push(coverageObjection(coverage, config.coverage));

  return { claims: judgements, objections, unsupportedSteps, uncoveredGoalTerms: coverage.uncovered, duplicates };
}
