/**
 * Named detectors of confidential data: personal data (emails, phone numbers, card numbers, IBANs) and credentials
 * (API keys, cloud keys, tokens, private keys, password assignments). Results carry detector names and counts only,
 * never the matched text, so they can go to transcripts and error messages without leaking what they found.
 */
import { z } from 'zod';
import { ConfigError, type SourceLocation } from '../errors.js';
import { builtinDetectors, secretSpan } from './builtin-detectors.js';
import { normaliseForDetection, originalSpan } from './normalise.js';

export { builtinDetectors };

/** `personal`: data about people or payments; `credential`: secrets that {@link redactSecrets} removes. */
export const DetectorKind = z.enum(['personal', 'credential']);
export type DetectorKind = z.infer<typeof DetectorKind>;

/** A compiled detector. `pattern` always carries the `g` flag. */
export interface Detector {
  readonly name: string;
  readonly kind: DetectorKind;
  readonly pattern: RegExp;
  /** A second look at a match (checksums, placeholders); a match it rejects is not counted or redacted. */
  readonly accept?: (match: RegExpMatchArray) => boolean;
  /**
   * Text every match must contain (literal, case-sensitive). A text without it is skipped without running the
   * pattern: most prompts hold no credential, and a substring search costs far less than a regex scan.
   */
  readonly requires?: readonly string[];
  /**
   * The parts of a match's secret span `[start, end)` of `text` to redact, when not all of it is secret (the values
   * of a cookie header, not the names between them). Default: the whole span.
   */
  readonly secretParts?: (text: string, start: number, end: number) => Array<[number, number]>;
}

/** What a config file may add: `{ name, pattern, flags?, kind? }`; the pattern is a regular expression source. */
export const DetectorConfig = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'letters, digits, dot, dash or underscore'),
    pattern: z.string().min(1),
    flags: z
      .string()
      .regex(/^(?!.*(.).*\1)[imsu]*$/, 'only the flags i, m, s and u, each at most once')
      .optional(),
    /** Config-added detectors are credentials (redacted from transcripts) unless said otherwise. */
    kind: DetectorKind.default('credential'),
  })
  .strict()
  .superRefine((value, context) => {
    const problem = patternProblem(value.pattern, value.flags ?? '');
    if (problem !== undefined) {
      context.addIssue({ code: 'custom', path: ['pattern'], message: `detector "${value.name}": ${problem}` });
    }
  });
export type DetectorConfig = z.infer<typeof DetectorConfig>;

/** Why a pattern cannot be used, or undefined when it can. */
function patternProblem(pattern: string, flags: string): string | undefined {
  let compiled: RegExp;
  try {
    compiled = new RegExp(pattern, flags);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : String(error);
    return `invalid regular expression /${pattern}/: ${reason}`;
  }
  // A pattern that matches nothing-at-all would flag every request and fill redactions with markers.
  if (compiled.test('')) return `the regular expression /${pattern}/ matches empty text`;
  return undefined;
}

/** Whether a detector can match anywhere in the text at all. */
function mayMatch(detector: Detector, text: string): boolean {
  return !detector.requires || detector.requires.some((needle) => text.includes(needle));
}

/**
 * Compiles config-added detectors and appends them to `base` (the built-ins by default). Throws a `ConfigError`
 * naming the detector and its pattern when a pattern is not a valid regular expression or a name is taken.
 */
export function compileDetectors(
  configs: readonly DetectorConfig[],
  base: readonly Detector[] = builtinDetectors,
  location?: SourceLocation,
): Detector[] {
  const names = new Set(base.map((detector) => detector.name));
  const compiled = [...base];
  configs.forEach((config, index) => {
    const at: SourceLocation[] = location ? [{ ...location, path: `${location.path ?? 'detectors'}[${index}]` }] : [];
    const flags = config.flags ?? '';
    const problem = /^(?!.*(.).*\1)[imsu]*$/.test(flags)
      ? patternProblem(config.pattern, flags)
      : `flags "${flags}" are not allowed (use i, m, s or u)`;
    if (problem !== undefined) throw new ConfigError(`detector "${config.name}": ${problem}`, at);
    if (names.has(config.name)) throw new ConfigError(`detector name "${config.name}" is already in use`, at);
    names.add(config.name);
    compiled.push({ name: config.name, kind: config.kind ?? 'credential', pattern: new RegExp(config.pattern, `g${flags}`) });
  });
  return compiled;
}

/** One detector's findings: how many matches, never what matched. */
export interface Detection {
  detector: string;
  count: number;
}

