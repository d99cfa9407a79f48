/**
 * The run store port: everything that makes a run outlive the process executing it. Runs and their transcripts,
 * leases renewed by a heartbeat, cancellation from any process, human decisions, the attachments a queued run waits
 * with, and turn events. SQLite (`src/stores/sqlite`) and PostgreSQL (`src/stores/postgres`) implement it and pass one
 * conformance suite (`test/stores/conformance.ts`).
 *
 * Every method is async, whatever the implementation. Every string a store writes passes through `redact` first.
 * Writes that belong together (a run and its opening turn, a closing turn and the final record) are one commit.
 */
import type { Redactor } from '../transcript/redact.js';
import type { RunRecord, TurnRecord, NewTurn } from '../transcript/schema.js';
import type { Attachment } from '../runtime/attachments.js';
import type { RunStatus } from '../graph/status.js';

export interface ListRunsOptions {
  limit?: number;
  offset?: number;
  status?: string;
  /** ISO timestamp: runs started at or after. */
  since?: string;
  until?: string;
  /** Runs whose record cannot be read are skipped and reported here (the list never fails because of one). */
  onDamaged?: DamagedListener;
}

/** A stored record that could not be read back: skipped by readers, and named so a person can look at it. */
export interface DamagedRecord {
  runId: string;
  /** The turn's sequence number; absent for a run record. */
  seq?: number;
  reason: string;
}

export type DamagedListener = (record: DamagedRecord) => void;
export type TurnListener = (turn: TurnRecord) => void;
export type RunChangeListener = (change: { runId: string; status: RunStatus }) => void;

/** What a run is waiting with while it is queued: the files it was given (bytes included). */
export type StoredAttachment = Attachment;

/**
 * The key that makes a turn write idempotent: a node LangGraph replays after a resume writes the same key, and the
 * store keeps the first write. `attempt` counts how often the same stage and step ran in the same round before.
 */
export interface TurnKey {
  round: number;
  stage: string;
  step?: string;
  attempt: number;
}

export function turnKeyText(key: TurnKey): string {
  return `${key.round}/${key.stage}/${key.step ?? '-'}/${key.attempt}`;
}

/** A turn as recorded with its key, and the graph-state update the turn produced (so a replay needs no model call). */
export interface KeyedTurn {
  turn: TurnRecord;
  stateUpdate: unknown;
}

/** Who holds a run: a process id string such as `host:pid:random`, and until when (epoch ms). */
export interface Lease {
  owner: string;
  expiresAt: number;
}

/** The answer to a heartbeat. */
export interface LeaseRenewal {
  /** False when another process took the run (this one must stop writing to it). */
  held: boolean;
  /** A cancellation was asked for from any process: the holder aborts the run. */
  cancelRequested: boolean;
}

/** What a human gate asks for, as stored while the run waits. */
export interface DecisionRequest {
  runId: string;
  /** The gate's stage name. */
  gate: string;
  /** What the person decides on: a plan, a draft, or a side-effect call waiting for approval (its exact request). */
  review: 'plan' | 'draft' | 'call';
  prompt: string;
  /** The plan or the draft shown to the person (redacted like every record). */
  subject: unknown;
  round: number;
  requestedAt: string;
}

/** A person's decision on a gate. */
export interface Decision {
  decision: 'approve' | 'reject';
  /** Who decided (an OS user, an API token's name, or what the caller said). */
  by: string;
  /** An approval's note or a rejection's reason. */
  note?: string;
  decidedAt: string;
}

export interface PendingDecision extends DecisionRequest {
  goal: string;
}

/**
 * What the person saw when deciding: a decision is refused (DecisionStaleError, nothing written) when the run's open
 * request differs in any field given (another round or gate asked meanwhile).
 */
export interface ExpectedRequest {
  gate?: string;
  review?: 'plan' | 'draft' | 'call';
  round?: number;
}

/** Why a decision does not fit the open request, or undefined when it does. */
export function staleDecision(runId: string, open: Pick<DecisionRequest, 'gate' | 'review' | 'round'>, expected: ExpectedRequest | undefined): string | undefined {
  if (!expected) return undefined;
  const differs = (expected.gate !== undefined && expected.gate !== open.gate) || (expected.review !== undefined && expected.review !== open.review) || (expected.round !== undefined && expected.round !== open.round);
  if (!differs) return undefined;
  const meant = [expected.round !== undefined ? `round ${expected.round}` : '', expected.review ? `the ${expected.review}` : '', expected.gate ? `gate "${expected.gate}"` : ''].filter(Boolean).join(', ');
  const where = expected.gate !== undefined && expected.gate !== open.gate ? ` at gate "${open.gate}"` : '';
  return `run ${runId} now waits for a decision on round ${open.round} of its ${open.review}${where}, not on ${meant}, which the decision was meant for; nothing was decided`;
}

/** What to do about a stale decision. */
export function staleDecisionHint(open: Pick<DecisionRequest, 'review' | 'round'>): string {
  return `reload the decision (GET /api/decisions) to see round ${open.round}'s ${open.review}, then decide again`;
}

