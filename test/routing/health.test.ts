import { describe, expect, it } from 'vitest';
import { HealthTracker } from '../../src/routing/health.js';

describe('HealthTracker', () => {
  it('enters cooldown after N consecutive failures and leaves it when the cooldown ends', () => {
    let now = 0;
    const tracker = new HealthTracker({ failureThreshold: 2, cooldownMs: 1000, now: () => now });
    expect(tracker.recordFailure('m', 'boom')).toEqual({ enteredCooldown: false, cooldownUntilMs: null });
    expect(tracker.isCoolingDown('m')).toBe(false);
    expect(tracker.recordFailure('m', 'boom')).toEqual({ enteredCooldown: true, cooldownUntilMs: 1000 });
    expect(tracker.snapshot()).toEqual({ m: { consecutiveFailures: 2, coolingDown: true, cooldownUntilMs: 1000, lastError: 'boom' } });
    now = 1000;
    expect(tracker.isCoolingDown('m')).toBe(false);
    expect(tracker.snapshot().m?.coolingDown).toBe(false);
    // A failed probe after the cooldown starts a new one.
    expect(tracker.recordFailure('m').enteredCooldown).toBe(true);
    expect(tracker.isCoolingDown('m')).toBe(true);
  });

  it('a success resets the count', () => {
    const tracker = new HealthTracker({ failureThreshold: 2 });
    tracker.recordFailure('m');
    tracker.recordSuccess('m');
    expect(tracker.recordFailure('m').enteredCooldown).toBe(false);
    expect(tracker.snapshot().m).toMatchObject({ consecutiveFailures: 1, coolingDown: false });
  });
});
