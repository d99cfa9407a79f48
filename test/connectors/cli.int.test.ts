/**
 * `baton connectors` and `baton tool <connector.operation>` in-process: listing, a dry run that sends nothing and
 * shows no credential, a real call, and bad input (an unknown operation, input that is not JSON or fails its schema, a
 * connector file with a broken mapping) each ending in a clear error with its exit status and no stack trace.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretStore } from '../../src/secrets/store.js';
import { cli, expectClean } from '../support/cli.js';
import { crmSeed, startFakeSystem, type FakeSystem } from '../support/fake-systems.js';
import { makeProject } from '../support/project.js';

const TOKEN = 'crm-token-5e1d9a7b3c';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setup(mapping = "{ 'customer': customerId, 'summary': summary }"): Promise<{ cwd: string; crm: FakeSystem }> {
  const crm = await startFakeSystem({ seed: crmSeed(), auth: { type: 'bearer', token: TOKEN } });
  cleanups.push(() => crm.close());
  const cwd = makeProject({
    'connectors/crm.yaml': `name: crm
kind: http
baseUrl: ${crm.url}
auth: { type: bearer, secret: CRM_TOKEN }
operations:
  customer:
    description: One customer by id.
    path: /customers/{id}
    input: { type: object, properties: { id: { type: string } }, required: [id] }
  open_ticket:
    description: Opens a ticket.
    method: POST
    path: /tickets
    input: { type: object, properties: { customerId: { type: string }, summary: { type: string } }, required: [customerId, summary] }
    request:
      body: "${mapping}"
`,
  });
  mkdirSync(path.join(cwd, '.baton'));
  // The key file is created beside the store: the CLI (with an empty environment) opens it the same way.
  SecretStore.open({ dataDir: path.join(cwd, '.baton'), env: {} }).set('CRM_TOKEN', TOKEN);
  return { cwd, crm };
}

describe('baton connectors and baton tool', () => {
  it('lists the operations with their kind, approval and schema', async () => {
    const { cwd } = await setup();
    const table = await cli(['connectors'], cwd);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/crm\.customer\s+read\s+never/);
    expect(table.stdout).toMatch(/crm\.open_ticket\s+side effect\s+untrusted\s+yes/);
    const json = await cli(['connectors', '--json'], cwd);
    const listed = JSON.parse(json.stdout) as Array<{ id: string; tool: string; inputSchema: unknown }>;
    expect(listed.map((entry) => entry.tool)).toEqual(['crm__customer', 'crm__open_ticket']);
    expect(listed[0]!.inputSchema).toMatchObject({ required: ['id'] });
  });

  it('shows the mapped request of a dry run, sends nothing, and shows no credential', async () => {
    const { cwd, crm } = await setup();
    const result = await cli(['tool', 'crm.open_ticket', '--dry-run', '--input', '{"customerId":"c-1001","summary":"broken lid"}', '--json'], cwd);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ operation: 'crm.open_ticket', sideEffect: true, target: `POST ${crm.url}/tickets`, request: { method: 'POST', body: { customer: 'c-1001', summary: 'broken lid' } } });
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
    expect(crm.requests).toHaveLength(0);
  });

  it('calls an operation by hand with the stored credential', async () => {
    const { cwd, crm } = await setup();
    const result = await cli(['tool', 'crm.customer', '--input', '{"id":"c-1002"}', '--json'], cwd);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ operation: 'crm.customer', output: { name: 'Grace Hopper' } });
    expect(crm.requests[0]!.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(result.stdout).not.toContain(TOKEN);
  });

  it.each([
    [['tool', 'crm.customers', '--input', '{}'], 64, /connector "crm" has no operation "customers"; it has: customer, open_ticket/],
    [['tool', 'crm.customer', '--input', '{id:'], 64, /--input is not JSON/],
    [['tool', 'crm.customer', '--input', '{"id": 7}'], 64, /input for crm\.customer is invalid: \/id must be string/],
    [['tool', 'crm.customer', '--input', '{"id":"c-9999"}'], 76, /404/],
  ])('refuses %j with a clear error (exit %i)', async (argv, code, message) => {
    const { cwd } = await setup();
    const result = await cli(argv as string[], cwd);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message as RegExp);
    expectClean(result.stderr);
  });

  it('refuses a connector file whose mapping does not compile, showing the expression, the position and the line', async () => {
    const { cwd } = await setup("{ 'customer': customerId,, }");
    const result = await cli(['connectors'], cwd);
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/crm\.yaml:\d+:\d+ \(at operations\.open_ticket\.request\.body\)/);
    expect(result.stderr).toMatch(/the JSONata expression does not compile/);
    expect(result.stderr).toMatch(/\^ at character \d+/);
    expectClean(result.stderr);
  });

  it('refuses a connector file that is not a connector, naming the field', async () => {
    const { cwd } = await setup();
    writeFileSync(path.join(cwd, 'connectors', 'erp.yaml'), 'name: erp\nkind: ftp\n');
    const result = await cli(['connectors'], cwd);
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/erp\.yaml:2/);
    expect(result.stderr).toMatch(/http.*sql.*slack.*teams.*mcp/);
    expectClean(result.stderr);
  });
});
