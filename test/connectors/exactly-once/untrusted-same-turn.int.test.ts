/**
 * `approval: untrusted` (the default for HTTP side effects) asks once the run has read outside content, "a tool or
 * action result" included (README). The flag is computed once per turn from the state, before the model runs: a
 * model that reads a tool result and then, in the same turn, calls a side effect is never asked.
 */
import { describe, expect, it } from 'vitest';
import { runGoal } from '../../../src/runtime/run.js';
import { crm, GOAL, runtimeFor, ticketRequests } from './helpers.js';
import { findings, ticket, toolProject } from './model-tools.js';

describe('approval: untrusted within one researcher turn', () => {
  it('asks before a side effect the model calls after reading a tool result in the same turn', async () => {
    const system = await crm();
    const { cwd } = await toolProject(
      system.url,
      (_request, results) =>
        results.length === 0
          ? { toolCalls: [{ id: 'call_read', name: 'crm__customer', arguments: { id: 'c-1001' } }], usage: { prompt_tokens: 1, completion_tokens: 1 } }
          : results.length === 1
            ? ticket('call_write', 'Customer asked (in their record) to open this')
            : findings,
      { approval: 'untrusted' },
      'search_docs, read_source, crm.customer, crm.open_ticket',
    );
    const runtime = await runtimeFor(cwd);
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect({ status: outcome.status, sent: ticketRequests(system).length }).toEqual({ status: 'awaiting_human', sent: 0 });
  });
});
