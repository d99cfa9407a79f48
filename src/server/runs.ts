/**
 * Runs started through the API: a queue in front of a concurrency limit (p-limit), in this process.
 *
 * A queued run is not in the transcript store yet: `runGoal` records a run when it starts, so the store only ever
 * holds runs that really began, with honest start times and durations. While it waits, the run lives in this
 * manager's memory and the API reports it as `queued`. Nothing is silently lost: a queued run that is cancelled, or
 * still waiting when the server stops, is started at once with an aborted signal, so it is recorded as `cancelled`
 * with its goal; runs in flight are aborted and end `cancelled`; and a run that does not end within the grace period
 * is marked failed with code `INTERRUPTED` in the store.
 */
import pLimit from 'p-limit';
import type { RunStatus } from '../graph/state.js';
import type { Logger } from '../logging.js';
import type { Attachment } from '../runtime/attachments.js';
import { defaultRunId, runGoal, type RunDependencies, type RunOutcome } from '../runtime/run.js';
import type { RunLabels } from '../routing/needs.js';

/** A run waiting for a slot, as the API shows it. */
export interface QueuedRunView {
  id: string;
  goal: string;
  status: 'queued';
  labels: Record<string, unknown>;
  queuedAt: string;
  /** 1 for the next run to start. */
  position: number;
}

/** How a run ended, as told to listeners. */
export interface RunEnd {
  runId: string;
  status: RunStatus;
  outcome: RunOutcome | null;
}

export interface RunManagerOptions {
  runtime: RunDependencies;
  logger: Logger;
  /** Runs executing at once; the rest wait in the queue. */
  concurrency: number;
  /** Runs allowed to wait; beyond it submissions are refused with 503. */
  maxQueued: number;
  /** Attachment bytes waiting runs may hold in memory together (default 256 MiB); beyond it submissions are refused. */
  maxQueuedAttachmentBytes?: number;
  newRunId?: () => string;
  clock?: () => Date;
}

/** What a client asked to run. The goal is already validated. */
export interface RunRequest {
  goal: string;
  labels?: Partial<RunLabels>;
  attachments?: Attachment[];
}

interface ManagedRun {
  id: string;
  goal: string;
  labels: Partial<RunLabels>;
  attachments: Attachment[];
  queuedAt: string;
  state: 'queued' | 'running';
  /** Set once something has started executing the run, so it is never executed twice. */
  claimed: boolean;
  controller: AbortController;
  /** Settles when the run has ended and is recorded (never rejects). */
  done: Promise<RunEnd>;
  settle: (end: RunEnd) => void;
}

/** Why {@link RunManager.submit} refused a run. */
export type SubmitRefusal = 'queue-full' | 'closing';

export class RunManager {
  private readonly runs = new Map<string, ManagedRun>();
  private readonly endListeners = new Set<(end: RunEnd) => void>();
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly newRunId: () => string;
  private readonly clock: () => Date;
  private closing = false;

  constructor(private readonly options: RunManagerOptions) {
    this.limit = pLimit(options.concurrency);
    this.newRunId = options.newRunId ?? defaultRunId;
    this.clock = options.clock ?? (() => new Date());
  }

  /** Queues a run and returns its id, or why it was refused. */
  submit(request: RunRequest): { runId: string } | { refused: SubmitRefusal } {
    if (this.closing) return { refused: 'closing' };
    if (this.queuedCount() >= this.options.maxQueued) return { refused: 'queue-full' };
    const attachments = request.attachments ?? [];
    const bytes = attachments.reduce((sum, attachment) => sum + attachment.bytes.length, 0);
    if (bytes > 0 && this.queuedAttachmentBytes() + bytes > (this.options.maxQueuedAttachmentBytes ?? 256 * 2 ** 20)) return { refused: 'queue-full' };
    let settle: (end: RunEnd) => void = () => undefined;
    const done = new Promise<RunEnd>((resolve) => (settle = resolve));
    const run: ManagedRun = {
      id: this.newRunId(),
      // The queue holds (and the API shows) the goal as it will be recorded: redacted.
      goal: this.options.runtime.store.redact(request.goal),
      labels: { ...request.labels },
      attachments,
      queuedAt: this.clock().toISOString(),
      state: 'queued',
      claimed: false,
      controller: new AbortController(),
      done,
      settle,
    };
    this.runs.set(run.id, run);
    void this.limit(async () => {
      // A run cancelled while it waited has already been started (and recorded) outside the limit.
      if (!run.claimed) await this.execute(run);
    });
    return { runId: run.id };
  }

  /** The queued run with this id, if it is waiting. */
  queued(runId: string): QueuedRunView | undefined {
    return this.listQueued().find((view) => view.id === runId);
  }

