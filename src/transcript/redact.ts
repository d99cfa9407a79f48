/**
 * Keeps secrets out of transcripts, checkpoints and logs: the exact values of configured API keys, and anything that
 * looks like a credential, are replaced before a record is written. Redaction always works on string values, never
 * on serialised text, so it cannot break the syntax of a record around a secret.
 */
import { builtinDetectors, findSecrets, type Detector } from '../routing/detectors.js';
import { normaliseForDetection } from '../routing/normalise.js';

export type Redactor = (text: string) => string;

/** At most this many secrets seen by a redactor are remembered for matching their transformed forms. */
const MAX_REMEMBERED = 256;
/** Redacted texts a redactor keeps the answer for. */
const MAX_RECENT = 2048;
/** Longer texts are redacted every time, so the kept answers stay within a few megabytes. */
const MAX_RECENT_LENGTH = 8192;
/** Shorter secrets are not remembered: their loose forms would match ordinary words. */
const MIN_REMEMBERED_LENGTH = 8;

/**
 * A pattern that finds a secret after a transformation that keeps its letters and digits in order: lower- or
 * upper-casing, and punctuation removed or replaced (`sk-proj-Ab12…` written as `sk proj ab12…`).
 */
function loosePattern(secret: string): RegExp | undefined {
  const characters = [...normaliseForDetection(secret).text].filter((character) => /[A-Za-z0-9]/.test(character));
  if (characters.length < MIN_REMEMBERED_LENGTH) return undefined;
  return new RegExp(`(?<![A-Za-z0-9])${characters.join('[\\W_]{0,3}')}(?![A-Za-z0-9])`, 'gi');
}

/** A run of text (a URL, a path, a form body) holding percent-encoded bytes. */
const ENCODED_TOKEN = /[^\s"'<>]*%[0-9A-Fa-f]{2}[^\s"'<>]*/g;
const ENCODED_BYTE = /%[0-9A-Fa-f]{2}/;
const URL_DELIMITER = /([/?&;#=])/;
const ENCODED_MARKER = '[REDACTED:url-encoded-secret]';

/** Decodes valid `%XX` sequences (malformed ones stay), up to three times, so double encoding is undone too. */
function percentDecode(text: string): string {
  let current = text;
  for (let round = 0; round < 3 && ENCODED_BYTE.test(current); round += 1) {
    const next = current.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
    if (next === current) break;
    current = next;
  }
  return current;
}

/**
 * A secret must not pass because it was percent-encoded (`?q=password%3Dhunter22`, `/x/AKIA%49…`, `%253D` twice
 * encoded). Each run of text holding encoded bytes is decoded and looked at again; where the decoded form holds a
 * secret, the pieces between URL delimiters that hold it are replaced, or the whole run when no single piece does.
 */
function redactEncoded(text: string, redactDecoded: (text: string) => string): string {
  if (!ENCODED_BYTE.test(text)) return text;
  return text.replace(ENCODED_TOKEN, (token) => {
    const decoded = percentDecode(token);
    if (decoded === token || redactDecoded(decoded) === decoded) return token;
    let replaced = false;
    const pieces = token.split(URL_DELIMITER).map((piece) => {
      if (URL_DELIMITER.test(piece) && piece.length === 1) return piece;
      const plain = percentDecode(piece);
      if (plain === piece || redactDecoded(plain) === plain) return piece;
      replaced = true;
      return ENCODED_MARKER;
    });
    return replaced ? pieces.join('') : ENCODED_MARKER;
  });
}

/**
 * A redactor for the given secret values plus common credential shapes. It remembers every credential it has removed
 * and from then on also removes that secret's transformed forms, so a role that lower-cases or re-punctuates a text
 * cannot launder a secret it was shown past the detectors (which match only the original shapes).
 */
export function createRedactor(secretValues: readonly string[] = [], detectors: readonly Detector[] = builtinDetectors): Redactor {
  const secrets = secretValues.filter((value) => value.length >= 8).sort((left, right) => right.length - left.length);
  // Each remembered secret's loose pattern, and the marker that names the detector which first found it.
  const remembered = new Map<string, { pattern: RegExp; marker: string }>();
  const remember = (secret: string, detector: string): void => {
    if (remembered.has(secret) || remembered.size >= MAX_REMEMBERED) return;
    const pattern = loosePattern(secret);
    if (pattern) remembered.set(secret, { pattern, marker: `[REDACTED:${detector}]` });
  };
  for (const secret of secrets) remember(secret, 'secret');
  // The same texts come by again and again (a prompt is redacted when sent and again when its turn is recorded; ids,
  // role and model names in every record), so recent answers are kept. A newly remembered secret can change an
  // answer, so remembering one clears them.
  const recent = new Map<string, string>();
  const redact = (text: string): string => {
    const known = recent.get(text);
    if (known !== undefined) return known;
    const remembering = remembered.size;
    const result = redactOnce(text);
    if (remembered.size !== remembering || recent.size >= MAX_RECENT) recent.clear();
    if (text.length <= MAX_RECENT_LENGTH) recent.set(text, result);
    return result;
  };
  const redactOnce = (text: string): string => {
    let result = text;
    for (const secret of secrets) if (result.includes(secret)) result = result.split(secret).join('[REDACTED:secret]');
    const scan = findSecrets(result, detectors);
    result = scan.text;
    for (const secret of scan.secrets) remember(secret.text, secret.detector);
    for (const { pattern, marker } of remembered.values()) if (result.search(pattern) >= 0) result = result.replace(pattern, marker);
    return redactEncoded(result, (decoded) => findSecrets(decoded, detectors).text);
  };
  return redact;
}

/**
 * Applies a redactor to every string inside a JSON-like value. Only plain objects and arrays are walked (a logged
 * request or socket is left as it is), and a value met twice is not walked again, so cycles are safe. Object keys
 * are redacted too (a secret can be used as a key). Unchanged parts are returned as they were.
 */
export function redactDeep<T>(value: T, redact: Redactor, seen: WeakSet<object> = new WeakSet()): T {
  if (typeof value === 'string') return redact(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) {
    let changed = false;
    const items = value.map((item: unknown) => {
      const redacted = redactDeep(item, redact, seen);
      changed ||= redacted !== item;
      return redacted;
    });
    return (changed ? items : value) as T;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  let changed = false;
  const entries = Object.entries(value).map(([key, item]) => {
    const redactedKey = redact(key);
    const redacted = redactDeep(item, redact, seen);
    changed ||= redacted !== item || redactedKey !== key;
    return [redactedKey, redacted] as const;
  });
  if (!changed) return value;
  const copy: Record<string, unknown> = prototype === null ? Object.create(null) : {};
  for (const [key, item] of entries) Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
  return copy as T;
}
