/**
 * The instants an audit window is given in, on the command line and in a query string: a span back from now (`24h`,
 * `7d`, `30m`, `2w`) or an ISO date (midnight UTC) or date-time (local time unless it ends in `Z` or an offset). Read
 * strictly: a date that does not exist (`2026-02-30`) or a bare number is refused rather than rolled over or guessed.
 */

/** What an instant may look like, for messages that refuse one. */
export const INSTANT_EXPECTED = 'a span back from now such as 24h, 7d, 30m or 2w, or an ISO date such as 2026-11-01 or 2026-11-01T09:30Z';

/** The longest span back from now: a hundred years. */
const MAX_SPAN_MS = 100 * 366 * 86_400_000;
const SPAN = /^(\d{1,12})\s*([mhdw])$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
/** `2026-11-01`, `2026-11-01T09:30`, with seconds, a fraction, and `Z` or an offset (`+01:00`, `+0100`). */
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-](\d{2}):?(\d{2}))?)?$/i;

function fieldsExist(match: RegExpExecArray): boolean {
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((index) => Number(match[index] ?? 0)) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const offsetOk = match[9] === undefined || (Number(match[9]) <= 23 && Number(match[10]) <= 59);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59 && offsetOk;
}

/** `text` as an instant (see the module comment), or undefined when it is not one. */
export function readInstant(text: string, now: Date): Date | undefined {
  const trimmed = text.trim();
  const span = SPAN.exec(trimmed);
  if (span) {
    const milliseconds = Number(span[1]) * UNIT_MS[span[2] as keyof typeof UNIT_MS];
    return milliseconds <= MAX_SPAN_MS ? new Date(now.getTime() - milliseconds) : undefined;
  }
  const iso = ISO.exec(trimmed);
  if (!iso || !fieldsExist(iso)) return undefined;
  const [, year, month, day, hour, minute, second, fraction = '', zone = '', offsetHours, offsetMinutes] = iso;
  // Rebuilt in the one form every engine's Date.parse reads: a `T`, seconds, and an offset with a colon.
  const offset = offsetHours === undefined ? zone.toUpperCase() : `${zone.charAt(0)}${offsetHours}:${offsetMinutes}`;
  const time = hour === undefined ? '' : `T${hour}:${minute}:${second ?? '00'}${fraction}${offset}`;
  const parsed = Date.parse(`${year}-${month}-${day}${time}`);
  return Number.isNaN(parsed) ? undefined : new Date(parsed);
}
