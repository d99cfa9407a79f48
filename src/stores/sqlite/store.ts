/**
 * The embedded run store: one SQLite file under the data directory (`baton.db`), in WAL mode. Several processes may
 * use the file at once (a server and `baton` commands, or two workers): every write that reads before it writes (the
 * next turn number, who holds a lease, whether a run waits for a person, whether a side effect is recorded: see
 * effects.ts) is one IMMEDIATE transaction, so they take turns, and nothing read from the file is kept in memory between
 * calls.
 *
 * better-sqlite3 is synchronous; the methods are async only because the port is (PostgreSQL is not synchronous).
 */
import path from 'node:path';
import type Database from 'better-sqlite3';
import { ensureDirectory } from '../../data-dir.js';
import { DecisionStaleError, RunLeaseLostError, RunNotAwaitingError, RunNotFoundError } from '../../errors.js';
import { isEndStatus, type RunStatus } from '../../graph/status.js';
import type { Redactor } from '../../transcript/redact.js';
import type { NewTurn, RunRecord, TurnRecord } from '../../transcript/schema.js';
import {
  staleDecision,
  staleDecisionHint,
  turnKeyText,
  type ExpectedRequest,
  type CancelOutcome, type DamagedListener, type Decision, type DecisionRequest, type EffectIntent, type EffectOutcome, type EffectRecord, type GateRecord, type KeyedTurn, type Lease,
  type LeaseRenewal, type ListRunsOptions, type NewRunOptions, type PendingDecision, type RunChangeListener, type RunStore,
  type StoredAttachment, type TurnKey, type TurnListener,
} from '../port.js';
import {
  decisionTurn,
  cancellationTurn, cancelledRun, effectiveStatus, notify, parseJsonText, readOrReport, redactedJson, redactRun, redactTurn, withStatus,
} from '../records.js';
import { SqliteEffectLedger } from './effects.js';
import { openStoreDatabase } from './schema.js';
import { parseTurn, prepareStatements, readGate, readRun, type GateRow, type HolderRow, type RunRow, type Statements } from './statements.js';

export interface SqliteRunStoreOptions {
  /** The data directory (created if missing). */
  dataDir: string;
  redact: Redactor;
  /** The database file; `<dataDir>/baton.db` by default. */
  file?: string;
  /** The clock leases are judged by (epoch ms); tests set their own. */
  now?: () => number;
}

/** What a commit tells listeners once it is committed (never before: a rolled-back write was never there). */
interface Effects {
  turns: TurnRecord[];
  changes: Array<{ runId: string; status: RunStatus }>;
}

export class SqliteRunStore implements RunStore {
  readonly kind = 'sqlite' as const;
  readonly location: string;
  readonly redact: Redactor;
  private readonly database: Database.Database;
  private readonly now: () => number;
  private readonly sql: Statements;
  private readonly ledger: SqliteEffectLedger;
  private readonly immediate: (work: () => unknown) => unknown;
  private readonly turnListeners = new Set<TurnListener>();
  private readonly runListeners = new Set<RunChangeListener>();

  /** Opens (creating or upgrading) the store; throws DataFileError or StoreSchemaError naming the file. */
  static open(options: SqliteRunStoreOptions): SqliteRunStore {
    ensureDirectory(options.dataDir);
    const file = options.file ?? path.join(options.dataDir, 'baton.db');
    return new SqliteRunStore(openStoreDatabase(file), file, options);
  }

  private constructor(database: Database.Database, file: string, options: SqliteRunStoreOptions) {
    this.database = database;
    this.location = file;
    this.redact = options.redact;
    this.now = options.now ?? Date.now;
    this.sql = prepareStatements(database);
    this.ledger = new SqliteEffectLedger(database, this.redact, this.now);
    this.immediate = database.transaction((work: () => unknown) => work()).immediate;
  }

  // --- runs -------------------------------------------------------------------------------------------------------

