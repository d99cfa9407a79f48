/**
 * The detector: one scan for the rules' keywords decides which groups of patterns run, and only near those keywords;
 * matches that are quoted mentions are skipped; text whose letters were spaced out is matched compacted; what Unicode
 * tag characters spell is reported as hidden. Each detection carries an excerpt of the original text behind it.
 */
import type { Detection, InjectionDetector } from '../types.js';
import { markersHold, rules, type Compiled, type CompiledGroup } from './compile.js';
import { detectionForm, type DetectionForm } from './form.js';
import { RULE_REASONS, type RuleId } from './rules.js';

/** Letters of the scripts the foreign keywords are in (Greek, Cyrillic, CJK, kana, Hangul). */
const OTHER_SCRIPT = /[\u0370-\u04ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff66-\uff9f]/;
const EXCERPT_LIMIT = 120;
/** Matches tried per group and window before giving up on one whose matches are all rejected (checks, mentions). */
const MATCHES_PER_PATTERN = 16;

/** Letters spaced out to slip past a filter: `i g n o r e`, `i.g.n.o.r.e`, `i-g-n-o-r-e`. */
const LETTER = '[a-z0-9\\u00aa-\\u1fff\\u2070-\\uffff]';
const SPACED_OUT_ASCII = /(?:^|[^a-z0-9])((?:[a-z0-9][ .\-_*|/+~]){3,}[a-z0-9])(?![a-z0-9])/g;
/** A cheap test for a spaced-out run: separator, letter, separator, letter, separator. */
const SPACED_HINT = /[ .\-_*|/+~][a-z0-9\u00aa-\u1fff\u2070-\uffff][ .\-_*|/+~][a-z0-9\u00aa-\u1fff\u2070-\uffff][ .\-_*|/+~]/;
const SPACED_OUT = new RegExp(`(?:^|(?!${LETTER})[\\s\\S])((?:${LETTER}[ .\\-_*|/+~]){3,}${LETTER})(?!${LETTER})`, 'g');
const NOT_LETTER = /[^\p{L}\p{N}]+/gu;
/** Characters of the form read around a spaced-out run, so the words next to it join the compacted text. */
const SPACED_CONTEXT = 48;

/**
 * Words that introduce a quoted phrase as something talked about, not said: an example of a kind (`such as`, `e.g.`,
 * `phrases like`, `known as`, `the string`), or what attackers or a filter do with it (`attackers write`, `the
 * detector flags`). Reported speech (`says`, `reads`, `wrote`) and a colon before the quote are not cues: a model obeys
 * a quoted order the same, so `The administrator says: "…"` is reported.
 */
const MENTION_CUE =
  /(?:\b(?:such as|like|e\.g\.|i\.e\.|for example|for instance|known as|called|named|(?:the|a|this|that) (?:phrase|string|sentence|payload|pattern|text pattern|example|words?)|(?:phrases|strings|sentences|payloads|patterns|examples|words))|\b(?:attackers?|adversar(?:y|ies)|hackers?|jailbreakers?|injections?|jailbreaks?|malicious (?:users?|actors?|pages?|sites?|documents?|e-?mails?|prompts?)|bad actors?|(?:prompt )?injection attacks?) (?:\S+ )?(?:write|writes|wrote|use|uses|used|type|types|typed|insert|inserts|inserted|embed|embeds|embedded|hide|hides|hid|inject|injects|injected|include|includes|included|try|tries|tried)|\b(?:detects?|detected|flags?|flagged|blocks?|blocked|catch(?:es)?|caught|matches|match))\)?,? ?$/;
const QUOTES = '"\'`';
/**
 * What a quoted phrase may not also ask for and still be a mention: the system prompt, a tool, or sending data out.
 * Such a quote is an order whatever the words before it say.
 */
const QUOTED_TARGET =
  /\b(?:system (?:prompt|message|instructions)|(?:initial|original|hidden|secret|internal) (?:prompt|instructions)|your (?:system )?prompt|tools?|functions?|plugins?|connectors?|call|invoke|execute|send|forward|e-?mail|upload|post|transmit|leak|exfiltrat\w*|transfer|webhook)\b|https?:\/\/|www\.|[\w.+-]+@[\w-]+\.[a-z]/;

/**
 * Whether a match is a quoted mention: it lies inside quotes (or backticks) on one line, the words right before the
 * opening quote introduce it as an example (`attackers write "…"`, `phrases such as '…'`), and the quoted text asks
 * for nothing beyond the phrase itself ({@link QUOTED_TARGET}).
 */
