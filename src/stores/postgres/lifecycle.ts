/**
 * The PostgreSQL store's run lifecycle: leases, the queue, cancellation and human decisions. Every change that decides
 * who executes a run locks the run's row first (`SELECT ... FOR UPDATE`), so two processes racing for a run, or two
 * people deciding the same gate, are ordered by the database: exactly one wins. Whether a lease still holds is decided
 * with the store's clock (passed in), never the database's.
 */
import type pg from 'pg';
import { DecisionStaleError, RunNotAwaitingError, RunNotFoundError } from '../../errors.js';
import { isEndStatus, type RunStatus } from '../../graph/status.js';
import { redactDeep, type Redactor } from '../../transcript/redact.js';
import { RunRecord } from '../../transcript/schema.js';
import { staleDecision, staleDecisionHint, type CancelOutcome, type Decision, type DecisionRequest, type ExpectedRequest, type GateRecord, type Lease, type LeaseRenewal, type PendingDecision, type StoredAttachment } from '../port.js';
import { cancellationTurn, cancelledRun, decisionTurn, parseRecord, redactRun, withStatus } from '../records.js';
import { readRun, RUN_TASK, statusOf, type RunRow, type Transaction } from './rows.js';

export interface LifecycleContext {
  redact: Redactor;
  now(): number;
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  query<Row extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<Row[]>;
}

/** The stored record of a locked row, as it is now (status from the row), to be changed and written back. */
function storedRecord(row: RunRow): RunRecord {
  return withStatus(parseRecord(RunRecord, row.data, `run ${row.id}`), row.status);
}

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

export class Lifecycle {
  constructor(private readonly context: LifecycleContext) {}

  private get redact(): Redactor {
    return this.context.redact;
  }

  async acquire(runId: string, lease: Lease): Promise<RunRecord | undefined> {
    const now = this.context.now();
    return this.context.transaction(async (tx) => {
      const row = await tx.lockRun(runId);
      if (!row) return undefined;
      const status = statusOf(row, now);
      if (status !== 'queued' && status !== 'interrupted') return undefined;
      if (row.cancel_requested) {
        // Cancelled while it executed, and its holder stopped before it could end it: end it here instead.
        await this.cancelHere(tx, row, status, new Date(now));
        return undefined;
      }
      const record = withStatus(readRun(row, now), 'running');
      await tx.query("UPDATE baton.runs SET status = 'running', lease_owner = $2, lease_expires_at = $3, data = $4 WHERE id = $1", [
        runId,
        lease.owner,
        lease.expiresAt,
        JSON.stringify(record),
      ]);
      await tx.runChanged(runId, 'running');
      return record;
    });
  }

  async renewLease(runId: string, owner: string, expiresAt: number): Promise<LeaseRenewal> {
    const [row] = await this.context.query<{ cancel_requested: boolean }>(
      "UPDATE baton.runs SET lease_expires_at = $3 WHERE id = $1 AND lease_owner = $2 AND status = 'running' RETURNING cancel_requested",
      [runId, owner, expiresAt],
    );
    if (row) return { held: true, cancelRequested: row.cancel_requested };
    // Not (or no longer) held: a cancellation asked for still tells a process that believes it holds the run to stop.
    const [other] = await this.context.query<{ cancel_requested: boolean }>('SELECT cancel_requested FROM baton.runs WHERE id = $1', [runId]);
    return { held: false, cancelRequested: other?.cancel_requested ?? false };
  }

  async takeable(limit: number): Promise<string[]> {
    const rows = await this.context.query<{ id: string }>("SELECT id FROM baton.runs WHERE status = 'queued' ORDER BY queued_at, position LIMIT $1", [Math.max(0, Math.floor(limit))]);
    return rows.map((row) => row.id);
  }

  /**
   * Adds the job of every run queued before `olderThan` again when none waits for a worker: no job under the run's key
   * that is unlocked with attempts left (graphile-worker's `jobs` view; `is_available` in its table). A job a worker
   * holds does not count: the run is still queued, so that worker has not taken it (it may have died holding the job).
   * Rows another transaction holds (a run being taken right now) are left to the next call.
   */
  async ensureQueued(olderThan: number): Promise<string[]> {
    // queued_at is ISO 8601 UTC text (every writer stores toISOString()), so text order is time order.
    const before = new Date(olderThan).toISOString();
    return this.context.transaction(async (tx) => {
      const rows = await tx.query<{ id: string }>(
        `SELECT r.id FROM baton.runs r
         WHERE r.status = 'queued' AND r.queued_at < $1
           AND NOT EXISTS (
             SELECT 1 FROM graphile_worker.jobs j
             WHERE j.key = r.id AND j.task_identifier = $2 AND j.locked_at IS NULL AND j.attempts < j.max_attempts
           )
         ORDER BY r.queued_at, r.position
         FOR UPDATE OF r SKIP LOCKED`,
        [before, RUN_TASK],
      );
      for (const row of rows) await tx.addJob(row.id);
      return rows.map((row) => row.id);
    });
  }

