/**
 * The rule table of the heuristic injection detector, written in the notation of ../rules.ts: for each rule, groups of
 * patterns and the keywords that open them. A group's patterns run only when one of its keywords occurs in the
 * detection form (at the start of a word, for keywords that start with a letter), and only near it, so every match of
 * a pattern must contain one of its group's keywords, at most about 150 characters from the match's start.
 */
import type { PhraseGroup } from '../rules.js';
import { ADDRESS_GROUPS } from './address.js';
import { EXFILTRATE_GROUPS } from './exfiltrate.js';
import { HIDDEN_GROUPS } from './hidden.js';
import { IGNORE_PREVIOUS_GROUPS } from './ignore-previous.js';
import { PROMPT_AND_ROLE_GROUPS } from './prompt-and-role.js';
import { VERDICT_GROUPS } from './verdict.js';

/** The rule table, in reporting order. */
export const PHRASE_GROUPS: readonly PhraseGroup[] = [
  ...IGNORE_PREVIOUS_GROUPS,
  ...PROMPT_AND_ROLE_GROUPS,
  ...ADDRESS_GROUPS,
  ...EXFILTRATE_GROUPS,
  ...VERDICT_GROUPS,
  ...HIDDEN_GROUPS,
];
