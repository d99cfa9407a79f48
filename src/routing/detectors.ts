/**
 * Named detectors of confidential data: personal data (emails, phone numbers, card numbers, IBANs) and credentials
 * (API keys, cloud keys, tokens, private keys, password assignments). Results carry detector names and counts only,
 * never the matched text, so they can go to transcripts and error messages without leaking what they found.
 */
import { z } from 'zod';
import { ConfigError, type SourceLocation } from '../errors.js';
import { passesIbanCheck, passesLuhn } from './checksums.js';
import { normaliseForDetection, originalSpan } from './normalise.js';

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

const digitsOf = (text: string): string => text.replace(/\D/g, '');

/** Values after `password=` and the like that are placeholders, references or already redacted, not secrets. */
const PLACEHOLDER =
  /^(?:\[REDACTED:|\$\{|\$[A-Za-z_]|%\(|\{\{|<|process\.env|os\.environ|env\(|(?:string|number|boolean|null|undefined|none|nil|true|false|required|optional|redacted|x+|\*+|\.+)$)/i;

function credential(name: string, source: string, flags = '', accept?: Detector['accept'], requires?: readonly string[]): Detector {
  return { name, kind: 'credential', pattern: new RegExp(source, `g${flags}`), accept, ...(requires ? { requires } : {}) };
}

/** Whether a detector can match anywhere in the text at all. */
function mayMatch(detector: Detector, text: string): boolean {
  return !detector.requires || detector.requires.some((needle) => text.includes(needle));
}
function personal(name: string, source: string, flags = '', accept?: Detector['accept']): Detector {
  return { name, kind: 'personal', pattern: new RegExp(source, `g${flags}`), accept };
}

/**
 * Starts at the `@` and checks the local part with a lookbehind: a pattern that starts at every word and scans ahead
 * for an `@` costs about ten times more on ordinary prose. The match is `@domain`, enough to count.
 */
const EMAIL = String.raw`@(?<=[A-Za-z0-9._%+-]@)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])`;
/** International (+CC …), North American (415) 555-2671, and trunk-prefix national 020 7946 0958 forms. */
const PHONE =
  String.raw`(?:(?<![\w+])\+[1-9]\d{0,3}(?:[ .-]?\(?\d{1,5}\)?){1,6}` +
  String.raw`|(?<![\w(+.-])(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}` +
  String.raw`|(?<![\w+.-])0\d{1,4}(?:[ /-]?\d{2,4}){2,4})(?![\w-])`;
/** Leading digit 2–6 covers Mastercard 2-series, Amex/Diners, Visa, Mastercard and Discover/UnionPay. */
const CARD =
  String.raw`(?<![\d.,-])(?:[2-6]\d{12,18}` +
  String.raw`|[2-6]\d{3}(?<sep>[ -])\d{4}\k<sep>\d{4}\k<sep>\d{1,4}(?:\k<sep>\d{1,3})?` +
  String.raw`|3\d{3}(?<amexSep>[ -])\d{6}\k<amexSep>\d{4,5})(?!\d)`;
/** Matched case-insensitively (an IBAN typed in lower case is still one) and upper-cased for the mod-97 check. */
const IBAN = String.raw`(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![A-Za-z0-9])`;

/**
 * Quotes around a name or value may come escaped (`password=\"…\"`): text that holds JSON, such as a prompt that
 * embeds passages, is still a string value, and its secrets are found like any other.
 *
 * The built-in detectors, credentials first and the generic assignment last, so that redaction names the most
 * specific detector and the generic one then sees only `[REDACTED:…]` markers.
 */
export const builtinDetectors: readonly Detector[] = Object.freeze([
  credential('private-key', String.raw`-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|$)`, '', undefined, ['-----BEGIN ']),
  credential('anthropic-api-key', String.raw`(?<![\w-])sk-ant-[A-Za-z0-9_-]{20,}`, '', undefined, ['sk-ant-']),
  credential('openai-api-key', String.raw`(?<![\w-])sk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}`, '', (match) => /\d/.test(match[0]), ['sk-']),
  credential('aws-access-key-id', String.raw`(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])`, '', undefined, ['AKIA', 'ASIA']),
  credential(
    'aws-secret-access-key',
    String.raw`(?<![A-Za-z0-9])aws[\w .-]{0,30}?(?:secret|key)[\w .-]{0,20}?(?:\\{0,3}["'])?\s*[:=]\s*(?:\\{0,3}["'])?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`,
    'i',
  ),
  credential('github-token', String.raw`(?<!\w)(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})(?!\w)`, '', undefined, ['gh', 'github_pat_']),
  credential('slack-token', String.raw`(?<!\w)xox[abposr]-[A-Za-z0-9-]{10,}`, '', undefined, ['xox']),
  credential('google-api-key', String.raw`(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])`, '', undefined, ['AIza']),
  credential('jwt', String.raw`(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*(?![\w-])`, '', undefined, ['eyJ']),
  // Credentials inside URLs: a password in the user-info part, and secret-named query parameters (`?token=`, `&sig=`),
  // so a logged request line or a fetched link never carries them.
  credential('url-credential', String.raw`(?<=\b[a-z][a-z0-9+.-]*://)[^\s/?#@:]+:(?<secret>[^\s/?#@]+)@`, 'i', undefined, ['://']),
  credential(
    'url-query-secret',
    String.raw`[?&;](?:access[_-]?token|id[_-]?token|refresh[_-]?token|token|api[_-]?key|apikey|key|password|passwd|pwd|secret|client[_-]?secret|sig|signature|auth|code)=(?<secret>[^&#\s"'<>\\]{4,})`,
    'i',
    (match) => !PLACEHOLDER.test(match.groups?.secret ?? ''),
    ['=']
  ),
  credential(
    'secret-assignment',
    String.raw`(?<![A-Za-z0-9])(?:api[_-]?key|api[_-]?secret|client[_-]?secret|secret(?:[_-]?key)?|access[_-]?token|auth[_-]?token|password|passwd|pwd)(?:\\{0,3}["'])?\s*[:=]\s*(?:\\{0,3}["'])?(?<secret>[^\s"'\x60,;&<>\\]{6,})`,
    'i',
    (match) => !PLACEHOLDER.test(match.groups?.secret ?? ''),
  ),
  personal('email', EMAIL),
  personal('phone', PHONE, '', (match) => {
    const digits = digitsOf(match[0]);
    // E.164 allows at most 15 digits; under 9 (or 8 with a country code) are dates, extensions or plain numbers.
    return match[0].startsWith('+') ? digits.length >= 8 && digits.length <= 15 : digits.length >= 9 && digits.length <= 12;
  }),
  personal('payment-card', CARD, '', (match) => {
    const digits = digitsOf(match[0]);
    return digits.length >= 13 && digits.length <= 19 && passesLuhn(digits);
  }),
  personal('iban', IBAN, 'i', (match) => passesIbanCheck(match[0].replace(/ /g, '').toUpperCase())),
]);

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
      const at = match.indices?.groups?.['secret'] ?? match.indices?.[0];
      if (!at || at[1] <= at[0]) continue;
      spans.push(originalSpan(normalised, at[0], at[1]));
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

/** {@link findSecrets}, returning only the redacted text. */
export function redactSecrets(text: string, detectors: readonly Detector[] = builtinDetectors): string {
  return findSecrets(text, detectors).text;
}
