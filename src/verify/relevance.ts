/**
 * Relevance: a claim and its quotes address the question of their plan step. The question's key terms are its content
 * terms less the words that frame a question rather than say what it is about ({@link QUESTION_FILLER}); a share of
 * them (`minQuestionCoverage`) and at least `minMatchedTerms` of them must occur in the claim or its quotes; the
 * question's numbers count as key terms too. Names of code in the question (an option, a function, a flag) must all
 * occur: an answer about `bodyLimit` does not answer a question about `maxParamLength`, however many other words they
 * share.
 *
 * The failure this exists for: a real quote of an unrelated sentence approved as the answer, because it shares a word
 * with the question ("How do I drop redacted keys from the log output?" answered with a sentence on how log levels are
 * printed, which shares "log" and "output", 2 of 5). The trade-off: a sentence that truly answers with synonyms for
 * several of the question's words fails too. With the defaults one synonym in three or four key terms passes, and a
 * question of two key terms needs both (see config.ts). Reading the claim and its quotes together lets a quoted section
 * heading supply the topic a sentence leaves implicit; the support check keeps the claim itself from adding words its
 * quotes do not have.
 */
import type { Objection } from '../roles/schemas.js';
import { askedPart, withoutHowAdjective } from '../text/question.js';
import type { RelevanceConfig } from './config.js';
import { percent, quotedList, shorten } from './format.js';
import { containsName, nameHaystack, namesIn, type NameHaystack, type NameMention } from './names.js';
import { numbersIn, termLookup, termsOf, wordSequence, type Term } from './terms.js';

/**
 * Words that frame a question or a request rather than say what it is about; the answering sentence rarely repeats
 * them, so requiring them would fail good answers. Stop words (`contentTerms`) are already gone. Listed by why:
 * - asking: "whether", "whom", "whose", "please", "someone", "anything", "thing";
 * - ability and intent ("Is it possible to", "What do I need to", "How can I make/get/set up/go about"): "possible",
 *   "able", "way", "need", "want", "like", "make", "get", "set", "go", "let", "try", "use";
 * - asking for an explanation ("How does X work?", "What happens when", "What does X mean?", "What's the difference"):
 *   "work", "happen", "mean", "difference", "differ", "different", "example", "know", "learn", "understand", "see";
 * - pointing at the source ("What do the docs suggest"): "doc", "documentation", "documented", "say", "suggest",
 *   "recommend", "recommended";
 * - judging ("the best/right way"): "best", "good", "right", "correct", "proper", "properly";
 * - amount and manner ("How many", "How often"): "many", "much", "often", "instead";
 * - asking for a form of answer (goals more than questions): "summary", "summarise", "summarize", "overview", "brief",
 *   "briefly", "short", "detail", "detailed", "explanation";
 * - fillers: "actually", "really", "just", "currently", "exactly", "basically", "me", "my", "myself".
 * Not listed, on purpose: "default", "type", "option", "error", "value": in a technical question they are the topic.
 */
export const QUESTION_FILLER: ReadonlySet<string> = new Set(
  (
    'whether whom whose please someone anyone something anything thing ' +
    'possible able way need want like make get set go let try use ' +
    'work happen mean difference differ different example know learn understand see ' +
    'doc docs documentation documented say suggest recommend recommended ' +
    'best good right correct proper properly ' +
    'many much often instead ' +
    'summary summarise summarize overview brief briefly short detail detailed explanation ' +
    'actually really just currently exactly basically me my myself come came everything'
  )
    .split(/\s+/)
    .flatMap((word) => termsOf(word).map((entry) => entry.term)),
);

/** The key terms of a question or goal: its content terms less {@link QUESTION_FILLER}. */
export function keyTermsOf(text: string): Term[] {
  return termsOf(text).filter((entry) => !QUESTION_FILLER.has(entry.term));
}

/** A sentence that sends the reader elsewhere ("See X for details") answers nothing itself. */
export const POINTER = /^(?:see|refer to|read|check out|for (?:more )?(?:details|information|more)\b|more (?:details|information) (?:is|are|can be) (?:found|available))\b/i;

