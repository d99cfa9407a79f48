/**
 * How the http connector words its failures. Every message is passed through the redactor and, on top of it, scrubbed
 * of the exact credentials of the call (the stored secret, a Basic pair, an OAuth2 access token the redactor never
 * saw), because a system may echo the request's headers back in an error body, and that body is quoted so the role can
 * act on it.
 */
import { STATUS_CODES } from 'node:http';
import type { Redactor } from '../../transcript/redact.js';
import { ConnectorError, type ConnectorErrorCode, type ConnectorErrorContext } from '../errors.js';

/**
 * Network failure codes that mean the request never reached the system: safe to send again, key or no key. Shared
 * with the chat kinds, which honour no key either.
 */
export const NOT_SENT: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Whether a rejected `fetch` certainly never sent its request: a refused connection, a failed lookup (the codes in
 * {@link NOT_SENT}), or a port fetch blocks before connecting ("bad port").
 */
export function neverSent(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string' && NOT_SENT.has(cause.code)) return true;
  return cause?.message === 'bad port';
}

/** Longest quote of a response body in an error message. */
export const EXCERPT_CHARS = 500;

/** The reason phrase of a status, from Node's table (a server's own phrase may be empty under HTTP/2). */
export function reason(status: number): string {
  return STATUS_CODES[status] ?? 'Unknown Status';
}

/** Replaces each exact credential value in `text`; values shorter than 4 characters would match ordinary text. */
export function scrub(text: string, sensitive: readonly string[]): string {
  let result = text;
  for (const value of sensitive) if (value.length >= 4 && result.includes(value)) result = result.split(value).join('[REDACTED:credential]');
  return result;
}

/**
 * `value` (a parsed response, a mapped output) with each exact credential value replaced in every string and key, so
 * a credential the system echoes back in a successful answer reaches neither the role nor the run store. Returns
 * `value` itself when nothing needed replacing.
 */
export function scrubValue<T>(value: T, sensitive: readonly string[]): T {
  const values = sensitive.filter((item) => item.length >= 4);
  if (values.length === 0) return value;
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return scrub(item, values);
    if (Array.isArray(item)) {
      const mapped = item.map(walk);
      return mapped.some((entry, index) => entry !== item[index]) ? mapped : item;
    }
    if (typeof item === 'object' && item !== null) {
      let changed = false;
      const entries = Object.entries(item).map(([key, entry]) => {
        const cleanKey = scrub(key, values);
        const clean = walk(entry);
        if (cleanKey !== key || clean !== entry) changed = true;
        return [cleanKey, clean] as const;
      });
      return changed ? Object.fromEntries(entries) : item;
    }
    return item;
  };
  return walk(value) as T;
}

/** Makes safe text: redacted first, then cut, so a secret is never left half-cut and so unrecognisable. */
export function safeText(text: string, redact: Redactor, sensitive: readonly string[] = [], max = Number.POSITIVE_INFINITY): string {
  const clean = scrub(redact(text), sensitive);
  return clean.length > max ? `${clean.slice(0, max)}… (${clean.length - max} more characters)` : clean;
}

/** A one-line quote of a response body, for a message: whitespace collapsed, redacted, at most {@link EXCERPT_CHARS}. */
export function excerpt(body: string, redact: Redactor, sensitive: readonly string[] = []): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line ? safeText(line, redact, sensitive, EXCERPT_CHARS) : '(empty body)';
}

/** A ConnectorError whose message (and hint) went through the redactor. */
export function connectorError(code: ConnectorErrorCode, message: string, context: ConnectorErrorContext, redact: Redactor, options: { cause?: unknown; hint?: string; sensitive?: readonly string[] } = {}): ConnectorError {
  const sensitive = options.sensitive ?? [];
  return new ConnectorError(code, safeText(message, redact, sensitive), context, {
    ...(options.cause !== undefined ? { cause: options.cause } : {}),
    ...(options.hint !== undefined ? { hint: safeText(options.hint, redact, sensitive) } : {}),
  });
}

/**
 * The same error with its message redacted, for ConnectorErrors raised below this connector (the kit's schema and
 * mapping failures quote the data they failed on). When redaction changed the text, the cause is dropped: it holds
 * the unredacted message.
 */
export function redactError(error: unknown, redact: Redactor, sensitive: readonly string[] = []): unknown {
  if (!(error instanceof ConnectorError)) return error;
  const message = safeText(error.message, redact, sensitive);
  const hint = error.hint === undefined ? undefined : safeText(error.hint, redact, sensitive);
  if (message === error.message && hint === error.hint) return error;
  const context: ConnectorErrorContext = { retryable: error.retryable, ...(error.operation ? { operation: error.operation } : {}), ...(error.status !== undefined ? { status: error.status } : {}) };
  return new ConnectorError(error.code, message, context, hint === undefined ? undefined : { hint });
}
