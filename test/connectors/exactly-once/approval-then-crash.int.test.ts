/**
 * An approval decision answers a later, different question in the same node: LangGraph resume values are matched by
 * the order of interrupt() calls in a node, and the approval's resume value stays in the task's pending writes.
 */
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../../src/errors.js';
import { decideRun, resumeRun } from '../../../src/runtime/run.js';
import { runGoal } from '../../../src/runtime/run.js';
import { crm, GOAL, interrupted, project, runtimeFor, ticketRequests } from './helpers.js';

describe('approval then crash before the call is sent (system honours no key)', () => {
  it('asks a person whether the effect happened, instead of reusing the approval as a "yes, it happened"', async () => {
    const system = await crm();
    const runtime = await runtimeFor(project(system.url, { approval: 'always', idempotencyHeader: false }));
    const parked = await runGoal(runtime, { goal: GOAL });
    expect(parked.status).toBe('awaiting_human');
    const runId = parked.runId;
    await decideRun(runtime, runId, { decision: 'approve', by: 'ana', note: 'go ahead' });

    // The process dies right after the intent is recorded pending, before the request leaves (nothing is sent).
    const store = runtime.store;
    const beginEffect = store.beginEffect.bind(store);
    let died = false;
    store.beginEffect = async (intent, owner) => {
      const begun = await beginEffect(intent, owner);
      if (!died) {
        died = true;
        throw new StoreUnavailableError('the process died after recording the intent (simulated)');
      }
      return begun;
    };
    await expect(resumeRun(runtime, runId)).rejects.toThrow(StoreUnavailableError);
    expect(ticketRequests(system)).toHaveLength(0);
    expect((await store.effects(runId))[0]).toMatchObject({ status: 'pending' });
    await interrupted(runtime, runId);

    const outcome = await resumeRun(runtime, runId);
    const effects = await store.effects(runId);
    // What happens: the approval ("send it") is taken as the answer to "did it happen?" -> recorded done, never sent.
    expect({ status: outcome.status, tickets: ticketRequests(system).length, effect: effects[0]?.status, resolvedBy: effects[0]?.resolvedBy }).toEqual({
      status: 'awaiting_human',
      tickets: 0,
      effect: 'pending',
      resolvedBy: null,
    });
  });
});
