/**
 * Numbers typed on the command line, read strictly: plain decimal digits only, within stated bounds. `Number()` alone
 * read `0x10` as 16, `1e9` as a billion, `''` as 0 and 400 digits as Infinity, which then reached SQLite or a timer.
 */
import { UsageError } from '../errors.js';

const WHOLE_NUMBER = /^\d+$/;
const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

/** Most runs a listing reads at once. */
export const MAX_LIST_LIMIT = 1_000_000;
/** Longest `--deadline`: seven days. */
export const MAX_DEADLINE_MS = 7 * 24 * 3_600_000;
/** Largest `--budget`, in US dollars. */
export const MAX_BUDGET_USD = 1_000_000;

/**
 * `value` (surrounding spaces aside) as a whole number from `min` to `max` written in decimal digits, or undefined:
 * the check behind {@link parseWholeNumber}, for callers that word the refusal their own way (commander's argument
 * errors in `baton serve`).
 */
export function readWholeNumber(value: string, bounds: { min: number; max: number }): number | undefined {
  const text = value.trim();
  const number = WHOLE_NUMBER.test(text) ? Number(text) : Number.NaN;
  return Number.isSafeInteger(number) && number >= bounds.min && number <= bounds.max ? number : undefined;
}

/** A whole number from `min` to `max` written in decimal digits; a {@link UsageError} naming the flag otherwise. */
export function parseWholeNumber(value: string, flag: string, bounds: { min: number; max: number }): number {
  const number = readWholeNumber(value, bounds);
  if (number === undefined) {
    throw new UsageError(`${flag} expects a ${bounds.min === 1 ? 'positive ' : ''}whole number from ${bounds.min} to ${bounds.max}, written in decimal digits; got "${value}"`);
  }
  return number;
}

/** An amount of US dollars such as `0.50`: greater than zero, at most {@link MAX_BUDGET_USD}, digits and a point only. */
export function parseDollars(value: string, flag = '--budget'): number {
  const text = value.trim();
  const number = DECIMAL.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(number) || number <= 0 || number > MAX_BUDGET_USD) {
    throw new UsageError(`${flag} expects an amount of US dollars greater than 0 and at most ${MAX_BUDGET_USD}, such as 0.50 (digits and a point, no $ sign); got "${value}"`);
  }
  return number;
}

/** `90s`, `5m`, `1h`, `1500ms` or a bare number of seconds, as milliseconds: longer than zero and at most `maxMs`. */
export function parseDuration(value: string, flag: string, maxMs: number = MAX_DEADLINE_MS): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(value.trim());
  if (!match) throw new UsageError(`${flag} expects a duration such as 90s, 5m or 1h (a bare number is seconds), got "${value}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  const milliseconds = Number(match[1]) * unit;
  if (milliseconds <= 0) throw new UsageError(`${flag} must be longer than zero`);
  if (!(milliseconds <= maxMs)) throw new UsageError(`${flag} must be at most ${maxMs / 3_600_000}h; got "${value}"`);
  return milliseconds;
}
