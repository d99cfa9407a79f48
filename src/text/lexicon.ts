/**
 * A small lexicon of the words documentation and its readers use for the same thing, shared by the offline
 * researcher (which sentence answers) and the claim checks (does a claim address its question, is it in its quotes).
 * Lexical matching fails a reader who asks for "the biggest body" of a page that says "the maximum payload"; these
 * groups bridge the commonest of those gaps and nothing else.
 *
 * Each group is words a technical text uses interchangeably; the first is the one the others are read as. The list is
 * deliberately short and general (no product's vocabulary): every group widens what a question matches, and so what an
 * unanswerable question might match too. Words that are also API names in common libraries ("close", "listen",
 * "parameter", "output", "censor", "mask") are left out.
 */

const GROUPS: readonly (readonly string[])[] = [
  ['maximum', 'max', 'biggest', 'largest', 'highest', 'longest'],
  ['minimum', 'min', 'smallest', 'lowest', 'shortest'],
  ['payload', 'body'],
  // Not "setting": stemmed it is "set", the verb a question frames itself with ("how do I set …").
  ['option', 'config', 'configuration'],
  ['increase', 'raise', 'bump'],
  ['remove', 'delete', 'drop', 'strip', 'omit'],
  ['redact', 'redacted', 'redaction', 'hide'],
  ['print', 'display', 'show'],
  ['start', 'boot', 'launch', 'startup'],
  ['concurrent', 'concurrently', 'parallel', 'simultaneous', 'simultaneously'],
  ['store', 'save', 'persist', 'keep'],
  ['directory', 'folder', 'dir'],
  ['disable', 'disabled', 'off'],
  ['enable', 'enabled'],
  ['fast', 'quick', 'quickly', 'speed'],
  ['error', 'failure'],
  ['log', 'logger', 'logging'],
  ['previous', 'earlier', 'past', 'prior'],
  ['sequential', 'sequentially', 'serial', 'serially'],
  ['stop', 'halt'],
];

/**
 * A stemmer that also reads every word of a group as the group's first word: `stem` is the caller's own, so inflected
 * forms meet too ("dropped" and "removes" are both read as the stem of "remove"). Expects lower-case content terms.
 */
export function canonicalStemmer(stem: (word: string) => string): (term: string) => string {
  const canonical = new Map<string, string>();
  for (const group of GROUPS) {
    const head = stem(group[0]!);
    for (const word of group) canonical.set(stem(word), head);
  }
  return (term) => {
    const stemmed = stem(term);
    return canonical.get(stemmed) ?? stemmed;
  };
}

/**
 * Phrases that say in several words what one word says, rewritten to that word before a text is tokenised. Only
 * phrases whose meaning does not depend on context are listed.
 */
const PHRASES: ReadonlyArray<[RegExp, string]> = [
  [/\bout[ -]of[ -]the[ -]box\b/gi, ' by default '],
  [/\b(?:turn|switch)(?:s|ed|ing)? (?:it |them |this |that )?on\b/gi, ' enable '],
  [/\b(?:turn|switch)(?:s|ed|ing)? (?:it |them |this |that )?off\b/gi, ' disable '],
  [/\bat the same time\b/gi, ' concurrently '],
  [/\b(?:give|get|come|send)(?:s|ing)? (?:it |them )?back\b|\b(?:gave|got|came|sent) (?:it |them )?back\b/gi, ' return '],
  [/\bhuman[ -](?:friendly|readable)\b/gi, ' pretty '],
  [/\b(?:one after (?:the )?other|one after another|one at a time|in sequence|in turn)\b/gi, ' sequentially '],
  // Fillers that only look like content: "step by step", "one of them".
  [/\bstep[ -]by[ -]step\b/gi, ' '],
  [/\b(?:one|any|each|some|all|both|either) of (?:them|those|these|it)\b/gi, ' '],
  [/\bshut(?:s|ting)? down\b/gi, ' shutdown '],
  [/\btime(?:s|d)? out\b/gi, ' timeout '],
  [/\bup to\b/gi, ' maximum '],
  [/\bat most\b/gi, ' maximum '],
  [/\bat least\b/gi, ' minimum '],
];

/** `text` with the phrases of {@link PHRASES} rewritten to their one word, for tokenising only (never for quotes). */
export function rewritePhrases(text: string): string {
  let rewritten = text;
  for (const [pattern, word] of PHRASES) rewritten = rewritten.replace(pattern, word);
  return rewritten;
}
