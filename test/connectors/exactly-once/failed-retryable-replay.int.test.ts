/**
 * A call that failed on transient errors is recorded `failed` (retryable) and the failure goes back to the model,
 * which retries it: the same request gets the same key (only completed requests count towards the next key), so the
 * ledger has one record, sent twice. When the turn is run again (a crash before the turn was recorded), the replay
 * finds it done and sends nothing: one ticket.
 */
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../../src/errors.js';
import { resumeRun, runGoal } from '../../../src/runtime/run.js';
import { failTurnOnce } from '../../support/store-faults.js';
import { crm, GOAL, interrupted, runtimeFor } from './helpers.js';
import { findings, ticket, toolProject } from './model-tools.js';

describe('a researcher turn replayed after a transient failure the model already handled', () => {
  it('does not send the failed call again on replay (one ticket, as the model intended)', async () => {
    const system = await crm();
    // The model retries the ticket once when the tool answered an error, then answers.
    const { cwd } = await toolProject(
      system.url,
      (_request, results) => {
        if (results.length === 0) return ticket('call_1', 'Ledger question');
        if (results.length === 1 && results[0]!.includes('"error"')) return ticket('call_2', 'Ledger question');
        return findings;
      },
      { approval: 'never' },
    );
    const runtime = await runtimeFor(cwd);
    system.failNext(2, { status: 503, path: '/tickets' });
    failTurnOnce(runtime.store, 'researcher');
    let runId = '';
    await expect(runGoal(runtime, { goal: GOAL, onStart: (id) => (runId = id) })).rejects.toThrow(StoreUnavailableError);
    expect(system.effects).toBe(1);
    // The model's retry of the same request reused its key: one ledger record, sent twice, done.
    expect((await runtime.store.effects(runId)).map((effect) => [effect.status, effect.attempts])).toEqual([['done', 2]]);
    await interrupted(runtime, runId);
    const outcome = await resumeRun(runtime, runId);
    expect(outcome.status).toBe('approved');
    expect(system.effects).toBe(1);
  });
});
