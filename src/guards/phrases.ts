/** The rule table of the heuristic injection detector; it lives in ./heuristics/rules.ts and ./heuristics/phrases/. */
export { LEAD, LEAD_BEFORE, NEG, NOT_BEFORE, PHRASE_GROUPS, RULE_REASONS, type PhraseGroup, type RuleId } from './heuristics/index.js';
