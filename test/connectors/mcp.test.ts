/**
 * The `mcp` connector against a real MCP server written with the SDK (test/support/mcp-test-server.ts), built through
 * the real loader from a connector file: over stdio (a child process) and over streamable HTTP on 127.0.0.1.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../src/connectors/errors.js';
import { loadConnectorFile } from '../../src/connectors/load.js';
import { createMcpConnector } from '../../src/connectors/mcp/index.js';
import type { Connector, Operation } from '../../src/connectors/types.js';
import { createRedactor } from '../../src/transcript/redact.js';
import { createTicketServer } from '../support/mcp-test-server.js';
import { temporaryDirectories } from '../support/project.js';

const REPOSITORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SECRET = 'tk_live_9f8e7d6c5b4a3210zz';
const SECRET_SHA256 = createHash('sha256').update(SECRET).digest('hex');
const secrets = { reveal: (name: string) => (name === 'TICKETS_TOKEN' ? SECRET : (() => { throw new Error(`no secret ${name}`); })()), names: () => ['TICKETS_TOKEN'] };
const directory = temporaryDirectories('baton-mcp-');

/**
 * A folder holding the test server as plain JavaScript (`server.mjs`, transpiled: child processes here have no
 * TypeScript loader) next to a link to the repository's node_modules, so it resolves the SDK and zod.
 */
