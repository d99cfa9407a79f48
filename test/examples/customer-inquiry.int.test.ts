/**
 * The customer-inquiry example (examples/customer-inquiry): a project of config, role, prompt and connector files
 * only. Its files load; its stand-in systems start and answer; and the whole inquiry runs end to end against them,
 * with a fake OpenAI-compatible server standing in for the three models (answering each role by its system prompt,
 * as scripted replies a model could give): the e-mail read, the photo inspected, the customer and their orders
 * looked up, the stock checked, the answer verified, a proposal written, a person approving, Slack told once.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { loadProject } from '../../src/config/load.js';
import { decideRun, resumeRun } from '../../src/runtime/run.js';
import { StoreUnavailableError } from '../../src/errors.js';
import { failOutcomeOnce, interrupted } from '../support/store-faults.js';
import { modelOf, roleOf, textOf } from '../../bench/inquiry-script.js';
import { buildCustomerDb, DEFAULT_CRM_TOKEN, DEFAULT_ERP_KEY, startCrm, startErp, startWebhooks } from '../../examples/customer-inquiry/fakes/systems.mjs';
import { CUSTOMER, describeOutcome, ENV, EXAMPLE, expectNothingPersonalSentOutside, GOAL, inquiryHarness, MODEL, requestsTo, roleRequests, type Systems } from './harness.js';

const { temporaryDir, cleanups, dataDirWithSecrets, startSystems, openShop, handle } = inquiryHarness();

describe('the example\'s files', () => {
  it('load as a project: three models, the flow of the issue, five connectors', () => {
    const dataDir = dataDirWithSecrets({ slack: 'http://127.0.0.1:4012/slack', teams: 'http://127.0.0.1:4012/teams' });
    const project = loadProject({ cwd: EXAMPLE, env: ENV, dataDir });
    expect(project.stages.map((stage) => `${stage.name}:${stage.kind}`)).toEqual([
      'intent:generic',
      'inspector:generic',
      'customer:action',
      'history:action',
      'stock:action',
      'planner:planner',
      'researcher:researcher',
      'checker:checker',
      'proposer:generic',
      'approve:human',
      'notify:action',
    ]);
    expect(project.stages.filter((stage) => stage.group).map((stage) => stage.name)).toEqual(['inspector', 'customer', 'history']);
    expect(project.models.filter((model) => model.provider !== 'offline').map((model) => `${model.name}:${model.zone}`)).toEqual(['local-text:private', 'local-vision:private', 'cloud-mini:external']);
    // No role names a model: the router chooses per call.
    expect(project.stages.filter((stage) => stage.kind !== 'human' && stage.kind !== 'action').every((stage) => stage.model === undefined)).toBe(true);
    expect(project.stages.find((stage) => stage.name === 'inspector')!.needs.capabilities).toEqual(['vision']);
    expect([...project.connectors.keys()].sort()).toEqual(['crm', 'customers', 'erp', 'slack', 'teams']);
    expect(project.knowledgePaths).toEqual([path.join(EXAMPLE, 'policies')]);
    expect(project.detectors.map((detector) => detector.name)).toEqual(expect.arrayContaining(['order-number', 'customer-id']));
    // Every system prompt opens with its own sentence.
    const openings = ['intent', 'inspector', 'proposer'].map((name) => project.stages.find((stage) => stage.name === name)!.prompt.system.split('.')[0]);
    expect(openings).toEqual([expect.stringMatching(/^You extract the intent/), expect.stringMatching(/^You inspect photos/), expect.stringMatching(/^You write a proposal/)]);
  });

  it('are refused without the secrets the connectors name, and with no language model (--offline)', () => {
    expect(() => loadProject({ cwd: EXAMPLE, env: ENV, dataDir: temporaryDir('baton-inquiry-empty-') })).toThrow(/the secret [A-Z_]+ is not stored/);
    const dataDir = dataDirWithSecrets({ slack: 'http://127.0.0.1:4012/slack', teams: 'http://127.0.0.1:4012/teams' });
    expect(() => loadProject({ cwd: EXAMPLE, env: ENV, dataDir, offline: true })).toThrow(/this flow needs language models, and the run is offline \(--offline\): intent needs text \(structured output\); inspector needs vision; proposer needs text \(structured output\)/);
  });
});

describe('the stand-in systems', () => {
  it('start on port 0 and answer: the CRM and ERP check their credentials, the receiver keeps every message', async () => {
    const crm = await startCrm();
    const erp = await startErp();
    const webhooks = await startWebhooks();
    cleanups.push(() => crm.close(), () => erp.close(), () => webhooks.close());

    const orders = `${crm.url}/customers/by-email/${encodeURIComponent(CUSTOMER.email)}/orders`;
    expect((await fetch(orders)).status).toBe(401);
    const found = await fetch(orders, { headers: { authorization: `Bearer ${DEFAULT_CRM_TOKEN}` } });
    expect(found.status).toBe(200);
    expect(await found.json()).toMatchObject({ customer: { id: 'c-1001' }, orders: [{ id: 'o-5001', total: 129.9, items: [{ sku: 'SKU-100' }] }, { id: 'o-5002' }] });
    const unknown = await fetch(`${crm.url}/customers/by-email/nobody%40example.com/orders`, { headers: { authorization: `Bearer ${DEFAULT_CRM_TOKEN}` } });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ message: 'no customer with the e-mail address nobody@example.com' });

    expect((await fetch(`${erp.url}/stock/SKU-100`, { headers: { 'x-api-key': 'wrong' } })).status).toBe(401);
    const stock = await fetch(`${erp.url}/stock/SKU-100`, { headers: { 'x-api-key': DEFAULT_ERP_KEY } });
    expect(await stock.json()).toMatchObject({ sku: 'SKU-100', available: 4 });
    expect((await fetch(`${erp.url}/stock/SKU-999`, { headers: { 'x-api-key': DEFAULT_ERP_KEY } })).status).toBe(404);

    const slack = await fetch(webhooks.slackUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'hello' }) });
    expect([slack.status, await slack.text()]).toEqual([200, 'ok']);
    const card = { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: 'hi' }] } }] };
    const teams = await fetch(webhooks.teamsUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(card) });
    expect(teams.status).toBe(202);
    expect(webhooks.messages.map((message) => [message.channel, message.text])).toEqual([
      ['slack', 'hello'],
      ['teams', 'hi'],
    ]);
  });

  it('build the customer database the `customers` connector reads', () => {
    const file = buildCustomerDb(path.join(temporaryDir('baton-inquiry-db-'), 'data', 'customers.db'));
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare('SELECT id, name, email FROM customers WHERE email = ?').get(CUSTOMER.email)).toEqual({ id: 'c-1001', ...CUSTOMER });
    } finally {
      db.close();
    }
  });
});

// --- the inquiry end to end --------------------------------------------------------------------------------------

describe('the inquiry, end to end', () => {
  it('is verified, proposed, approved by a person, and only then posted to Slack, once', async () => {
    const shop = await openShop();
    const parked = await handle(shop);
    expect(parked.status, describeOutcome(parked)).toBe('awaiting_human');
    // Nothing is told before a person approves.
    expect(shop.webhooks.messages).toHaveLength(0);
    const [pending] = await shop.runtime.store.pendingDecisions();
    expect(pending).toMatchObject({ runId: parked.runId, gate: 'approve', review: 'draft', prompt: 'Send this proposal to the person in charge?' });
    expect(pending!.subject).toMatchObject({
      outputs: {
        intent: { intent: 'complaint', orderNumber: 'o-5001', urgency: 'urgent', customerEmail: CUSTOMER.email },
        inspector: { part: 'water tank', severity: 'major', photoPresent: true },
        customer: { id: 'c-1001', name: CUSTOMER.name },
        history: [{ id: 'o-5001' }, { id: 'o-5002' }],
        stock: { sku: 'SKU-100', available: 4 },
        proposer: { proposal: 'replacement' },
      },
    });

    await decideRun(shop.runtime, parked.runId, { decision: 'approve', by: 'ana', note: 'go ahead' });
    const outcome = await resumeRun(shop.runtime, parked.runId);
    expect(outcome.status, describeOutcome(outcome)).toBe('approved');
    expect(outcome.result?.verification.verified).toBe(true);
    expect(outcome.result?.citations.map((citation) => citation.source)).toEqual(
      expect.arrayContaining(['attachment:inquiry.eml', 'crm.purchase_history#o-5001', 'erp.stock#SKU-100', 'policies/returns.md', 'role:inspector']),
    );

    expect(shop.webhooks.messages).toHaveLength(1);
    const [message] = shop.webhooks.messages;
    expect(message!.channel).toBe('slack');
    for (const expected of [CUSTOMER.name, CUSTOMER.email, 'o-5001', 'replacement', 'a crack across the side of the water tank', `http://localhost:8787/#/runs/${parked.runId}`]) expect(message!.text).toContain(expected);
    expect(JSON.stringify(message!.blocks)).toContain('We will send you a replacement');
    // The systems were asked with their credentials, for this customer's orders and the ordered product's stock.
    expect(shop.crm.requests.map((request) => [request.path, request.headers.authorization])).toEqual([[`/customers/by-email/${encodeURIComponent(CUSTOMER.email)}/orders`, `Bearer ${DEFAULT_CRM_TOKEN}`]]);
    expect(shop.erp.requests.map((request) => [request.path, request.headers['x-api-key']])).toEqual([['/stock/SKU-100', DEFAULT_ERP_KEY]]);

    // Routing: the photo went to the vision model; what names the customer stayed on private models; the external
    // model got only what carries no personal data (the intent role's first call, before it has read the e-mail).
    const inspector = roleRequests(shop, 'inspector');
    expect(inspector.map(modelOf)).toEqual([MODEL.vision]);
    expect(textOf(inspector[0]!)).toContain('image_url');
    expect(requestsTo(shop, MODEL.cloud).map(roleOf)).toEqual(['intent']);
    expect(roleRequests(shop, 'intent').map(modelOf)).toEqual([MODEL.cloud, MODEL.text, MODEL.text]);
    expectNothingPersonalSentOutside(shop);
    for (const request of shop.models.chatRequests().filter((candidate) => textOf(candidate).includes(CUSTOMER.email))) expect([MODEL.text, MODEL.vision]).toContain(modelOf(request));
  });

  it('with a photo that shows no defect: says so, and proposes an inspection and repair rather than a replacement', async () => {
    const shop = await openShop({ noDefect: true });
    const parked = await handle(shop);
    expect(parked.status, describeOutcome(parked)).toBe('awaiting_human');
    const [pending] = await shop.runtime.store.pendingDecisions();
    expect(pending!.subject).toMatchObject({ outputs: { inspector: { damage: 'no damage visible', matchesComplaint: false }, proposer: { proposal: 'repair' } } });
    await decideRun(shop.runtime, parked.runId, { decision: 'approve', by: 'ana' });
    const outcome = await resumeRun(shop.runtime, parked.runId);
    expect(outcome.status, describeOutcome(outcome)).toBe('approved');
    expect(shop.webhooks.messages).toHaveLength(1);
    expect(shop.webhooks.messages[0]!.text).toContain('no damage visible');
    expect(shop.webhooks.messages[0]!.text).toContain('repair');
    expect(shop.webhooks.messages[0]!.text).not.toContain('replacement');
  });

  it('posts once when the process dies during the Slack call: resumed, a person says whether the message went out', async () => {
    const shop = await openShop({ leaseMs: 1000 });
    const parked = await handle(shop);
    await decideRun(shop.runtime, parked.runId, { decision: 'approve', by: 'ana' });
    // The message reaches Slack, and the process "dies" before the outcome is recorded (the store goes away).
    const store = shop.runtime.store;
    failOutcomeOnce(store);
    await expect(resumeRun(shop.runtime, parked.runId)).rejects.toThrow(StoreUnavailableError);
    expect(shop.webhooks.messages).toHaveLength(1);
    await interrupted(shop.runtime, parked.runId);
    // Slack honours no idempotency key: the resumed run asks whether the message went out instead of posting again.
    const asked = await resumeRun(shop.runtime, parked.runId);
    expect(asked.status, describeOutcome(asked)).toBe('awaiting_human');
    expect((await store.pendingDecisions())[0]!.subject).toMatchObject({ kind: 'confirm-outcome', operation: 'slack.notify' });
    await decideRun(shop.runtime, parked.runId, { decision: 'approve', by: 'ana', note: 'it is in #support' });
    const outcome = await resumeRun(shop.runtime, parked.runId);
    expect(outcome.status, describeOutcome(outcome)).toBe('approved');
    expect(shop.webhooks.messages).toHaveLength(1);
  });

  it.each([
    ['price', /claim s2\.c1 .* the number "139\.9" is in no quote/],
    ['stock', /claim s3\.c1 .* the number "7" is in no quote/],
  ] as const)('is rejected by the checker when a researcher claims a wrong %s, and ends unverified with no Slack message', async (wrong, number) => {
    const shop = await openShop({ wrong });
    const outcome = await handle(shop);
    expect(outcome.status, describeOutcome(outcome)).toBe('unverified');
    expect(outcome.objections.join('\n')).toMatch(number);
    expect(roleRequests(shop, 'proposer')).toHaveLength(0);
    expect(shop.webhooks.messages).toHaveLength(0);
    expect(await shop.runtime.store.pendingDecisions()).toHaveLength(0);
  });

  it('ends failed, naming the address, when the e-mail comes from someone the shop does not know', async () => {
    const shop = await openShop();
    const outcome = await handle(shop, 'inquiry.eml', (text) => text.split(CUSTOMER.email).join('someone@unknown.example'));
    expect(outcome.status, describeOutcome(outcome)).toBe('failed');
    expect(outcome.error).toMatchObject({ code: 'CONNECTOR_REJECTED' });
    expect(outcome.error!.message).toMatch(/404/);
    expect(outcome.error!.message).toContain('no customer with the e-mail address someone@unknown.example');
    const turns = await shop.runtime.store.turns(outcome.runId);
    expect(turns.find((turn) => turn.role === 'customer')?.output).toMatchObject({ result: null });
    expect(turns.some((turn) => turn.role === 'planner')).toBe(false);
    expect(shop.webhooks.messages).toHaveLength(0);
  });

  it('ends failed, naming the order, when the e-mail names an order the CRM does not have for the customer', async () => {
    const shop = await openShop();
    const outcome = await handle(shop, 'inquiry.eml', (text) => text.split('o-5001').join('o-9999'));
    expect(outcome.status, describeOutcome(outcome)).toBe('failed');
    expect(outcome.error).toMatchObject({ code: 'CONNECTOR_INPUT_INVALID' });
    expect(outcome.error!.message).toContain('the e-mail names the order "o-9999", which is not among the orders the CRM has for this customer (o-5001, o-5002)');
    expect(shop.erp.requests).toHaveLength(0);
    expect(shop.webhooks.messages).toHaveLength(0);
  });

  it('without a photo: the inspector says so rather than guessing; the planner stays private, the run having read personal data', async () => {
    const shop = await openShop();
    const parked = await handle(shop, 'inquiry-no-photo.eml');
    expect(parked.status, describeOutcome(parked)).toBe('awaiting_human');
    const inspector = roleRequests(shop, 'inspector');
    expect(inspector.map(modelOf)).toEqual([MODEL.vision]);
    expect(textOf(inspector[0]!)).not.toContain('image_url');
    expect((await shop.runtime.store.pendingDecisions())[0]!.subject).toMatchObject({ outputs: { inspector: { photoPresent: false } } });
    // The planner's own prompt holds no personal data, but the run read the customer's e-mail: what later calls pass on
    // (claims, objections) derives from it, so every call after the intent role's first stays on a private model.
    expect(roleRequests(shop, 'planner').map(modelOf)).toEqual([MODEL.text]);
    expect(requestsTo(shop, MODEL.cloud).map(roleOf)).toEqual(['intent']);
    expectNothingPersonalSentOutside(shop);
    expect(shop.webhooks.messages).toHaveLength(0);
  });
});

describe('the commands of the example\'s README', () => {
  /** `baton <argv>` in the example's (copied) folder, in-process, with the test's environment. */
  async function baton(systems: Systems, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await runCli([...argv, '--data-dir', systems.dataDir], { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text), env: ENV, cwd: systems.cwd, onInterrupt: () => () => undefined });
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  }

  it('`baton run --attach inquiry.eml "Handle this customer inquiry"` waits for a person (exit 4); `baton approve` posts to Slack', async () => {
    const systems = await startSystems();
    const run = await baton(systems, ['run', '--attach', 'inquiry.eml', GOAL, '--json']);
    expect(run.code, run.stderr).toBe(4);
    const { runId, status } = JSON.parse(run.stdout) as { runId: string; status: string };
    expect(status).toBe('awaiting_human');
    expect(systems.webhooks.messages).toHaveLength(0);
    const pending = await baton(systems, ['pending']);
    expect(pending.stdout).toContain(runId);
    const approve = await baton(systems, ['approve', runId, '--by', 'ana']);
    expect(approve.code, approve.stderr).toBe(0);
    expect(systems.webhooks.messages.map((message) => message.channel)).toEqual(['slack']);
    expect(systems.webhooks.messages[0]!.text).toContain(CUSTOMER.name);
  });
});
