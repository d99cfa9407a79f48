/**
 * The SQLite store's intent ledger of side effects (the `effects` table, schema version 3). Every write that reads
 * first (does the key exist, does the caller hold the run, is the record still pending) is one IMMEDIATE transaction,
 * so two processes on the file take turns, as they do for turns.
 */
import type Database from 'better-sqlite3';
import { RunLeaseLostError, RunNotFoundError } from '../../errors.js';
import type { Redactor } from '../../transcript/redact.js';
import { asStored, effectNotPendingError, effectRow, pendingEffect, readEffect, resentEffect, settledEffect, unknownEffectError, type EffectRow } from '../effects.js';
import type { EffectIntent, EffectOutcome, EffectRecord } from '../port.js';

const COLUMNS = 'key, run_id, operation, turn, request, status, result, error, attempts, started_at, finished_at, resolved_by';

export class SqliteEffectLedger {
  private readonly sql: Record<'holder' | 'find' | 'list' | 'insert' | 'update', Database.Statement>;
  private readonly immediate: <T>(work: () => T) => T;

  constructor(
    database: Database.Database,
    private readonly redact: Redactor,
    /** The store's clock (epoch ms): when an outcome is recorded. */
    private readonly now: () => number,
  ) {
    this.sql = {
      holder: database.prepare('SELECT status, lease_owner FROM runs WHERE id = ?'),
      find: database.prepare(`SELECT ${COLUMNS} FROM effects WHERE key = ?`),
      list: database.prepare(`SELECT ${COLUMNS} FROM effects WHERE run_id = ? ORDER BY started_at, rowid`),
      insert: database.prepare(`
        INSERT INTO effects (${COLUMNS})
        VALUES (@key, @run_id, @operation, @turn, @request, @status, @result, @error, @attempts, @started_at, @finished_at, @resolved_by)`),
      // The intent (run, operation, turn, request, start) is never rewritten: only how the call went.
      update: database.prepare(`
        UPDATE effects SET status = @status, result = @result, error = @error, attempts = @attempts, finished_at = @finished_at,
          resolved_by = @resolved_by
        WHERE key = @key`),
    };
    const transaction = database.transaction((work: () => unknown) => work());
    this.immediate = <T>(work: () => T): T => transaction.immediate(work) as T;
  }

  begin(intent: EffectIntent, owner: string): { record: EffectRecord; existed: boolean } {
    const record = asStored(pendingEffect(intent, this.redact));
    return this.immediate(() => {
      this.fence(intent.runId, owner);
      const existing = this.find(intent.key);
      if (existing) return { record: existing, existed: true };
      this.sql.insert.run(effectRow(record));
      return { record, existed: false };
    });
  }

  resend(key: string, owner: string): EffectRecord {
    return this.immediate(() => {
      const stored = this.stored(key);
      this.fence(stored.runId, owner);
      return this.write(resentEffect(stored));
    });
  }

  finish(key: string, outcome: EffectOutcome, owner: string | undefined): EffectRecord {
    return this.immediate(() => {
      const stored = this.stored(key);
      // The holder records what its own call did; anyone else only settles an outcome nobody knows yet.
      if (owner !== undefined) this.fence(stored.runId, owner);
      else if (stored.status !== 'pending') throw effectNotPendingError(stored);
      return this.write(settledEffect(stored, outcome, new Date(this.now()).toISOString(), this.redact));
    });
  }

  find(key: string): EffectRecord | undefined {
    const row = this.sql.find.get(key) as EffectRow | undefined;
    return row && readEffect(row);
  }

  list(runId: string): EffectRecord[] {
    return (this.sql.list.all(runId) as EffectRow[]).map(readEffect);
  }

  /**
   * The lease fences every effect write, as it fences node turns (see the store's `recordTurn`): a process whose run
   * passed to another must not send, nor record, its calls.
   */
  private fence(runId: string, owner: string): void {
    const held = this.sql.holder.get(runId) as { status: string; lease_owner: string | null } | undefined;
    if (!held) throw new RunNotFoundError(runId);
    if (held.status !== 'running' || held.lease_owner !== owner) throw new RunLeaseLostError(runId);
  }

  private stored(key: string): EffectRecord {
    const record = this.find(key);
    if (!record) throw unknownEffectError(key);
    return record;
  }

  private write(record: EffectRecord): EffectRecord {
    const stored = asStored(record);
    this.sql.update.run(effectRow(stored));
    return stored;
  }
}