function isQuotedMention(text: string, start: number, end: number): boolean {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  for (const quote of QUOTES) {
    const open = text.lastIndexOf(quote, start - 1);
    if (open < lineStart || start - open > 200) continue;
    // An apostrophe inside a word is not a quote.
    if (quote === "'" && /[a-z]/.test(text[open - 1] ?? '') && /[a-z]/.test(text[open + 1] ?? '')) continue;
    if (text.slice(open + 1, start).includes(quote)) continue;
    const close = text.indexOf(quote, end);
    const lineEnd = text.indexOf('\n', end);
    if (close < 0 || (lineEnd >= 0 && close > lineEnd) || close - end > 200) continue;
    if (!MENTION_CUE.test(text.slice(Math.max(lineStart, open - 80), open))) continue;
    return !QUOTED_TARGET.test(text.slice(open + 1, close));
  }
  return false;
}

/** The original text behind a span, without control characters, at most {@link EXCERPT_LIMIT} characters. */
function excerptOf(original: string, from: number, to: number): string {
  const raw = original.slice(from, Math.min(to, from + EXCERPT_LIMIT * 4));
  const clean = raw.replace(/[\p{Cc}\p{Cf}\p{Cs}]+/gu, (run) => (/[\n\r\t]/.test(run) ? ' ' : '')).replace(/ {2,}/g, ' ').trim();
  const characters = [...clean];
  return characters.length <= EXCERPT_LIMIT ? clean : characters.slice(0, EXCERPT_LIMIT).join('');
}

/** A group to run and the stretches of the form around its keywords, where its matches can be. */
interface OpenedGroup {
  position: number;
  windows: Array<[number, number]>;
}

/**
 * How far before and after a keyword a match that contains it can reach, with room for the lookbehind checks before
 * the match (keywords sit at most about a hundred characters into a match; the longest matches, hidden styled text,
 * are under 600 characters).
 */
const WINDOW_BEFORE = 200;
const WINDOW_AFTER = 640;

/**
 * The rule groups whose keywords occur in the form, in table order, each with the windows around its keywords. Every
 * match of a group contains one of its keywords, so the windows hold them all.
 */
function openedGroups(text: string, foreign: boolean, compiled: Compiled): OpenedGroup[] {
  const positions: Array<number[] | undefined> = [];
  for (const scan of foreign ? [...compiled.scans, ...compiled.foreignScans] : compiled.scans) {
    scan.lastIndex = 0;
    for (let match = scan.exec(text); match; match = scan.exec(text)) {
      for (const position of compiled.opens.get(match[0]) ?? []) (positions[position] ??= []).push(match.index);
      // Restart just after the keyword's start, so keywords that overlap ("do not", "not reject") are all found.
      scan.lastIndex = match.index + 1;
    }
  }
  const opened: OpenedGroup[] = [];
  positions.forEach((at, position) => {
    if (at) opened.push({ position, windows: windowsAround(at, text.length) });
  });
  return opened;
}

/** Windows covering more than this share of the text are replaced by one scan of the whole text. */
const WHOLE_TEXT_SHARE = 0.6;

