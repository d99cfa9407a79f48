/**
 * The SQLite run store's statements, compiled once per connection, and the rows they return. Kept apart from the
 * store so that the store reads as what it does, and the SQL can be read in one place.
 */
import type Database from 'better-sqlite3';
import type { Decision, DecisionRequest, GateRecord } from '../port.js';
import { effectiveStatus, parseJsonText, parseRecord, withStatus } from '../records.js';
import { RunStatus } from '../../graph/status.js';
import { RunRecord, TurnRecord } from '../../transcript/schema.js';

/** A run as the store reads it: the status column is the truth, the lease decides whether `running` still holds. */
export interface RunRow {
  id: string;
  status: string;
  lease_expires_at: number | null;
  data: string;
  /** 1 when a cancellation was asked for while the run executed (selected by `getRun`, not by lists). */
  cancel_requested?: number;
}

/** Who holds a run, and whether a cancellation was asked for while it executed. */
export interface HolderRow {
  status: string;
  lease_owner: string | null;
  cancel_requested: number;
}

export interface GateRow {
  run_id: string;
  position: number;
  gate: string;
  review: DecisionRequest['review'];
  prompt: string;
  subject: string;
  round: number;
  requested_at: string;
  decision: string | null;
}

/**
 * Sets a run's status in its column and in its record, releasing any lease; a `@queuedAt` (the run is queued again)
 * goes into both too. The record may be damaged: then it stays as is.
 */
const SET_STATUS = `
  UPDATE runs SET status = @status,
    data = CASE
      WHEN NOT json_valid(data) THEN data
      WHEN @queuedAt IS NULL THEN json_set(data, '$.status', @status)
      ELSE json_set(data, '$.status', @status, '$.queuedAt', @queuedAt)
    END,
    lease_owner = NULL, lease_expires_at = NULL, queued_at = COALESCE(@queuedAt, queued_at)
  WHERE id = @id`;

/** Replaces a run's record; `@release` drops the lease, `@ended` the cancel flag. */
const UPDATE_RUN = `
  UPDATE runs SET status = @status, data = @data,
    lease_owner = CASE WHEN @release THEN NULL ELSE lease_owner END,
    lease_expires_at = CASE WHEN @release THEN NULL ELSE lease_expires_at END,
    cancel_requested = CASE WHEN @ended THEN 0 ELSE cancel_requested END
  WHERE id = @id`;

/** The names of the prepared statements. */
export type StatementName = 'insertRun' | 'getRun' | 'holder' | 'updateRun' | 'setStatus' | 'take' | 'renew' | 'cancelRequested' | 'requestCancel' | 'expired' | 'takeable' | 'nextSeq' | 'insertTurn' | 'turns' | 'keyed' | 'insertKey' | 'insertAttachment' | 'attachments' | 'deleteAttachments' | 'insertGate' | 'gates' | 'openGate' | 'pending' | 'decide';

