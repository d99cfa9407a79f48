import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach } from 'vitest';
import { loadProject } from '../../../src/config/load.js';
import { openRuntime, type Runtime } from '../../../src/runtime/open.js';
import { SecretStore } from '../../../src/secrets/store.js';
import { crmSeed, startFakeSystem, type FakeSystem } from '../../support/fake-systems.js';
import { makeProject } from '../../support/project.js';

export const KEY = 'a'.repeat(64);
export const ENV = { BATON_SECRET_KEY: KEY };
export const TOKEN = 'crm-token-7f3a9c1e5b';
export const KNOWLEDGE = { 'kb/ledger.md': '# Ledger\n\nThe Lighthouse project keeps a ledger of every ship that docks at the harbour.\n' };
export const GOAL = 'What does the Lighthouse project keep a ledger of?';

export const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export async function crm(): Promise<FakeSystem> {
  const system = await startFakeSystem({ seed: crmSeed(), auth: { type: 'bearer', token: TOKEN } });
  cleanups.push(() => system.close());
  return system;
}

export function connector(url: string, ticket: { approval?: string; idempotencyHeader?: false; retries?: string; timeoutMs?: number } = {}): string {
  return `name: crm
kind: http
baseUrl: ${url}
auth: { type: bearer, secret: CRM_TOKEN }
retries: ${ticket.retries ?? '{ attempts: 2, baseDelayMs: 1, maxDelayMs: 5 }'}
operations:
  customer:
    description: One customer by id.
    path: /customers/{id}
    input: { type: object, properties: { id: { type: string } }, required: [id] }
    records: { id: id }
  open_ticket:
    description: Opens a support ticket.
    method: POST
    path: /tickets
    input: { type: object, properties: { customerId: { type: string }, summary: { type: string } }, required: [customerId, summary] }
    request:
      body: "{ 'customerId': customerId, 'summary': summary }"
${ticket.approval ? `    approval: ${ticket.approval}\n` : ''}${ticket.idempotencyHeader === false ? '    idempotencyHeader: false\n' : ''}${ticket.timeoutMs ? `    timeoutMs: ${ticket.timeoutMs}\n` : ''}`;
}

export const FLOW = `[planner, researcher, checker, { action: customer, call: crm.customer, input: "{ 'id': 'c-1001' }" }, { action: ticket, call: crm.open_ticket, input: "{ 'customerId': outputs.customer.id, 'summary': 'Ledger question from ' & outputs.customer.name }" }]`;

export function project(url: string, ticket: Parameters<typeof connector>[1] = {}, flow = FLOW, extra: Record<string, string> = {}): string {
  const cwd = makeProject({ 'baton.config.yaml': `knowledge:\n  paths: [kb]\nflow: ${flow}\nruns:\n  leaseMs: 1000\n`, 'connectors/crm.yaml': connector(url, ticket), ...KNOWLEDGE, ...extra });
  mkdirSync(path.join(cwd, '.baton'), { recursive: true });
  SecretStore.open({ dataDir: path.join(cwd, '.baton'), env: ENV }).set('CRM_TOKEN', TOKEN);
  return cwd;
}

export async function runtimeFor(cwd: string): Promise<Runtime> {
  const runtime = await openRuntime(loadProject({ cwd, env: ENV }), { env: ENV });
  cleanups.push(() => runtime.close());
  return runtime;
}

export { interrupted } from '../../support/store-faults.js';

export function ticketRequests(system: FakeSystem) {
  return system.apiRequests().filter((request) => request.method === 'POST' && request.path === '/tickets');
}
