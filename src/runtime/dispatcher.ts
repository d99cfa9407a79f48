/**
 * What `baton serve` and `baton worker` run: takes queued runs from the store's queue (at most `concurrency` at
 * once), executes them, finds runs whose holder died (expired leases) and, when `runs.autoResume` is on, queues them
 * again. Accepting a run means recording it as `queued` first, so nothing accepted is lost to a crash; cancelling
 * works for any run in the store, wherever it executes.
 */
import type { Logger } from '../logging.js';
import { errorMessage } from '../errors.js';
import type { RunStatus } from '../graph/status.js';
import { isEndStatus } from '../graph/status.js';
import type { CancelOutcome, Decision, ExpectedRequest, GateRecord, QueueConsumer, RunQueue } from '../stores/port.js';
import type { NewTurn, RunRecord } from '../transcript/schema.js';
import { closingTurn } from '../stores/records.js';
import { executeRun } from './execute.js';
import { leaseTiming, newOwnerId } from './lease.js';
import { checkFlow, decideRun, submitRun, type RunDependencies, type RunOptions, type RunOutcome } from './run.js';

/** How a run ended (or parked), as told to listeners in this process. */
export interface RunEnd {
  runId: string;
  status: RunStatus;
  outcome: RunOutcome | null;
}

export interface DispatcherOptions {
  runtime: RunDependencies & { queue: RunQueue };
  logger: Logger;
  /** Runs executed at once by this process. */
  concurrency: number;
  /** Take runs from the queue (a server may only accept them, leaving execution to workers). Default true. */
  execute?: boolean;
  /** How often expired leases are looked for; default the heartbeat interval. */
  sweepMs?: number;
  /** Runs allowed to wait in the queue (counted in the store, whoever queued them); beyond it `submit` refuses. */
  maxQueued?: number;
}

/** Why {@link RunDispatcher.submit} refused a run. */
export type SubmitRefusal = 'closing' | 'queue-full';

interface Executing {
  controller: AbortController;
  release: AbortController;
  done: Promise<RunEnd>;
}

export class RunDispatcher {
  readonly owner: string;
  private readonly executing = new Map<string, Executing>();
  private readonly endListeners = new Set<(end: RunEnd) => void>();
  private consumer: QueueConsumer | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private closing = false;
  private sweepFailing = false;

  constructor(private readonly options: DispatcherOptions) {
    this.owner = options.runtime.owner ?? newOwnerId();
  }

  /** Starts taking runs, and looking for interrupted ones (resumed at once when auto-resume is on). */
  async start(): Promise<void> {
    const { runtime } = this.options;
    const timing = leaseTiming(runtime.project.config.runs);
    await this.sweep(true);
    const sweepMs = this.options.sweepMs ?? timing.heartbeatMs;
    const loop = (): void => {
      this.sweeper = setTimeout(() => void this.sweep().finally(() => !this.closing && loop()), sweepMs);
      this.sweeper.unref?.();
    };
    loop();
    if (this.options.execute !== false) this.consumer = await runtime.queue.consume((runId) => this.take(runId), { concurrency: this.options.concurrency });
  }

  /** Records a run as `queued` and returns it; it starts when a slot (here or in any worker) is free. */
  async submit(request: Omit<RunOptions, 'signal' | 'onEvent' | 'onStart'>): Promise<RunRecord | { refused: SubmitRefusal }> {
    if (this.closing) return { refused: 'closing' };
    const { maxQueued } = this.options;
    if (maxQueued !== undefined && (await this.options.runtime.store.takeable(maxQueued)).length >= maxQueued) return { refused: 'queue-full' };
    if (this.closing) return { refused: 'closing' };
    return submitRun(this.options.runtime, request);
  }

  /**
   * Where queued runs stand: 1 for the next to start, by the store's queue order (oldest `queuedAt` first). Looks at
   * most `limit` runs deep; a run further back (or not queued) has no position.
   */
  async queuePositions(limit = 1000): Promise<Map<string, number>> {
    const ids = await this.options.runtime.store.takeable(limit);
    return new Map(ids.map((id, index) => [id, index + 1]));
  }

  /** Cancels a run wherever it is: here at once, elsewhere at its holder's next heartbeat. */
  async cancel(runId: string, now: Date): Promise<CancelOutcome> {
    const local = this.executing.get(runId);
    if (local) {
      local.controller.abort();
      // Recorded too: should this process release the run before the abort lands, whoever resumes it cancels it.
      await this.options.runtime.store.requestCancel(runId, now).catch(() => undefined);
      return 'requested';
    }
    const outcome = await this.options.runtime.store.requestCancel(runId, now);
    if (outcome === 'cancelled') this.emitEnd({ runId, status: 'cancelled', outcome: null });
    return outcome;
  }

