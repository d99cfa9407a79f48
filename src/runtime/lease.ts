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
 * cancellation, and `onLost` once when another process took the run or the lease ran out without a renewal (this one
 * must stop writing to it). A failed renewal (a database blip) is retried at the next beat.
 */
export function startHeartbeat(
  store: RunStore,
  runId: string,
  owner: string,
  timing: LeaseTiming,
  handlers: { onCancel: () => void; onLost: () => void; onError?: (error: unknown) => void; now?: () => number; firstExpiry?: number },
): Heartbeat {
  const now = handlers.now ?? Date.now;
  let stopped = false;
  let beating = false;
  let cancelled = false;
  const lose = (): void => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    clearTimeout(fence);
    handlers.onLost();
  };
  // A holder that could not renew within its lease (a database outage, a starved event loop) stops by itself when the
  // lease runs out: by then another process may have taken the run, and two holders must never write to one run.
  let fence = setTimeout(lose, Math.max(0, (handlers.firstExpiry ?? now() + timing.leaseMs) - now()));
  fence.unref?.();
  const beat = async (): Promise<void> => {
    if (stopped || beating) return;
    beating = true;
    try {
      const expiresAt = now() + timing.leaseMs;
      const renewal = await store.renewLease(runId, owner, expiresAt);
      if (stopped) return;
      if (!renewal.held) {
        lose();
        return;
      }
      clearTimeout(fence);
      fence = setTimeout(lose, Math.max(0, expiresAt - now()));
      fence.unref?.();
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
      clearTimeout(fence);
    },
  };
}
