/**
 * The rule table (./phrases/) compiled for the detector: each group's patterns as one regular expression over the
 * detection form, its LEAD and NEG markers as capture groups checked once a match is found, and the scans for the
 * keywords that decide which groups run.
 */
import { foldSource } from './fold.js';
import { detectionForm } from './form.js';
import { PHRASE_GROUPS } from './phrases/index.js';
import { LEAD, LEAD_BEFORE, NEG, NOT_BEFORE, type PhraseGroup, type RuleId } from './rules.js';

export interface CompiledGroup {
  rule: RuleId;
  /** The group's patterns as one alternation (their common leading tokens hoisted): one scan per group. */
  pattern: RegExp;
  /** What each capture group (a marker) of the pattern requires. */
  markers: MarkerKind[];
}

export interface Compiled {
  groups: CompiledGroup[];
  /**
   * Scans for the groups' keywords: ASCII words (tried at word starts only) and symbols, always; keywords with letters
   * of other scripts, only over text that has some.
   */
  scans: RegExp[];
  foreignScans: RegExp[];
  /** For each keyword, the groups it opens: those with one of their own keywords inside it. */
  opens: Map<string, number[]>;
  compact: Array<{ rule: RuleId; pattern: RegExp }>;
}

let compiledRules: Compiled | undefined;

/** The end of the group that opens at `start` (`(` … `)`), skipping escapes and character classes. */
function groupEnd(source: string, start: number): number {
  let depth = 0;
  let inClass = false;
  for (let index = start; index < source.length; index += 1) {
    const character = source[index];
    if (character === '\\') index += 1;
    else if (inClass) inClass = character !== ']';
    else if (character === '[') inClass = true;
    else if (character === '(') depth += 1;
    else if (character === ')' && (depth -= 1) === 0) return index + 1;
  }
  return source.length;
}

/** The regular-expression atom at `start` with its quantifier, if any: an escape, a class, a group or a character. */
function atomAt(source: string, start: number): string {
  let end: number;
  if (source[start] === '\\') end = start + 2;
  else if (source[start] === '(') end = groupEnd(source, start);
  else if (source[start] === '[') {
    end = start + 1;
    while (end < source.length && source[end] !== ']') end += source[end] === '\\' ? 2 : 1;
    end += 1;
  } else end = start + 1;
  const quantifier = /^(?:[?*+]|\{\d+(?:,\d*)?\})\??/.exec(source.slice(end));
  return source.slice(start, end + (quantifier?.[0].length ?? 0));
}

/** Whether a source is an alternation at its top level (`a|b`), which a hoisted prefix would change. */
function hasTopLevelBar(source: string): boolean {
  for (let index = 0; index < source.length; ) {
    if (source[index] === '|') return true;
    index += atomAt(source, index).length || 1;
  }
  return false;
}

/**
 * One alternation of several sources, with the atoms they all start with written once in front, so the scan for the
 * group looks for its first words once instead of once per pattern.
 */
export function alternation(given: readonly string[]): string {
  if (given.length === 1) return given[0] ?? '';
  const sources = given.map((source) => (hasTopLevelBar(source) ? `(?:${source})` : source));
  let prefix = '';
  for (;;) {
    const atom = atomAt(sources[0] ?? '', prefix.length);
    if (atom === '' || atom === '|' || !sources.every((source) => source.startsWith(prefix + atom) && source.length > prefix.length + atom.length)) break;
    prefix += atom;
  }
  return `${prefix}(?:${sources.map((source) => source.slice(prefix.length)).join('|')})`;
}

/** What a marker group requires of the text before it. */
type MarkerKind = 'lead' | 'neg';

/** The capture groups markers become: an empty one for LEAD, one holding an empty group for NEG. */
const LEAD_GROUP = '()';
const NEG_GROUP = '((?:))';

/**
 * Replaces the LEAD and NEG markers of a rule source by empty capture groups. The conditions they stand for are
 * checked on the text before the group's position once a match is found ({@link markersHold}), so the scan itself
 * runs without lookbehinds and a pattern's first words are all it looks for.
 */
export function expandMarkers(source: string): string {
  return source.split(LEAD).join(LEAD_GROUP).split(NEG).join(NEG_GROUP);
}

/** The kind of each capture group of a compiled source, in order (rule sources capture nothing else). */
function markerKinds(source: string): MarkerKind[] {
  const kinds: MarkerKind[] = [];
  for (let index = 0; index < source.length; index += 1) {
    const character = source[index];
    if (character === '\\') index += 1;
    else if (character === '[') while (index < source.length && source[index] !== ']') index += source[index] === '\\' ? 2 : 1;
    else if (source.startsWith(NEG_GROUP, index)) kinds.push('neg');
    else if (source.startsWith(LEAD_GROUP, index)) kinds.push('lead');
  }
  return kinds;
}

