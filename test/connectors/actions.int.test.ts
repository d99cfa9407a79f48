/**
 * Action stages end to end on the offline engine, against a fake CRM over real HTTP on 127.0.0.1: a read and a side
 * effect mapped from the run, approval gates that hold the call until a person decides, and the intent ledger that
 * keeps a side effect to one however the run is interrupted (a crash after the call and before its turn is recorded,
 * a crash while it is in flight).
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { StoreUnavailableError } from '../../src/errors.js';
import { decideRun, resumeRun, runGoal } from '../../src/runtime/run.js';
import { crmSeed, startFakeSystem } from '../support/fake-systems.js';
import { failOutcomeOnce, failTurnOnce, interrupted } from '../support/store-faults.js';
import { makeProject } from '../support/project.js';
import { cleanups, connector, crm, ENV, FLOW, GOAL, project, runtimeFor, ticketRequests, TOKEN } from './exactly-once/helpers.js';

/** Every file under the data directory, as text: what a person (or an attacker) with the disk could read. */
function dataDirText(cwd: string): string {
  const root = path.join(cwd, '.baton');
  const texts: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder)) {
      const file = path.join(folder, entry);
      if (statSync(file).isDirectory()) walk(file);
      else texts.push(readFileSync(file).toString('latin1'));
    }
  };
  walk(root);
  return texts.join('\n');
}

