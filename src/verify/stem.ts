/**
 * A small, deterministic stemmer for the claim checks: the inflection steps of Porter's algorithm (1a, 1b, 1c, 5a,
 * 5b) and its `-ion` rule. `foldSuffix` (knowledge/text.ts) only folds plurals, so "redacted", "redaction" and "redacts"
 * stayed three words and a claim about redaction did not match a question about redacted keys. Porter's inflection steps
 * are a well-known, documented conflation that stops short of the derivational steps, which merge unrelated words
 * ("general" and "generate"): the checks would rather miss a match than invent one.
 *
 * Every form goes through the same function, so what matters is that the forms of one word meet ("enable", "enables",
 * "enabled", "enabling" all give "enabl"), not that the stem is a word.
 */

/** Whether `word[index]` is a consonant in Porter's sense: not a vowel, and `y` only after a vowel. */
function isConsonant(word: string, index: number): boolean {
  const letter = word[index];
  if (letter === 'a' || letter === 'e' || letter === 'i' || letter === 'o' || letter === 'u') return false;
  if (letter === 'y') return index === 0 || !isConsonant(word, index - 1);
  return true;
}

/** Porter's measure m: how many vowel-consonant sequences the stem holds ("tr"=0, "trouble"=1, "private"=2). */
function measure(stem: string): number {
  let count = 0;
  let afterVowel = false;
  for (let index = 0; index < stem.length; index += 1) {
    const consonant = isConsonant(stem, index);
    if (consonant && afterVowel) count += 1;
    afterVowel = !consonant;
  }
  return count;
}

function hasVowel(stem: string): boolean {
  for (let index = 0; index < stem.length; index += 1) if (!isConsonant(stem, index)) return true;
  return false;
}

function endsWithDoubleConsonant(word: string): boolean {
  const last = word.length - 1;
  return last >= 1 && word[last] === word[last - 1] && isConsonant(word, last);
}

/** Consonant-vowel-consonant at the end, the last not w, x or y ("hop", not "how"): such stems keep or regain an `e`. */
function endsWithCvc(word: string): boolean {
  const last = word.length - 1;
  if (last < 2 || !isConsonant(word, last) || isConsonant(word, last - 1) || !isConsonant(word, last - 2)) return false;
  return !/[wxy]$/.test(word);
}

/** Step 1b's clean-up after `-ed`/`-ing` is removed: "enabl" → "enable", "dropp" → "drop", "hop" → "hope". */
function afterInflection(stem: string): string {
  if (/(?:at|bl|iz)$/.test(stem)) return `${stem}e`;
  if (endsWithDoubleConsonant(stem) && !/[lsz]$/.test(stem)) return stem.slice(0, -1);
  if (measure(stem) === 1 && endsWithCvc(stem)) return `${stem}e`;
  return stem;
}

/** The stem of a lower-case word. Words that are not plain ASCII letters (numbers, other scripts) are returned as is. */
export function stem(word: string): string {
  if (word.length <= 2 || !/^[a-z]+$/.test(word)) return word;
  let result = word;
  // 1a: plurals.
  if (result.endsWith('sses')) result = result.slice(0, -2);
  else if (result.endsWith('ies')) result = result.slice(0, -2);
  else if (result.endsWith('s') && !result.endsWith('ss')) result = result.slice(0, -1);
  // 1b: past tense and gerund.
  if (result.endsWith('eed')) {
    if (measure(result.slice(0, -3)) > 0) result = result.slice(0, -1);
  } else if (result.endsWith('ed') && hasVowel(result.slice(0, -2))) {
    result = afterInflection(result.slice(0, -2));
  } else if (result.endsWith('ing') && hasVowel(result.slice(0, -3))) {
    result = afterInflection(result.slice(0, -3));
  }
  // 1c: a final y after a vowel-bearing stem.
  if (result.endsWith('y') && hasVowel(result.slice(0, -1))) result = `${result.slice(0, -1)}i`;
  // 4, the -ion rule only: "redaction" → "redact", "compression" → "compress".
  if (result.endsWith('ion')) {
    const base = result.slice(0, -3);
    if (measure(base) > 1 && /[st]$/.test(base)) result = base;
  }
  // 5a: a final e.
  if (result.endsWith('e')) {
    const base = result.slice(0, -1);
    const m = measure(base);
    if (m > 1 || (m === 1 && !endsWithCvc(base))) result = base;
  }
  // 5b: a final double l.
  if (result.endsWith('ll') && measure(result) > 1) result = result.slice(0, -1);
  return result;
}
