/**
 * The customer-inquiry example under test: a copy of examples/customer-inquiry with its models pointed at a fake
 * OpenAI-compatible server (the scripted replies of bench/inquiry-script.ts, overridable per role) and its connectors
 * at the example's own fakes started on port 0, the customer database built and the secrets stored. Call
 * `inquiryHarness()` at the top level of a test file: it registers the clean-up hooks.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, expect } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { readAttachments } from '../../src/runtime/attachments.js';
import { openRuntime, type Runtime } from '../../src/runtime/open.js';
import { runGoal, type RunOutcome } from '../../src/runtime/run.js';
import { SecretStore } from '../../src/secrets/store.js';
import { startFakeOpenAI } from '../support/fake-openai.js';
import { modelOf, roleOf, shopModels, textOf, type ChatReply, type RecordedRequest, type Role } from '../../bench/inquiry-script.js';
import { buildCustomerDb, DEFAULT_CRM_TOKEN, DEFAULT_ERP_KEY, startCrm, startErp, startWebhooks, type FakeServer, type Webhooks } from '../../examples/customer-inquiry/fakes/systems.mjs';

export const EXAMPLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/customer-inquiry');
export const GOAL = 'Handle this customer inquiry';
export const ENV = { BATON_SECRET_KEY: '5e'.repeat(32), CLOUD_MINI_API_KEY: 'sk-cloud-mini-test-0001' };
/** The model ids of the example's config: which model a request went to. */
export const MODEL = { text: 'qwen2.5:7b-instruct', vision: 'qwen3-vl:8b', cloud: 'gpt-4o-mini' };
export const CUSTOMER = { name: 'Ada Lovelace', email: 'ada@example.com' };

/** A role's reply replaced: given the request and the scripted reply's maker. */
export type Override = Partial<Record<Role, (request: RecordedRequest, base: (request: RecordedRequest) => ChatReply) => ChatReply>>;

export interface Systems {
  models: Awaited<ReturnType<typeof startFakeOpenAI>>;
  crm: FakeServer;
  erp: FakeServer;
  webhooks: Webhooks;
  /** The copy of the example, pointed at the fakes. */
  cwd: string;
  /** Holds the secrets. */
  dataDir: string;
}
export interface Shop extends Systems {
  runtime: Runtime;
}

export interface ShopOptions {
  wrong?: 'price' | 'stock';
  noDefect?: boolean;
  leaseMs?: number;
  override?: Override;
  /** Changes the copy before it is opened. */
  prepare?: (cwd: string) => void;
}

export const describeOutcome = (outcome: RunOutcome): string => JSON.stringify({ status: outcome.status, error: outcome.error, objections: outcome.objections });
export const requestsTo = (shop: Systems, model: string) => shop.models.chatRequests().filter((request) => modelOf(request) === model);
export const roleRequests = (shop: Systems, role: Role) => shop.models.chatRequests().filter((request) => roleOf(request) === role);

/** Whether the external model was sent anything that names the customer. */
export function expectNothingPersonalSentOutside(shop: Systems): void {
  for (const request of requestsTo(shop, MODEL.cloud)) {
    const text = textOf(request);
    expect(text, `a ${roleOf(request)} request to ${MODEL.cloud}`).not.toContain(CUSTOMER.email);
    expect(text, `a ${roleOf(request)} request to ${MODEL.cloud}`).not.toContain(CUSTOMER.name);
  }
}

export function inquiryHarness() {
  const temporary: string[] = [];
  const cleanups: Array<() => Promise<void> | void> = [];
  afterAll(() => {
    for (const directory of temporary) rmSync(directory, { recursive: true, force: true });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  function temporaryDir(prefix: string): string {
    const directory = mkdtempSync(path.join(os.tmpdir(), prefix));
    temporary.push(directory);
    return directory;
  }
  /** A data directory holding the example's four secrets. */
  function dataDirWithSecrets(values: { slack: string; teams: string }): string {
    const dataDir = temporaryDir('baton-inquiry-data-');
    const secrets = SecretStore.open({ dataDir, env: ENV });
    secrets.set('CRM_TOKEN', DEFAULT_CRM_TOKEN);
    secrets.set('ERP_KEY', DEFAULT_ERP_KEY);
    secrets.set('SLACK_WEBHOOK_URL', values.slack);
    secrets.set('TEAMS_WEBHOOK_URL', values.teams);
    return dataDir;
  }
  async function startSystems(options: ShopOptions = {}): Promise<Systems> {
    const base = shopModels({ ...(options.wrong ? { wrong: options.wrong } : {}), ...(options.noDefect ? { noDefect: true } : {}) });
    const models = await startFakeOpenAI({
      chat: (request) => {
        const own = options.override?.[roleOf(request)];
        return own ? own(request, (asked) => base.chat(asked)) : base.chat(request);
      },
    });
    const crm = await startCrm();
    const erp = await startErp();
    const webhooks = await startWebhooks();
    cleanups.push(() => models.close(), () => crm.close(), () => erp.close(), () => webhooks.close());
    const cwd = temporaryDir('baton-inquiry-');
    cpSync(EXAMPLE, cwd, { recursive: true, filter: (source) => !/[/\\](?:\.baton|data)$/.test(source) });
    const replace = (file: string, pairs: Array<[string, string]>): void => {
      let text = readFileSync(path.join(cwd, file), 'utf8');
      for (const [from, to] of pairs) {
        expect(text, `${file} holds ${from}`).toContain(from);
        text = text.split(from).join(to);
      }
      writeFileSync(path.join(cwd, file), text);
    };
    replace('baton.config.yaml', [
      ['http://127.0.0.1:11434/v1', models.url],
      ['https://api.openai.com/v1', models.url],
      ...(options.leaseMs ? ([['limits:', `runs:\n  leaseMs: ${options.leaseMs}\nlimits:`]] as Array<[string, string]>) : []),
    ]);
    replace('connectors/crm.yaml', [['http://127.0.0.1:4010', crm.url]]);
    replace('connectors/erp.yaml', [['http://127.0.0.1:4011', erp.url]]);
    buildCustomerDb(path.join(cwd, 'data', 'customers.db'));
    options.prepare?.(cwd);
    const dataDir = dataDirWithSecrets({ slack: webhooks.slackUrl, teams: webhooks.teamsUrl });
    return { models, crm, erp, webhooks, cwd, dataDir };
  }
  /** The systems, and the copy of the example opened as a runtime. */
  async function openShop(options: ShopOptions = {}): Promise<Shop> {
    const systems = await startSystems(options);
    const runtime = await openRuntime(loadProject({ cwd: systems.cwd, env: ENV, dataDir: systems.dataDir }), { env: ENV, sleep: async () => undefined });
    cleanups.push(() => runtime.close());
    return { ...systems, runtime };
  }
  /** Runs the goal with an e-mail attached: the example's own, or one written from it with `edit`. */
  async function handle(shop: Shop, file = 'inquiry.eml', edit?: (text: string) => string): Promise<RunOutcome> {
    let folder = EXAMPLE;
    if (edit) {
      folder = temporaryDir('baton-inquiry-mail-');
      writeFileSync(path.join(folder, 'inquiry.eml'), edit(readFileSync(path.join(EXAMPLE, file), 'utf8')));
      file = 'inquiry.eml';
    }
    return runGoal(shop.runtime, { goal: GOAL, attachments: await readAttachments([file], folder) });
  }
  return { temporaryDir, cleanups, dataDirWithSecrets, startSystems, openShop, handle };
}
