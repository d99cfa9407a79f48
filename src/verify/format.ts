/**
 * Wording shared by the checks' objection messages, so every message quotes and lists the same way. Texts are cut with
 * `excerpt`, which never ends inside a token (a cut secret would slip past redaction).
 */
import { excerpt } from '../text/excerpt.js';

/** A text shortened to `length` characters at most, with an ellipsis when cut. */
export function shorten(text: string, length = 80): string {
  const shown = excerpt(text, length - 1);
  return shown.cut ? `${shown.text}…` : text;
}

/** `"a", "b", "c"`: words as a message lists them. */
export function quotedList(words: readonly string[]): string {
  return words.map((word) => `"${word}"`).join(', ');
}

/** A share as a whole percentage. */
export function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}
