/**
 * Keeps secrets out of transcripts and logs: the exact values of configured API keys, and anything that looks like a
 * credential, are replaced before a record is written.
 */

const CREDENTIAL_PATTERNS: Array<[string, RegExp]> = [
  ['openai-key', /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{16,}\b/g],
  ['aws-access-key', /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g],
  ['github-token', /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}\b|\bgithub_pat_[A-Za-z0-9_]{40,}\b/g],
  ['slack-token', /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g],
  ['google-api-key', /\bAIza[0-9A-Za-z_-]{35}\b/g],
  ['bearer-token', /\bBearer\s+[A-Za-z0-9._~+/-]{16,}=*/g],
  ['private-key', /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g],
];

export type Redactor = (text: string) => string;

/** A redactor for the given secret values plus common credential shapes. */
export function createRedactor(secretValues: readonly string[] = []): Redactor {
  const secrets = secretValues.filter((value) => value.length >= 8).sort((left, right) => right.length - left.length);
  return (text: string): string => {
    let result = text;
    for (const secret of secrets) result = result.split(secret).join('[REDACTED:secret]');
    for (const [name, pattern] of CREDENTIAL_PATTERNS) result = result.replace(pattern, `[REDACTED:${name}]`);
    return result;
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
