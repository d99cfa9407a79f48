/**
 * Excerpts for messages. A value cut at a fixed length can end inside a secret (`AKIAIOSFODNN7EXA…`), and the cut-off
 * part no longer matches any detector, so it would pass redaction. An excerpt therefore never ends inside a token: a
 * word, key or token the cut would split is left out whole.
 */

/** Characters a token (a word, an id, a key, a base64 run) is made of. */
const TOKEN_CHARACTER = /[\p{L}\p{N}\p{M}_+/=.:@%~-]/u;

/**
 * At most `limit` characters (code points) of `text`, ending at a token boundary; `cut` tells whether anything was
 * left out. A text that is one long token gives an empty excerpt.
 */
export function excerpt(text: string, limit: number): { text: string; cut: boolean } {
  const characters = [...text];
  if (characters.length <= limit) return { text, cut: false };
  let end = limit;
  if (TOKEN_CHARACTER.test(characters[end] ?? '')) {
    while (end > 0 && TOKEN_CHARACTER.test(characters[end - 1] ?? '')) end -= 1;
  }
  return { text: characters.slice(0, end).join(''), cut: true };
}
