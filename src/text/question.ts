/**
 * The part of a question that asks. Readers often set the scene first ("My app fails to start because one plugin is
 * slow to load. How long does Fastify wait for a plugin?"): the scene's words belong to the search, not to what an
 * answer must address. When a text holds both statements and questions, the questions are what is asked.
 */
import { contentTerms } from '../knowledge/text.js';

/** The sentences of `question` that end with `?`, when there are also sentences that do not and they say enough. */
export function askedPart(question: string): string {
  const sentences = question.split(/(?<=[.!?])\s+(?=\S)/).map((sentence) => sentence.trim()).filter(Boolean);
  if (sentences.length < 2) return question;
  const asked = sentences.filter((sentence) => sentence.endsWith('?'));
  if (asked.length === 0 || asked.length === sentences.length) return question;
  const text = asked.join(' ');
  // "Why?" alone, or "Why, and can I get every error at once?": too little of its own; the scene is part of the ask.
  return new Set(contentTerms(text)).size >= 3 ? text : question;
}
