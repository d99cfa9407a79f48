/**
 * The audit in figures, for the dashboard: entries per time bucket (by action), per action, per surface, per kind and
 * per run. Pure: it counts the entries it is given.
 */
import type { AuditEntry } from './entry.js';

export type AuditBucket = 'hour' | 'day';

export interface AuditCount {
  name: string;
  count: number;
}

export interface AuditBucketCounts {
  /** The bucket's start (ISO time, UTC hour or UTC midnight). */
  start: string;
  total: number;
  /** Entries per action in this bucket. */
  byAction: Record<string, number>;
}

export interface AuditRunCounts {
  runId: string;
  total: number;
  byAction: Record<string, number>;
  /** The run's latest entry (ISO time). */
  last: string;
}

export interface AuditSummary {
  bucket: AuditBucket;
  total: number;
  /** Consecutive buckets (empty ones included) from the window's start, or the first entry, to its end or the last entry. */
  buckets: AuditBucketCounts[];
  /** Most first. */
  byAction: AuditCount[];
  bySurface: AuditCount[];
  byKind: AuditCount[];
  /** Runs with the most entries first. */
  perRun: AuditRunCounts[];
}

const BUCKET_MS: Readonly<Record<AuditBucket, number>> = { hour: 3_600_000, day: 86_400_000 };
/** Most buckets filled in; a longer window keeps its newest buckets (a year of hours would be 8,760 bars). */
export const MAX_BUCKETS = 1000;

function bucketStart(at: number, bucket: AuditBucket): number {
  return Math.floor(at / BUCKET_MS[bucket]) * BUCKET_MS[bucket];
}

function increment(counts: Map<string, number> | Record<string, number>, name: string): void {
  if (counts instanceof Map) counts.set(name, (counts.get(name) ?? 0) + 1);
  else counts[name] = (counts[name] ?? 0) + 1;
}

function ranked(counts: Map<string, number>): AuditCount[] {
  return [...counts].map(([name, count]) => ({ name, count })).sort((left, right) => right.count - left.count || left.name.localeCompare(right.name));
}

/**
 * Counts `entries` per `bucket` (UTC hours or days) and per action, surface, kind and run. With `window`, the buckets
 * span it (empty ones included) instead of just the entries' own span.
 */
export function summariseAudit(entries: readonly AuditEntry[], bucket: AuditBucket, window: { since?: Date; until?: Date } = {}): AuditSummary {
  const perBucket = new Map<number, AuditBucketCounts>();
  const byAction = new Map<string, number>();
  const bySurface = new Map<string, number>();
  const byKind = new Map<string, number>();
  const perRun = new Map<string, AuditRunCounts>();
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const entry of entries) {
    const at = Date.parse(entry.at);
    if (!Number.isFinite(at)) continue;
    first = Math.min(first, at);
    last = Math.max(last, at);
    const start = bucketStart(at, bucket);
    const counts = perBucket.get(start) ?? { start: new Date(start).toISOString(), total: 0, byAction: {} };
    counts.total += 1;
    increment(counts.byAction, entry.action);
    perBucket.set(start, counts);
    increment(byAction, entry.action);
    if (entry.surface) increment(bySurface, entry.surface);
    increment(byKind, entry.kind);
    const run = perRun.get(entry.runId) ?? { runId: entry.runId, total: 0, byAction: {}, last: entry.at };
    run.total += 1;
    increment(run.byAction, entry.action);
    if (entry.at > run.last) run.last = entry.at;
    perRun.set(entry.runId, run);
  }
  const from = window.since ? window.since.getTime() : first;
  const to = window.until ? window.until.getTime() - 1 : last;
  const buckets: AuditBucketCounts[] = [];
  if (Number.isFinite(from) && Number.isFinite(to) && from <= to) {
    const step = BUCKET_MS[bucket];
    const end = bucketStart(to, bucket);
    const begin = Math.max(bucketStart(from, bucket), end - (MAX_BUCKETS - 1) * step);
    for (let start = begin; start <= end; start += step) buckets.push(perBucket.get(start) ?? { start: new Date(start).toISOString(), total: 0, byAction: {} });
  }
  return {
    bucket,
    total: entries.length,
    buckets,
    byAction: ranked(byAction),
    bySurface: ranked(bySurface),
    byKind: ranked(byKind),
    perRun: [...perRun.values()].sort((left, right) => right.total - left.total || right.last.localeCompare(left.last)),
  };
}