/** A request recorded with the decision it got (null while it waits). */
export interface GateRecord extends DecisionRequest {
  decision: Decision | null;
}

/** How a cancellation request ended. */
export type CancelOutcome =
  /** The run was queued, waiting for a person or interrupted: it is now `cancelled`. */
  | 'cancelled'
  /** The run is executing: its holder aborts it at its next heartbeat. */
  | 'requested'
  /** The run had already ended. */
  | 'finished';

export interface NewRunOptions {
  /**
   * `queued`: waits for a server or worker. `running`: the caller executes it now under `lease`. Either way the
   * attachments are kept with the run (a resumed run needs them again) until it ends.
   */
  state: { status: 'queued'; attachments?: StoredAttachment[] } | { status: 'running'; lease: Lease; attachments?: StoredAttachment[] };
}

/**
 * The intent ledger (an outbox in the run store) that makes a side effect happen once. Before a side-effect call is
 * sent, its intent is recorded `pending` under its idempotency key; after it, its outcome. A replayed call (a resumed
 * run, a failed-over worker, a LangGraph node run again) finds the record: `done` returns the recorded result without
 * calling again; `pending` means the outcome is unknown (the process died between sending and recording).
 */
export interface EffectIntent {
  runId: string;
  /** The idempotency key: derived from run, turn and call; unique across the store. */
  key: string;
  /** `connector.operation`. */
  operation: string;
  /** The calling turn's key text ({@link turnKeyText}) or `action:<stage>`: where in the run the call was made. */
  turn: string;
  /** The prepared request as sent (no credentials; redacted like every record). */
  request: unknown;
  startedAt: string;
}

export type EffectStatus = 'pending' | 'done' | 'failed';

export interface EffectRecord extends EffectIntent {
  status: EffectStatus;
  /** The call's result when `done` (the CallResult: output, records, summary, status). */
  result: unknown;
  /** The error when `failed`: its code and message, and whether trying again may succeed. */
  error: { code: string; message: string; retryable: boolean } | null;
  /** How many times the request was sent (1, then one more per re-send with the same key). */
  attempts: number;
  finishedAt: string | null;
  /** Who settled an unknown outcome by hand (`baton effects confirm`), when one did. */
  resolvedBy: string | null;
}

/** How a call ended, as {@link RunStore.finishEffect} records it. */
export type EffectOutcome =
  | { status: 'done'; result: unknown; resolvedBy?: string }
  | { status: 'failed'; error: { code: string; message: string; retryable: boolean }; resolvedBy?: string };

