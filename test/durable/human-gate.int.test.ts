/**
 * Human gates on the offline engine: a run parks as `awaiting_human` (its lease released), a decision from another
 * runtime (another process, after a restart) continues it, a rejection goes back to the planner with the person's
 * reason, and bad decisions get clear errors.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { RunNotAwaitingError, RunFlowChangedError, RunNotResumableError } from '../../src/errors.js';
import { openRuntime, type Runtime } from '../../src/runtime/open.js';
import { decideRun, resumeRun, runGoal } from '../../src/runtime/run.js';
import { makeProject } from '../support/project.js';

const KNOWLEDGE = { 'kb/ledger.md': '# Ledger\n\nThe Lighthouse project keeps a ledger of every ship that docks at the harbour.\n' };
const open: Runtime[] = [];
afterEach(async () => {
  for (const runtime of open.splice(0)) await runtime.close();
});

function project(flow: string): string {
  return makeProject({ 'baton.config.yaml': `knowledge:\n  paths: [kb]\nflow: ${flow}\nruns:\n  leaseMs: 1000\n`, ...KNOWLEDGE });
}

async function runtimeFor(cwd: string): Promise<Runtime> {
  const runtime = await openRuntime(loadProject({ cwd, env: {} }), { env: {} });
  open.push(runtime);
  return runtime;
}

const PLAN_GATE = "[planner, { human: review, review: plan, prompt: 'Is this the right plan?' }, researcher, checker]";

describe('a human gate', () => {
  it('parks the run, and an approval from another runtime continues it to the end', async () => {
    const cwd = project(PLAN_GATE);
    const first = await runtimeFor(cwd);
    const parked = await runGoal(first, { goal: 'What does the Lighthouse project keep a ledger of?' });
    expect(parked.status).toBe('awaiting_human');
    const pending = await first.store.pendingDecisions();
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ runId: parked.runId, gate: 'review', review: 'plan', prompt: 'Is this the right plan?' });
    expect((pending[0]!.subject as { plan: { steps: unknown[] } }).plan.steps.length).toBeGreaterThan(0);
    expect((await first.store.getRun(parked.runId)).status).toBe('awaiting_human');
    await first.close();
    open.splice(open.indexOf(first), 1);

    // A restart later: a new runtime on the same data directory decides and continues.
    const second = await runtimeFor(cwd);
    await decideRun(second, parked.runId, { decision: 'approve', by: 'ana', note: 'looks right' });
    expect(await second.store.pendingDecisions()).toHaveLength(0);
    const outcome = await resumeRun(second, parked.runId);
    expect(outcome.status).toBe('approved');
    const turns = await second.store.turns(parked.runId);
    const human = turns.find((turn) => turn.kind === 'human');
    expect(human).toMatchObject({ role: 'review', model: null, output: { decision: 'approve', by: 'ana', note: 'looks right' } });
    expect(Date.parse((human!.output as { decidedAt: string }).decidedAt)).not.toBeNaN();
    expect(turns.filter((turn) => turn.role === 'planner')).toHaveLength(1);
    expect(turns.map((turn) => turn.seq)).toEqual(turns.map((_turn, index) => index + 1));
  });

  it('sends a rejection back to the planner with the reason, and asks again in the next round', async () => {
    const cwd = project(PLAN_GATE);
    const runtime = await runtimeFor(cwd);
    const parked = await runGoal(runtime, { goal: 'What does the Lighthouse project keep a ledger of?' });
    await decideRun(runtime, parked.runId, { decision: 'reject', by: 'ana', note: 'also say who signs the ledger' });
    const again = await resumeRun(runtime, parked.runId);
    expect(again.status).toBe('awaiting_human');
    const turns = await runtime.store.turns(parked.runId);
    const planners = turns.filter((turn) => turn.role === 'planner');
    expect(planners.map((turn) => turn.round)).toEqual([1, 2]);
    // The second plan was made with the person's reason among the objections.
    expect(JSON.stringify(planners[1]!.messages)).toContain('also say who signs the ledger');
    const gate = (await runtime.store.gates(parked.runId))[0]!;
    expect(gate.decision).toMatchObject({ decision: 'reject', by: 'ana', note: 'also say who signs the ledger' });
    await decideRun(runtime, parked.runId, { decision: 'approve', by: 'ana' });
    expect((await resumeRun(runtime, parked.runId)).status).toBe('approved');
  });

  it('refuses a decision for a run that is not waiting, and a resume of a waiting or finished run, with clear errors', async () => {
    const cwd = project(PLAN_GATE);
    const runtime = await runtimeFor(cwd);
    const parked = await runGoal(runtime, { goal: 'What does the Lighthouse project keep a ledger of?' });
    await expect(resumeRun(runtime, parked.runId)).rejects.toThrow(RunNotResumableError);
    await decideRun(runtime, parked.runId, { decision: 'approve', by: 'ana' });
    await expect(decideRun(runtime, parked.runId, { decision: 'approve', by: 'bob' })).rejects.toThrow(RunNotAwaitingError);
    await resumeRun(runtime, parked.runId);
    await expect(decideRun(runtime, parked.runId, { decision: 'reject', by: 'bob', note: 'late' })).rejects.toThrow(/not waiting for a decision: it is approved/);
    await expect(resumeRun(runtime, parked.runId)).rejects.toThrow(/cannot be resumed: it is approved/);
  });

  it('refuses to continue a run under a changed flow, naming both flows', async () => {
    const cwd = project(PLAN_GATE);
    const runtime = await runtimeFor(cwd);
    const parked = await runGoal(runtime, { goal: 'What does the Lighthouse project keep a ledger of?' });
    await decideRun(runtime, parked.runId, { decision: 'approve', by: 'ana' });
    await runtime.close();
    open.splice(open.indexOf(runtime), 1);
    writeFileSync(path.join(cwd, 'baton.config.yaml'), 'knowledge:\n  paths: [kb]\nflow: [planner, researcher, checker]\n');
    const changed = await runtimeFor(cwd);
    const error = await resumeRun(changed, parked.runId).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RunFlowChangedError);
    expect((error as Error).message).toMatch(/planner → review \(human\) → researcher → checker/);
    expect((error as Error).message).toMatch(/now [0-9a-f]{16} \(planner → researcher → checker\)/);
    // Nothing recorded was lost: the run still waits to be continued under its own flow.
    expect((await changed.store.getRun(parked.runId)).status).toBe('queued');
  });

  it('parks again, and never reuses an older decision, when its process died before the run was parked', async () => {
    const cwd = project(PLAN_GATE);
    const runtime = await runtimeFor(cwd);
    const parked = await runGoal(runtime, { goal: 'What does the Lighthouse project keep a ledger of?' });
    await decideRun(runtime, parked.runId, { decision: 'reject', by: 'ana', note: 'add who signs it' });
    // The process "dies" between the gate's interrupt in round 2 and recording the request.
    const store = runtime.store;
    const crashing = Object.create(store) as typeof store;
    crashing.awaitDecision = async () => {
      throw new Error('killed before parking');
    };
    await expect(resumeRun({ ...runtime, store: crashing }, parked.runId)).rejects.toThrow('killed before parking');
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the lease (1 s) expires
    expect((await store.getRun(parked.runId)).status).toBe('interrupted');
    const again = await resumeRun(runtime, parked.runId);
    expect(again.status).toBe('awaiting_human');
    const gates = await store.gates(parked.runId);
    expect(gates.map((gate) => [gate.round, gate.decision?.decision ?? null])).toEqual([
      [1, 'reject'],
      [2, null],
    ]);
    expect((await store.turns(parked.runId)).filter((turn) => turn.role === 'planner')).toHaveLength(2);
  });

  it('keeps who decided in the transcript even when the run is cancelled before it continues', async () => {
    const runtime = await runtimeFor(project(PLAN_GATE));
    const parked = await runGoal(runtime, { goal: 'What does the Lighthouse project keep a ledger of?' });
    await decideRun(runtime, parked.runId, { decision: 'approve', by: 'ana', note: 'go ahead' });
    expect(await runtime.store.requestCancel(parked.runId, new Date())).toBe('cancelled');
    const turns = await runtime.store.turns(parked.runId);
    expect(turns.find((turn) => (turn.output as { decision?: string } | null)?.decision === 'approve')).toMatchObject({ from: 'user', to: ['review'], output: { by: 'ana', note: 'go ahead', gate: 'review' } });
    expect(turns.at(-1)).toMatchObject({ output: { status: 'cancelled' } });
  });

  it('is refused at load when it has nothing to review', async () => {
    const cwd = project('[{ human: review, review: plan }, planner, researcher, checker]');
    expect(() => loadProject({ cwd, env: {} })).toThrow(/reviews the plan, so a planner must come before it/);
  });
});
