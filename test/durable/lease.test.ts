import { describe, expect, it, vi } from 'vitest';
import { leaseTiming, startHeartbeat } from '../../src/runtime/lease.js';
import type { LeaseRenewal, RunStore } from '../../src/stores/port.js';

function storeWith(renew: () => Promise<LeaseRenewal>): RunStore {
  return { renewLease: vi.fn(renew) } as unknown as RunStore;
}

describe('the lease heartbeat', () => {
  it('renews every heartbeat and reports a cancellation once', async () => {
    vi.useFakeTimers();
    try {
      const store = storeWith(async () => ({ held: true, cancelRequested: true }));
      const onCancel = vi.fn();
      const onLost = vi.fn();
      const beat = startHeartbeat(store, 'r', 'me', { leaseMs: 3000, heartbeatMs: 1000 }, { onCancel, onLost, now: () => Date.now() });
      await vi.advanceTimersByTimeAsync(3500);
      expect(store.renewLease).toHaveBeenCalledTimes(3);
      expect(onCancel).toHaveBeenCalledTimes(1);
      expect(onLost).not.toHaveBeenCalled();
      beat.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops when another process took the run', async () => {
    vi.useFakeTimers();
    try {
      const onLost = vi.fn();
      startHeartbeat(storeWith(async () => ({ held: false, cancelRequested: false })), 'r', 'me', { leaseMs: 3000, heartbeatMs: 1000 }, { onCancel: vi.fn(), onLost });
      await vi.advanceTimersByTimeAsync(1000);
      expect(onLost).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops by itself when no renewal succeeded within the lease (the store is unreachable)', async () => {
    vi.useFakeTimers();
    try {
      const onLost = vi.fn();
      const onError = vi.fn();
      startHeartbeat(storeWith(async () => Promise.reject(new Error('database down'))), 'r', 'me', { leaseMs: 3000, heartbeatMs: 1000 }, { onCancel: vi.fn(), onLost, onError });
      await vi.advanceTimersByTimeAsync(2900);
      expect(onLost).not.toHaveBeenCalled();
      expect(onError).toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(200);
      expect(onLost).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('beats three times per lease unless told otherwise', () => {
    expect(leaseTiming({ leaseMs: 15_000 })).toEqual({ leaseMs: 15_000, heartbeatMs: 5000 });
    expect(leaseTiming({ leaseMs: 15_000, heartbeatMs: 2000 })).toEqual({ leaseMs: 15_000, heartbeatMs: 2000 });
  });
});
