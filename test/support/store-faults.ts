/**
 * Faults injected into a run store, as a process that dies at a chosen point would leave it: each fails one write
 * with StoreUnavailableError (the runtime then leaves the run to its lease, as after a crash), and the run is resumed
 * once it reads `interrupted`.
 */
import { StoreUnavailableError } from '../../src/errors.js';
import type { Runtime } from '../../src/runtime/open.js';
import type { RunStore } from '../../src/stores/port.js';

/** The next turn `stage` records fails: the process "died" after the stage's work and before its turn was written. */
export function failTurnOnce(store: RunStore, stage: string): void {
  const recordTurn = store.recordTurn.bind(store);
  let failed = false;
  store.recordTurn = async (turn, keyed) => {
    if (!failed && turn.role === stage) {
      failed = true;
      throw new StoreUnavailableError('the database went away (simulated)');
    }
    return recordTurn(turn, keyed);
  };
}

/** The next side effect's outcome is never recorded: the process "died" after sending and before recording. */
export function failOutcomeOnce(store: RunStore): void {
  const finishEffect = store.finishEffect.bind(store);
  let failed = false;
  store.finishEffect = async (key, outcome, owner) => {
    if (!failed) {
      failed = true;
      throw new StoreUnavailableError('the process died before the outcome was recorded (simulated)');
    }
    return finishEffect(key, outcome, owner);
  };
}

/** Waits until the run reads `interrupted` (its lease expired), at most 10 s. */
export async function interrupted(runtime: Pick<Runtime, 'store'>, runId: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await runtime.store.getRun(runId)).status !== 'interrupted') {
    if (Date.now() > deadline) throw new Error(`run ${runId} never became interrupted`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