/** Runs every detector over the detection form of `text` (see {@link normaliseForDetection}); returns those that found something, in detector order. */
export function detectConfidential(text: string, detectors: readonly Detector[] = builtinDetectors): Detection[] {
  const normal = normaliseForDetection(text).text;
  const found: Detection[] = [];
  for (const detector of detectors) {
    if (!mayMatch(detector, normal)) continue;
    let count = 0;
    // matchAll works on a copy of the regex, so the shared detector's lastIndex is never touched.
    for (const match of normal.matchAll(detector.pattern)) {
      if (!detector.accept || detector.accept(match)) count += 1;
    }
    if (count > 0) found.push({ detector: detector.name, count });
  }
  return found;
}

/** What {@link findSecrets} removed: the redacted text and the original text of every secret it replaced. */
export interface SecretScan {
  text: string;
  secrets: Array<{ detector: string; text: string }>;
}

const withIndices = new WeakMap<Detector, RegExp>();

/** The detector's pattern with the `d` flag, so a match tells where its `secret` group starts and ends. */
function indexedPattern(detector: Detector): RegExp {
  let pattern = withIndices.get(detector);
  if (!pattern) withIndices.set(detector, (pattern = new RegExp(detector.pattern.source, `${detector.pattern.flags}d`)));
  return pattern;
}

/**
 * Replaces every credential match with `[REDACTED:<detector name>]` and reports what it replaced; personal-data
 * detectors are left alone. When a detector captures a `secret` group (e.g. `password=…`), only that part is replaced
 * so the label stays readable. Detectors see the normalised form of the text (full-width letters folded, invisible
 * characters dropped), and the replacement covers the original characters behind each match.
 */
export function findSecrets(text: string, detectors: readonly Detector[] = builtinDetectors): SecretScan {
  let result = text;
  const secrets: SecretScan['secrets'] = [];
  // Normalised once, and again only after a replacement changed the text.
  let normalised = normaliseForDetection(result);
  for (const detector of detectors) {
    if (detector.kind !== 'credential') continue;
    if (!mayMatch(detector, normalised.text)) continue;
    // Most texts hold no credential: a plain search (no match indices) answers that for less.
    if (normalised.text.search(detector.pattern) < 0) continue;
    const spans: Array<[number, number]> = [];
    for (const match of normalised.text.matchAll(indexedPattern(detector))) {
      if (detector.accept && !detector.accept(match)) continue;
      const at = secretSpan(match);
      if (!at || at[1] <= at[0]) continue;
      // A marker is never a secret (redacting it again would nest markers on every pass), but what stands between
      // markers in one match (the other cookies of a header) still is.
      const parts = detector.secretParts ? detector.secretParts(normalised.text, at[0], at[1]) : [at];
      for (const [from, to] of parts) {
        for (const [start, end] of outsideMarkers(normalised.text, from, to)) spans.push(originalSpan(normalised, start, end));
      }
    }
    if (spans.length === 0) continue;
    const marker = `[REDACTED:${detector.name}]`;
    const pieces: string[] = [];
    let cursor = 0;
    for (const [start, end] of spans) {
      if (start < cursor) continue;
      pieces.push(result.slice(cursor, start), marker);
      secrets.push({ detector: detector.name, text: result.slice(start, end) });
      cursor = end;
    }
    pieces.push(result.slice(cursor));
    result = pieces.join('');
    normalised = normaliseForDetection(result);
  }
  return { text: result, secrets };
}

const MARKER = /\[REDACTED:[A-Za-z0-9._-]{1,64}\]/g;

/** The parts of `[start, end)` of `text` outside redaction markers that hold a letter or digit. */
function outsideMarkers(text: string, start: number, end: number): Array<[number, number]> {
  if (!text.includes('[REDACTED:')) return [[start, end]];
  const parts: Array<[number, number]> = [];
  let cursor = start;
  const keep = (from: number, to: number): void => {
    if (to > from && /[\p{L}\p{N}]/u.test(text.slice(from, to))) parts.push([from, to]);
  };
  // Every marker that overlaps the span, also one the span starts or ends inside (`[REDACTED:github-token]` read as a
  // `user:password` pair), is cut out of it.
  for (const marker of text.matchAll(MARKER)) {
    const markerStart = marker.index ?? 0;
    const markerEnd = markerStart + marker[0].length;
    if (markerEnd <= start || markerStart >= end) continue;
    keep(cursor, Math.min(markerStart, end));
    cursor = Math.max(cursor, markerEnd);
  }
  keep(cursor, end);
  return parts;
}

/** {@link findSecrets}, returning only the redacted text. */
export function redactSecrets(text: string, detectors: readonly Detector[] = builtinDetectors): string {
  return findSecrets(text, detectors).text;
}
