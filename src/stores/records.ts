/**
 * What every run store does the same way, whatever holds the rows: reading a stored record back through its schema,
 * the `interrupted` rule for expired leases, redacting a record before it is serialised, and the records and messages
 * a cancellation or a schema mismatch produces. SQLite and PostgreSQL share these so that both read and write alike.
 */
import { errorMessage, StoreSchemaError, TranscriptError } from '../errors.js';
import type { RunStatus } from '../graph/status.js';
import { redactDeep, type Redactor } from '../transcript/redact.js';
import { TRANSCRIPT_VERSION, type NewTurn, type RunRecord, type TurnRecord } from '../transcript/schema.js';
import type { DamagedListener, Decision, DecisionRequest } from './port.js';

/** The part of a zod schema {@link parseRecord} uses (so this module does not tie itself to one zod type). */
export interface RecordSchema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } };
}

/**
 * Reads a stored record through its schema. A record that is not JSON, or does not match (damaged, or written by a
 * newer Baton), is a {@link TranscriptError} naming `what` (`run x`, `turn 3 of run x`) and the first problem.
 */
export function parseRecord<T>(schema: RecordSchema<T>, text: string, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TranscriptError(`${what} is not valid JSON in the transcript store`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TranscriptError(`${what} does not match transcript version ${TRANSCRIPT_VERSION}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`);
  }
  return parsed.data;
}

/**
 * Reads stored JSON text that has no schema of its own (a state update, a gate's subject, a decision). Text that is not
 * JSON is a {@link TranscriptError} naming `what`, like {@link parseRecord}.
 */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new TranscriptError(`${what} is not valid JSON in the transcript store`);
  }
}

/**
 * Reads a record for a list: undefined (and `onDamaged` told which record and why) when it cannot be read, so one
 * damaged record never fails a whole list.
 */
export function readOrReport<T>(read: () => T, damaged: { runId: string; seq?: number }, onDamaged: DamagedListener | undefined): T | undefined {
  try {
    return read();
  } catch (error) {
    onDamaged?.({ ...damaged, reason: errorMessage(error) });
    return undefined;
  }
}

/** Whether a lease expiring at `leaseExpiresAt` (epoch ms; null: no lease) still holds at `now`. */
export function leaseLive(leaseExpiresAt: number | null, now: number): boolean {
  return leaseExpiresAt !== null && leaseExpiresAt >= now;
}

/**
 * The status a reader sees. A `running` run whose lease expired (or that has none: a run recorded by a Baton before
 * leases, or a crash between writes) has no process behind it any more: it reads as `interrupted`, so it can be
 * resumed, before any process has persisted that.
 */
export function effectiveStatus(stored: RunStatus, leaseExpiresAt: number | null, now: number): RunStatus {
  return stored === 'running' && !leaseLive(leaseExpiresAt, now) ? 'interrupted' : stored;
}

/** The record with another status (the same object when the status is already that). */
export function withStatus(record: RunRecord, status: RunStatus): RunRecord {
  return record.status === status ? record : { ...record, status };
}

/** A run record as stored: versioned, every string value redacted (before serialising, never on the JSON text). */
export function redactRun(run: Omit<RunRecord, 'version'>, redact: Redactor): RunRecord {
  return redactDeep({ ...run, version: TRANSCRIPT_VERSION } as RunRecord, redact);
}

/** A turn record as stored, with its sequence number; redacted like {@link redactRun}. */
export function redactTurn(turn: NewTurn, seq: number, redact: Redactor): TurnRecord {
  return redactDeep({ version: TRANSCRIPT_VERSION, seq, ...turn } as TurnRecord, redact);
}

/** Any value (a state update, a gate's subject, a decision) as redacted JSON text; `undefined` is stored as `null`. */
export function redactedJson(value: unknown, redact: Redactor): string {
  return JSON.stringify(redactDeep(value, redact)) ?? 'null';
}

/** The error a run cancelled from outside ends with. */
export const CANCELLED_ERROR = { code: 'CANCELLED', message: 'the run was cancelled' } as const;

/**
 * A queued, interrupted or waiting run cancelled from outside: no process executes it, so the store writes its end
 * itself (the record here, the turn from {@link cancellationTurn}).
 */
export function cancelledRun(record: RunRecord, now: Date, turnTexts: readonly string[] = []): RunRecord {
  const started = Date.parse(record.startedAt);
  return {
    ...record,
    // A run cancelled where it waited never reached its own closing write: its totals come from its turns.
    ...totalsOfTurns(record, turnTexts),
    status: 'cancelled',
    endedAt: now.toISOString(),
    durationMs: Number.isFinite(started) ? Math.max(0, now.getTime() - started) : record.durationMs,
    error: { ...CANCELLED_ERROR },
  };
}

