/**
 * Keeps secrets out of transcripts, checkpoints and logs: the exact values of configured API keys, and anything that
 * looks like a credential, are replaced before a record is written. Redaction always works on string values, never
 * on serialised text, so it cannot break the syntax of a record around a secret.
 */
import { builtinDetectors, findSecrets, type Detector } from '../routing/detectors.js';
import { normaliseForDetection } from '../routing/normalise.js';

export type Redactor = (text: string) => string;

/** Secrets a redactor remembers for matching their transformed forms; the least recently seen go first. */
const MAX_REMEMBERED = 1024;
/** Redacted texts a redactor keeps the answer for. */
const MAX_RECENT = 2048;
/** Longer texts are redacted every time, so the kept answers stay within a few megabytes. */
const MAX_RECENT_LENGTH = 8192;
/** Letters and digits a secret needs to be remembered: shorter ones, once loosened, would match ordinary words. */
const MIN_REMEMBERED_LENGTH = 10;

/** A secret's letters and digits, lower-cased: the form that survives case changes and re-punctuation. */
function compact(text: string): string {
  return normaliseForDetection(text).text.toLowerCase().replace(/[^a-z0-9]+/g, '');
}

/**
 * Whether a secret is worth remembering: long enough, and a token rather than a word (letters and digits mixed), so
 * that a dictionary word someone used as a password (`password=orchestration`) is not redacted from every later text.
 */
function memorable(secret: string): string | undefined {
  const letters = compact(secret);
  if (letters.length < MIN_REMEMBERED_LENGTH || !/[a-z]/.test(letters) || !/\d/.test(letters)) return undefined;
  return letters;
}

/**
 * A pattern that finds a secret after a transformation that keeps its letters and digits in order: lower- or
 * upper-casing, and punctuation removed or replaced (`sk-proj-Ab12…` written as `sk proj ab12…`).
 */
function loosePattern(letters: string): RegExp {
  return new RegExp(`(?<![A-Za-z0-9])${[...letters].join('[\\W_]{0,3}')}(?![A-Za-z0-9])`, 'gi');
}

interface Remembered {
  letters: string;
  pattern: RegExp;
  marker: string;
}

/**
 * A redactor for the given secret values plus common credential shapes. It remembers the token-like credentials it has
 * removed and from then on also removes their transformed forms, so a role that lower-cases or re-punctuates a text
 * cannot launder a secret it was shown past the detectors (which match only the original shapes).
 */
export function createRedactor(secretValues: readonly string[] = [], detectors: readonly Detector[] = builtinDetectors): Redactor {
  const secrets = secretValues.filter((value) => value.length >= 8).sort((left, right) => right.length - left.length);
  // Insertion order is recency: a secret seen again moves to the end, and the oldest goes when the map is full.
  const remembered = new Map<string, Remembered>();
  let rememberedVersion = 0;
  const remember = (secret: string, detector: string): void => {
    const letters = memorable(secret);
    if (letters === undefined) return;
    const known = remembered.get(letters);
    remembered.delete(letters);
    if (known) {
      remembered.set(letters, known);
      return;
    }
    if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value as string);
    remembered.set(letters, { letters, pattern: loosePattern(letters), marker: `[REDACTED:${detector}]` });
    rememberedVersion += 1;
  };
  for (const secret of secrets) remember(secret, 'secret');

  const redactOnce = (text: string): string => {
    let result = text;
    for (const secret of secrets) if (result.includes(secret)) result = result.split(secret).join('[REDACTED:secret]');
    const scan = findSecrets(result, detectors);
    result = scan.text;
    for (const secret of scan.secrets) remember(secret.text, secret.detector);
    if (remembered.size > 0) {
      // A substring search on the compact form rules out most remembered secrets before any pattern runs.
      const letters = compact(result);
      for (const entry of remembered.values()) {
        if (letters.includes(entry.letters)) result = result.replace(entry.pattern, entry.marker);
      }
    }
    return result;
  };

  // The same texts come by again and again (a prompt is redacted when sent and again when its turn is recorded; ids,
  // role and model names in every record), so recent answers are kept. A newly remembered secret can change an
  // answer, so remembering one clears them.
  const recent = new Map<string, string>();
  return (text: string): string => {
    const known = recent.get(text);
    if (known !== undefined) return known;
    const version = rememberedVersion;
    const result = redactOnce(text);
    if (rememberedVersion !== version || recent.size >= MAX_RECENT) recent.clear();
    // Only texts that held nothing to redact are kept: the cache must not hold secrets in memory.
    if (result === text && text.length <= MAX_RECENT_LENGTH) recent.set(text, result);
    return result;
  };
}

/**
 * Applies a redactor to every string inside a JSON-like value. Only plain objects and arrays are walked (a logged
 * request or socket is left as it is). A value met again elsewhere in the tree is redacted the same way (it is the
 * same redacted copy); only a value that contains itself is left as it is where it recurs, so cycles are safe. Object
 * keys are redacted too (a secret can be used as a key). Unchanged parts are returned as they were.
 */
export function redactDeep<T>(value: T, redact: Redactor): T {
  return walk(value, redact, new Map(), new WeakSet()) as T;
}

function walk(value: unknown, redact: Redactor, done: Map<object, unknown>, ancestors: WeakSet<object>): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (done.has(value)) return done.get(value);
  if (ancestors.has(value)) return value;
  let result: unknown = value;
  if (Array.isArray(value)) {
    ancestors.add(value);
    const items = value.map((item: unknown) => walk(item, redact, done, ancestors));
    ancestors.delete(value);
    if (items.some((item, index) => item !== value[index])) result = items;
  } else {
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) return value;
    ancestors.add(value);
    let changed = false;
    const entries = Object.entries(value).map(([key, item]) => {
      const redactedKey = redact(key);
      const redacted = walk(item, redact, done, ancestors);
      changed ||= redacted !== item || redactedKey !== key;
      return [redactedKey, redacted] as const;
    });
    ancestors.delete(value);
    if (changed) {
      const copy: Record<string, unknown> = prototype === null ? Object.create(null) : {};
      for (const [key, item] of entries) Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
      result = copy;
    }
  }
  done.set(value, result);
  return result;
}
