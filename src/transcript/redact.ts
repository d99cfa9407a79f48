/**
 * Keeps secrets out of transcripts and logs: the exact values of configured API keys, and anything that looks like a
 * credential, are replaced before a record is written.
 */
import { builtinDetectors, redactSecrets, type Detector } from '../routing/detectors.js';

export type Redactor = (text: string) => string;

/** A redactor for the given secret values plus common credential shapes. */
export function createRedactor(secretValues: readonly string[] = [], detectors: readonly Detector[] = builtinDetectors): Redactor {
  const secrets = secretValues.filter((value) => value.length >= 8).sort((left, right) => right.length - left.length);
  return (text: string): string => {
    let result = text;
    for (const secret of secrets) result = result.split(secret).join('[REDACTED:secret]');
    return redactSecrets(result, detectors);
  };
}

/**
 * Applies a redactor to every string inside a JSON-like value. Only plain objects and arrays are walked (a logged
 * request or socket is left as it is), and a value met twice is not walked again, so cycles are safe.
 */
export function redactDeep<T>(value: T, redact: Redactor, seen: WeakSet<object> = new WeakSet()): T {
  if (typeof value === 'string') return redact(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item: unknown) => redactDeep(item, redact, seen)) as T;
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, redact, seen)])) as T;
}
