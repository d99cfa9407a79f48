/**
 * The run store on PostgreSQL: every process of a deployment (servers, workers, the CLI) shares runs, turns, leases,
 * cancellations, human decisions and the ledger of side effects (effects.ts) through one database, and learns of each
 * other's writes through LISTEN/NOTIFY.
 * Queued runs travel to workers as graphile-worker jobs added in the same transaction that queues them.
 *
 * Everything is in the schema `baton` (see schema.ts). Records are stored as redacted JSON text and read back through
 * their schemas; a damaged one is skipped and reported by the readers that list, and is an error for the ones that
 * need it. Times that decide leases come from the injected `now`, never the database clock.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { isEndStatus, type RunStatus } from '../../graph/status.js';
import { RunLeaseLostError, RunNotFoundError } from '../../errors.js';
import { RunRecord, TurnRecord, type NewTurn } from '../../transcript/schema.js';
import type {
  CancelOutcome,
  DamagedListener,
  Decision,
  DecisionRequest,
  EffectIntent,
  EffectOutcome,
  EffectRecord,
  GateRecord,
  KeyedTurn,
  Lease,
  LeaseRenewal,
  ListRunsOptions,
  NewRunOptions,
  PendingDecision,
  RunChangeListener,
  RunStore,
  StoredAttachment,
  TurnKey,
  TurnListener,
} from '../port.js';
import { turnKeyText, type ExpectedRequest } from '../port.js';
import type { Redactor } from '../../transcript/redact.js';
import { notify, parseJsonText, parseRecord, readOrReport, redactedJson, redactRun, redactTurn } from '../records.js';
import { createPool, mapConnectionError, parsePostgresUrl, type PostgresTarget } from './connection.js';
import { PostgresEffectLedger } from './effects.js';
import { Lifecycle, type LifecycleContext } from './lifecycle.js';
import { NotificationListener } from './notify.js';
import { RUN_COLUMNS, readRun, Transaction, type RunRow } from './rows.js';
import { migrate } from './schema.js';

export interface PostgresRunStoreOptions {
  /** `postgres://user:password@host:port/database`. */
  url: string;
  redact: Redactor;
  /** The clock that decides leases (epoch ms); tests move it. */
  now?: () => number;
  /** Connections in the pool (at least 2: opening migrates on two). Default 10. */
  poolSize?: number;
  /** Told about failures nobody awaits (an idle connection dropped, the LISTEN connection lost). */
  onError?: (error: unknown) => void;
}

const DEFAULT_LIST_LIMIT = 50;

/** A keyed turn with its state update, as {@link KEYED_TURN} selects it. */
interface KeyedRow {
  seq: number;
  data: string;
  state_update: string;
}

const KEYED_TURN =
  'SELECT t.seq, t.data, k.state_update FROM baton.turn_keys k JOIN baton.turns t ON t.run_id = k.run_id AND t.seq = k.seq WHERE k.run_id = $1 AND k.key = $2';

/** A keyed turn read back; a damaged turn or state update is a TranscriptError naming it. */
function readKeyed(runId: string, row: KeyedRow): KeyedTurn {
  return {
    turn: parseRecord(TurnRecord, row.data, `turn ${row.seq} of run ${runId}`),
    stateUpdate: parseJsonText(row.state_update, `the state update of turn ${row.seq} of run ${runId}`),
  };
}