export interface RelevanceJudgement {
  /** The action the question asks about, when the claim never says it. */
  action?: string;
  /** The claim only points elsewhere ("See … for details"). */
  pointer?: boolean;
  ok: boolean;
  /** Share of the question's key terms the claim or its quotes mention; 1 for a question with none. */
  score: number;
  matched: string[];
  /** Key terms not mentioned, then the question's code names not mentioned. */
  missing: string[];
}

/** What relevance needs of one question, computed once per step. */
export interface QuestionKeys {
  question: string;
  /** Key terms and numbers: a number's term is `#` and its value, so it never meets a word. */
  terms: Term[];
  /** Names of code the question asks about: each must be mentioned. */
  names: NameMention[];
  /** The question without its contrast clause ("instead of …"), when it has one: it must be addressed on its own too. */
  focus?: QuestionKeys;
  /** The action a "how do I …" / "can I …" question asks about ("stop" in "How do I stop Fastify from …"): it must be addressed. */
  action?: Term;
}

/**
 * What relevance looks for in a question. Its numbers are key terms like its words rather than requirements: a
 * question often states a number as its situation ("while the status code is still 200"), which the answer need not
 * repeat. Its code names are requirements: they say what the question is about.
 */
export function questionKeys(whole: string): QuestionKeys {
  // A plan step's question is a sentence or two; what is past this is not read (it bounds the work on any input).
  const question = whole.slice(0, 1000);
  // The scene a reader sets before asking ("My app fails to start. How long does …?") is not what must be answered.
  const keys = { ...keysOf(askedPart(question)), question };
  // "Can I handle X myself instead of Fastify answering 400?" asks about X: a claim that only restates the contrast
  // (Fastify answers 400) shares many of the question's words without answering it. The part before the contrast
  // must be addressed on its own too.
  const action = actionOf(askedPart(question));
  if (action) keys.action = action;
  const focus = askedPart(question).replace(CONTRAST, ' ');
  if (focus === askedPart(question)) return keys;
  const focused = keysOf(focus);
  return focused.terms.length >= 2 ? { ...keys, focus: focused } : keys;
}

/**
 * The verb a "how do I / can I / is it possible to" question asks about. A sentence on the same topic that never says
 * that action ("How do I stop Fastify from sending the response?" answered with "req and res are the raw objects")
 * does not answer; verbs that only frame the ask (get, use, make, set, see...) are not required.
 */
const ASKS_HOW = /\b(?:how (?:do|can|could|should|would|may) (?:i|we|you|one)|how to|(?:can|could|should|may) (?:i|we|you|one)|is it possible to|is there a way to|do (?:i|we|you) (?:need|have) to)\s+(?:(?:also|still|just|actually|safely|easily|quickly|then|first|now|ever|properly|correctly)\s+)*([a-z]+)/i;

function actionOf(question: string): Term | undefined {
  const verb = ASKS_HOW.exec(question)?.[1];
  if (!verb) return undefined;
  const [entry] = keyTermsOf(verb);
  return entry;
}

/** A contrast clause: what the question sets its ask against, up to the end of the clause. */
const CONTRAST = /\b(?:instead of|rather than|other than|as opposed to|in place of)\b[^,;?]*/gi;


function keysOf(asked: string): QuestionKeys {
  const question = withoutHowAdjective(asked);
  const numbers = numbersIn(question).map((number) => ({ term: `#${number.value}`, word: number.text }));
  const terms = [...keyTermsOf(question), ...numbers].filter((entry, index, all) => all.findIndex((other) => other.term === entry.term) === index);
  return { question: asked, terms, names: namesIn(question).filter((name) => name.kind === 'code') };
}

/** Key terms that must match: the share, rounded up, and at least `minMatchedTerms` (or all, when fewer). */
export function requiredMatches(keyTerms: number, config: RelevanceConfig): number {
  const share = Math.min(Math.ceil(config.minQuestionCoverage * keyTerms - 1e-9), config.maxRequiredTerms);
  return Math.max(share, Math.min(config.minMatchedTerms, keyTerms));
}