  async expireLeases(now: number): Promise<string[]> {
    return this.context.transaction(async (tx) => {
      // Rows another transaction holds (a run being taken or finished right now) are left to the next sweep.
      const rows = await tx.query<RunRow>(
        "SELECT id, status, lease_expires_at, lease_owner, cancel_requested, data FROM baton.runs WHERE status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < $1) FOR UPDATE SKIP LOCKED",
        [now],
      );
      for (const row of rows) {
        // A run whose cancellation was asked for while its process died ends cancelled, never to be resumed.
        if (row.cancel_requested) {
          await this.cancelHere(tx, row, 'interrupted', new Date(now));
          continue;
        }
        // A damaged record keeps its text; the status column is what decides, and readers report the damage.
        const data = parseJson<Record<string, unknown>>(row.data);
        const text = data && typeof data === 'object' ? JSON.stringify({ ...data, status: 'interrupted' }) : row.data;
        await tx.query("UPDATE baton.runs SET status = 'interrupted', lease_owner = NULL, lease_expires_at = NULL, data = $2 WHERE id = $1", [row.id, text]);
        await tx.runChanged(row.id, 'interrupted');
      }
      return rows.filter((row) => !row.cancel_requested).map((row) => row.id);
    });
  }

  async requeue(runId: string, now: Date): Promise<boolean> {
    return this.context.transaction(async (tx) => {
      const row = await tx.lockRun(runId);
      if (!row || statusOf(row, now.getTime()) !== 'interrupted') return false;
      const queuedAt = now.toISOString();
      const record = { ...storedRecord(row), status: 'queued' as const, queuedAt };
      await tx.query("UPDATE baton.runs SET status = 'queued', queued_at = $2, lease_owner = NULL, lease_expires_at = NULL, data = $3 WHERE id = $1", [
        runId,
        queuedAt,
        JSON.stringify(record),
      ]);
      await tx.addJob(runId);
      await tx.runChanged(runId, 'queued');
      return true;
    });
  }

  async attachments(runId: string): Promise<StoredAttachment[]> {
    const rows = await this.context.query<{ name: string; kind: StoredAttachment['kind']; mime_type: string; sha256: string; bytes: Buffer }>(
      'SELECT name, kind, mime_type, sha256, bytes FROM baton.attachments WHERE run_id = $1 ORDER BY position',
      [runId],
    );
    return rows.map((row) => ({ name: row.name, kind: row.kind, mimeType: row.mime_type, sha256: row.sha256, bytes: row.bytes }));
  }

  async requestCancel(runId: string, now: Date): Promise<CancelOutcome> {
    return this.context.transaction(async (tx) => {
      const row = await tx.lockRun(runId);
      if (!row) throw new RunNotFoundError(runId);
      const status = statusOf(row, now.getTime());
      if (isEndStatus(status)) return 'finished';
      if (status === 'running') {
        await tx.query('UPDATE baton.runs SET cancel_requested = true WHERE id = $1', [runId]);
        await tx.runChanged(runId, 'running');
        return 'requested';
      }
      // Queued, interrupted or waiting for a person: no process executes it, so the store writes its end.
      await this.cancelHere(tx, row, status, now);
      return 'cancelled';
    });
  }

  async awaitDecision(request: DecisionRequest, owner: string): Promise<boolean> {
    const stored = redactDeep(request, this.redact);
    return this.context.transaction(async (tx) => {
      const row = await tx.lockRun(request.runId);
      if (!row || row.lease_owner !== owner) return false;
      if (row.cancel_requested) {
        // A cancellation was asked for while it executed: it is not parked, it ends here, as a waiting run would.
        await this.cancelHere(tx, row, row.status, new Date(this.context.now()));
        return true;
      }
      const record = withStatus(storedRecord(row), 'awaiting_human');
      await tx.query('INSERT INTO baton.gates (run_id, requested_at, request) VALUES ($1, $2, $3)', [request.runId, stored.requestedAt, JSON.stringify(stored)]);
      await tx.query("UPDATE baton.runs SET status = 'awaiting_human', data = $2, lease_owner = NULL, lease_expires_at = NULL WHERE id = $1", [
        request.runId,
        JSON.stringify(record),
      ]);
      await tx.runChanged(request.runId, 'awaiting_human');
      return true;
    });
  }