  async createRun(run: Omit<RunRecord, 'version'>, opening: NewTurn, options: NewRunOptions): Promise<RunRecord> {
    const state = options.state;
    const queuedAt = state.status === 'queued' ? (run.queuedAt ?? run.startedAt) : undefined;
    const record = redactRun({ ...run, status: state.status, ...(queuedAt === undefined ? {} : { queuedAt }) }, this.redact);
    return this.commit((effects) => {
      this.sql.insertRun.run({
        id: record.id, goal: record.goal, status: record.status, startedAt: record.startedAt, data: JSON.stringify(record), queuedAt: queuedAt ?? null,
        leaseOwner: state.status === 'running' ? state.lease.owner : null,
        leaseExpiresAt: state.status === 'running' ? state.lease.expiresAt : null,
      });
      // The bytes are the user's files, kept as given until the run ends (a resumed run needs them again); the name
      // is text like any other.
      (state.attachments ?? []).forEach((attachment, position) =>
        this.sql.insertAttachment.run({ ...attachment, runId: record.id, position, name: this.redact(attachment.name) }),
      );
      effects.turns.push(this.insertTurn(opening));
      effects.changes.push({ runId: record.id, status: record.status });
      return record;
    });
  }

  async getRun(runId: string): Promise<RunRecord> {
    const row = this.sql.getRun.get(runId) as RunRow | undefined;
    if (!row) throw new RunNotFoundError(runId);
    return readRun(row, this.now());
  }

  async listRuns(options: ListRunsOptions = {}): Promise<RunRecord[]> {
    const now = this.now();
    const conditions: string[] = [];
    const parameters: Record<string, unknown> = { limit: options.limit ?? 50, offset: options.offset ?? 0, now };
    // The `interrupted` rule of getRun, in SQL: a `running` run with an expired (or no) lease is listed as interrupted.
    if (options.status === 'interrupted') conditions.push("(status = 'interrupted' OR (status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < @now)))");
    else if (options.status === 'running') conditions.push("status = 'running' AND lease_expires_at >= @now");
    else if (options.status) conditions.push('status = @status');
    if (options.status) parameters['status'] = options.status;
    if (options.since) conditions.push('started_at >= @since');
    if (options.since) parameters['since'] = options.since;
    if (options.until) conditions.push('started_at < @until');
    if (options.until) parameters['until'] = options.until;
    const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    const sql = `SELECT id, status, lease_expires_at, data FROM runs ${where} ORDER BY started_at DESC, rowid DESC LIMIT @limit OFFSET @offset`;
    const rows = this.database.prepare(sql).all(parameters) as RunRow[];
    return rows.flatMap((row) => readOrReport(() => readRun(row, now), { runId: row.id }, options.onDamaged) ?? []);
  }

  async updateRun(run: RunRecord, owner: string): Promise<boolean> {
    const record = redactRun(run, this.redact);
    return this.commit((effects) => {
      const held = this.sql.holder.get(record.id) as { status: string; lease_owner: string | null } | undefined;
      if (held?.lease_owner !== owner) return false;
      const ended = isEndStatus(record.status);
      const release = ended || record.status === 'awaiting_human';
      this.sql.updateRun.run({ id: record.id, status: record.status, data: JSON.stringify(record), release: release ? 1 : 0, ended: ended ? 1 : 0 });
      if (ended) this.sql.deleteAttachments.run(record.id);
      if (held.status !== record.status) effects.changes.push({ runId: record.id, status: record.status });
      return true;
    });
  }

  async finishRun(run: RunRecord, closing: NewTurn, owner: string): Promise<boolean> {
    const record = redactRun(run, this.redact);
    return this.commit((effects) => {
      const held = this.sql.holder.get(record.id) as { lease_owner: string | null } | undefined;
      if (held?.lease_owner !== owner) return false;
      effects.turns.push(this.insertTurn(closing));
      this.endRun(record);
      effects.changes.push({ runId: record.id, status: record.status });
      return true;
    });
  }