export class PostgresRunStore implements RunStore {
  readonly kind = 'postgres' as const;
  readonly location: string;
  readonly redact: Redactor;
  private readonly turnListeners = new Set<TurnListener>();
  private readonly runListeners = new Set<RunChangeListener>();
  private readonly lifecycle: Lifecycle;
  private readonly ledger: PostgresEffectLedger;
  /** Turns announced by other processes are read and told in the order they were announced. */
  private remoteTurns: Promise<void> = Promise.resolve();
  private listener: NotificationListener | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly target: PostgresTarget,
    private readonly pool: pg.Pool,
    readonly now: () => number,
    redact: Redactor,
    /** Written into every NOTIFY, so this store skips its own. */
    private readonly origin: string,
    private readonly onError: (error: unknown) => void,
  ) {
    this.location = target.location;
    this.redact = redact;
    const context: LifecycleContext = { redact, now, transaction: (work) => this.transaction(work), query: (text, values) => this.query(text, values) };
    this.lifecycle = new Lifecycle(context);
    this.ledger = new PostgresEffectLedger(context);
  }

  /**
   * Connects, migrates (graphile-worker's schema too) and starts listening. Throws StoreUnavailableError when the
   * server cannot be used and StoreSchemaError when the database belongs to a newer Baton.
   */
  static async open(options: PostgresRunStoreOptions): Promise<PostgresRunStore> {
    const target = parsePostgresUrl(options.url);
    const onError = options.onError ?? (() => undefined);
    const pool = createPool(target, { max: Math.max(2, options.poolSize ?? 10), onError });
    const store = new PostgresRunStore(target, pool, options.now ?? Date.now, options.redact, randomUUID(), onError);
    try {
      await migrate(pool, target);
      store.listener = await NotificationListener.start(target, store.origin, {
        turn: (runId, seq) => store.remoteTurn(runId, seq),
        run: (runId, status) => notify(store.runListeners, { runId, status }),
        error: onError,
      });
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  // --- plumbing -----------------------------------------------------------------------------------------------------

  private async query<Row extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<Row[]> {
    try {
      return (await this.pool.query<Row>(text, values)).rows;
    } catch (error) {
      throw mapConnectionError(this.target, error);
    }
  }

  /** Runs `work` in one transaction; after the commit, tells this process's listeners what it announced. */
  private async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw mapConnectionError(this.target, error);
    }
    const tx = new Transaction(client, this.origin);
    let broken = false;
    let result: T;
    try {
      await client.query('BEGIN');
      result = await work(tx);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw mapConnectionError(this.target, error);
    } finally {
      client.release(broken);
    }
    for (const turn of tx.turns) notify(this.turnListeners, turn);
    for (const change of tx.runs) notify(this.runListeners, change);
    return result;
  }

  /** A turn another process wrote: read it (in announcement order) and tell the listeners. */
  private remoteTurn(runId: string, seq: number): void {
    if (this.turnListeners.size === 0) return;
    this.remoteTurns = this.remoteTurns.then(async () => {
      try {
        const rows = await this.query<{ data: string }>('SELECT data FROM baton.turns WHERE run_id = $1 AND seq = $2', [runId, seq]);
        if (rows[0]) notify(this.turnListeners, parseRecord(TurnRecord, rows[0].data, `turn ${seq} of run ${runId}`));
      } catch (error) {
        this.onError(error);
      }
    });
  }

  // --- runs ---------------------------------------------------------------------------------------------------------

  async createRun(run: Omit<RunRecord, 'version'>, opening: NewTurn, options: NewRunOptions): Promise<RunRecord> {
    const state = options.state;
    const queuedAt = state.status === 'queued' ? (run.queuedAt ?? new Date(this.now()).toISOString()) : run.queuedAt;
    const record = redactRun({ ...run, status: state.status, ...(queuedAt === undefined ? {} : { queuedAt }) }, this.redact);
    const lease = state.status === 'running' ? state.lease : undefined;
    await this.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO baton.runs (id, goal, status, started_at, queued_at, lease_owner, lease_expires_at, data)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [record.id, record.goal, record.status, record.startedAt, state.status === 'queued' ? queuedAt : null, lease?.owner ?? null, lease?.expiresAt ?? null, JSON.stringify(record)],
      );
      const turn = redactTurn({ ...opening, runId: record.id }, 1, this.redact);
      await tx.query('INSERT INTO baton.turns (run_id, seq, data) VALUES ($1, 1, $2)', [record.id, JSON.stringify(turn)]);
      await tx.turnWritten(turn);
      // Kept for queued and running runs alike: a resumed run needs them again.
      await tx.insertAttachments(record.id, state.attachments ?? [], this.redact);
      if (state.status === 'queued') await tx.addJob(record.id);
      await tx.runChanged(record.id, record.status);
    });
    return record;
  }

  async getRun(runId: string): Promise<RunRecord> {
    const [row] = await this.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM baton.runs WHERE id = $1`, [runId]);
    if (!row) throw new RunNotFoundError(runId);
    return readRun(row, this.now());
  }

  async listRuns(options: ListRunsOptions = {}): Promise<RunRecord[]> {
    const now = this.now();
    const conditions: string[] = [];
    const values: unknown[] = [];
    const parameter = (value: unknown): string => {
      values.push(value);
      return `$${values.length}`;
    };
    if (options.status === 'interrupted') {
      conditions.push(`(status = 'interrupted' OR (status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < ${parameter(now)})))`);
    } else if (options.status === 'running') {
      conditions.push(`(status = 'running' AND lease_expires_at >= ${parameter(now)})`);
    } else if (options.status) {
      conditions.push(`status = ${parameter(options.status)}`);
    }
    if (options.since) conditions.push(`started_at >= ${parameter(options.since)}`);
    if (options.until) conditions.push(`started_at < ${parameter(options.until)}`);
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const limit = parameter(Math.max(0, Math.floor(options.limit ?? DEFAULT_LIST_LIMIT)));
    const offset = parameter(Math.max(0, Math.floor(options.offset ?? 0)));
    const rows = await this.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM baton.runs ${where} ORDER BY started_at DESC, position DESC LIMIT ${limit} OFFSET ${offset}`, values);
    const runs: RunRecord[] = [];
    for (const row of rows) {
      const run = readOrReport(() => readRun(row, now), { runId: row.id }, options.onDamaged);
      if (run) runs.push(run);
    }
    return runs;
  }

  async updateRun(run: RunRecord, owner: string): Promise<boolean> {
    const record = redactRun(run, this.redact);
    const release = record.status === 'awaiting_human' || isEndStatus(record.status);
    return this.transaction(async (tx) => {
      const [held] = await tx.query<{ status: RunStatus }>('SELECT status FROM baton.runs WHERE id = $1 AND lease_owner = $2 FOR UPDATE', [record.id, owner]);
      if (!held) return false;
      await tx.query(
        `UPDATE baton.runs SET status = $2, data = $3,
           lease_owner = CASE WHEN $4 THEN NULL ELSE lease_owner END, lease_expires_at = CASE WHEN $4 THEN NULL ELSE lease_expires_at END
         WHERE id = $1`,
        [record.id, record.status, JSON.stringify(record), release],
      );
      if (held.status !== record.status) await tx.runChanged(record.id, record.status);
      return true;
    });
  }

  async finishRun(run: RunRecord, closing: NewTurn, owner: string): Promise<boolean> {
    const record = redactRun(run, this.redact);
    return this.transaction(async (tx) => {
      const [held] = await tx.query<{ status: RunStatus }>('SELECT status FROM baton.runs WHERE id = $1 AND lease_owner = $2 FOR UPDATE', [record.id, owner]);
      if (!held) return false;
      await tx.appendTurn({ ...closing, runId: record.id }, this.redact);
      await tx.query(
        'UPDATE baton.runs SET status = $2, data = $3, lease_owner = NULL, lease_expires_at = NULL, cancel_requested = false WHERE id = $1',
        [record.id, record.status, JSON.stringify(record)],
      );
      await tx.query('DELETE FROM baton.attachments WHERE run_id = $1', [record.id]);
      await tx.runChanged(record.id, record.status);
      return true;
    });
  }

  // --- turns --------------------------------------------------------------------------------------------------------

  async appendTurn(turn: NewTurn): Promise<TurnRecord> {
    return this.transaction(async (tx) => {
      // The run's row lock orders every writer of this run, in any process: the next number is always free.
      const [run] = await tx.query<{ id: string }>('SELECT id FROM baton.runs WHERE id = $1 FOR UPDATE', [turn.runId]);
      if (!run) throw new RunNotFoundError(turn.runId);
      return tx.appendTurn(turn, this.redact);
    });
  }

  async recordTurn(turn: NewTurn, keyed: { key: TurnKey; stateUpdate: unknown; owner: string }): Promise<KeyedTurn & { existed: boolean }> {
    return this.transaction(async (tx) => {
      // The row lock orders every writer of this run (the next number is free) and holds the lease still until commit.
      const row = await tx.lockRun(turn.runId);
      if (!row) throw new RunNotFoundError(turn.runId);
      // The lease fences every node write: a process whose run passed to another must not add to its transcript.
      if (row.status !== 'running' || row.lease_owner !== keyed.owner) throw new RunLeaseLostError(turn.runId);
      const [existing] = await tx.query<KeyedRow>(KEYED_TURN, [turn.runId, turnKeyText(keyed.key)]);
      if (existing) return { ...readKeyed(turn.runId, existing), existed: true };
      const record = await tx.appendTurn(turn, this.redact);
      await tx.query('INSERT INTO baton.turn_keys (run_id, key, seq, state_update) VALUES ($1, $2, $3, $4)', [
        record.runId,
        turnKeyText(keyed.key),
        record.seq,
        redactedJson(keyed.stateUpdate, this.redact),
      ]);
      return { turn: record, stateUpdate: keyed.stateUpdate, existed: false };
    });
  }

  async findTurn(runId: string, key: TurnKey): Promise<KeyedTurn | undefined> {
    const [row] = await this.query<KeyedRow>(KEYED_TURN, [runId, turnKeyText(key)]);
    return row ? readKeyed(runId, row) : undefined;
  }

  async turns(runId: string, onDamaged?: DamagedListener): Promise<TurnRecord[]> {
    const rows = await this.query<{ seq: number; data: string }>('SELECT seq, data FROM baton.turns WHERE run_id = $1 ORDER BY seq', [runId]);
    const turns: TurnRecord[] = [];
    for (const row of rows) {
      const turn = readOrReport(() => parseRecord(TurnRecord, row.data, `turn ${row.seq} of run ${runId}`), { runId, seq: row.seq }, onDamaged);
      if (turn) turns.push(turn);
    }
    return turns;
  }

  onTurn(listener: TurnListener): () => void {
    this.turnListeners.add(listener);
    return () => void this.turnListeners.delete(listener);
  }

  onRunChange(listener: RunChangeListener): () => void {
    this.runListeners.add(listener);
    return () => void this.runListeners.delete(listener);
  }

  // --- leases, the queue, cancellation and decisions (lifecycle.ts) ----------------------------------------------------

  acquire(runId: string, lease: Lease): Promise<RunRecord | undefined> {
    return this.lifecycle.acquire(runId, lease);
  }
  renewLease(runId: string, owner: string, expiresAt: number): Promise<LeaseRenewal> {
    return this.lifecycle.renewLease(runId, owner, expiresAt);
  }
  takeable(limit: number): Promise<string[]> {
    return this.lifecycle.takeable(limit);
  }
  ensureQueued(olderThan: number): Promise<string[]> {
    return this.lifecycle.ensureQueued(olderThan);
  }
  expireLeases(now: number): Promise<string[]> {
    return this.lifecycle.expireLeases(now);
  }
  requeue(runId: string, now: Date): Promise<boolean> {
    return this.lifecycle.requeue(runId, now);
  }
  attachments(runId: string): Promise<StoredAttachment[]> {
    return this.lifecycle.attachments(runId);
  }
  requestCancel(runId: string, now: Date): Promise<CancelOutcome> {
    return this.lifecycle.requestCancel(runId, now);
  }
  awaitDecision(request: DecisionRequest, owner: string): Promise<boolean> {
    return this.lifecycle.awaitDecision(request, owner);
  }
  pendingDecisions(): Promise<PendingDecision[]> {
    return this.lifecycle.pendingDecisions();
  }
  gates(runId: string): Promise<GateRecord[]> {
    return this.lifecycle.gates(runId);
  }
  decide(runId: string, decision: Decision, expected?: ExpectedRequest): Promise<GateRecord> {
    return this.lifecycle.decide(runId, decision, expected);
  }

  // --- side effects (effects.ts) -----------------------------------------------------------------------------------------

  beginEffect(intent: EffectIntent, owner: string): Promise<{ record: EffectRecord; existed: boolean }> {
    return this.ledger.begin(intent, owner);
  }
  resendEffect(key: string, owner: string): Promise<EffectRecord> {
    return this.ledger.resend(key, owner);
  }
  finishEffect(key: string, outcome: EffectOutcome, owner?: string): Promise<EffectRecord> {
    return this.ledger.finish(key, outcome, owner);
  }
  findEffect(key: string): Promise<EffectRecord | undefined> {
    return this.ledger.find(key);
  }
  effects(runId: string): Promise<EffectRecord[]> {
    return this.ledger.list(runId);
  }

  /** Ends the LISTEN connection and the pool; later calls wait for the first. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.turnListeners.clear();
      this.runListeners.clear();
      await this.listener?.close();
      await this.remoteTurns;
      await this.pool.end().catch(() => undefined);
    })();
    return this.closing;
  }
}