describe('action stages', () => {
  it('read a record and send one side effect mapped from the run, with the stored credential and an idempotency key', async () => {
    const system = await crm();
    const cwd = project(system.url, { approval: 'never' });
    const runtime = await runtimeFor(cwd);
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.status).toBe('approved');
    const tickets = ticketRequests(system);
    expect(tickets).toHaveLength(1);
    expect(tickets[0]!.body).toEqual({ customerId: 'c-1001', summary: 'Ledger question from Ada Lovelace' });
    expect(tickets[0]!.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(tickets[0]!.headers['idempotency-key']).toMatch(/^baton-[0-9a-f]{40}$/);
    expect(system.effects).toBe(1);

    const turns = await runtime.store.turns(outcome.runId);
    const action = turns.find((turn) => turn.role === 'customer')!;
    expect(action.kind).toBe('action');
    expect(action.output).toMatchObject({ operation: 'crm.customer', records: ['crm.customer#c-1001'] });
    const effects = await runtime.store.effects(outcome.runId);
    expect(effects).toHaveLength(1);
    expect(effects[0]).toMatchObject({ operation: 'crm.open_ticket', status: 'done', attempts: 1 });
    // The credential reached the CRM and nothing else: no record, transcript, checkpoint or log holds it.
    expect(dataDirText(cwd)).not.toContain(TOKEN);
    expect(JSON.stringify(outcome)).not.toContain(TOKEN);
  });

  it('pause a side effect that needs approval until a person approves, showing the exact request; nothing is sent before', async () => {
    const system = await crm();
    const cwd = project(system.url, { approval: 'always' });
    const runtime = await runtimeFor(cwd);
    const parked = await runGoal(runtime, { goal: GOAL });
    expect(parked.status).toBe('awaiting_human');
    expect(ticketRequests(system)).toHaveLength(0);
    const [pending] = await runtime.store.pendingDecisions();
    expect(pending).toMatchObject({ runId: parked.runId, review: 'call' });
    expect(pending!.subject).toMatchObject({ kind: 'approve', operation: 'crm.open_ticket', request: { method: 'POST', body: { customerId: 'c-1001' } } });
    expect(JSON.stringify(pending)).not.toContain(TOKEN);

    await decideRun(runtime, parked.runId, { decision: 'approve', by: 'ana' });
    const outcome = await resumeRun(runtime, parked.runId);
    expect(outcome.status).toBe('approved');
    expect(ticketRequests(system)).toHaveLength(1);
    expect(system.effects).toBe(1);
  });

  it('send nothing when the person rejects the call, and end the run unverified with the reason', async () => {
    const system = await crm();
    const runtime = await runtimeFor(project(system.url, { approval: 'always' }));
    const parked = await runGoal(runtime, { goal: GOAL });
    await decideRun(runtime, parked.runId, { decision: 'reject', by: 'ana', note: 'the customer asked us not to open tickets' });
    const outcome = await resumeRun(runtime, parked.runId);
    expect(outcome.status).toBe('unverified');
    expect(outcome.error).toMatchObject({ code: 'EFFECT_REJECTED' });
    expect(outcome.error!.message).toContain('the customer asked us not to open tickets');
    expect(ticketRequests(system)).toHaveLength(0);
  });

  it('ask for approval under `untrusted` only once the run has read outside content', async () => {
    const system = await crm();
    const runtime = await runtimeFor(project(system.url, { approval: 'untrusted' }));
    // The read before it (crm.customer) is a tool result: outside content.
    const parked = await runGoal(runtime, { goal: GOAL });
    expect(parked.status).toBe('awaiting_human');
    expect((await runtime.store.pendingDecisions())[0]!.subject).toMatchObject({ kind: 'approve', reason: expect.stringContaining('outside content') });
  });

  it('do not send a side effect again when the process died after the call and before its turn was recorded', async () => {
    const system = await crm();
    const cwd = project(system.url, { approval: 'never' });
    const runtime = await runtimeFor(cwd);
    failTurnOnce(runtime.store, 'ticket');
    let runId = '';
    await expect(runGoal(runtime, { goal: GOAL, onStart: (id) => (runId = id) })).rejects.toThrow(StoreUnavailableError);
    expect(system.effects).toBe(1);
    await interrupted(runtime, runId);
    const outcome = await resumeRun(runtime, runId);
    expect(outcome.status).toBe('approved');
    expect(ticketRequests(system)).toHaveLength(1);
    expect(system.effects).toBe(1);
    const ticket = (await runtime.store.turns(runId)).find((turn) => turn.role === 'ticket')!;
    expect(ticket.output).toMatchObject({ replayed: true });
  });

  it('send a side effect whose outcome is unknown again under the same key where the system honours keys', async () => {
    const system = await crm();
    const runtime = await runtimeFor(project(system.url, { approval: 'never' }));
    // The CRM applies the ticket but its answer never arrives (the connection drops): the outcome is unknown.
    let runId = '';
    const store = runtime.store;
    failOutcomeOnce(store);
    await expect(runGoal(runtime, { goal: GOAL, onStart: (id) => (runId = id) })).rejects.toThrow(StoreUnavailableError);
    expect(system.effects).toBe(1);
    const [pending] = await store.effects(runId);
    expect(pending).toMatchObject({ status: 'pending' });
    await interrupted(runtime, runId);
    const outcome = await resumeRun(runtime, runId);
    expect(outcome.status).toBe('approved');
    const tickets = ticketRequests(system);
    // Sent twice with one key; the CRM dropped the duplicate.
    expect(tickets).toHaveLength(2);
    expect(tickets[1]!.headers['idempotency-key']).toBe(tickets[0]!.headers['idempotency-key']);
    expect(system.effects).toBe(1);
    expect((await store.effects(runId))[0]).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('ask a person when the outcome is unknown and the system honours no key: approve = it happened, not sent again', async () => {
    const system = await crm();
    const runtime = await runtimeFor(project(system.url, { approval: 'never', idempotencyHeader: false }));
    let runId = '';
    const store = runtime.store;
    failOutcomeOnce(store);
    await expect(runGoal(runtime, { goal: GOAL, onStart: (id) => (runId = id) })).rejects.toThrow(StoreUnavailableError);
    await interrupted(runtime, runId);
    const parked = await resumeRun(runtime, runId);
    expect(parked.status).toBe('awaiting_human');
    expect((await store.pendingDecisions())[0]!.subject).toMatchObject({ kind: 'confirm-outcome', operation: 'crm.open_ticket' });
    await decideRun(runtime, runId, { decision: 'approve', by: 'ana', note: 'ticket T-1 exists' });
    const outcome = await resumeRun(runtime, runId);
    expect(outcome.status).toBe('approved');
    expect(ticketRequests(system)).toHaveLength(1);
    expect((await store.effects(runId))[0]).toMatchObject({ status: 'done', resolvedBy: 'ana' });
  });
});

describe('a parallel group', () => {
  it('runs its members at once, and the stage after it sees every member\'s output', async () => {
    const system = await startFakeSystem({ seed: crmSeed(), auth: { type: 'bearer', token: TOKEN }, delayMs: 300 });
    cleanups.push(() => system.close());
    const cwd = project(system.url, { approval: 'never' });
    const config = path.join(cwd, 'baton.config.yaml');
    const flow = `[planner, researcher, checker, { parallel: [{ action: ada, call: crm.customer, input: "{ 'id': 'c-1001' }" }, { action: grace, call: crm.customer, input: "{ 'id': 'c-1002' }" }] }, { action: ticket, call: crm.open_ticket, input: "{ 'customerId': outputs.ada.id, 'summary': 'cc ' & outputs.grace.name }" }]`;
    writeFileSync(config, readFileSync(config, 'utf8').replace(FLOW, flow));
    const runtime = await runtimeFor(cwd);
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.status).toBe('approved');
    const turns = await runtime.store.turns(outcome.runId);
    const ada = turns.find((turn) => turn.role === 'ada')!;
    const grace = turns.find((turn) => turn.role === 'grace')!;
    // Each call waits 300 ms at the CRM; run one after the other, the second would start after the first ended.
    const [first, second] = [ada, grace].sort((left, right) => Date.parse(left.startedAt) - Date.parse(right.startedAt));
    expect(Date.parse(second!.startedAt)).toBeLessThan(Date.parse(first!.startedAt) + first!.latencyMs);
    expect(ticketRequests(system)[0]!.body).toEqual({ customerId: 'c-1001', summary: 'cc Grace Hopper' });
    expect(turns.filter((turn) => turn.role === 'ticket')).toHaveLength(1);
  });

  it('refuses a planner, researcher or checker in a group, naming the member', async () => {
    const system = await crm();
    const cwd = project(system.url);
    const config = path.join(cwd, 'baton.config.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace(FLOW, `[planner, { parallel: [researcher, { action: ada, call: crm.customer, input: "{ 'id': 'c-1001' }" }] }, checker]`));
    expect(() => loadProject({ cwd, env: ENV })).toThrow(/baton\.config\.yaml:\d+.*flow\[1\]\.parallel\[0\].*"researcher" cannot run in parallel/);
  });
});

describe('connector and action mistakes', () => {
  it('refuse at load an action naming an unknown operation, with the config line', async () => {
    const system = await crm();
    const cwd = project(system.url);
    const config = path.join(cwd, 'baton.config.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('call: crm.customer', 'call: crm.customers'));
    expect(() => loadProject({ cwd, env: ENV })).toThrow(/baton\.config\.yaml:\d+.*crm\.customers.*has no operation "customers" \(it has: customer, open_ticket\)/);
  });

  it('refuse at load a connector naming a secret that is not stored', async () => {
    const cwd = makeProject({ 'connectors/crm.yaml': connector('http://127.0.0.1:9').replace('CRM_TOKEN', 'CRM_KEY') });
    expect(() => loadProject({ cwd, env: ENV })).toThrow(/crm\.yaml:4.*the secret CRM_KEY is not stored/);
  });

  it('end a run whose action fails (a 4xx) failed, with the system\'s answer, keeping every turn before it', async () => {
    const system = await crm();
    const cwd = project(system.url, { approval: 'never' });
    const config = path.join(cwd, 'baton.config.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace("{ 'id': 'c-1001' }", "{ 'id': 'c-9999' }"));
    const runtime = await runtimeFor(cwd);
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ code: 'CONNECTOR_REJECTED' });
    expect(outcome.error!.message).toMatch(/404/);
    const roles = (await runtime.store.turns(outcome.runId)).map((turn) => turn.role);
    expect(roles).toEqual(expect.arrayContaining(['planner', 'checker', 'customer']));
    expect(ticketRequests(system)).toHaveLength(0);
  });
});
