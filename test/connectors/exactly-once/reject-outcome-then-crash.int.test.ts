/**
 * "Did it happen?" answered reject (it did not) -> sent again; the process dies while that re-send is in flight (the
 * system applied it). On resume the node runs again, meets the pending record and asks again; LangGraph hands the
 * earlier "reject" to this new question (same position in the node): the call is sent a third time, unasked.
 */
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../../src/errors.js';
import { decideRun, resumeRun, runGoal } from '../../../src/runtime/run.js';
import { failOutcomeOnce } from '../../support/store-faults.js';
import { crm, GOAL, interrupted, project, runtimeFor } from './helpers.js';

describe('a confirm-outcome rejection reused for a later unknown outcome', () => {
  it('asks again after the re-send it ordered was interrupted, instead of sending once more', async () => {
    const system = await crm();
    const runtime = await runtimeFor(project(system.url, { approval: 'never', idempotencyHeader: false }));
    const store = runtime.store;
    // 1st: the process dies right after recording the intent (nothing sent).
    const beginEffect = store.beginEffect.bind(store);
    let died = false;
    store.beginEffect = async (intent, owner) => {
      const begun = await beginEffect(intent, owner);
      if (!died) {
        died = true;
        throw new StoreUnavailableError('died after recording the intent (simulated)');
      }
      return begun;
    };
    let runId = '';
    await expect(runGoal(runtime, { goal: GOAL, onStart: (id) => (runId = id) })).rejects.toThrow(StoreUnavailableError);
    expect(system.effects).toBe(0);
    await interrupted(runtime, runId);
    const parked = await resumeRun(runtime, runId);
    expect(parked.status).toBe('awaiting_human');
    // Correct answer: it did not happen -> send it.
    await decideRun(runtime, runId, { decision: 'reject', by: 'ana', note: 'no ticket in the CRM' });
    // 2nd: the re-send is applied but the process dies before recording its outcome.
    failOutcomeOnce(store);
    await expect(resumeRun(runtime, runId)).rejects.toThrow(StoreUnavailableError);
    expect(system.effects).toBe(1);
    await interrupted(runtime, runId);
    const outcome = await resumeRun(runtime, runId);
    expect({ status: outcome.status, applied: system.effects }).toEqual({ status: 'awaiting_human', applied: 1 });
  });
});