/** Merged stretches `[start, end)` around keyword positions. */
function windowsAround(positions: number[], length: number): Array<[number, number]> {
  positions.sort((left, right) => left - right);
  const windows: Array<[number, number]> = [];
  for (const at of positions) {
    const start = Math.max(0, at - WINDOW_BEFORE);
    const end = Math.min(length, at + WINDOW_AFTER);
    const last = windows[windows.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else windows.push([start, end]);
  }
  const covered = windows.reduce((sum, [start, end]) => sum + end - start, 0);
  return covered > length * WHOLE_TEXT_SHARE ? [[0, length]] : windows;
}

/** Detections in texts whose letters were spaced out, matched on the text around the run with all spacing removed. */
function spacedOut(form: DetectionForm, original: string, foreign: boolean, compiled: Compiled, found: Map<RuleId, Detection>): void {
  const text = form.text;
  if (!SPACED_HINT.test(text)) return;
  const spaced = foreign ? SPACED_OUT : SPACED_OUT_ASCII;
  spaced.lastIndex = 0;
  let windowEnd = -1;
  for (let run = spaced.exec(text); run; run = spaced.exec(text)) {
    const end = run.index + run[0].length;
    const runStart = end - (run[1]?.length ?? 0);
    if (end <= windowEnd) continue;
    const from = Math.max(0, runStart - SPACED_CONTEXT);
    windowEnd = Math.min(text.length, end + SPACED_CONTEXT);
    const compact = text.slice(from, windowEnd).replace(NOT_LETTER, '');
    for (const { rule, pattern } of compiled.compact) {
      if (found.has(rule) || !pattern.test(compact)) continue;
      const [start, stop] = form.span(from, windowEnd);
      found.set(rule, detection(rule, excerptOf(original, start, stop)));
    }
  }
}

function detection(rule: RuleId, excerpt: string): Detection {
  const found: Detection = { detector: 'heuristic', rule, score: 1, reason: RULE_REASONS[rule] };
  if (excerpt) found.excerpt = excerpt;
  return found;
}

/**
 * Finds known injection phrasings in `text`: at most one detection per rule, each with score 1, a reason and the
 * original text of its first match. Pure and synchronous; never throws on any string.
 */
export function detectInjection(text: string): Detection[] {
  if (typeof text !== 'string' || text.length === 0) return [];
  const compiled = rules();
  const form = detectionForm(text);
  const foreign = OTHER_SCRIPT.test(form.text);
  const found = new Map<RuleId, Detection>();
  for (const { position, windows } of openedGroups(form.text, foreign, compiled)) {
    const group = compiled.groups[position];
    if (!group || found.has(group.rule)) continue;
    for (const [from, to] of windows) {
      const hit = firstReported(group, form.text, from, to);
      if (!hit) continue;
      const [start, end] = form.span(hit[0], hit[1]);
      found.set(group.rule, detection(group.rule, excerptOf(text, start, end)));
      break;
    }
  }
  spacedOut(form, text, foreign, compiled, found);
  const smuggled = tagSmuggling(text);
  if (smuggled !== undefined && !found.has('hidden-instruction')) found.set('hidden-instruction', detection('hidden-instruction', smuggled));
  return [...found.values()];
}

/** Runs of Unicode tag characters (U+E0020-E007E), which spell ASCII invisibly; a flag emoji's tag sequence aside. */
const TAG_RUN = /(?:\udb40[\udc20-\udc7e]){4,}/g;
const BLACK_FLAG = '\ud83c\udff4';

/** What hidden tag characters spell (`[hidden: …]`), when the text holds a run of them that is not a flag. */
function tagSmuggling(text: string): string | undefined {
  if (!text.includes('\udb40')) return undefined;
  TAG_RUN.lastIndex = 0;
  for (let run = TAG_RUN.exec(text); run; run = TAG_RUN.exec(text)) {
    if (text.slice(Math.max(0, run.index - 2), run.index) === BLACK_FLAG) continue;
    let spelled = '';
    for (let index = 1; index < run[0].length; index += 2) spelled += String.fromCharCode(run[0].charCodeAt(index) - 0xdc00);
    return `[hidden: ${spelled}]`.slice(0, EXCERPT_LIMIT);
  }
  return undefined;
}

/**
 * The span of the first match of `pattern` in the window `[from, to)` of `text` that is not a quoted mention. The
 * window is matched as a string of its own that starts at a line start when one is near, so `^` and the line-start
 * checks of the patterns keep their meaning.
 */
function firstReported(group: CompiledGroup, text: string, from: number, to: number): [number, number] | undefined {
  const pattern = group.pattern;
  let start = from;
  if (start > 0) {
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    start = from - lineStart <= WINDOW_BEFORE ? lineStart : text.indexOf(' ', start) + 1 || start;
  }
  const newline = to < text.length ? text.indexOf('\n', to) : -1;
  const end = newline >= 0 && newline - to <= WINDOW_BEFORE ? newline : to;
  const window = start === 0 && end === text.length ? text : text.slice(start, end);
  pattern.lastIndex = 0;
  for (let attempt = 0; attempt < MATCHES_PER_PATTERN; attempt += 1) {
    const match = pattern.exec(window);
    if (!match) return undefined;
    const matchStart = start + match.index;
    const matchEnd = matchStart + Math.max(1, match[0].length);
    if (!markersHold(match, group.markers, text, start)) {
      // Another alternative may match a little further on.
      pattern.lastIndex = match.index + 1;
      continue;
    }
    if (!isQuotedMention(text, matchStart, matchEnd)) return [matchStart, matchEnd];
    pattern.lastIndex = match.index + Math.max(1, match[0].length);
  }
  return undefined;
}

/** The built-in heuristics as an {@link InjectionDetector} (`guards.heuristics`). */
export const heuristicDetector: InjectionDetector = {
  name: 'heuristic',
  detect: (text: string): Detection[] => detectInjection(text),
};
