/**
 * Cancelling and resuming across processes on one SQLite store: a run executing in one runtime is cancelled from
 * another (its holder sees the request at its next heartbeat), a run whose lease is held cannot be resumed elsewhere,
 * and a queued run is cancelled at once with its transcript closed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { RunBusyError } from '../../src/errors.js';
import { openRuntime, type Runtime } from '../../src/runtime/open.js';
import { resumeRun, runGoal, submitRun } from '../../src/runtime/run.js';
import { temporaryDirectories } from '../support/project.js';
import { GOAL, startSlowModel, writeProject, type SlowModel, waitFor } from './support.js';

const directory = temporaryDirectories('baton-cancel-');
let model: SlowModel;
const open: Runtime[] = [];

beforeAll(async () => {
  model = await startSlowModel({ planner: 300, researcher: 1500, checker: 300 });
});
afterAll(async () => model?.fake.close());
afterEach(async () => {
  for (const runtime of open.splice(0)) await runtime.close();
});

async function runtimeFor(cwd: string): Promise<Runtime> {
  const runtime = await openRuntime(loadProject({ cwd, env: {} }), { env: {} });
  open.push(runtime);
  return runtime;
}


describe('across processes', () => {
  it('cancels a run executing in another process at its next heartbeat, keeping its transcript', async () => {
    const cwd = directory();
    writeProject(cwd, model.fake.url);
    const executing = await runtimeFor(cwd);
    const other = await runtimeFor(cwd);
    let runId = '';
    const running = runGoal(executing, { goal: GOAL, onStart: (id) => (runId = id) });
    await waitFor('the planner turn', async () => (runId && (await other.store.turns(runId)).some((turn) => turn.role === 'planner') ? true : undefined), 10_000);
    // Another process cannot take it while its lease is renewed.
    await expect(resumeRun(other, runId)).rejects.toThrow(RunBusyError);
    const asked = Date.now();
    expect(await other.store.requestCancel(runId, new Date())).toBe('requested');
    const outcome = await running;
    expect(outcome.status).toBe('cancelled');
    // Within one heartbeat (a third of the 1 s lease) and the abort of the call in flight.
    expect(Date.now() - asked).toBeLessThan(1500);
    const record = await other.store.getRun(runId);
    expect(record.status).toBe('cancelled');
    const turns = await other.store.turns(runId);
    expect(turns.some((turn) => turn.role === 'planner')).toBe(true);
    expect(turns.at(-1)).toMatchObject({ role: 'supervisor', output: { status: 'cancelled' } });
  });

  it('cancels a queued run at once, and it is never executed', async () => {
    const cwd = directory();
    writeProject(cwd, model.fake.url);
    const runtime = await runtimeFor(cwd);
    const queued = await submitRun(runtime, { goal: GOAL });
    expect((await runtime.store.getRun(queued.id)).status).toBe('queued');
    expect(await runtime.store.requestCancel(queued.id, new Date())).toBe('cancelled');
    expect((await runtime.store.getRun(queued.id)).status).toBe('cancelled');
    expect(await runtime.store.takeable(10)).not.toContain(queued.id);
    expect(await runtime.store.requestCancel(queued.id, new Date())).toBe('finished');
  });
});
