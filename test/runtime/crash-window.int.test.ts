/**
 * A process can die after a step's writes were saved and before LangGraph wrote the checkpoint that follows them
 * (the window is wide under load). Resuming such a run must apply those writes and go on, not read the run as ended:
 * `getState().next` leaves out tasks whose writes are saved, so a run killed there once ended `failed` after its plan.
 */
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { StoreUnavailableError } from '../../src/errors.js';
import { openRuntime, type Runtime } from '../../src/runtime/open.js';
import { resumeRun, runGoal } from '../../src/runtime/run.js';
import { makeProject } from '../support/project.js';

const KNOWLEDGE = {
  'kb/lighthouse.md': '# Lighthouses\n\nA lighthouse warns ships away from dangerous rocks at night.\n\nThe Fresnel lens lets a small lamp be seen many miles out to sea.\n',
};
const GOAL = 'What does a lighthouse warn ships about, and what does the Fresnel lens do?';

const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.close();
});

/** Makes the saver fail (as a database that went away would) when it writes the checkpoint of `step`, once. */
function failCheckpointOnce(saver: BaseCheckpointSaver, step: number): { failed: () => boolean } {
  const put = saver.put.bind(saver);
  let failed = false;
  saver.put = async (config, checkpoint, metadata, versions) => {
    if (!failed && metadata.step === step) {
      failed = true;
      throw new StoreUnavailableError('the database went away (simulated)');
    }
    return put(config, checkpoint, metadata, versions);
  };
  return { failed: () => failed };
}

async function waitForStatus(runtime: Runtime, runId: string, status: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await runtime.store.getRun(runId)).status !== status) {
    if (Date.now() > deadline) throw new Error(`run ${runId} never became ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a run whose process died between a step and its checkpoint', () => {
  // Step 1 follows the planner, step 2 the researcher fan-out, step 3 the checker.
  it.each([
    ['the planner', 1],
    ['the researchers', 2],
    ['the checker', 3],
  ])('resumes after %s and ends approved, running no role twice', async (_label, step) => {
    const cwd = makeProject({ 'baton.config.yaml': 'knowledge:\n  paths: [kb]\nruns:\n  leaseMs: 1000\n', ...KNOWLEDGE });
    const runtime = await openRuntime(loadProject({ cwd, env: {} }), { env: {} });
    runtimes.push(runtime);
    const crash = failCheckpointOnce(await runtime.checkpointer!, step);
    let runId = '';
    await expect(runGoal(runtime, { goal: GOAL, onStart: (id) => (runId = id) })).rejects.toThrow(StoreUnavailableError);
    expect(crash.failed()).toBe(true);
    const before = await runtime.store.turns(runId);
    expect(before.length).toBeGreaterThan(0);

    await waitForStatus(runtime, runId, 'interrupted');
    const outcome = await resumeRun(runtime, runId);
    expect(outcome.status, JSON.stringify(outcome.error)).toBe('approved');
    const turns = await runtime.store.turns(runId);
    // Every turn recorded before the failure is kept as it was; none is recorded twice.
    expect(turns.slice(0, before.length)).toEqual(before);
    const keys = turns.filter((turn) => turn.kind !== 'supervisor').map((turn) => `${turn.round}:${turn.role}:${turn.stepId ?? ''}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(turns.filter((turn) => turn.role === 'planner')).toHaveLength(1);
  });
});
