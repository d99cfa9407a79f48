/**
 * The part of a question that asks. Readers often set the scene first ("My app fails to start because one plugin is
 * slow to load. How long does Fastify wait for a plugin?"): the scene's words belong to the search, not to what an
 * answer must address. When a text holds both statements and questions, the questions are what is asked.
 */
import { contentTerms } from '../knowledge/text.js';

/**
 * The sentences of `question` that end with `?`, when there are also sentences that do not and they say enough; then
 * without a leading condition ("When the plan has several steps, does …") or a trailing purpose ("…, so I can cancel a
 * slow query?"), when what is left still says enough.
 */
export function askedPart(whole: string): string {
  const question = whole.slice(0, 2000);
  const asked = askedSentences(question);
  const trimmed = asked.replace(LEADING_CONDITION, '').replace(TRAILING_PURPOSE, '?');
  return trimmed !== asked && new Set(contentTerms(trimmed)).size >= 2 ? trimmed : asked;
}

/** "When …, ", "If …, ", "Once …, " opening a question: the situation, not the ask. */
const LEADING_CONDITION = /^(?:when|if|once|whenever|while|after|before|in case)\b[^,?]{3,120},\s+/i;
/** ", so (that) I can …?" closing a question: why the reader asks, not what. */
const TRAILING_PURPOSE = /,?\s+so(?: that)? (?:i|we|you) (?:can|could|may)\b[^?]*\?$/i;

function askedSentences(question: string): string {
  const sentences = question.split(/(?<=[.!?])\s+(?=\S)/).map((sentence) => sentence.trim()).filter(Boolean);
  if (sentences.length < 2) return question;
  const asked = sentences.filter((sentence) => sentence.endsWith('?'));
  if (asked.length === 0 || asked.length === sentences.length) return question;
  const text = asked.join(' ');
  // "Why?" alone, or "Why, and can I get every error at once?": too little of its own; the scene is part of the ask.
  return new Set(contentTerms(text)).size >= 3 ? text : question;
}

/** "How long", "how big": the adjective says a number is asked for (answer-type.ts); it is not what the question is about. */
const HOW_ADJECTIVE = /\bhow (?:long|big|large|small|often|far|old|soon|high|low|fast|tall|wide|deep|heavy)\b/gi;

/** `question` with the adjective of a "how long / how big …" removed: the words that say what it is about. */
export function withoutHowAdjective(question: string): string {
  return question.replace(HOW_ADJECTIVE, 'how');
}
