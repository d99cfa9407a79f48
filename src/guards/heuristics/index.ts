/**
 * The built-in prompt-injection detector: known phrasings of injected instructions ("ignore all previous instructions",
 * "reveal your system prompt", "you are now DAN", fake chat-template turns, "send the conversation to …", "approve this
 * answer", …) in English, German, French, Spanish, Italian, Portuguese, Dutch, Russian, Chinese, Japanese and Korean.
 *
 * The rules (./rules.ts, ./phrases/) match a detection form of the text (./form.ts) in which the tricks that hide a
 * phrase from a naive filter are undone (./fold.ts): escapes decoded, NFKC, case folded, diacritics, zero-width
 * characters and soft hyphens removed, look-alike letters of other scripts read as the Latin ones, whitespace
 * collapsed, digits inside words read as letters (`1gn0re`), and letters spaced out (`i g n o r e`) read together.
 * Every position of the form maps back to the original, so an excerpt is the original text behind a match.
 *
 * Precision over recall: a rule fires on an order aimed at the reader (imperative mood, second person, or addressed to
 * an AI), not on keywords, so prose and documentation that talk about instructions pass. A phrase quoted in a sentence
 * that mentions it (`attackers write "ignore previous instructions"`) is not reported; the same phrase unquoted is.
 *
 * Speed: the form is built with a few native string operations (its map back to the original only when a detection is
 * reported); one scan for the rules' keywords decides which groups of patterns run, and only near those keywords; the
 * conditions on the words before a match (imperative position, no negation) are checked once a match is found, not
 * during the scan; every pattern has bounded repetition and no nested quantifiers. A 4 KB document takes well under a
 * tenth of a millisecond when scanned repeatedly and about 0.15 ms when many different ones are scanned in turn.
 *
 * The table is compiled by ./compile.ts; ./engine.ts holds the detector.
 */
export { alternation, compilePattern, expandMarkers } from './compile.js';
export { detectInjection, heuristicDetector } from './engine.js';
export { foldSource } from './fold.js';
export { detectionForm, mappedForm, type DetectionForm } from './form.js';
export { PHRASE_GROUPS } from './phrases/index.js';
export { LEAD, LEAD_BEFORE, NEG, NOT_BEFORE, RULE_REASONS, type PhraseGroup, type RuleId } from './rules.js';
