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

/** Applies a redactor to every string inside a JSON-like value. */
export function redactDeep<T>(value: T, redact: Redactor): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactDeep(item, redact)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, redact)])) as T;
  }
  return value;
}