  /**
   * Records a person's decision at the gate the run waits at, and queues it to continue (here or in any worker).
   * Throws RunNotAwaitingError when it does not wait for a person, RunNotFoundError when unknown.
   */
  async decide(runId: string, decision: Omit<Decision, 'decidedAt'>, expected?: ExpectedRequest): Promise<GateRecord> {
    return decideRun(this.options.runtime, runId, decision, expected);
  }

  /** Whether this process executes the run now. */
  isExecuting(runId: string): boolean {
    return this.executing.has(runId);
  }

  /** Resolves when a run executing here ends or parks; undefined when it does not execute here. */
  whenDone(runId: string): Promise<RunEnd> | undefined {
    return this.executing.get(runId)?.done;
  }

  onEnd(listener: (end: RunEnd) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  counts(): { executing: number; concurrency: number; execute: boolean } {
    return { executing: this.executing.size, concurrency: this.options.concurrency, execute: this.options.execute !== false };
  }

  /**
   * Stops taking runs and releases the ones executing here: they are aborted and recorded as `interrupted`, so the
   * next server or worker resumes them from their last checkpoint. Queued runs stay queued.
   */
  async shutdown(graceMs: number): Promise<{ released: string[]; unfinished: string[] }> {
    this.closing = true;
    clearTimeout(this.sweeper);
    const released = [...this.executing.keys()];
    for (const run of this.executing.values()) run.release.abort();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    // The consumer's stop waits for its handlers, which end when their released runs have unwound: bounded by the
    // grace too. A run still unwinding after it keeps its lease until the lease expires, then reads `interrupted`.
    await Promise.race([Promise.all([...[...this.executing.values()].map((run) => run.done), this.consumer?.stop()]), expired]);
    clearTimeout(timer);
    return { released, unfinished: [...this.executing.keys()] };
  }

  /**
   * Marks runs whose lease expired as interrupted and, with auto-resume, queues them again: at start every interrupted
   * run (their processes died while none was up), afterwards the newly expired ones (a run left interrupted on
   * purpose, such as one whose flow changed, is not taken again and again). Queued runs that lost their job get one.
   */
  private async sweep(first = false): Promise<void> {
    const { runtime, logger } = this.options;
    const runs = runtime.project.config.runs;
    try {
      const expired = await runtime.store.expireLeases(Date.now());
      if (expired.length) logger.warn({ runs: expired }, 'runs whose process stopped renewing their lease are interrupted');
      if (runs.autoResume) {
        const interrupted = first ? (await runtime.store.listRuns({ status: 'interrupted', limit: 1000 })).map((run) => run.id) : expired;
        for (const runId of interrupted) {
          if (await runtime.store.requeue(runId, new Date())) logger.info({ runId }, 'run-requeued');
        }
      }
      const stranded = await runtime.store.ensureQueued(Date.now() - 2 * runs.leaseMs);
      if (stranded.length) logger.warn({ runs: stranded }, 'queued runs whose job was used up without starting them are queued again');
      runtime.queue.wake();
      if (this.sweepFailing) logger.info('the run store answers again');
      this.sweepFailing = false;
    } catch (error) {
      // Said once per outage, not at every sweep (a database that is down would fill the terminal and the log).
      if (!this.sweepFailing) logger.warn({ error: errorMessage(error) }, 'could not look for interrupted runs; trying again at every sweep');
      this.sweepFailing = true;
    }
  }

  /** Releases a run this process holds: recorded `interrupted`, and queued again when auto-resume is on. */
  private async releaseRun(runId: string, requeue: boolean): Promise<void> {
    const { runtime } = this.options;
    const current = await runtime.store.getRun(runId).catch(() => undefined);
    if (!current || isEndStatus(current.status) || current.status === 'awaiting_human') return;
    const released = await runtime.store.updateRun({ ...current, status: 'interrupted' }, this.owner).catch(() => false);
    if (released && requeue) await runtime.store.requeue(runId, new Date()).catch(() => false);
  }

  /** A queue handler: takes the run if it is still takeable, and executes it. */
  private async take(runId: string): Promise<void> {
    if (this.closing || this.executing.has(runId)) return;
    const { runtime, logger } = this.options;
    const runs = runtime.project.config.runs;
    const record = await runtime.store.getRun(runId).catch((error: unknown) => {
      logger.warn({ runId, err: error }, 'could not read a queued run');
      return undefined;
    });
    if (!record || isEndStatus(record.status) || record.status === 'awaiting_human') return;
    const timing = leaseTiming(runs);
    if (this.closing) return;
    const leaseExpiresAt = Date.now() + timing.leaseMs;
    const acquired = await runtime.store.acquire(runId, { owner: this.owner, expiresAt: leaseExpiresAt });
    if (!acquired) return;
    if (this.closing) {
      // Taken while this process began stopping (after it released what it executes): put back in the queue at once.
      await this.releaseRun(runId, true);
      return;
    }
    const controller = new AbortController();
    const release = new AbortController();
    let settle: (end: RunEnd) => void = () => undefined;
    const done = new Promise<RunEnd>((resolve) => (settle = resolve));
    this.executing.set(runId, { controller, release, done });
    let end: RunEnd;
    try {
      const turns = await runtime.store.turns(runId);
      const started = turns.length > 1;
      // A run that waited for a person continues after the decision; any other started run was interrupted.
      const last = turns.at(-1);
      const lastOutput = (last?.kind === 'supervisor' ? last.output : null) as { awaiting?: unknown; decision?: unknown } | null;
      const afterDecision = started && (typeof lastOutput?.awaiting === 'string' || typeof lastOutput?.decision === 'string');
      const interruptions = (acquired.interruptions ?? 0) + (started && !afterDecision ? 1 : 0);
      const record: RunRecord = started ? { ...acquired, resumes: (acquired.resumes ?? 0) + 1, interruptions } : acquired;
      try {
        checkFlow(runtime.project, record);
      } catch (error) {
        // Another flow than the run's: left interrupted for a process with the run's own flow (or `baton resume`).
        logger.error({ runId, err: error }, 'run-flow-changed');
        await runtime.store.updateRun({ ...acquired, status: 'interrupted' }, this.owner).catch(() => false);
        end = { runId, status: 'interrupted', outcome: null };
        return;
      }
      if (interruptions > runs.maxResumes) {
        const info = {
          code: 'RESUME_LIMIT',
          message: `the run's process stopped ${interruptions} times before it ended, more than runs.maxResumes (${runs.maxResumes}); it is not resumed on its own again`,
          hint: `look in the server or worker log for why; \`baton resume ${runId}\` continues it by hand`,
        };
        logger.error({ runId, interruptions }, 'run-resume-limit');
        await runtime.store.finishRun(failedRun(record, info, new Date()), failureTurn(record, info, new Date()), this.owner).catch(() => false);
        end = { runId, status: 'failed', outcome: null };
        return;
      }
      if (started) await runtime.store.updateRun(record, this.owner);
      logger.info({ runId, resumed: started, interruptions }, 'run-start');
      const outcome = await executeRun(runtime, record, { owner: this.owner, leaseExpiresAt, signal: controller.signal, release: release.signal });
      if (release.signal.aborted && !isEndStatus(outcome.status) && outcome.status !== 'awaiting_human') {
        // Released (this process is stopping): recorded as interrupted, so the next server or worker resumes it.
        await this.releaseRun(runId, false);
        logger.info({ runId }, 'run-released');
        end = { runId, status: 'interrupted', outcome: null };
      } else {
        logger.info({ runId, status: outcome.status, rounds: outcome.rounds, durationMs: Math.round(outcome.durationMs) }, 'run-end');
        if (outcome.error) logger.warn({ runId, error: outcome.error }, 'run-error');
        end = { runId, status: outcome.status, outcome };
      }
    } catch (error) {
      // Only the store can fail here (the graph's own failures end the run inside executeRun): the run is released,
      // not failed, and resumed from its last checkpoint once the store answers again.
      logger.error({ runId, err: error }, 'run-released-after-store-error');
      await this.releaseRun(runId, runs.autoResume);
      end = { runId, status: 'interrupted', outcome: null };
    } finally {
      this.executing.delete(runId);
      settle(end!);
      this.emitEnd(end!);
    }
  }

  private emitEnd(end: RunEnd): void {
    for (const listener of this.endListeners) {
      try {
        listener(end);
      } catch (error) {
        this.options.logger.warn({ err: error }, 'run-end listener failed');
      }
    }
  }
}

/** The record of a run that failed outside its graph (it could not be continued, or its store failed mid-run). */
function failedRun(record: RunRecord, error: { code: string; message: string; hint?: string }, now: Date): RunRecord {
  const started = Date.parse(record.startedAt);
  return { ...record, status: 'failed', endedAt: now.toISOString(), durationMs: Number.isFinite(started) ? Math.max(0, now.getTime() - started) : null, error };
}

/** The supervisor's closing turn for {@link failedRun}: the transcript says how the run ended. */
function failureTurn(record: RunRecord, error: { code: string; message: string; hint?: string }, now: Date): NewTurn {
  return closingTurn(record, now, { status: 'failed', error });
}