export function prepareStatements(database: Database.Database): Record<StatementName, Database.Statement> {
  const prepare = (sql: string): Database.Statement => database.prepare(sql);
  return {
    insertRun: prepare(`
      INSERT INTO runs (id, goal, status, started_at, data, lease_owner, lease_expires_at, queued_at)
      VALUES (@id, @goal, @status, @startedAt, @data, @leaseOwner, @leaseExpiresAt, @queuedAt)`),
    getRun: prepare('SELECT id, status, lease_expires_at, data, cancel_requested FROM runs WHERE id = ?'),
    holder: prepare('SELECT status, lease_owner, cancel_requested FROM runs WHERE id = ?'),
    updateRun: prepare(UPDATE_RUN),
    setStatus: prepare(SET_STATUS),
    take: prepare("UPDATE runs SET status = 'running', data = @data, lease_owner = @owner, lease_expires_at = @expiresAt WHERE id = @id"),
    renew: prepare("UPDATE runs SET lease_expires_at = @expiresAt WHERE id = @id AND lease_owner = @owner AND status = 'running'"),
    cancelRequested: prepare('SELECT cancel_requested FROM runs WHERE id = ?'),
    requestCancel: prepare('UPDATE runs SET cancel_requested = 1 WHERE id = ?'),
    expired: prepare("SELECT id FROM runs WHERE status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < ?) ORDER BY rowid"),
    takeable: prepare("SELECT id FROM runs WHERE status = 'queued' ORDER BY queued_at, rowid LIMIT ?"),

    nextSeq: prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM turns WHERE run_id = ?'),
    insertTurn: prepare('INSERT INTO turns (run_id, seq, role, data) VALUES (@runId, @seq, @role, @data)'),
    turns: prepare('SELECT seq, data FROM turns WHERE run_id = ? ORDER BY seq'),
    keyed: prepare(`
      SELECT t.seq, t.data, k.state_update FROM turn_keys k JOIN turns t ON t.run_id = k.run_id AND t.seq = k.seq
      WHERE k.run_id = ? AND k.key = ?`),
    // REPLACE: a key row whose turn is gone (never written by Baton, but a file can be edited) is not a write conflict.
    insertKey: prepare('INSERT OR REPLACE INTO turn_keys (run_id, key, seq, state_update) VALUES (?, ?, ?, ?)'),

    insertAttachment: prepare(`
      INSERT INTO attachments (run_id, position, name, kind, mime_type, sha256, bytes)
      VALUES (@runId, @position, @name, @kind, @mimeType, @sha256, @bytes)`),
    attachments: prepare('SELECT name, kind, mime_type AS mimeType, bytes, sha256 FROM attachments WHERE run_id = ? ORDER BY position'),
    deleteAttachments: prepare('DELETE FROM attachments WHERE run_id = ?'),

    insertGate: prepare(`
      INSERT INTO gates (run_id, position, gate, review, prompt, subject, round, requested_at, decision)
      VALUES (@runId, (SELECT COALESCE(MAX(position), 0) + 1 FROM gates WHERE run_id = @runId), @gate, @review, @prompt, @subject, @round,
        @requestedAt, NULL)`),
    gates: prepare('SELECT * FROM gates WHERE run_id = ? ORDER BY position'),
    openGate: prepare('SELECT * FROM gates WHERE run_id = ? AND decision IS NULL ORDER BY position DESC LIMIT 1'),
    pending: prepare(`
      SELECT g.*, r.goal FROM gates g JOIN runs r ON r.id = g.run_id
      WHERE r.status = 'awaiting_human' AND g.decision IS NULL ORDER BY g.requested_at, g.rowid`),
    decide: prepare('UPDATE gates SET decision = @decision WHERE run_id = @runId AND position = @position'),
  };
}

export type Statements = Record<StatementName, Database.Statement>;

/** The run's record with the status a reader sees (the column is the truth; see {@link effectiveStatus}). */
export function readRun(row: RunRow, now: number): RunRecord {
  const record = parseRecord(RunRecord, row.data, `run ${row.id}`);
  const stored = RunStatus.safeParse(row.status);
  return withStatus(record, effectiveStatus(stored.success ? stored.data : record.status, row.lease_expires_at, now));
}

/** A turn row read back through its schema (a damaged one is a TranscriptError naming it). */
export function parseTurn(runId: string, row: { seq: number; data: string }): TurnRecord {
  return parseRecord(TurnRecord, row.data, `turn ${row.seq} of run ${runId}`);
}

/** A gate row as the record the port returns. */
export function readGate(row: GateRow): GateRecord {
  const what = `gate request ${row.position} of run ${row.run_id}`;
  return {
    runId: row.run_id,
    gate: row.gate,
    review: row.review,
    prompt: row.prompt,
    subject: parseJsonText(row.subject, what),
    round: row.round,
    requestedAt: row.requested_at,
    decision: row.decision === null ? null : (parseJsonText(row.decision, `the decision on ${what}`) as Decision),
  };
}