/** Judges whether a claim and its quotes address the question. */
export function judgeRelevance(keys: QuestionKeys, claimText: string, quotes: readonly string[], config: RelevanceConfig): RelevanceJudgement {
  // The quotes must address the question: a claim could otherwise borrow the question's words (up to the share
  // support leaves it) and pass with a quote about something else. The claim text only says whether it points away.
  const texts = quotes.length > 0 ? [...quotes] : [claimText];
  const lookup = new Set(texts.flatMap((text) => [...termLookup(text), ...numbersIn(text).map((number) => `#${number.value}`)]));
  const matched = keys.terms.filter((entry) => lookup.has(entry.term)).map((entry) => entry.word);
  const missing = keys.terms.filter((entry) => !lookup.has(entry.term)).map((entry) => entry.word);
  const haystack = nameHaystack(texts);
  const missingNames = keys.names.filter((name) => !containsName(haystack, name) && !containsMember(haystack, name)).map((name) => name.text);
  // A question with no key terms ("???", "Explain it") gives nothing to check an answer against: nothing answers it.
  if (keys.terms.length === 0 && keys.names.length === 0) return { ok: false, score: 0, matched: [], missing: [] };
  const score = keys.terms.length === 0 ? 1 : matched.length / keys.terms.length;
  const focus = keys.focus ? judgeRelevance(keys.focus, claimText, quotes, config) : undefined;
  const actionMissing = keys.action !== undefined && !lookup.has(keys.action.term);
  const pointer = POINTER.test(claimText.trim());
  const ok = matched.length >= requiredMatches(keys.terms.length, config) && missingNames.length === 0 && (focus?.ok ?? true) && !actionMissing && !pointer;
  return { ok, score, matched, missing: [...new Set([...missing, ...missingNames, ...(focus && !focus.ok ? focus.missing : [])])], ...(actionMissing ? { action: keys.action!.word } : {}), ...(pointer ? { pointer } : {}) };
}

/**
 * Whether the member a dotted name ends with is mentioned: `fastify.close()` asked about, `close` answered (the docs
 * name a method on its own under the object's heading). Only for relevance; support keeps names whole.
 */
function containsMember(haystack: NameHaystack, name: NameMention): boolean {
  const member = /\.([A-Za-z_$][\w$]*)(?:\(\))?$/.exec(name.text)?.[1];
  if (!member || member.length < 3) return false;
  return containsName(haystack, { text: member, kind: 'code', words: wordSequence(member) });
}

/** The objection for a claim that does not address its step: what it mentions, what it lacks, what was expected. */
export function relevanceObjection(claimId: string, stepId: string, keys: QuestionKeys, judgement: RelevanceJudgement, config: RelevanceConfig): Objection {
  const total = keys.terms.length;
  const required = requiredMatches(total, config);
  const missingTerms = keys.terms.map((entry) => entry.word).filter((word) => !judgement.matched.includes(word));
  const absentNames = keys.names.map((name) => name.text).filter((name) => judgement.missing.includes(name));
  const problems: string[] = [];
  if (total === 0 && keys.names.length === 0) problems.push('the question has no key terms to check an answer against; ask it in words that say what it is about');
  else if (judgement.matched.length < required) {
    const mentioned = judgement.matched.length === 0 ? 'none of them' : `only ${quotedList(judgement.matched)}`;
    problems.push(
      `of the question's key terms it mentions ${mentioned}, not ${quotedList(missingTerms)}; ` +
        `expected at least ${required} of ${total} (${percent(config.minQuestionCoverage)}): ${keys.terms.map((entry) => entry.word).join(', ')}`,
    );
  }
  if (absentNames.length > 0) problems.push(`it never mentions ${quotedList(absentNames)}, which the question names`);
  if (judgement.pointer) problems.push('it only points elsewhere ("see … for details") instead of stating an answer');
  if (judgement.action) problems.push(`it never says "${judgement.action}", the action the question asks about`);
  if (problems.length === 0 && keys.focus) {
    const focus = keys.focus.terms.map((entry) => entry.word);
    problems.push(`it addresses what the question sets its ask against, not the ask itself (${quotedList(focus.filter((word) => !judgement.matched.includes(word)))} of ${quotedList(focus)})`);
  }
  return {
    kind: 'relevance',
    target: claimId,
    message: `claim ${claimId} does not answer step ${stepId} ("${shorten(keys.question)}"): ${problems.join('; ')}. Expected: a claim whose quote addresses the question.`,
  };
}
