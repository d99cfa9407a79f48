/**
 * The rules of the heuristic injection detector and the notation of its rule table (./phrases/): for each rule,
 * groups of patterns and the keywords that open them.
 *
 * Notation. Patterns and keywords are written over the detection form: lower case, no diacritics (`précédentes` is
 * written `precedentes`), curly quotes and dashes as ASCII, whitespace collapsed. Non-ASCII letters are folded when the
 * table is compiled exactly as the text is, so Russian, Chinese and Japanese are written as they are spelled. A literal
 * space outside a character class stands for the single whitespace character the form has between words; a keyword
 * ending in a space (`'mark '`) must end a word. Patterns capture nothing (groups are `(?:…)`), repetition is always
 * bounded and never nested, so no pattern can backtrack catastrophically.
 *
 * Markers: {@link LEAD} requires the token after it to stand in an imperative position (start of a sentence, line or
 * clause, or after "please", "you must", "and", …); {@link NEG} refuses a verb that is negated, possible, reported or
 * a purpose ("do not ignore", "models often ignore", "how to ignore"). They are checked on the words before a match
 * once it is found. `compact` patterns match text whose letters were spaced out, with all spacing removed.
 */

/** The rules, as reported in `Detection.rule`. */
export type RuleId =
  | 'ignore-previous'
  | 'reveal-prompt'
  | 'role-override'
  | 'new-instructions'
  | 'fake-system-turn'
  | 'address-ai'
  | 'tool-command'
  | 'exfiltrate'
  | 'approve-answer'
  | 'dictate-answer'
  | 'fake-source'
  | 'hidden-instruction';

/** What each rule means, as a person reads it in the audit log. */
export const RULE_REASONS: Readonly<Record<RuleId, string>> = {
  'ignore-previous': 'Tells the reader to ignore or override its earlier instructions.',
  'reveal-prompt': 'Asks the reader to reveal its system prompt or hidden instructions.',
  'role-override': 'Tries to give the model a new role or lift its restrictions.',
  'new-instructions': 'Announces new or overriding instructions inside the data.',
  'fake-system-turn': 'Imitates a system or assistant turn of a chat template.',
  'address-ai': 'Addresses instructions to an AI that reads the text.',
  'tool-command': 'Tells the reader to call a tool or function.',
  'exfiltrate': 'Asks to send conversation or private data to an outside address.',
  'approve-answer': 'Tries to dictate the verdict on an answer or claim.',
  'dictate-answer': 'Tells the reader exactly what to answer.',
  'fake-source': 'Tells the reader what to cite or where to attribute a claim.',
  'hidden-instruction': 'Hides instructions from the user (comments, hidden styling, invisible characters, secrecy).',
};

/** Patterns of one rule and the keywords that open them. */
export interface PhraseGroup {
  rule: RuleId;
  /** Keywords (any form; folded when compiled), one of which every match of `patterns` contains. */
  keys: readonly string[];
  patterns: readonly string[];
  /** Patterns over spaced-out text compacted to letters and digits only. */
  compact?: readonly string[];
}

export const raw = String.raw;

/**
 * What may stand before an order: the start of the text, a line, a sentence or a clause, or a word that leads one
 * ("please", "now", "and", "you must", "i want you to", …).
 */
export const LEAD_BEFORE = raw`(?:^|[\n.!?:;,>"'()[\]*•|#=~-] ?|\b(?:please|pls|plz|kindly|now|just|so|then|and|also|simply|immediately|first|instead|next|ok|okay|important|attention|note|always|hereby|you must|you should|you shall|you will|you'll|you need to|you have to|you are to|you're to|you are required to|you are instructed to|you are hereby|i want you to|i need you to|i order you to|i command you to|i instruct you to|make sure to|be sure to|remember to|don't forget to|do not forget to) )`;
/** Words before a verb that make it something other than an order: negated, possible, reported, a purpose. */
export const NOT_BEFORE = raw`\b(?:not|never|cannot|would|may|might|can|could|often|sometimes|usually|typically|frequently|commonly|rarely|models?|llms?|they|it|he|she|we|that|which|who|users?|attackers?|people|someone|tend to|tends to|likely to|how to|trying to|try to|tries to|attempt to|attempts to|designed to|able to|used to|not to|easy to|hard to|app|apps|server|client|browser|api|service|system|sdk|library|plugin|function|method) `;
/** Marker: the token after it must stand where an order can start ({@link LEAD_BEFORE}). */
export const LEAD = '\u{f0001}';
/** Marker: the token after it must not follow {@link NOT_BEFORE}, "n't", "will" or "to" (unless after "you"), or "if you". */
export const NEG = '\u{f0002}';