  // --- turns ------------------------------------------------------------------------------------------------------

  async appendTurn(turn: NewTurn): Promise<TurnRecord> {
    return this.commit((effects) => {
      const record = this.insertTurn(turn);
      effects.turns.push(record);
      return record;
    });
  }

  async recordTurn(turn: NewTurn, keyed: { key: TurnKey; stateUpdate: unknown; owner: string }): Promise<KeyedTurn & { existed: boolean }> {
    return this.commit((effects) => {
      const held = this.sql.holder.get(turn.runId) as HolderRow | undefined;
      if (!held) throw new RunNotFoundError(turn.runId);
      // The lease fences every node write: a process whose run passed to another must not add to its transcript.
      if (held.status !== 'running' || held.lease_owner !== keyed.owner) throw new RunLeaseLostError(turn.runId);
      const existing = this.findKeyed(turn.runId, keyed.key);
      if (existing) return { ...existing, existed: true };
      const record = this.insertTurn(turn);
      this.sql.insertKey.run(turn.runId, turnKeyText(keyed.key), record.seq, redactedJson(keyed.stateUpdate, this.redact));
      effects.turns.push(record);
      return { turn: record, stateUpdate: keyed.stateUpdate, existed: false };
    });
  }

  async findTurn(runId: string, key: TurnKey): Promise<KeyedTurn | undefined> {
    return this.findKeyed(runId, key);
  }

  async turns(runId: string, onDamaged?: DamagedListener): Promise<TurnRecord[]> {
    const rows = this.sql.turns.all(runId) as Array<{ seq: number; data: string }>;
    return rows.flatMap((row) => readOrReport(() => parseTurn(runId, row), { runId, seq: row.seq }, onDamaged) ?? []);
  }

  onTurn(listener: TurnListener): () => void {
    this.turnListeners.add(listener);
    return () => this.turnListeners.delete(listener);
  }

  onRunChange(listener: RunChangeListener): () => void {
    this.runListeners.add(listener);
    return () => this.runListeners.delete(listener);
  }

  // --- leases and the queue -----------------------------------------------------------------------------------------

  async acquire(runId: string, lease: Lease): Promise<RunRecord | undefined> {
    return this.commit((effects) => {
      const row = this.sql.getRun.get(runId) as RunRow | undefined;
      if (!row) return undefined;
      const now = this.now();
      const status = effectiveStatus(row.status as RunStatus, row.lease_expires_at, now);
      if (status !== 'queued' && status !== 'interrupted') return undefined;
      if (row.cancel_requested === 1) {
        // Cancelled while it executed, and its holder stopped before it could end it: end it here instead.
        this.cancelHere(row, new Date(now), effects);
        return undefined;
      }
      const record = withStatus(readRun(row, now), 'running');
      this.sql.take.run({ id: runId, data: JSON.stringify(record), owner: lease.owner, expiresAt: lease.expiresAt });
      effects.changes.push({ runId, status: 'running' });
      return record;
    });
  }

  async renewLease(runId: string, owner: string, expiresAt: number): Promise<LeaseRenewal> {
    return this.commit(() => {
      const held = this.sql.renew.run({ id: runId, owner, expiresAt }).changes > 0;
      const row = this.sql.cancelRequested.get(runId) as { cancel_requested: number } | undefined;
      return { held, cancelRequested: row?.cancel_requested === 1 };
    });
  }

  async takeable(limit: number): Promise<string[]> {
    return (this.sql.takeable.all(limit) as Array<{ id: string }>).map((row) => row.id);
  }

  /** Nothing to do: SQLite workers poll {@link takeable}, so a queued run cannot lose its way to them. */
  async ensureQueued(_olderThan: number): Promise<string[]> {
    return [];
  }

