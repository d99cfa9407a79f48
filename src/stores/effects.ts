/**
 * What both run stores do the same way for the side-effect intent ledger: the record a new intent, a re-send and an
 * outcome make (redacted before it is serialised), the row they are stored as, reading a row back, and the errors a
 * caller gets for a key that cannot be changed. SQLite (`sqlite/effects.ts`) and PostgreSQL (`postgres/effects.ts`) only
 * hold the rows and fence the writes.
 */
import { TranscriptError, UsageError } from '../errors.js';
import { redactDeep, type Redactor } from '../transcript/redact.js';
import type { EffectIntent, EffectOutcome, EffectRecord, EffectStatus } from './port.js';
import { parseJsonText } from './records.js';

/** An effect as stored: one row per idempotency key, its values as JSON text. */
export interface EffectRow {
  key: string;
  run_id: string;
  operation: string;
  turn: string;
  request: string;
  status: string;
  result: string;
  error: string | null;
  attempts: number;
  started_at: string;
  finished_at: string | null;
  resolved_by: string | null;
}

const STATUSES: ReadonlySet<string> = new Set<EffectStatus>(['pending', 'done', 'failed']);

/**
 * A new intent as stored: `pending`, sent once, no outcome yet. The key and run id are identifiers kept as given (the
 * key is sent to the system as its idempotency key, and looked up as given); every other string is redacted.
 */
export function pendingEffect(intent: EffectIntent, redact: Redactor): EffectRecord {
  return {
    runId: intent.runId,
    key: intent.key,
    operation: redact(intent.operation),
    turn: redact(intent.turn),
    request: redactDeep(intent.request, redact),
    startedAt: intent.startedAt,
    status: 'pending',
    result: null,
    error: null,
    attempts: 1,
    finishedAt: null,
    resolvedBy: null,
  };
}

/**
 * A record sent once more under its key: `pending` again, with nothing of how its last sending ended (the error, when
 * it ended, who settled it): the new sending's outcome is as unknown as the first one's was.
 */
export function resentEffect(record: EffectRecord): EffectRecord {
  if (record.status === 'done') throw effectDoneError(record);
  return { ...record, status: 'pending', attempts: record.attempts + 1, error: null, finishedAt: null, resolvedBy: null };
}

/** A record with its outcome (redacted) and the time it was recorded. */
export function settledEffect(record: EffectRecord, outcome: EffectOutcome, finishedAt: string, redact: Redactor): EffectRecord {
  const ending =
    outcome.status === 'done'
      ? { status: 'done' as const, result: redactDeep(outcome.result, redact), error: null }
      : { status: 'failed' as const, result: null, error: redactDeep(outcome.error, redact) };
  return { ...record, ...ending, finishedAt, resolvedBy: outcome.resolvedBy === undefined ? null : redact(outcome.resolvedBy) };
}

/** The row of a record (already redacted); `undefined` values are stored as `null`, as JSON has them. */
export function effectRow(record: EffectRecord): EffectRow {
  return {
    key: record.key,
    run_id: record.runId,
    operation: record.operation,
    turn: record.turn,
    request: JSON.stringify(record.request) ?? 'null',
    status: record.status,
    result: JSON.stringify(record.result) ?? 'null',
    error: record.error === null ? null : JSON.stringify(record.error),
    attempts: record.attempts,
    started_at: record.startedAt,
    finished_at: record.finishedAt,
    resolved_by: record.resolvedBy,
  };
}

/**
 * A stored effect read back. A damaged row is a TranscriptError naming the key, never skipped: the ledger decides
 * whether a call is sent again, so a record nobody can read must stop the reader rather than look like no record.
 */
export function readEffect(row: EffectRow): EffectRecord {
  const what = `the side effect ${row.key} of run ${row.run_id}`;
  if (!STATUSES.has(row.status)) throw new TranscriptError(`${what} has an unknown status "${row.status}" in the transcript store`);
  return {
    runId: row.run_id,
    key: row.key,
    operation: row.operation,
    turn: row.turn,
    request: parseJsonText(row.request, `the request of ${what}`),
    startedAt: row.started_at,
    status: row.status as EffectStatus,
    result: parseJsonText(row.result, `the result of ${what}`),
    error: row.error === null ? null : (parseJsonText(row.error, `the error of ${what}`) as EffectRecord['error']),
    attempts: Number(row.attempts),
    finishedAt: row.finished_at,
    resolvedBy: row.resolved_by,
  };
}

/** The record exactly as a reader will get it back (JSON drops `undefined` values, so the writer's answer does too). */
export function asStored(record: EffectRecord): EffectRecord {
  return readEffect(effectRow(record));
}

/** A key no intent was recorded under. */
export function unknownEffectError(key: string): UsageError {
  return new UsageError(`no side effect is recorded under the key "${key}"`, { hint: 'a call records its intent (beginEffect) before it is sent or finished' });
}

/** A re-send of a call that is known to have happened: it must not be sent again. */
export function effectDoneError(record: Pick<EffectRecord, 'key' | 'runId'>): UsageError {
  return new UsageError(`the side effect ${record.key} of run ${record.runId} is done: it is never sent again`, {
    hint: 'use its recorded result instead of sending the call again',
  });
}

/** Settling by hand (without the lease) a record whose outcome is known already. */
export function effectNotPendingError(record: Pick<EffectRecord, 'key' | 'runId' | 'status'>): UsageError {
  return new UsageError(`the side effect ${record.key} of run ${record.runId} is ${record.status}, not pending: only an unknown outcome can be settled by hand`, {
    hint: 'nothing was changed; its recorded outcome stands',
  });
}
