import { afterEach, describe, expect, it } from 'vitest';
import { tokenLabel } from '../../src/server/auth.js';
import type { RunRecord, TurnRecord } from '../../src/transcript/schema.js';
import { GATED_CONFIG, makeServer, waitForEnd, waitForStatus } from './helpers.js';

type Server = Awaited<ReturnType<typeof makeServer>>;
const servers: Server[] = [];
/** The runtime of the server an app belongs to. */
function runtimeOf(app: Server['app']): Server['runtime'] {
  const found = servers.find((created) => created.app === app);
  if (!found) throw new Error('not a server of this file');
  return found.runtime;
}
async function server(options: Parameters<typeof makeServer>[0] = {}): Promise<Server> {
  const created = await makeServer({ runtimeOptions: { config: GATED_CONFIG }, ...options });
  servers.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((created) => created.close()));
});

interface PendingView {
  runId: string;
  goal: string;
  gate: string;
  review: string;
  prompt: string;
  subject: { plan?: { steps: Array<{ question: string }> }; draft?: string };
  round: number;
  requestedAt: string;
}

async function submit(app: Server['app'], goal: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/api/runs', payload: { goal }, headers });
  expect(response.statusCode).toBe(202);
  return (response.json() as { runId: string }).runId;
}

async function pending(app: Server['app'], headers: Record<string, string> = {}): Promise<PendingView[]> {
  const response = await app.inject({ url: '/api/decisions', headers });
  expect(response.statusCode).toBe(200);
  return (response.json() as { decisions: PendingView[] }).decisions;
}

function decide(app: Server['app'], runId: string, payload: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: `/api/runs/${runId}/decision`, payload: payload as Record<string, unknown>, headers });
}

function errorOf(response: { json(): unknown }): { code: string; message: string; hint?: string } {
  return (response.json() as { error: { code: string; message: string; hint?: string } }).error;
}

