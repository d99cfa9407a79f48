/**
 * Thresholds of the deterministic claim checks (support, relevance, coverage, duplication). Every field has a default,
 * so `ChecksConfig.parse({})` is the configuration the checker runs with; the defaults are documented here, with the
 * reason for each, so tuning them on eval suites changes one number in one place.
 */
import { z } from 'zod';

/** A share between 0 and 1. */
const share = () => z.number().min(0).max(1);

export const SupportConfig = z
  .object({
    /**
     * Share of the claim's content terms (stemmed) that must occur in its quotes. Default 0.7: seven words in ten. A
     * claim that copies its quote scores 1; a paraphrase may reword a few words ("turn on" for "enable"), while a claim
     * that adds a clause of its own (what the model believes, not what the source says) falls below. Set this lower
     * than a pure overlap check would need because numbers, names and negation are checked on their own, all or nothing:
     * they are what a wrong claim that keeps most of its quote's words gets wrong.
     */
    minTermCoverage: share().default(0.7),
    /** Every number in the claim must occur in a quote: a changed number is the cheapest hallucination to make. */
    numbers: z.boolean().default(true),
    /** Every name in the claim (identifier, acronym, capitalised proper noun) must occur in a quote. */
    names: z.boolean().default(true),
    /** The claim and the quote clause that carries its terms must agree on negation and on opposites. */
    negation: z.boolean().default(true),
  })
  .strict();
export type SupportConfig = z.infer<typeof SupportConfig>;

export const RelevanceConfig = z
  .object({
    /**
     * Share of the step question's key terms the claim and its quotes must mention, rounded up to whole terms. Default
     * 0.55, a strict majority for questions of up to ten key terms: two of three, three of four or five, four of six or
     * seven. One key term in three or four may be answered with a synonym, but a sentence that shares only some
     * incidental words with the question ("log" and "output" in a question about dropping redacted keys from the log
     * output, two of five) fails. Measured on the Fastify eval suite (eval/fastify) with the offline researcher, 26
     * claims for 54 questions: at 0.5 every claim that did not state an expected fact passed (18 of 18), among them a
     * hook's description sharing "request", "route" and "change" with a question on route case sensitivity; at 0.55
     * 9 of 18 did, and 6 claims stating a fact passed; at 0.6 the same 9 passed but only 3 stating a fact, since an
     * answer that mentions five of nine key terms of a long, conversational question failed.
     */
    minQuestionCoverage: share().default(0.55),
    /**
     * Key terms that must match at least (or all of them, when the question has fewer). Default 2: a question of two
     * key terms then needs both, since one shared word is what an unrelated sentence and an unanswerable question
     * share with it most often. The price: a two-term question answered with a synonym for one of them fails.
     */
    minMatchedTerms: z.number().int().min(1).default(2),
    /**
     * Key terms a long question ever needs matched: a question of eight or nine key terms carries its situation in
     * many of them, and the sentence that answers it may repeat only three or four. Default 20, no cap in practice:
     * measured on the fastify suite, a cap of 4 approved two more right answers and two more wrong ones, and a wrong
     * answer approved costs more than a right one left unverified.
     */
    maxRequiredTerms: z.number().int().min(1).default(20),
    /**
     * A step whose question asks for a quantity ("how long", "what status code") or a name ("which option") is
     * answered only by a claim that gives one (answer-type.ts). Default on: without it, a sentence on the question's
     * topic that does not state the asked number or name ("After this period, security fixes are still released" for
     * "how long is a version supported?") is approved as the answer.
     */
    answerType: z.boolean().default(true),
  })
  .strict();
export type RelevanceConfig = z.infer<typeof RelevanceConfig>;

export const CoverageConfig = z
  .object({
    /**
     * Share of the goal's key terms that some step question or approved claim must mention. Default 0.6: a plan may
     * reword two words in five of the goal, but one that leaves out a part of the goal (its second question) usually
     * falls below. Looser than relevance because a goal carries more framing ("I'd like to know ...") than a step.
     */
    minGoalCoverage: share().default(0.6),
  })
  .strict();
export type CoverageConfig = z.infer<typeof CoverageConfig>;

export const DuplicationConfig = z
  .object({
    /**
     * Jaccard similarity of two claims' content terms at or above which the later one repeats the earlier. Default
     * 0.85: the same words reordered or inflected, or one word changed in a long sentence (one of ten changed gives
     * 9/11 = 0.82, just below). Conservative on purpose: a duplicate is an objection, and two claims that share a
     * subject but state different facts ("the planner splits the goal into steps / into research questions", 0.5)
     * must not be taken for one.
     */
    maxSimilarity: share().default(0.85),
  })
  .strict();
export type DuplicationConfig = z.infer<typeof DuplicationConfig>;

export const ChecksConfig = z
  .object({
    support: SupportConfig.prefault({}),
    relevance: RelevanceConfig.prefault({}),
    coverage: CoverageConfig.prefault({}),
    duplication: DuplicationConfig.prefault({}),
  })
  .strict();
export type ChecksConfig = z.infer<typeof ChecksConfig>;
/** What a config file may write: every field optional. */
export type ChecksConfigInput = z.input<typeof ChecksConfig>;