  async pendingDecisions(): Promise<PendingDecision[]> {
    const rows = await this.context.query<{ request: string; goal: string }>(
      `SELECT g.request, r.goal FROM baton.gates g JOIN baton.runs r ON r.id = g.run_id
       WHERE g.decision IS NULL AND r.status = 'awaiting_human' ORDER BY g.requested_at, g.id`,
    );
    const pending: PendingDecision[] = [];
    for (const row of rows) {
      const request = parseJson<DecisionRequest>(row.request);
      if (request) pending.push({ ...request, goal: row.goal });
    }
    return pending;
  }

  async gates(runId: string): Promise<GateRecord[]> {
    const rows = await this.context.query<{ request: string; decision: string | null }>('SELECT request, decision FROM baton.gates WHERE run_id = $1 ORDER BY id', [runId]);
    const gates: GateRecord[] = [];
    for (const row of rows) {
      const request = parseJson<DecisionRequest>(row.request);
      if (request) gates.push({ ...request, decision: row.decision === null ? null : (parseJson<Decision>(row.decision) ?? null) });
    }
    return gates;
  }

  async decide(runId: string, decision: Decision, expected?: ExpectedRequest): Promise<GateRecord> {
    const now = this.context.now();
    return this.context.transaction(async (tx) => {
      const row = await tx.lockRun(runId);
      if (!row) throw new RunNotFoundError(runId);
      const status = statusOf(row, now);
      if (status !== 'awaiting_human') throw new RunNotAwaitingError(runId, status);
      const [gate] = await tx.query<{ id: string; request: string }>(
        'SELECT id, request FROM baton.gates WHERE run_id = $1 AND decision IS NULL ORDER BY id DESC LIMIT 1 FOR UPDATE',
        [runId],
      );
      const request = gate ? parseJson<DecisionRequest>(gate.request) : undefined;
      if (!gate || !request) throw new RunNotAwaitingError(runId, `${status} without an open request`);
      const stale = staleDecision(runId, request, expected);
      if (stale) throw new DecisionStaleError(stale, { hint: staleDecisionHint(request) });
      const decided = redactDeep(decision, this.redact);
      await tx.query('UPDATE baton.gates SET decision = $2 WHERE id = $1', [gate.id, JSON.stringify(decided)]);
      await tx.appendTurn(decisionTurn(request, decision), this.redact);
      const queuedAt = new Date(now).toISOString();
      const record = { ...storedRecord(row), status: 'queued' as const, queuedAt };
      await tx.query("UPDATE baton.runs SET status = 'queued', queued_at = $2, data = $3 WHERE id = $1", [runId, queuedAt, JSON.stringify(record)]);
      await tx.addJob(runId);
      await tx.runChanged(runId, 'queued');
      return { ...request, decision: decided };
    });
  }

  /**
   * Cancels a run no process executes (queued, interrupted, waiting for a person, or one whose holder found the cancel
   * flag), in the caller's transaction on its locked row: the cancelled record, the supervisor's cancellation turn, no
   * lease, no cancel flag, no attachments, no waiting job.
   */
  private async cancelHere(tx: Transaction, row: RunRow, status: RunStatus, now: Date): Promise<void> {
    const stored = withStatus(storedRecord(row), status);
    const turnTexts = (await tx.query<{ data: string }>('SELECT data FROM baton.turns WHERE run_id = $1 ORDER BY seq', [row.id])).map((turn) => turn.data);
    const cancelled = cancelledRun(stored, now, turnTexts);
    const record = redactRun(cancelled, this.redact);
    await tx.appendTurn(cancellationTurn(cancelled, now), this.redact);
    await tx.query(
      "UPDATE baton.runs SET status = 'cancelled', data = $2, lease_owner = NULL, lease_expires_at = NULL, cancel_requested = false WHERE id = $1",
      [row.id, JSON.stringify(record)],
    );
    await tx.query('DELETE FROM baton.attachments WHERE run_id = $1', [row.id]);
    if (row.status === 'queued') await tx.removeJob(row.id);
    await tx.runChanged(row.id, 'cancelled');
  }
}