  async expireLeases(now: number): Promise<string[]> {
    return this.commit((effects) => {
      const ids: string[] = [];
      for (const { id } of this.sql.expired.all(now) as Array<{ id: string }>) {
        const row = this.sql.getRun.get(id) as RunRow;
        // A run whose cancellation was asked for while its process died ends cancelled, never to be resumed.
        if (row.cancel_requested) {
          this.cancelHere(row, new Date(now), effects);
          continue;
        }
        this.sql.setStatus.run({ id, status: 'interrupted', queuedAt: null });
        effects.changes.push({ runId: id, status: 'interrupted' });
        ids.push(id);
      }
      return ids;
    });
  }

  async requeue(runId: string, now: Date): Promise<boolean> {
    return this.commit((effects) => {
      const row = this.sql.getRun.get(runId) as RunRow | undefined;
      if (!row || effectiveStatus(row.status as RunStatus, row.lease_expires_at, now.getTime()) !== 'interrupted') return false;
      this.sql.setStatus.run({ id: runId, status: 'queued', queuedAt: now.toISOString() });
      effects.changes.push({ runId, status: 'queued' });
      return true;
    });
  }

  async attachments(runId: string): Promise<StoredAttachment[]> {
    return this.sql.attachments.all(runId) as StoredAttachment[];
  }

  // --- cancellation -----------------------------------------------------------------------------------------------

  async requestCancel(runId: string, now: Date): Promise<CancelOutcome> {
    return this.commit((effects): CancelOutcome => {
      const row = this.sql.getRun.get(runId) as RunRow | undefined;
      if (!row) throw new RunNotFoundError(runId);
      const status = effectiveStatus(row.status as RunStatus, row.lease_expires_at, now.getTime());
      if (isEndStatus(status)) return 'finished';
      if (status === 'running') {
        // Its holder executes it: only the holder can stop the models and write the end, at its next heartbeat.
        this.sql.requestCancel.run(runId);
        effects.changes.push({ runId, status: 'running' });
        return 'requested';
      }
      // Queued, interrupted or waiting for a person: nobody executes it, so the store writes its end here. An open
      // gate request stays without a decision; it is no longer pending once the run is cancelled.
      this.cancelHere(row, now, effects);
      return 'cancelled';
    });
  }

  // --- human decisions --------------------------------------------------------------------------------------------

  async awaitDecision(request: DecisionRequest, owner: string): Promise<boolean> {
    return this.commit((effects) => {
      const held = this.sql.holder.get(request.runId) as HolderRow | undefined;
      if (held?.lease_owner !== owner) return false;
      if (held.cancel_requested === 1) {
        // A cancellation was asked for while it executed: it is not parked, it ends here, as a waiting run would.
        this.cancelHere(this.sql.getRun.get(request.runId) as RunRow, new Date(this.now()), effects);
        return true;
      }
      this.sql.insertGate.run({
        runId: request.runId, gate: this.redact(request.gate), review: request.review, prompt: this.redact(request.prompt),
        subject: redactedJson(request.subject, this.redact), round: request.round, requestedAt: request.requestedAt,
      });
      this.sql.setStatus.run({ id: request.runId, status: 'awaiting_human', queuedAt: null });
      effects.changes.push({ runId: request.runId, status: 'awaiting_human' });
      return true;
    });
  }

  async pendingDecisions(): Promise<PendingDecision[]> {
    const rows = this.sql.pending.all() as Array<GateRow & { goal: string }>;
    return rows.map((row) => {
      const { decision: _decision, ...request } = readGate(row);
      return { ...request, goal: row.goal };
    });
  }

  async gates(runId: string): Promise<GateRecord[]> {
    return (this.sql.gates.all(runId) as GateRow[]).map(readGate);
  }

