/**
 * What the PostgreSQL store's operations share: a transaction with the events it will announce once committed, the
 * rows as `pg` returns them, and the statements several operations run (reading a locked run, appending a turn,
 * adding a run's job).
 */
import type pg from 'pg';
import type { RunStatus } from '../../graph/status.js';
import type { Redactor } from '../../transcript/redact.js';
import type { StoredAttachment } from '../port.js';
import { RunRecord, type NewTurn, type TurnRecord } from '../../transcript/schema.js';
import { effectiveStatus, parseRecord, redactTurn, withStatus } from '../records.js';

/** The task name of graphile-worker jobs that carry a run to a worker. */
export const RUN_TASK = 'baton_run';
/** NOTIFY channels: a turn was written, a run's status changed. */
export const TURNS_CHANNEL = 'baton_turns';
export const RUNS_CHANNEL = 'baton_runs';

/** A run row as selected by {@link RUN_COLUMNS}. */
export interface RunRow {
  id: string;
  status: RunStatus;
  /** int8 comes back from `pg` as a string. */
  lease_expires_at: string | null;
  lease_owner: string | null;
  cancel_requested: boolean;
  data: string;
}

export const RUN_COLUMNS = 'id, status, lease_expires_at, lease_owner, cancel_requested, data';

export function leaseOf(row: Pick<RunRow, 'lease_expires_at'>): number | null {
  return row.lease_expires_at === null ? null : Number(row.lease_expires_at);
}

/** The status a reader sees for `row` at `now` (a `running` run with an expired lease is `interrupted`). */
export function statusOf(row: RunRow, now: number): RunStatus {
  return effectiveStatus(row.status, leaseOf(row), now);
}

/** The run record of `row`, with the status a reader sees. Throws TranscriptError when it is damaged. */
export function readRun(row: RunRow, now: number): RunRecord {
  return withStatus(parseRecord(RunRecord, row.data, `run ${row.id}`), statusOf(row, now));
}

/** A transaction in progress: its client, and what to announce after it commits. */
export class Transaction {
  readonly turns: TurnRecord[] = [];
  readonly runs: Array<{ runId: string; status: RunStatus }> = [];

  constructor(
    readonly client: pg.PoolClient,
    private readonly origin: string,
  ) {}

  async query<Row extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<Row[]> {
    return (await this.client.query<Row>(text, values)).rows;
  }

  /** The run's row, locked until the transaction ends; undefined when there is no such run. */
  async lockRun(runId: string): Promise<RunRow | undefined> {
    return (await this.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM baton.runs WHERE id = $1 FOR UPDATE`, [runId]))[0];
  }

  /**
   * Appends a turn to a run whose row this transaction has locked (so no other writer can take the same number) and
   * announces it.
   */
  async appendTurn(turn: NewTurn, redact: Redactor): Promise<TurnRecord> {
    const [next] = await this.query<{ seq: number }>('SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM baton.turns WHERE run_id = $1', [turn.runId]);
    const record = redactTurn(turn, next?.seq ?? 1, redact);
    await this.query('INSERT INTO baton.turns (run_id, seq, data) VALUES ($1, $2, $3)', [record.runId, record.seq, JSON.stringify(record)]);
    await this.turnWritten(record);
    return record;
  }

  /** Announces a turn: NOTIFY (delivered when the transaction commits) and, after the commit, this process's listeners. */
  async turnWritten(record: TurnRecord): Promise<void> {
    await this.query('SELECT pg_notify($1, $2)', [TURNS_CHANNEL, JSON.stringify({ origin: this.origin, runId: record.runId, seq: record.seq })]);
    this.turns.push(record);
  }

  /** Announces a status change, like {@link turnWritten}. */
  async runChanged(runId: string, status: RunStatus): Promise<void> {
    await this.query('SELECT pg_notify($1, $2)', [RUNS_CHANNEL, JSON.stringify({ origin: this.origin, runId, status })]);
    this.runs.push({ runId, status });
  }

  /**
   * Keeps a queued run's files until the run ends: the bytes, kind, media type and digest as given (the user's files,
   * and no secrets), the name redacted as text like any other (as the SQLite store does).
   */
  async insertAttachments(runId: string, files: readonly StoredAttachment[], redact: Redactor): Promise<void> {
    for (const [position, file] of files.entries()) {
      await this.query('INSERT INTO baton.attachments (run_id, position, name, kind, mime_type, sha256, bytes) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        runId,
        position,
        redact(file.name),
        file.kind,
        file.mimeType,
        file.sha256,
        file.bytes,
      ]);
    }
  }

  /**
   * Adds the graphile-worker job that hands the run to a worker, in this transaction: no run is queued without its
   * job. The job key is the run id, so a run has at most one waiting job (adding it again replaces the waiting one;
   * graphile-worker detaches the key from a job a worker already holds and adds a new one) and a cancellation can
   * remove it. One attempt: a handler that fails has recorded why in the run.
   */
  async addJob(runId: string): Promise<void> {
    await this.query(`SELECT graphile_worker.add_job($1, json_build_object('runId', $2::text), job_key := $2::text, max_attempts := 1)`, [RUN_TASK, runId]);
  }

  /** Removes the run's waiting job, if any (one a worker already holds ends on its own: the run is not takeable). */
  async removeJob(runId: string): Promise<void> {
    await this.query('SELECT graphile_worker.remove_job($1)', [runId]);
  }
}