export interface RunStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the store lives, for messages: a file path, or `host:port/database` (never a password). */
  readonly location: string;
  /** Removes secrets from text; everything the store writes goes through it, and callers may use it too. */
  readonly redact: Redactor;

  // --- runs -------------------------------------------------------------------------------------------------------
  /** Records a new run (status from `options.state`) with its opening turn, in one commit. */
  createRun(run: Omit<RunRecord, 'version'>, opening: NewTurn, options: NewRunOptions): Promise<RunRecord>;
  /** Throws RunNotFoundError. A `running` run whose lease has expired reads as `interrupted`. */
  getRun(runId: string): Promise<RunRecord>;
  /** Newest first; the same `interrupted` rule as getRun. */
  listRuns(options?: ListRunsOptions): Promise<RunRecord[]>;
  /**
   * Replaces a run's record while `owner` holds it (status, totals, result); false when the owner lost the lease.
   * Statuses `awaiting_human` and the end states release the lease.
   */
  updateRun(run: RunRecord, owner: string): Promise<boolean>;
  /**
   * Ends a run: the closing turn, the final record, the lease released, its attachments and cancel flag dropped, in one
   * commit. False (and nothing written) when `owner` no longer holds the run.
   */
  finishRun(run: RunRecord, closing: NewTurn, owner: string): Promise<boolean>;

  // --- turns ------------------------------------------------------------------------------------------------------
  /** Appends a turn (a supervisor's record, not a node's), assigning the next sequence number, and tells listeners. */
  appendTurn(turn: NewTurn): Promise<TurnRecord>;
  /**
   * Records a node's turn under its key, idempotently and fenced by the lease, in one commit: when `owner` does not
   * hold the run, nothing is written and {@link RunLeaseLostError} is thrown; when a turn with the same key exists,
   * nothing is written and the existing turn and its state update come back with `existed: true` (the node must go
   * on with those, not with its own). Listeners are told about new turns only.
   */
  recordTurn(turn: NewTurn, keyed: { key: TurnKey; stateUpdate: unknown; owner: string }): Promise<KeyedTurn & { existed: boolean }>;
  /** The turn recorded under `key`, with its state update. */
  findTurn(runId: string, key: TurnKey): Promise<KeyedTurn | undefined>;
  /** The run's turns in order; damaged ones are skipped and reported. */
  turns(runId: string, onDamaged?: DamagedListener): Promise<TurnRecord[]>;
  /**
   * Subscribes to turns as they are written: by this process, and (PostgreSQL) by any process on the database.
   * Returns the unsubscribe function.
   */
  onTurn(listener: TurnListener): () => void;
  /**
   * Subscribes to run status changes (created, taken, parked, decided, cancel requested, ended), from this process and
   * (PostgreSQL) any process on the database. Returns the unsubscribe function.
   */
  onRunChange(listener: RunChangeListener): () => void;

  // --- leases and the queue -----------------------------------------------------------------------------------------
  /**
   * Takes a run to execute: a `queued` run, or an `interrupted` one (a `running` run whose lease expired). Sets it
   * `running` under `lease` and returns the record; undefined when the run is not takeable (another process holds
   * it, it waits for a person, it ended, or it does not exist). A run whose cancellation was asked for is cancelled
   * instead (undefined).
   */
  acquire(runId: string, lease: Lease): Promise<RunRecord | undefined>;
  /** Extends the lease while `owner` holds it; reports a requested cancellation. */
  renewLease(runId: string, owner: string, expiresAt: number): Promise<LeaseRenewal>;
  /** Ids of `queued` runs, oldest `queuedAt` first (SQLite workers poll this; PostgreSQL workers get jobs). */
  takeable(limit: number): Promise<string[]>;
  /**
   * Makes sure every run `queued` since before `olderThan` (epoch ms) can still be taken: PostgreSQL adds its job again
   * when none is waiting (a job may have been used up without the run being taken); SQLite has nothing to do (its
   * workers poll). Returns the ids whose job was added again.
   */
  ensureQueued(olderThan: number): Promise<string[]>;
  /** Marks `running` runs whose lease expired before `now` as `interrupted` (persisted); returns their ids. */
  expireLeases(now: number): Promise<string[]>;
  /**
   * Puts an `interrupted` run (persisted, or `running` with an expired lease) back in the queue as `queued` (PostgreSQL
   * also adds its job, in the same commit); false when the run is in any other state.
   */
  requeue(runId: string, now: Date): Promise<boolean>;
  /** The files a queued run was given; dropped when the run ends. */
  attachments(runId: string): Promise<StoredAttachment[]>;

  // --- cancellation -----------------------------------------------------------------------------------------------
  /** Cancels from any process (see {@link CancelOutcome}). Throws RunNotFoundError. */
  requestCancel(runId: string, now: Date): Promise<CancelOutcome>;

  // --- human decisions --------------------------------------------------------------------------------------------
  /**
   * Parks a run at a gate: records the request, sets the run `awaiting_human` and releases `owner`'s lease, in one
   * commit. False when `owner` no longer holds the run. When a cancellation was asked for meanwhile, the run is
   * cancelled instead (as {@link requestCancel} does for a waiting run) and the answer is still true.
   */
  awaitDecision(request: DecisionRequest, owner: string): Promise<boolean>;
  /** Runs waiting for a person, oldest request first. */
  pendingDecisions(): Promise<PendingDecision[]>;
  /** The run's gate requests and their decisions, oldest first. */
  gates(runId: string): Promise<GateRecord[]>;
  /**
   * Records a decision on the run's open request and queues the run to continue, in one commit. Throws
   * RunNotAwaitingError when the run is not waiting for a person (naming its status), RunNotFoundError when unknown.
   */
  decide(runId: string, decision: Decision, expected?: ExpectedRequest): Promise<GateRecord>;

  // --- side effects (the intent ledger) ----------------------------------------------------------------------------
  /**
   * Records a side effect's intent as `pending` (attempts 1) before it is sent, fenced by the lease like
   * {@link recordTurn} (RunLeaseLostError, nothing written, when `owner` does not hold the run). When a record with the
   * same key exists, nothing is written and it comes back with `existed: true`.
   */
  beginEffect(intent: EffectIntent, owner: string): Promise<{ record: EffectRecord; existed: boolean }>;
  /** Counts one more sending of a `pending` or `failed` effect under the same key (a re-send); returns the record. */
  resendEffect(key: string, owner: string): Promise<EffectRecord>;
  /**
   * Records how a call ended (`done` with its result, `failed` with its error). With `owner`, fenced by the lease; without
   * it (a person settling an unknown outcome from any process) only a `pending` record is changed.
   */
  finishEffect(key: string, outcome: EffectOutcome, owner?: string): Promise<EffectRecord>;
  /** The effect recorded under `key`. */
  findEffect(key: string): Promise<EffectRecord | undefined>;
  /** A run's effects, oldest first. */
  effects(runId: string): Promise<EffectRecord[]>;

  close(): Promise<void>;
}

/**
 * Hands runs to workers. SQLite: polls {@link RunStore.takeable}. PostgreSQL: graphile-worker jobs the store adds in
 * the same commit that makes a run `queued`. The handler acquires the run (it may already be taken or ended: then it
 * returns at once) and executes it.
 */
export interface RunQueue {
  consume(handler: (runId: string) => Promise<void>, options: { concurrency: number }): Promise<QueueConsumer>;
  /** Wakes this process's consumers now (a run was queued here); PostgreSQL needs no wake-up. */
  wake(): void;
}

export interface QueueConsumer {
  /** Stops taking new runs and waits for the handlers in flight (they end when their runs end or are aborted). */
  stop(): Promise<void>;
}
