/**
 * The PostgreSQL run queue: graphile-worker. The store adds a `baton_run` job (payload `{ runId }`) in the same
 * transaction that makes a run `queued`; graphile-worker hands each job to one process (LISTEN wakes it at once; the
 * poll interval only covers a missed notification). The handler acquires the run and executes it; a run that is no
 * longer takeable (taken, ended, cancelled) makes it return at once. A handler's failure is logged, never retried:
 * the run records its own failure, and an interrupted run is requeued by the lease sweep.
 */
import { run, type Runner } from 'graphile-worker';
import { errorMessage } from '../../errors.js';
import type { QueueConsumer, RunQueue } from '../port.js';
import { parsePostgresUrl, withConnectionErrors } from './connection.js';
import { RUN_TASK } from './rows.js';
import { silentWorkerLogger, type WorkerLogListener } from './worker-logger.js';

export interface PostgresQueueOptions {
  /** The store's database URL. */
  url: string;
  /** Where graphile-worker's own messages and handler failures go (default: nowhere). */
  logger?: WorkerLogListener;
  /** How often to look for jobs when no notification came, in ms (default 2000). */
  pollInterval?: number;
}

export function openPostgresQueue(options: PostgresQueueOptions): RunQueue {
  const target = parsePostgresUrl(options.url);
  const log = options.logger ?? (() => undefined);
  return {
    async consume(handler: (runId: string) => Promise<void>, consumeOptions: { concurrency: number }): Promise<QueueConsumer> {
      const concurrency = Math.max(1, Math.floor(consumeOptions.concurrency));
      const inFlight = new Set<Promise<void>>();
      const start = (): Promise<Runner> =>
        withConnectionErrors(target, () =>
          run({
            connectionString: options.url,
            concurrency,
            maxPoolSize: Math.max(10, concurrency + 2),
            pollInterval: options.pollInterval ?? 2000,
            noHandleSignals: true,
            logger: silentWorkerLogger(options.logger),
            // Completing a job goes through graphile-worker's batch path, whose failure (the database gone for longer
            // than its retries) stops the runner instead of rejecting a promise nobody awaits, which would end the
            // process; the runner is then started again below.
            preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
            // No crontab (graphile-worker would otherwise look for ./crontab).
            parsedCronItems: [],
            taskList: {
              [RUN_TASK]: async (payload) => {
                const runId = (payload as { runId?: unknown } | null)?.runId;
                if (typeof runId !== 'string') {
                  log('error', `a ${RUN_TASK} job without a run id was dropped`, {});
                  return;
                }
                const work = handler(runId).catch((error: unknown) => log('error', `run ${runId}: the queue handler failed: ${errorMessage(error)}`, { runId }));
                inFlight.add(work);
                try {
                  await work;
                } finally {
                  inFlight.delete(work);
                }
              },
            },
          }),
        );
      let runner: Runner = await start();
      let stopping: Promise<void> | undefined;
      let restartDelayMs = 500;
      // A runner that stops on its own (a database outage) is started again, waiting longer each time it fails, so
      // a worker outlives an outage and takes jobs again once the database answers. A job it held is found again by
      // the store's sweep (`ensureQueued`) and the run's lease.
      const supervise = (current: Runner): void => {
        current.promise.then(
          () => undefined,
          (error: unknown) => log('error', `the run queue stopped: ${errorMessage(error)}`, {}),
        ).finally(() => {
          if (stopping) return;
          const retry = (): void => {
            if (stopping) return;
            start().then(
              (next) => {
                restartDelayMs = 500;
                runner = next;
                log('info', 'the run queue runs again', {});
                supervise(next);
              },
              (error: unknown) => {
                log('error', `the run queue cannot start yet: ${errorMessage(error)}`, {});
                restartDelayMs = Math.min(restartDelayMs * 2, 15_000);
                setTimeout(retry, restartDelayMs).unref?.();
              },
            );
          };
          setTimeout(retry, restartDelayMs).unref?.();
        });
      };
      supervise(runner);
      return {
        stop: () =>
          (stopping ??= (async () => {
            await runner.stop().catch((error: unknown) => log('error', `stopping the run queue: ${errorMessage(error)}`, {}));
            await Promise.allSettled([...inFlight]);
          })()),
      };
    },
    // Jobs arrive through LISTEN/NOTIFY from any process: nothing to wake.
    wake(): void {},
  };
}