function serverFolder(): string {
  const root = directory();
  const source = readFileSync(path.join(REPOSITORY, 'test', 'support', 'mcp-test-server.ts'), 'utf8');
  const output = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } });
  writeFileSync(path.join(root, 'server.mjs'), output.outputText);
  symlinkSync(path.join(REPOSITORY, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  mkdirSync(path.join(root, 'connectors'));
  return root;
}

const ALL_ALLOWED = ['lookup_ticket', 'create_ticket', 'search-tickets', 'fail_ticket', 'explode', 'check_token', 'slow'];

function stdioYaml(options: { allow?: string[]; extra?: string } = {}): string {
  return `name: tickets
kind: mcp
transport:
  type: stdio
  command: node
  args: [server.mjs]
  cwd: ..
  env:
    TICKETS_TOKEN: { secret: TICKETS_TOKEN }
    EXPECTED_TOKEN_SHA256: ${SECRET_SHA256}
allow: [${(options.allow ?? ALL_ALLOWED).map((name) => JSON.stringify(name)).join(', ')}]
timeoutMs: 1500
tools:
  create_ticket:
    records: { id: id }
  explode:
    sideEffect: true
  fail_ticket:
    approval: always
${options.extra ?? ''}`;
}

const open: Connector[] = [];
afterAll(async () => {
  for (const connector of open) await connector.close();
});

/** Writes the file, loads it with the real loader and builds the connector. */
function connectorFrom(root: string, yaml: string): Connector {
  const file = path.join(root, 'connectors', 'tickets.yaml');
  writeFileSync(file, yaml);
  const loaded = loadConnectorFile(file, secrets);
  const connector = createMcpConnector(loaded, { secrets, redact: createRedactor([SECRET]), baseDir: path.dirname(file) });
  open.push(connector);
  return connector;
}

async function byId(connector: Connector): Promise<Map<string, Operation>> {
  return new Map((await connector.operations()).map((operation) => [operation.id, operation]));
}

async function call(operations: Map<string, Operation>, id: string, input: unknown): Promise<Awaited<ReturnType<Operation['execute']>>> {
  const operation = operations.get(id);
  if (!operation) throw new Error(`no operation ${id}`);
  return operation.execute(await operation.prepare(input), {});
}

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(() => undefined, (reason: unknown) => reason);
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

describe('mcp connector over stdio', () => {
  let root: string;
  let connector: Connector;
  let operations: Map<string, Operation>;

  beforeAll(async () => {
    root = serverFolder();
    process.env['BATON_MCP_LEAK_CHECK'] = 'must-not-reach-the-server';
    connector = connectorFrom(root, stdioYaml());
    // Concurrent first callers share one connection (one child process).
    const [first, second] = await Promise.all([connector.operations(), connector.operations()]);
    expect(second).toBe(first);
    operations = await byId(connector);
  });
  afterAll(() => {
    delete process.env['BATON_MCP_LEAK_CHECK'];
  });

  it('exposes only the allowed tools, with ids that keep the server\'s names', () => {
    expect([...operations.keys()].sort()).toEqual(ALL_ALLOWED.map((name) => `tickets.${name}`).sort());
    expect(operations.has('tickets.delete_everything')).toBe(false);
    const search = operations.get('tickets.search-tickets')!;
    expect(search).toMatchObject({ connector: 'tickets', name: 'search-tickets', honoursKey: false, description: 'Searches tickets (no annotations).' });
    expect(search.inputSchema).toMatchObject({ type: 'object', required: ['query'] });
  });

  it('reads the side-effect flag from the annotations, and the file overrides it', () => {
    const flags = Object.fromEntries([...operations.values()].map((operation) => [operation.name, [operation.sideEffect, operation.approval]]));
    expect(flags['lookup_ticket']).toEqual([false, 'never']); // readOnlyHint
    expect(flags['create_ticket']).toEqual([true, 'untrusted']); // destructiveHint
    expect(flags['search-tickets']).toEqual([true, 'untrusted']); // no annotations: the safe default
    expect(flags['explode']).toEqual([true, 'untrusted']); // readOnlyHint, overridden by sideEffect: true
    expect(flags['fail_ticket']).toEqual([false, 'always']); // approval overridden
  });

  it('prepares a call without I/O or credentials, and calls tools end to end', async () => {
    const lookup = operations.get('tickets.lookup_ticket')!;
    const prepared = await lookup.prepare({ id: 'T-7' });
    expect(prepared).toEqual({ operation: 'tickets.lookup_ticket', target: 'mcp tickets lookup_ticket', request: { tool: 'lookup_ticket', arguments: { id: 'T-7' } } });
    // Text content holding JSON is parsed.
    expect((await lookup.execute(prepared, {})).output).toEqual({ id: 'T-7', title: 'Ticket T-7', status: 'open' });
    // Structured content is used as it is; the records mapping of the file applies.
    const created = await call(operations, 'tickets.create_ticket', { title: 'Printer on fire', priority: 'high' });
    expect(created.output).toMatchObject({ title: 'Printer on fire', priority: 'high' });
    expect(created.records).toEqual([{ id: (created.output as { id: string }).id, value: created.output }]);
    expect(created.summary).toBe('create_ticket: ok, 1 record');
    const again = await call(operations, 'tickets.create_ticket', { title: 'Second' });
    expect((again.output as { calls: number }).calls).toBe((created.output as { calls: number }).calls + 1);
    // Plain text stays text.
    expect((await call(operations, 'tickets.search-tickets', { query: 'printer' })).output).toBe('no tickets match printer');
  });

  it('refuses input that fails the tool\'s own schema before sending it', async () => {
    expect((await failure(operations.get('tickets.lookup_ticket')!.prepare({ id: 'seven' }))).code).toBe('CONNECTOR_INPUT_INVALID');
    const missing = await failure(operations.get('tickets.create_ticket')!.prepare({ priority: 'urgent' }));
    expect(missing.code).toBe('CONNECTOR_INPUT_INVALID');
    expect(missing.message).toMatch(/title/);
  });

  it('turns a result with isError into CONNECTOR_REJECTED with the tool\'s words', async () => {
    const error = await failure(call(operations, 'tickets.fail_ticket', { id: 'T-9' }));
    expect(error.code).toBe('CONNECTOR_REJECTED');
    expect(error.message).toContain('ticket T-9 is locked by another agent');
    expect(error.retryable).toBe(false);
  });

  it('gives the server its env secret, and no other variable of this process; the secret shows nowhere', async () => {
    const prepared = await operations.get('tickets.check_token')!.prepare({});
    expect(JSON.stringify(prepared)).not.toContain(SECRET);
    const { output } = await operations.get('tickets.check_token')!.execute(prepared, {});
    const report = output as { tokenOk: boolean; envKeys: string[] };
    expect(report.tokenOk).toBe(true);
    expect(report.envKeys).not.toContain('BATON_MCP_LEAK_CHECK');
    // PATH and the declared ones, plus the few the SDK always passes on.
    const permitted = new Set(['PATH', 'TICKETS_TOKEN', 'EXPECTED_TOKEN_SHA256', 'HOME', 'LOGNAME', 'SHELL', 'TERM', 'USER']);
    expect(report.envKeys.filter((key) => !permitted.has(key))).toEqual([]);
  });

  it('says which server exited and what it last wrote on stderr (redacted), then recovers on the next call', async () => {
    const before = (await call(operations, 'tickets.check_token', {})).output as { pid: number };
    const error = await failure(call(operations, 'tickets.explode', {}));
    expect(error.code).toBe('CONNECTOR_UNAVAILABLE');
    expect(error.message).toContain('the MCP server "tickets" (node server.mjs)');
    expect(error.message).toContain('boom: the ticket server exits on purpose');
    expect(error.message).toContain('token in hand: [REDACTED');
    expect(error.message).not.toContain(SECRET);
    expect(JSON.stringify(error.toJSON())).not.toContain(SECRET);
    // The next call starts the server again.
    const after = (await call(operations, 'tickets.check_token', {})).output as { pid: number; tokenOk: boolean };
    expect(after.tokenOk).toBe(true);
    expect(after.pid).not.toBe(before.pid);
    expect((await call(operations, 'tickets.lookup_ticket', { id: 'T-1' })).output).toMatchObject({ id: 'T-1' });
  });

  it('stops waiting at timeoutMs, and honours the caller\'s abort signal', async () => {
    const slow = operations.get('tickets.slow')!;
    const timedOut = await failure(slow.execute(await slow.prepare({ ms: 5000 }), {}));
    expect(timedOut.code).toBe('CONNECTOR_UNAVAILABLE');
    expect(timedOut.message).toMatch(/did not answer slow within 1500 ms/);
    const controller = new AbortController();
    const reason = new Error('stopped by the run');
    setTimeout(() => controller.abort(reason), 50);
    await expect(slow.execute(await slow.prepare({ ms: 1000 }), { signal: controller.signal })).rejects.toBe(reason);
    // The connection is still usable.
    expect((await call(operations, 'tickets.slow', { ms: 0 })).output).toEqual({ waited: 0 });
  });

  it('close() stops the child process, is safe twice, and later calls fail typed', async () => {
    const { pid } = (await call(operations, 'tickets.check_token', {})).output as { pid: number };
    await connector.close();
    await connector.close();
    expect(() => process.kill(pid, 0)).toThrow();
    expect((await failure(call(operations, 'tickets.lookup_ticket', { id: 'T-1' }))).code).toBe('CONNECTOR_UNAVAILABLE');
  });
});

describe('mcp connector: configuration against the server', () => {
  it('names the server\'s tools when an allowed tool does not exist', async () => {
    const root = serverFolder();
    const connector = connectorFrom(root, stdioYaml({ allow: ['lookup_ticket', 'close_ticket'] }).replace(/tools:[\s\S]*$/, ''));
    const error = await failure(connector.operations());
    expect(error.code).toBe('CONNECTOR_INVALID');
    expect(error.message).toContain('has no tool "close_ticket"');
    expect(error.message).toContain('it offers: check_token, create_ticket, delete_everything, explode');
  });

  it('reports a command that cannot start as CONNECTOR_UNAVAILABLE naming it', async () => {
    const root = serverFolder();
    const connector = connectorFrom(root, stdioYaml().replace('command: node', 'command: ./no-such-server'));
    const error = await failure(connector.operations());
    expect(error.code).toBe('CONNECTOR_UNAVAILABLE');
    expect(error.message).toContain('cannot connect to the MCP server "tickets" (./no-such-server server.mjs)');
  });
});

describe('mcp connector over streamable HTTP', () => {
  let http: Server;
  let url: string;
  const counter = { created: 0 };

  beforeAll(async () => {
    // Stateless: a fresh server and transport per request, as the SDK's examples serve it.
    http = createServer((request, response) => {
      if (request.method !== 'POST') {
        response.writeHead(405).end();
        return;
      }
      const server = createTicketServer({ token: (headers) => headers?.['x-api-key'] as string | undefined, expectedTokenSha256: SECRET_SHA256, counter, explode: () => undefined });
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      response.on('close', () => {
        void transport.close();
        void server.close();
      });
      void server.connect(transport).then(() => transport.handleRequest(request, response));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
  });
  afterAll(async () => {
    await new Promise((resolve) => http.close(resolve));
  });

  function httpYaml(): string {
    return `name: tickets
kind: mcp
transport:
  type: http
  url: ${url}
  headers:
    X-Api-Key: { secret: TICKETS_TOKEN }
allow: [lookup_ticket, create_ticket, check_token, fail_ticket]
`;
  }

  it('lists, calls and reads results like over stdio; a header secret reaches the server', async () => {
    const connector = connectorFrom(serverFolder(), httpYaml());
    const operations = await byId(connector);
    expect([...operations.keys()].sort()).toEqual(['tickets.check_token', 'tickets.create_ticket', 'tickets.fail_ticket', 'tickets.lookup_ticket']);
    expect(operations.get('tickets.create_ticket')!.sideEffect).toBe(true);
    expect((await call(operations, 'tickets.lookup_ticket', { id: 'T-3' })).output).toEqual({ id: 'T-3', title: 'Ticket T-3', status: 'open' });
    expect((await call(operations, 'tickets.create_ticket', { title: 'Over HTTP' })).output).toMatchObject({ title: 'Over HTTP', calls: 1 });
    expect((await call(operations, 'tickets.check_token', {})).output).toMatchObject({ tokenOk: true });
    expect((await failure(call(operations, 'tickets.fail_ticket', { id: 'T-4' }))).code).toBe('CONNECTOR_REJECTED');
    await connector.close();
  });

  it('reports a server that stopped answering as CONNECTOR_UNAVAILABLE without the header secret', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const connector = connectorFrom(serverFolder(), httpYaml().replace(url, `http://127.0.0.1:${port}/mcp`));
    const error = await failure(connector.operations());
    expect(error.code).toBe('CONNECTOR_UNAVAILABLE');
    expect(error.message).toContain(`at http://127.0.0.1:${port}/mcp`);
    expect(error.message).not.toContain(SECRET);
  });
});