  /** Every waiting run, next to start first. */
  listQueued(): QueuedRunView[] {
    const views: QueuedRunView[] = [];
    for (const run of this.runs.values()) {
      if (run.state === 'queued') views.push({ id: run.id, goal: run.goal, status: 'queued', labels: run.labels, queuedAt: run.queuedAt, position: views.length + 1 });
    }
    return views;
  }

  /** Whether this process is running or queueing the run (so live turns will come, and an end event). */
  isActive(runId: string): boolean {
    return this.runs.has(runId);
  }

  /** Resolves when an active run has ended; undefined when the run is not active here. */
  whenDone(runId: string): Promise<RunEnd> | undefined {
    return this.runs.get(runId)?.done;
  }

  /** Aborts a run started here. False when it is not active in this process. */
  cancel(runId: string): boolean {
    const run = this.runs.get(runId);
    if (!run) return false;
    run.controller.abort();
    if (!run.claimed) void this.execute(run);
    return true;
  }

  /** Subscribes to the end of every run; returns the unsubscribe function. */
  onEnd(listener: (end: RunEnd) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  counts(): { running: number; queued: number; concurrency: number } {
    const queued = this.queuedCount();
    return { running: this.runs.size - queued, queued, concurrency: this.options.concurrency };
  }

  /**
   * Refuses new runs, cancels every run (queued ones are recorded as cancelled), waits up to `graceMs` for them to end,
   * and marks any still running as interrupted. Returns the ids cancelled and the ids marked interrupted.
   */
  async shutdown(graceMs: number): Promise<{ cancelled: string[]; interrupted: string[] }> {
    this.closing = true;
    const active = [...this.runs.values()];
    for (const run of active) this.cancel(run.id);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => (timer = setTimeout(() => resolve('expired'), graceMs)));
    await Promise.race([Promise.all(active.map((run) => run.done)), expired]);
    clearTimeout(timer);
    const interrupted: string[] = [];
    for (const run of this.runs.values()) {
      if (this.markInterrupted(run.id)) interrupted.push(run.id);
    }
    return { cancelled: active.map((run) => run.id).filter((id) => !interrupted.includes(id)), interrupted };
  }

  private queuedAttachmentBytes(): number {
    let bytes = 0;
    for (const run of this.runs.values()) if (!run.claimed) for (const attachment of run.attachments) bytes += attachment.bytes.length;
    return bytes;
  }

  /** Runs waiting for a slot (a run already given one but not yet recorded counts as running). */
  private queuedCount(): number {
    let count = 0;
    for (const run of this.runs.values()) if (!run.claimed) count += 1;
    return count;
  }

  private async execute(run: ManagedRun): Promise<void> {
    run.claimed = true;
    const { logger, runtime } = this.options;
    let end: RunEnd;
    try {
      // p-limit starts the next run in a microtask, so back-to-back fast runs could hold the event loop and starve
      // HTTP requests; waiting for the check phase lets pending I/O through between runs.
      await new Promise<void>((resolve) => setImmediate(resolve));
      // runGoal records the run before its first await, so the run is always visible: queued here, or in the store.
      run.state = 'running';
      const outcome = await runGoal(
        { ...runtime, newId: () => run.id },
        {
          goal: run.goal,
          labels: run.labels,
          ...(run.attachments.length ? { attachments: run.attachments } : {}),
          signal: run.controller.signal,
          onStart: (runId) => logger.info({ runId, attachments: run.attachments.length }, 'run-start'),
        },
      );
      logger.info({ runId: run.id, status: outcome.status, rounds: outcome.rounds, durationMs: Math.round(outcome.durationMs) }, 'run-end');
      if (outcome.error) logger.warn({ runId: run.id, error: outcome.error }, 'run-error');
      end = { runId: run.id, status: outcome.status, outcome };
    } catch (error) {
      // runGoal records its own failures; reaching here means recording itself failed (a closed or broken store).
      logger.error({ runId: run.id, err: error }, 'run-crashed');
      this.markInterrupted(run.id, 'the run stopped unexpectedly; see the server log');
      end = { runId: run.id, status: 'failed', outcome: null };
    }
    this.runs.delete(run.id);
    run.settle(end);
    for (const listener of this.endListeners) {
      try {
        listener(end);
      } catch (error) {
        logger.warn({ err: error }, 'run-end listener failed');
      }
    }
  }

  /** Marks one run (only this one: other processes may share the store) failed with code INTERRUPTED, if it is still `running`. */
  private markInterrupted(runId: string, message = 'the server stopped before the run ended'): boolean {
    try {
      const record = this.options.runtime.store.getRun(runId);
      if (record.status !== 'running') return false;
      this.options.runtime.store.updateRun({ ...record, status: 'failed', endedAt: this.clock().toISOString(), error: { code: 'INTERRUPTED', message } });
      return true;
    } catch (error) {
      this.options.logger.warn({ runId, err: error }, 'could not mark the run interrupted');
      return false;
    }
  }
}