/**
 * Rounds, tokens and cost of a run, summed from its recorded turns (as stored JSON; unreadable ones are left out),
 * never less than what the record already says.
 */
export function totalsOfTurns(record: RunRecord, turnTexts: readonly string[]): Pick<RunRecord, 'rounds' | 'inputTokens' | 'outputTokens' | 'costUsd' | 'costEstimated'> {
  const totals = { rounds: record.rounds, inputTokens: 0, outputTokens: 0, costUsd: 0, costEstimated: record.costEstimated };
  for (const text of turnTexts) {
    try {
      const turn = JSON.parse(text) as Partial<TurnRecord>;
      totals.rounds = Math.max(totals.rounds, turn.round ?? 0);
      totals.inputTokens += turn.usage?.inputTokens ?? 0;
      totals.outputTokens += turn.usage?.outputTokens ?? 0;
      totals.costUsd += turn.costUsd ?? 0;
      totals.costEstimated ||= turn.usage?.estimated ?? false;
    } catch {
      // A damaged turn is reported by readers; it adds nothing here.
    }
  }
  return {
    ...totals,
    inputTokens: Math.max(totals.inputTokens, record.inputTokens),
    outputTokens: Math.max(totals.outputTokens, record.outputTokens),
    costUsd: Math.max(totals.costUsd, record.costUsd),
  };
}

/**
 * The supervisor's closing turn of a run: its end status, the answer (if any) and the open objections, and the error
 * that ended it. Every way a run ends writes one, so the transcript always says how it ended.
 */
export function closingTurn(
  record: Pick<RunRecord, 'id' | 'rounds'>,
  now: Date,
  end: { status: RunStatus; answer?: string | null; objections?: string[]; error?: { code: string; message: string; hint?: string } | null; events?: NewTurn['events'] },
): NewTurn {
  return {
    runId: record.id,
    round: record.rounds,
    from: 'supervisor',
    to: ['user'],
    role: 'supervisor',
    kind: 'supervisor',
    model: null,
    startedAt: now.toISOString(),
    latencyMs: 0,
    messages: [],
    output: { status: end.status, verified: end.status === 'approved', answer: end.answer ?? null, objections: end.objections ?? [] },
    toolCalls: [],
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, estimated: false },
    costUsd: 0,
    attempts: 0,
    events: end.events ?? [],
    ...(end.error ? { error: end.error } : {}),
  };
}

/** The supervisor's record of a cancellation the store carried out (the transcript says how the run ended). */
export function cancellationTurn(record: RunRecord, now: Date): NewTurn {
  return closingTurn(record, now, { status: 'cancelled', error: { ...CANCELLED_ERROR } });
}

/** A store whose schema is newer than this Baton reads: refused before anything is written. */
export function schemaTooNewError(location: string, found: number, supported: number, hint: string): StoreSchemaError {
  return new StoreSchemaError(`${location} was written by a newer Baton (store schema version ${found}; this one reads ${supported})`, { hint });
}

/** A migration that failed (and was rolled back): nothing was changed. */
export function migrationFailedError(location: string, from: number, to: number, cause: unknown, hint: string): StoreSchemaError {
  return new StoreSchemaError(`${location}: upgrading the store from schema version ${from} to ${to} failed, nothing was changed: ${errorMessage(cause)}`, {
    hint,
    cause,
  });
}

/** Tells every listener; one that throws (a closed terminal, a dropped event stream) never breaks the write it follows. */
export function notify<T>(listeners: Iterable<(value: T) => void>, value: T): void {
  for (const listener of listeners) {
    try {
      listener(value);
    } catch {
      // Listeners only watch; the write has been committed already.
    }
  }
}

/**
 * The supervisor's record of a person's decision, written with the decision itself: who decided what and when is in
 * the transcript at once, even when the run is cancelled before it continues. (The gate's own `human` turn follows
 * when the run continues and applies it.)
 */
export function decisionTurn(request: Pick<DecisionRequest, 'runId' | 'gate' | 'review' | 'round'>, decision: Decision): NewTurn {
  return {
    runId: request.runId,
    round: request.round,
    from: 'user',
    to: [request.gate],
    role: 'supervisor',
    kind: 'supervisor',
    model: null,
    startedAt: decision.decidedAt,
    latencyMs: 0,
    messages: decision.note ? [{ role: 'user', content: decision.note }] : [],
    output: { decision: decision.decision, by: decision.by, decidedAt: decision.decidedAt, gate: request.gate, review: request.review, ...(decision.note ? { note: decision.note } : {}) },
    toolCalls: [],
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, estimated: false },
    costUsd: 0,
    attempts: 0,
    events: [],
  };
}
