/**
 * Per-model health: a circuit breaker that puts a model in cooldown after a run of consecutive failures. The tracker
 * is the only stateful piece of routing; the router itself reads a plain {@link HealthSnapshot} so it stays pure.
 */

/** Health of one model at the moment a snapshot was taken. */
export interface ModelHealth {
  consecutiveFailures: number;
  /** True while the model is in cooldown. */
  coolingDown: boolean;
  /** When the cooldown ends, in the tracker's clock (epoch ms by default); null when not cooling down. */
  cooldownUntilMs: number | null;
  /** Message of the most recent failure, for the transcript; null after a success. */
  lastError: string | null;
}

/** Health of every model the tracker has seen, by model name. Models never seen are healthy. JSON-serialisable. */
export type HealthSnapshot = Readonly<Record<string, ModelHealth>>;

/** A snapshot in which every model is healthy. */
export const HEALTHY: HealthSnapshot = Object.freeze({});

/** Options of a {@link HealthTracker}. */
export interface HealthTrackerOptions {
  /** Consecutive failures that put a model in cooldown. Default 3. */
  failureThreshold?: number;
  /** How long a cooldown lasts in milliseconds. Default 30 000. */
  cooldownMs?: number;
  /** Clock, injectable for tests. Default `Date.now`. */
  now?: () => number;
}

interface Entry {
  consecutiveFailures: number;
  cooldownUntilMs: number | null;
  lastError: string | null;
}

/** The result of recording a failure. */
export interface FailureOutcome {
  /** True when this failure started a cooldown. */
  enteredCooldown: boolean;
  cooldownUntilMs: number | null;
}

/**
 * Tracks consecutive failures per model. One tracker is shared by every call of a process so that a model failing
 * for one role is demoted for the others too.
 */
export class HealthTracker {
  readonly failureThreshold: number;
  readonly cooldownMs: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();

  constructor(options: HealthTrackerOptions = {}) {
    this.failureThreshold = Math.max(1, Math.floor(options.failureThreshold ?? 3));
    this.cooldownMs = Math.max(0, options.cooldownMs ?? 30_000);
    this.now = options.now ?? Date.now;
  }

  /** A success closes the circuit: the failure count and any cooldown are cleared. */
  recordSuccess(model: string): void {
    this.entries.set(model, { consecutiveFailures: 0, cooldownUntilMs: null, lastError: null });
  }

  /**
   * Counts one failure; the failure that reaches the threshold starts (or restarts) the cooldown. `trip` starts it at
   * once, for failures that retrying cannot fix (a refused or missing API key).
   */
  recordFailure(model: string, error?: string, options: { trip?: boolean } = {}): FailureOutcome {
    const entry = this.entries.get(model) ?? { consecutiveFailures: 0, cooldownUntilMs: null, lastError: null };
    entry.consecutiveFailures = options.trip ? Math.max(entry.consecutiveFailures + 1, this.failureThreshold) : entry.consecutiveFailures + 1;
    entry.lastError = error ?? null;
    let enteredCooldown = false;
    if (entry.consecutiveFailures >= this.failureThreshold) {
      // A probe that fails while cooling down extends the cooldown rather than leaving it to expire mid-outage.
      enteredCooldown = !this.isCoolingDown(model);
      entry.cooldownUntilMs = this.now() + this.cooldownMs;
    }
    this.entries.set(model, entry);
    return { enteredCooldown, cooldownUntilMs: entry.cooldownUntilMs };
  }

  /** Whether the model is in cooldown right now. */
  isCoolingDown(model: string): boolean {
    const until = this.entries.get(model)?.cooldownUntilMs;
    return until !== null && until !== undefined && this.now() < until;
  }

  /** The health of every model seen so far, evaluated at the current time. */
  snapshot(): HealthSnapshot {
    // fromEntries defines own properties, so a model named like an Object.prototype key stays plain data.
    return Object.fromEntries(
      [...this.entries].map(([model, entry]): [string, ModelHealth] => {
        const coolingDown = this.isCoolingDown(model);
        return [
          model,
          {
            consecutiveFailures: entry.consecutiveFailures,
            coolingDown,
            cooldownUntilMs: coolingDown ? entry.cooldownUntilMs : null,
            lastError: entry.lastError,
          },
        ];
      }),
    );
  }
}