  async decide(runId: string, decision: Decision, expected?: ExpectedRequest): Promise<GateRecord> {
    return this.commit((effects) => {
      const row = this.sql.getRun.get(runId) as RunRow | undefined;
      if (!row) throw new RunNotFoundError(runId);
      const open = this.sql.openGate.get(runId) as GateRow | undefined;
      if (row.status !== 'awaiting_human' || !open) throw new RunNotAwaitingError(runId, effectiveStatus(row.status as RunStatus, row.lease_expires_at, this.now()));
      const stale = staleDecision(runId, readGate(open), expected);
      if (stale) throw new DecisionStaleError(stale, { hint: staleDecisionHint(readGate(open)) });
      const decided = redactedJson(decision, this.redact);
      this.sql.decide.run({ runId, position: open.position, decision: decided });
      effects.turns.push(this.insertTurn(decisionTurn(readGate(open), decision)));
      this.sql.setStatus.run({ id: runId, status: 'queued', queuedAt: new Date(this.now()).toISOString() });
      effects.changes.push({ runId, status: 'queued' });
      return readGate({ ...open, decision: decided });
    });
  }

  // --- side effects (effects.ts) -------------------------------------------------------------------------------------

  async beginEffect(intent: EffectIntent, owner: string): Promise<{ record: EffectRecord; existed: boolean }> {
    return this.ledger.begin(intent, owner);
  }
  async resendEffect(key: string, owner: string): Promise<EffectRecord> {
    return this.ledger.resend(key, owner);
  }
  async finishEffect(key: string, outcome: EffectOutcome, owner?: string): Promise<EffectRecord> {
    return this.ledger.finish(key, outcome, owner);
  }
  async findEffect(key: string): Promise<EffectRecord | undefined> {
    return this.ledger.find(key);
  }
  async effects(runId: string): Promise<EffectRecord[]> {
    return this.ledger.list(runId);
  }

  async close(): Promise<void> {
    this.turnListeners.clear();
    this.runListeners.clear();
    if (this.database.open) this.database.close();
  }

  // --- inside transactions ----------------------------------------------------------------------------------------

  /** Runs `work` as one IMMEDIATE transaction, then tells listeners what it committed. */
  private commit<T>(work: (effects: Effects) => T): T {
    const effects: Effects = { turns: [], changes: [] };
    const result = this.immediate(() => work(effects)) as T;
    for (const turn of effects.turns) notify(this.turnListeners, turn);
    for (const change of effects.changes) notify(this.runListeners, change);
    return result;
  }

  /** Writes a turn under the next sequence number, read inside the caller's transaction (another process may write). */
  private insertTurn(turn: NewTurn): TurnRecord {
    const { seq } = this.sql.nextSeq.get(turn.runId) as { seq: number };
    const record = redactTurn(turn, seq, this.redact);
    this.sql.insertTurn.run({ runId: turn.runId, seq, role: record.role, data: JSON.stringify(record) });
    return record;
  }

  /**
   * Cancels a run no process executes (queued, interrupted, waiting for a person, or one whose holder found the cancel
   * flag): the cancelled record, the supervisor's cancellation turn, no lease, no attachments, no cancel flag.
   */
  private cancelHere(row: RunRow, now: Date, effects: Effects): void {
    const turnTexts = (this.sql.turns.all(row.id) as Array<{ data: string }>).map((turn) => turn.data);
    const record = cancelledRun(readRun(row, now.getTime()), now, turnTexts);
    effects.turns.push(this.insertTurn(cancellationTurn(record, now)));
    this.endRun(record);
    effects.changes.push({ runId: record.id, status: 'cancelled' });
  }

  /** Writes a run's end: the record, no lease, no cancel flag, no attachments. */
  private endRun(record: RunRecord): void {
    this.sql.updateRun.run({ id: record.id, status: record.status, data: JSON.stringify(record), release: 1, ended: 1 });
    this.sql.deleteAttachments.run(record.id);
  }

  private findKeyed(runId: string, key: TurnKey): KeyedTurn | undefined {
    const row = this.sql.keyed.get(runId, turnKeyText(key)) as { seq: number; data: string; state_update: string } | undefined;
    if (!row) return undefined;
    return { turn: parseTurn(runId, row), stateUpdate: parseJsonText(row.state_update, `the state update of turn ${row.seq} of run ${runId}`) };
  }
}