describe('human gates over the API', () => {
  it('lists a run waiting at a gate with its plan, and an approval lets it continue to its end', async () => {
    const { app } = await server();
    const runId = await submit(app, 'What is Baton?');
    await waitForStatus(app, runId, 'awaiting_human');

    const [waiting, ...others] = await pending(app);
    expect(others).toEqual([]);
    expect(waiting).toMatchObject({ runId, goal: 'What is Baton?', gate: 'review', review: 'plan', prompt: expect.any(String), round: 1, requestedAt: expect.any(String) });
    expect(waiting?.subject.plan?.steps.length).toBeGreaterThan(0);
    expect(((await app.inject({ url: '/api/runs?status=awaiting_human' })).json() as { runs: Array<{ id: string }> }).runs.map((run) => run.id)).toEqual([runId]);

    const approved = await decide(app, runId, { decision: 'approve', note: 'looks right' });
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ runId, status: 'queued', gate: { runId, gate: 'review', review: 'plan', round: 1, decision: { decision: 'approve', by: 'api', note: 'looks right', decidedAt: expect.any(String) } } });
    expect(await pending(app)).toEqual([]);

    expect(await waitForEnd(app, runId)).toBe('approved');
    const turns = ((await app.inject({ url: `/api/runs/${runId}/transcript` })).json() as { turns: TurnRecord[] }).turns;
    // The decision is recorded when it is made (from the user), then applied by the gate's own turn.
    expect(turns.map((turn) => turn.from)).toEqual(['user', 'planner', 'supervisor', 'user', 'review', 'researcher', 'checker', 'supervisor']);
    expect(turns[3]).toMatchObject({ role: 'supervisor', to: ['review'], output: { decision: 'approve', gate: 'review', review: 'plan' } });
    expect(turns.find((turn) => turn.kind === 'human')?.output).toMatchObject({ decision: 'approve', by: 'api', note: 'looks right', review: 'plan' });

    // Decided once: the run does not wait any more.
    const again = await decide(app, runId, { decision: 'approve' });
    expect(again.statusCode).toBe(409);
    expect(errorOf(again)).toMatchObject({ code: 'RUN_NOT_AWAITING', message: `run ${runId} is not waiting for a decision: it is approved` });
  });

  it('sends a rejected plan back to the planner with the reason, in a new round', async () => {
    const { app } = await server();
    const runId = await submit(app, 'What is Baton?');
    await waitForStatus(app, runId, 'awaiting_human');
    const reason = 'cover how transcripts are stored as well';
    const rejected = await decide(app, runId, { decision: 'reject', reason, by: 'alice' });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json()).toMatchObject({ status: 'queued', gate: { decision: { decision: 'reject', by: 'alice', note: reason } } });

    // The planner plans again, and the gate asks again (round 2).
    await waitForStatus(app, runId, 'awaiting_human');
    const [again] = await pending(app);
    expect(again).toMatchObject({ runId, round: 2 });
    const turns = ((await app.inject({ url: `/api/runs/${runId}/transcript` })).json() as { turns: TurnRecord[] }).turns;
    const human = turns.find((turn) => turn.kind === 'human');
    expect(human).toMatchObject({ round: 1, from: 'review', to: ['planner'], output: { decision: 'reject', by: 'alice', note: reason } });
    const replanned = turns.find((turn) => turn.from === 'planner' && turn.round === 2);
    // The planner saw the person's objection the way it sees a checker's.
    expect(JSON.stringify(replanned?.messages)).toContain(`alice rejected the plan: ${reason}`);

    expect((await decide(app, runId, { decision: 'approve' })).statusCode).toBe(200);
    expect(await waitForEnd(app, runId)).toBe('approved');
    const run = (await app.inject({ url: `/api/runs/${runId}` })).json() as RunRecord;
    expect(run.rounds).toBe(2);
  });

  it('refuses a decision meant for an earlier round (DECISION_STALE), and takes the one for the round asked', async () => {
    const { app } = await server();
    const runId = await submit(app, 'What is Baton?');
    await waitForStatus(app, runId, 'awaiting_human');
    // Two tabs show round 1. The first rejects it; the run re-plans and asks again, in round 2.
    const [shown] = await pending(app);
    expect(shown).toMatchObject({ runId, round: 1 });
    expect((await decide(app, runId, { decision: 'reject', reason: 'cover pricing too', round: 1 })).statusCode).toBe(200);
    await waitForStatus(app, runId, 'awaiting_human');
    const [asked] = await pending(app);
    expect(asked).toMatchObject({ runId, round: 2 });

    // The second tab still shows round 1: its approval must not land on round 2's plan, which nobody has seen.
    const stale = await decide(app, runId, { decision: 'approve', round: 1, by: 'bob' });
    expect(stale.statusCode).toBe(409);
    expect(errorOf(stale)).toEqual({
      code: 'DECISION_STALE',
      message: `run ${runId} now waits for a decision on round 2 of its plan, not on round 1, which the decision was meant for; nothing was decided`,
      hint: 'reload the decision (GET /api/decisions) to see round 2\'s plan, then decide again',
    });
    // Nothing was recorded: round 2 still waits, undecided.
    expect(await pending(app)).toEqual([asked]);
    const gates = (await runtimeOf(app).store.gates(runId)).map((gate) => ({ round: gate.round, decision: gate.decision?.decision ?? null }));
    expect(gates).toEqual([{ round: 1, decision: 'reject' }, { round: 2, decision: null }]);
    // A round that has not come yet is just as stale.
    expect(errorOf(await decide(app, runId, { decision: 'approve', round: 3 })).code).toBe('DECISION_STALE');

    const approved = await decide(app, runId, { decision: 'approve', round: 2, by: 'bob' });
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ gate: { round: 2, decision: { decision: 'approve', by: 'bob' } } });
    expect(await waitForEnd(app, runId)).toBe('approved');
    // Once decided, a late one for the same round is told the run no longer waits.
    const late = await decide(app, runId, { decision: 'approve', round: 2 });
    expect(late.statusCode).toBe(409);
    expect(errorOf(late).code).toBe('RUN_NOT_AWAITING');
    expect(errorOf(await decide(app, 'run_nope', { decision: 'approve', round: 1 })).code).toBe('RUN_NOT_FOUND');
  });

  it('cancels a run that waits for a person at once; it is no longer pending', async () => {
    const { app } = await server();
    const runId = await submit(app, 'What is Baton?');
    await waitForStatus(app, runId, 'awaiting_human');
    const cancel = await app.inject({ method: 'POST', url: `/api/runs/${runId}/cancel` });
    expect(cancel.json()).toEqual({ runId, status: 'cancelled' });
    expect(await pending(app)).toEqual([]);
    const refused = await decide(app, runId, { decision: 'approve' });
    expect(refused.statusCode).toBe(409);
    expect(errorOf(refused).code).toBe('RUN_NOT_AWAITING');
  });

  it('answers 400 for a decision body it cannot take, naming the field, and 404 or 409 for the wrong run', async () => {
    const { app } = await server();
    const runId = await submit(app, 'What is Baton?');
    await waitForStatus(app, runId, 'awaiting_human');
    const cases: Array<[unknown, RegExp]> = [
      [{ decision: 'reject' }, /reason: a rejection needs a reason/],
      [{ decision: 'reject', reason: '   ' }, /reason: a rejection needs a reason/],
      [{ decision: 'reject', note: 'too vague' }, /reason: a rejection takes its reason in "reason", not in "note"/],
      [{ decision: 'reject', reason: 'too vague', note: 'also' }, /note: a rejection carries its text in "reason" only/],
      [{ decision: 'approve', reason: 'fine' }, /reason: "reason" is for rejections; an approval may carry a "note"/],
      [{ decision: 'maybe' }, /decision: expected one of "approve", "reject"; received the string "maybe"/],
      [{}, /decision: expected one of "approve", "reject"; received nothing/],
      [{ decision: 'approve', by: '' }, /by: must not be empty/],
      [{ decision: 'approve', reason: undefined, verdict: 'yes' }, /unknown field "verdict" in the request body \(accepted: decision, note, reason, by, round\)/],
      [{ decision: 'approve', round: 0 }, /round: .*(at least 1|>=1)/],
      [{ decision: 'approve', round: 1.5 }, /round: expected an integer/],
      [{ decision: 'approve', round: '1' }, /round: expected number, received the string "1"/],
      [{ decision: 'approve', note: 'x'.repeat(4001) }, /note: at most 4000 characters allowed/],
      [{ decision: 'approve', note: 'bell\u0007' }, /note: U\+0007 .*at character 5 is not allowed \(no control characters; newlines and tabs are fine\)/],
      [{ decision: 'approve', by: 'alice\u202e' }, /by: U\+202E .*is not allowed/],
    ];
    for (const [payload, message] of cases) {
      const response = await decide(app, runId, payload);
      expect(response.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
      expect(errorOf(response), JSON.stringify(payload).slice(0, 80)).toMatchObject({ code: 'USAGE', message: expect.stringMatching(message) });
    }
    // Nothing above was recorded: the run still waits.
    expect((await pending(app)).map((request) => request.runId)).toEqual([runId]);
    const unknown = await decide(app, 'run_nope', { decision: 'approve' });
    expect(unknown.statusCode).toBe(404);
    expect(errorOf(unknown)).toMatchObject({ code: 'RUN_NOT_FOUND' });
  });

  it('records the API token\'s label as the decider unless the body names one', async () => {
    const token = 'decisions-test-token-0123456789';
    const headers = { authorization: `Bearer ${token}` };
    const { app } = await server({ tokens: [token] });
    expect((await app.inject({ url: '/api/decisions' })).statusCode).toBe(401);
    const runId = await submit(app, 'What is Baton?', headers);
    await waitForStatus(app, runId, 'awaiting_human', headers);
    expect(tokenLabel(headers.authorization)).toMatch(/^api:[0-9a-f]{8}$/);
    const approved = await decide(app, runId, { decision: 'approve' }, headers);
    expect(approved.json()).toMatchObject({ gate: { decision: { by: tokenLabel(headers.authorization) } } });
    expect(JSON.stringify(approved.json())).not.toContain(token);
    expect(await waitForEnd(app, runId, headers)).toBe('approved');
  });
});
