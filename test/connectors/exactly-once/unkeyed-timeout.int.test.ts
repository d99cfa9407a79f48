/**
 * A side effect sent without an idempotency key whose answer times out: the CRM applied it, the outcome is unknown.
 * README ("Unknown outcome"): one that failed on transient errors means the outcome is unknown, and where the system
 * honours no key a person says whether it happened: the run parks at once for that question (it once recorded a
 * definitive failure, asked nobody, and ended `failed` although the ticket existed).
 */
import { describe, expect, it } from 'vitest';
import { runGoal } from '../../../src/runtime/run.js';
import { crmSeed, startFakeSystem } from '../../support/fake-systems.js';
import { cleanups, GOAL, project, runtimeFor, TOKEN } from './helpers.js';

describe('an unkeyed side effect that times out after the system applied it', () => {
  it('is not reported as a definitive failure: the run asks a person whether it happened', async () => {
    const system = await startFakeSystem({
      seed: crmSeed(),
      auth: { type: 'bearer', token: TOKEN },
      routes: {
        'POST /tickets': async (request) => {
          await new Promise((resolve) => setTimeout(resolve, 400));
          return { status: 201, body: { id: 'T-1', ...(request.body as object) }, effect: true };
        },
      },
    });
    cleanups.push(() => system.close());
    const runtime = await runtimeFor(project(system.url, { approval: 'never', idempotencyHeader: false, timeoutMs: 150 }));
    const outcome = await runGoal(runtime, { goal: GOAL });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(system.effects).toBe(1);
    const [effect] = await runtime.store.effects(outcome.runId);
    // Recorded as failed with an unknown outcome (retryable), and put to a person at once.
    expect({ status: outcome.status, ledger: effect?.status, retryable: effect?.error?.retryable }).toEqual({ status: 'awaiting_human', ledger: 'failed', retryable: true });
    expect((await runtime.store.pendingDecisions())[0]!.subject).toMatchObject({ kind: 'confirm-outcome', operation: 'crm.open_ticket' });
  });
});
