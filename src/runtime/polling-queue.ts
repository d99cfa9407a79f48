/**
 * The embedded queue of the SQLite store: consumers poll for `queued` runs (and are woken at once when this process
 * queues one). One machine, one file: no server to install. PostgreSQL deployments use graphile-worker instead.
 */
import type { QueueConsumer, RunQueue, RunStore } from '../stores/port.js';

export class PollingQueue implements RunQueue {
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly store: RunStore,
    private readonly pollMs = 500,
  ) {}

  wake(): void {
    for (const waker of this.wakers) waker();
  }

  async consume(handler: (runId: string) => Promise<void>, options: { concurrency: number }): Promise<QueueConsumer> {
    const active = new Map<string, Promise<void>>();
    // A run whose handler returned without taking it (damaged, held elsewhere) is not offered again until the next
    // tick: offering it at once would spin the event loop on a run nobody can take.
    const resting = new Map<string, number>();
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let polling = false;
    let again = false;
    const poll = async (): Promise<void> => {
      if (stopped) return;
      if (polling) {
        again = true;
        return;
      }
      polling = true;
      try {
        const free = options.concurrency - active.size;
        if (free <= 0) return;
        // Ask for more than the free slots: some ids may already run here, or be taken by another process first.
        const now = Date.now();
        for (const [id, until] of resting) if (until <= now) resting.delete(id);
        const ids = (await this.store.takeable(free + active.size + resting.size)).filter((id) => !active.has(id) && !resting.has(id)).slice(0, free);
        for (const id of ids) {
          const task = handler(id)
            .catch(() => undefined)
            .finally(() => {
              active.delete(id);
              resting.set(id, Date.now() + this.pollMs);
              // The check phase first: pending I/O and timers (heartbeats, HTTP) go before the next poll.
              setImmediate(() => void poll());
            });
          active.set(id, task);
        }
      } catch {
        // A busy or closed database: the next tick tries again.
      } finally {
        polling = false;
        if (again && !stopped) {
          again = false;
          void poll();
        }
      }
    };
    const waker = (): void => void poll();
    this.wakers.add(waker);
    const tick = (): void => {
      timer = setTimeout(() => {
        void poll().finally(() => {
          if (!stopped) tick();
        });
      }, this.pollMs);
      timer.unref?.();
    };
    void poll();
    tick();
    return {
      stop: async () => {
        stopped = true;
        clearTimeout(timer);
        this.wakers.delete(waker);
        await Promise.all(active.values());
      },
    };
  }
}
