/**
 * Leases: every executing run is held by one process, which renews its lease on a heartbeat. A lease that is not
 * renewed expires, and the run reads as `interrupted` until a server, a worker or `baton resume` takes it again. The
 * same heartbeat carries cancellations asked for from other processes.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { RunStore } from '../stores/port.js';

/** This process's name as a lease holder: host, pid and a random part (pids are reused). */
export function newOwnerId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export interface LeaseTiming {
  leaseMs: number;
  heartbeatMs: number;
}

/** The heartbeat for a lease: a third of it unless configured (at least two beats fit in one lease). */
export function leaseTiming(runs: { leaseMs: number; heartbeatMs?: number | undefined }): LeaseTiming {
  return { leaseMs: runs.leaseMs, heartbeatMs: runs.heartbeatMs ?? Math.max(100, Math.floor(runs.leaseMs / 3)) };
}

export interface Heartbeat {
  stop(): void;
}

/**
 * Renews `owner`'s lease on `runId` every `heartbeatMs`. Calls `onCancel` once when another process asked for a
 * cancellation, and `onLost` once when another process took the run (this one must stop writing to it). A failed
 * renewal (a database blip) is retried at the next beat; the lease only expires after a whole lease without one.
 */
export function startHeartbeat(
  store: RunStore,
  runId: string,
  owner: string,
  timing: LeaseTiming,
  handlers: { onCancel: () => void; onLost: () => void; onError?: (error: unknown) => void; now?: () => number },
): Heartbeat {
  const now = handlers.now ?? Date.now;
  let stopped = false;
  let beating = false;
  let cancelled = false;
  const beat = async (): Promise<void> => {
    if (stopped || beating) return;
    beating = true;
    try {
      const renewal = await store.renewLease(runId, owner, now() + timing.leaseMs);
      if (stopped) return;
      if (!renewal.held) {
        stopped = true;
        clearInterval(timer);
        handlers.onLost();
        return;
      }
      if (renewal.cancelRequested && !cancelled) {
        cancelled = true;
        handlers.onCancel();
      }
    } catch (error) {
      handlers.onError?.(error);
    } finally {
      beating = false;
    }
  };
  const timer = setInterval(() => void beat(), timing.heartbeatMs);
  timer.unref?.();
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
