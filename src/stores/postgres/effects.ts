/**
 * The PostgreSQL store's intent ledger of side effects (`baton.effects`, schema version 2). A write by the run's holder
 * locks the run's row first (`SELECT ... FOR UPDATE`, as `recordTurn` does), so the lease cannot pass to another process
 * before the write commits, and two writers of one key are ordered by the database. A person settling an outcome by
 * hand locks only the effect's row: it needs no lease, only a record that is still pending.
 */
import { RunLeaseLostError, RunNotFoundError } from '../../errors.js';
import { asStored, effectNotPendingError, effectRow, pendingEffect, readEffect, resentEffect, settledEffect, unknownEffectError, type EffectRow } from '../effects.js';
import type { EffectIntent, EffectOutcome, EffectRecord } from '../port.js';
import type { LifecycleContext } from './lifecycle.js';
import type { Transaction } from './rows.js';

const COLUMNS = 'key, run_id, operation, turn, request, status, result, error, attempts, started_at, finished_at, resolved_by';

export class PostgresEffectLedger {
  constructor(private readonly context: LifecycleContext) {}

  async begin(intent: EffectIntent, owner: string): Promise<{ record: EffectRecord; existed: boolean }> {
    const record = asStored(pendingEffect(intent, this.context.redact));
    const row = effectRow(record);
    return this.context.transaction(async (tx) => {
      await this.fence(tx, intent.runId, owner);
      // DO NOTHING: a key recorded meanwhile under another run's lock (never by Baton: keys name their run) is not a failure.
      const inserted = await tx.query(
        `INSERT INTO baton.effects (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (key) DO NOTHING RETURNING key`,
        [row.key, row.run_id, row.operation, row.turn, row.request, row.status, row.result, row.error, row.attempts, row.started_at, row.finished_at, row.resolved_by],
      );
      if (inserted.length > 0) return { record, existed: false };
      return { record: await this.stored(tx, intent.key), existed: true };
    });
  }

  async resend(key: string, owner: string): Promise<EffectRecord> {
    return this.context.transaction(async (tx) => {
      const runId = await this.runOf(tx, key);
      await this.fence(tx, runId, owner);
      return this.write(tx, resentEffect(await this.stored(tx, key)));
    });
  }

  async finish(key: string, outcome: EffectOutcome, owner: string | undefined): Promise<EffectRecord> {
    const finishedAt = new Date(this.context.now()).toISOString();
    return this.context.transaction(async (tx) => {
      // The holder records what its own call did; anyone else only settles an outcome nobody knows yet.
      if (owner !== undefined) await this.fence(tx, await this.runOf(tx, key), owner);
      const stored = await this.stored(tx, key);
      if (owner === undefined && stored.status !== 'pending') throw effectNotPendingError(stored);
      return this.write(tx, settledEffect(stored, outcome, finishedAt, this.context.redact));
    });
  }

  async find(key: string): Promise<EffectRecord | undefined> {
    const [row] = await this.context.query<EffectRow>(`SELECT ${COLUMNS} FROM baton.effects WHERE key = $1`, [key]);
    return row && readEffect(row);
  }

  async list(runId: string): Promise<EffectRecord[]> {
    const rows = await this.context.query<EffectRow>(`SELECT ${COLUMNS} FROM baton.effects WHERE run_id = $1 ORDER BY started_at, position`, [runId]);
    return rows.map(readEffect);
  }

  /**
   * The lease fences every effect write, as it fences node turns: a process whose run passed to another must not send,
   * nor record, its calls. The run's row stays locked until the transaction ends.
   */
  private async fence(tx: Transaction, runId: string, owner: string): Promise<void> {
    const row = await tx.lockRun(runId);
    if (!row) throw new RunNotFoundError(runId);
    if (row.status !== 'running' || row.lease_owner !== owner) throw new RunLeaseLostError(runId);
  }

  /** The run a key was recorded for (read before locking: the run's row is always locked before the effect's). */
  private async runOf(tx: Transaction, key: string): Promise<string> {
    const [row] = await tx.query<{ run_id: string }>('SELECT run_id FROM baton.effects WHERE key = $1', [key]);
    if (!row) throw unknownEffectError(key);
    return row.run_id;
  }

  /** The record under `key`, its row locked until the transaction ends. */
  private async stored(tx: Transaction, key: string): Promise<EffectRecord> {
    const [row] = await tx.query<EffectRow>(`SELECT ${COLUMNS} FROM baton.effects WHERE key = $1 FOR UPDATE`, [key]);
    if (!row) throw unknownEffectError(key);
    return readEffect(row);
  }

  /** Writes how the call went (the intent itself is never rewritten) and returns the record as stored. */
  private async write(tx: Transaction, record: EffectRecord): Promise<EffectRecord> {
    const row = effectRow(record);
    await tx.query('UPDATE baton.effects SET status = $2, result = $3, error = $4, attempts = $5, finished_at = $6, resolved_by = $7 WHERE key = $1', [
      row.key,
      row.status,
      row.result,
      row.error,
      row.attempts,
      row.finished_at,
      row.resolved_by,
    ]);
    return asStored(record);
  }
}
