/**
 * The answer's output policy checks `result.answer` only. The served result's citations (printed by `baton show`
 * under "Citations:", returned by the API and stored in the run record) keep the personal data a `redact` rule
 * removed from the answer.
 */
import { describe, expect, it } from 'vitest';
import { runGoal } from '../../../src/runtime/run.js';
import { claim, fakeModels, openProject } from '../runs/helpers.js';

const GOAL = 'Whom do ships contact before docking at the harbour?';
const QUOTE = 'Ships contact the harbour master at harbour.master@example.com before docking.';
const ADDRESS = 'harbour.master@example.com';

describe('review: output policy and citations', () => {
  it('personal: redact leaves no e-mail address anywhere in the returned and stored result', async () => {
    const models = await fakeModels({ researcher: () => claim(QUOTE, 'kb/harbour.md', [QUOTE]) });
    const { runtime } = await openProject(models, 'outputPolicy:\n  personal: { action: redact }\n', { 'kb/harbour.md': `# Harbour\n\n${QUOTE}\n` });
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.status).toBe('approved');
    expect(outcome.result!.answer).not.toContain(ADDRESS);
    const record = await runtime.store.getRun(outcome.runId);
    expect(JSON.stringify(outcome.result)).not.toContain(ADDRESS);
    expect(JSON.stringify(record.result)).not.toContain(ADDRESS);
  });
});
