/**
 * `baton mcp serve` as a real MCP server: the built CLI is started by the SDK's stdio client in a temp project with no
 * config (the offline engine and the sample knowledge answer), a run is started, followed to its end and read back.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCliCopy, type BuiltCli } from '../support/built-cli.js';
import { temporaryDirectories } from '../support/project.js';

const directory = temporaryDirectories('baton-mcp-serve-');

function json(result: Awaited<ReturnType<Client['callTool']>>): Record<string, unknown> {
  const content = (result as CallToolResult).content;
  const first = content[0];
  if (first?.type !== 'text') throw new Error(`expected a text answer, got ${JSON.stringify(result)}`);
  return JSON.parse(first.text) as Record<string, unknown>;
}

function errorText(result: Awaited<ReturnType<Client['callTool']>>): string {
  const answer = result as CallToolResult;
  expect(answer.isError).toBe(true);
  return answer.content.map((item) => (item.type === 'text' ? item.text : '')).join('');
}

describe('baton mcp serve over stdio', () => {
  let cli: BuiltCli;
  let client: Client;
  let transport: StdioClientTransport;
  let stderr = '';
  const protocolErrors: Error[] = [];

  beforeAll(async () => {
    cli = buildCliCopy();
    const cwd = directory();
    transport = new StdioClientTransport({ command: process.execPath, args: [cli.executable, 'mcp', 'serve'], cwd, env: { PATH: process.env['PATH'] ?? '', HOME: cwd, NO_COLOR: '1' }, stderr: 'pipe' });
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    client = new Client({ name: 'baton-test', version: '1.0.0' });
    // Anything but protocol messages on stdout would show up here as a parse error.
    client.onerror = (error) => protocolErrors.push(error);
    await client.connect(transport).catch((error: unknown) => {
      throw new Error(`baton mcp serve did not start: ${String(error)}\n${stderr}`);
    });
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    cli?.remove();
  });

  it('lists its three tools, and says on stderr (not stdout) that it serves', async () => {
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    expect([...byName.keys()].sort()).toEqual(['run_status', 'run_transcript', 'start_run']);
    expect(byName.get('run_status')?.annotations?.readOnlyHint).toBe(true);
    expect(byName.get('start_run')?.inputSchema.required).toEqual(['goal']);
    expect(stderr).toContain('Baton serves MCP on stdio');
  });

  it('starts a run, follows it to its verified answer, and reads its transcript', { timeout: 90_000 }, async () => {
    const started = json(await client.callTool({ name: 'start_run', arguments: { goal: 'What is Baton?', priority: 'urgent' } }));
    expect(started['status']).toBe('queued');
    const runId = started['runId'] as string;
    expect(runId).toMatch(/^run_/);

    let status: Record<string, unknown> = {};
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      status = json(await client.callTool({ name: 'run_status', arguments: { runId } }));
      if (status['finished'] === true) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toMatchObject({ runId, goal: 'What is Baton?', status: 'approved', finished: true, verified: true, error: null });
    expect(status['answer']).toContain('Baton is an open-source TypeScript runtime');
    expect((status['citations'] as unknown[]).length).toBeGreaterThan(0);
    expect(status['totals']).toMatchObject({ rounds: 1 });

    const whole = json(await client.callTool({ name: 'run_transcript', arguments: { runId } }));
    const turns = whole['turns'] as Array<{ kind: string; role: string; messages: Array<{ content: unknown }> }>;
    expect(whole).toMatchObject({ runId, status: 'approved', omitted: 0, damaged: 0 });
    expect(whole['total']).toBe(turns.length);
    expect(turns[0]).toMatchObject({ kind: 'supervisor', messages: [{ role: 'user', content: 'What is Baton?' }] });
    expect(turns.map((turn) => turn.kind)).toEqual(expect.arrayContaining(['planner', 'researcher', 'checker']));

    const latest = json(await client.callTool({ name: 'run_transcript', arguments: { runId, limit: 2 } }));
    expect((latest['turns'] as unknown[]).length).toBe(2);
    expect(latest['omitted']).toBe(turns.length - 2);
    expect(latest['turns']).toEqual(turns.slice(-2));
  });

  it('answers a bad goal or an unknown run with a tool error that says what is wrong', async () => {
    expect(errorText(await client.callTool({ name: 'start_run', arguments: { goal: '   ' } }))).toMatch(/^GOAL_INVALID: the goal is empty/);
    expect(errorText(await client.callTool({ name: 'run_status', arguments: { runId: 'run_nope' } }))).toContain('RUN_NOT_FOUND: no run with id "run_nope"');
    expect(errorText(await client.callTool({ name: 'run_transcript', arguments: { runId: 'run_nope' } }))).toContain('RUN_NOT_FOUND');
  });

  it('wrote nothing but protocol messages on stdout, and exits on its own when the client closes stdin', async () => {
    expect(protocolErrors).toEqual([]);
    const pid = transport.pid;
    expect(pid).not.toBeNull();
    const startedClosing = Date.now();
    await client.close();
    // The SDK sends SIGTERM after 2 s; a server that left by itself was gone before that.
    expect(Date.now() - startedClosing).toBeLessThan(2000);
    expect(() => process.kill(pid!, 0)).toThrow();
    expect(stderr).not.toContain('internal error');
  });
});