/** An order may start here: the start of the text, a line, a sentence or clause, or after "please", "you must", … */
const LEAD_CHECK = compilePattern(`${LEAD_BEFORE}$`, '');
/** The verb here is negated, possible, reported or a purpose ("do not ignore", "can ignore", "how to ignore"). */
const NEG_CHECK = compilePattern(`(?:${NOT_BEFORE}|n't |(?<!\\byou )\\b(?:will|to) |\\b(?:if|unless|when|once|whether) you )$`, '');
/** Characters before a marker that its check reads. */
const CHECK_REACH = 48;

/** Whether the marker groups that took part in a match hold on the text before them. */
export function markersHold(match: RegExpExecArray, kinds: readonly MarkerKind[], text: string, offset: number): boolean {
  const indices = match.indices;
  if (!indices) return true;
  for (let group = 1; group < indices.length; group += 1) {
    const at = indices[group]?.[0];
    if (at === undefined) continue;
    const position = offset + at;
    const from = Math.max(0, position - CHECK_REACH);
    const before = text.slice(from, position);
    if (kinds[group - 1] === 'neg' ? NEG_CHECK.test(before) : !LEAD_CHECK.test(from === 0 ? before : `\u0000${before}`)) return false;
  }
  return true;
}

/**
 * Turns a rule source into a regular expression over the detection form: markers expanded, non-ASCII letters folded
 * like the text, and a literal space (outside a character class) standing for the one whitespace character the form
 * has between words.
 */
export function compilePattern(source: string, flags = 'g'): RegExp {
  let out = '';
  let inClass = false;
  const folded = foldSource(source);
  for (let index = 0; index < folded.length; index += 1) {
    const character = folded[index] ?? '';
    if (character === '\\') {
      out += character + (folded[index + 1] ?? '');
      index += 1;
    } else if (inClass) {
      if (character === ']') inClass = false;
      out += character;
    } else if (character === '[') {
      inClass = true;
      out += character;
    } else {
      out += character === ' ' ? '\\s' : character;
    }
  }
  return new RegExp(out, flags);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A keyword as the scan looks for it; a trailing space (`'mark '`) requires the word to end there. */
const keywordForm = (keyword: string): string => detectionForm(keyword).text.trimStart();

/** One alternation of keywords, longest first, grouped by first character (which the engine dispatches on). */
function keywordAlternation(keywords: string[]): string {
  const byFirst = new Map<string, string[]>();
  for (const keyword of [...keywords].sort((left, right) => right.length - left.length)) {
    const first = String.fromCodePoint(keyword.codePointAt(0) ?? 0);
    byFirst.set(first, [...(byFirst.get(first) ?? []), keyword.slice(first.length)]);
  }
  const branches = [...byFirst].map(([first, rests]) => `${escapeRegExp(first)}(?:${rests.map(escapeRegExp).join('|')})`);
  return branches.join('|') || '(?!)';
}

function compileRules(groups: readonly PhraseGroup[]): Compiled {
  const compiledGroups: CompiledGroup[] = [];
  const groupsByKeyword = new Map<string, number[]>();
  const compact: Compiled['compact'] = [];
  for (const group of groups) {
    const position = compiledGroups.length;
    const source = alternation(group.patterns.map(expandMarkers));
    compiledGroups.push({ rule: group.rule, pattern: compilePattern(source, 'gd'), markers: markerKinds(source) });
    for (const keyword of new Set(group.keys.map(keywordForm))) groupsByKeyword.set(keyword, [...(groupsByKeyword.get(keyword) ?? []), position]);
    for (const source of group.compact ?? []) compact.push({ rule: group.rule, pattern: compilePattern(expandMarkers(source), '') });
  }
  const keywords = [...groupsByKeyword.keys()];
  const opens = new Map<string, number[]>();
  for (const keyword of keywords) {
    // An occurrence of a keyword is an occurrence of every keyword inside it ("bypass" holds "pass").
    const inside = keywords.filter((other) => keyword.includes(other));
    opens.set(keyword, [...new Set(inside.flatMap((other) => groupsByKeyword.get(other) ?? []))]);
  }
  const ascii = (keyword: string): boolean => !/[\u0080-\uffff]/.test(keyword);
  const latin = (keyword: string): boolean => /^[a-z0-9]/.test(keyword);
  return {
    groups: compiledGroups,
    scans: [
      new RegExp(`\\b(?:${keywordAlternation(keywords.filter((keyword) => ascii(keyword) && latin(keyword)))})`, 'g'),
      new RegExp(keywordAlternation(keywords.filter((keyword) => ascii(keyword) && !latin(keyword))), 'g'),
    ],
    foreignScans: [
      new RegExp(`\\b(?:${keywordAlternation(keywords.filter((keyword) => !ascii(keyword) && latin(keyword)))})`, 'g'),
      new RegExp(keywordAlternation(keywords.filter((keyword) => /^[\u0080-\uffff]/.test(keyword))), 'g'),
    ],
    opens,
    compact,
  };
}

export function rules(): Compiled {
  compiledRules ??= compileRules(PHRASE_GROUPS);
  return compiledRules;
}
