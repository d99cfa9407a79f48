/**
 * The audit trail across runs: every guard decision, call approval and gate decision the run store holds, read with
 * the store's own read methods (list runs page by page, read each run's turns) and filtered. Runs that cannot hold an
 * entry inside the window (ended before it began, started after it ended) are skipped without reading their turns.
 */
import type { DamagedListener, RunStore } from '../stores/port.js';
import type { RunRecord } from '../transcript/schema.js';
import type { AuditAction, AuditEntry, AuditKind } from './entry.js';
import { auditEntriesOf, type SkippedAuditRecord } from './extract.js';
import type { GuardSurface } from '../guards/types.js';

export interface AuditFilter {
  /** One run only. */
  runId?: string;
  kind?: AuditKind;
  /** A guard's action, or a person's decision (`approve`, `reject`). */
  action?: AuditAction;
  surface?: GuardSurface;
  /** Entries at or after this instant. */
  since?: Date;
  /** Entries before this instant. */
  until?: Date;
  /** The newest `limit` entries (still listed oldest first). */
  limit?: number;
}

export interface AuditReadOptions {
  /** Run and turn records the store could not read back (skipped). */
  onDamaged?: DamagedListener;
  /** Guard and approval events, and human turns, that do not have their shape (skipped). */
  onSkipped?: (skipped: SkippedAuditRecord) => void;
}

/** Runs read per page of `listRuns`. */
const RUN_PAGE = 200;
/** Runs whose turns are read at once (PostgreSQL answers them in parallel; SQLite one after another anyway). */
const TURN_READS = 8;

/** Whether a run's lifetime overlaps the window: it ended before `since`, or began at or after `until`, otherwise. */
function overlaps(run: RunRecord, filter: AuditFilter): boolean {
  if (filter.since && run.endedAt !== null) {
    const ended = Date.parse(run.endedAt);
    if (Number.isFinite(ended) && ended < filter.since.getTime()) return false;
  }
  if (filter.until) {
    const started = Date.parse(run.startedAt);
    if (Number.isFinite(started) && started >= filter.until.getTime()) return false;
  }
  return true;
}

function matches(entry: AuditEntry, filter: AuditFilter): boolean {
  if (filter.kind !== undefined && entry.kind !== filter.kind) return false;
  if (filter.action !== undefined && entry.action !== filter.action) return false;
  if (filter.surface !== undefined && entry.surface !== filter.surface) return false;
  const at = Date.parse(entry.at);
  if (filter.since && at < filter.since.getTime()) return false;
  if (filter.until && at >= filter.until.getTime()) return false;
  return true;
}

/** Oldest first; entries at the same instant in run, turn and then recorded order. */
export function compareEntries(left: AuditEntry, right: AuditEntry): number {
  return left.at.localeCompare(right.at) || left.runId.localeCompare(right.runId) || left.seq - right.seq;
}

/** Every run that may hold an entry inside the window, newest first, each once (a run listed again on a later page is not repeated). */
async function* runsOf(store: RunStore, filter: AuditFilter, onDamaged: DamagedListener | undefined): AsyncGenerator<RunRecord> {
  if (filter.runId !== undefined) {
    const run = await store.getRun(filter.runId);
    if (overlaps(run, filter)) yield run;
    return;
  }
  const seen = new Set<string>();
  for (let offset = 0; ; offset += RUN_PAGE) {
    // A run started after `until` holds nothing before it: the store leaves those out.
    const page = await store.listRuns({ limit: RUN_PAGE, offset, ...(filter.until ? { until: filter.until.toISOString() } : {}), ...(onDamaged ? { onDamaged } : {}) });
    for (const run of page) {
      if (seen.has(run.id)) continue;
      seen.add(run.id);
      if (overlaps(run, filter)) yield run;
    }
    // A damaged record is skipped, so a short page is not proof of the end: only an empty one is.
    if (page.length === 0) return;
  }
}

/**
 * The audit entries matching `filter`, oldest first. Throws RunNotFoundError when `filter.runId` names no run. Records
 * that cannot be read are skipped and reported through `options`, never fatal: the audit of the rest still answers.
 */
export async function listAudit(store: RunStore, filter: AuditFilter = {}, options: AuditReadOptions = {}): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  const read = async (run: RunRecord): Promise<void> => {
    for (const turn of await store.turns(run.id, options.onDamaged)) {
      for (const entry of auditEntriesOf(turn, options.onSkipped)) if (matches(entry, filter)) entries.push(entry);
    }
  };
  let batch: RunRecord[] = [];
  for await (const run of runsOf(store, filter, options.onDamaged)) {
    batch.push(run);
    if (batch.length < TURN_READS) continue;
    await Promise.all(batch.map(read));
    batch = [];
  }
  await Promise.all(batch.map(read));
  entries.sort(compareEntries);
  return filter.limit !== undefined && entries.length > filter.limit ? entries.slice(entries.length - filter.limit) : entries;
}
