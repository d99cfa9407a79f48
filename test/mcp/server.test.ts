/**
 * Baton's MCP tools in-process: the SDK client talks to `createBatonMcpServer` over an in-memory transport, on a real
 * runtime and dispatcher (the offline engine answers), so queueing, positions and refusals are checked without a build.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logging.js';
import { createBatonMcpServer } from '../../src/mcp/server.js';
import { RunDispatcher } from '../../src/runtime/dispatcher.js';
import { eventually, makeRuntime, type TestRuntime } from '../server/helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A client connected to Baton's MCP server on a fresh runtime; `execute: false` leaves runs queued. */
async function connect(options: { execute?: boolean; maxQueued?: number } = {}): Promise<{ client: Client; test: TestRuntime }> {
  const test = await makeRuntime();
  cleanups.push(() => test.cleanup());
  const dispatcher = new RunDispatcher({ runtime: test.runtime, logger: silentLogger(), concurrency: 2, execute: options.execute ?? true, ...(options.maxQueued ? { maxQueued: options.maxQueued } : {}) });
  await dispatcher.start();
  cleanups.push(async () => void (await dispatcher.shutdown(5000)));
  const server = createBatonMcpServer({ store: test.runtime.store, dispatcher, version: '0.0.0-test' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(clientSide);
  cleanups.push(async () => {
    await client.close();
    await server.close();
  });
  return { client, test };
}

async function tool(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

function json(result: CallToolResult): Record<string, unknown> {
  expect(result.isError ?? false).toBe(false);
  expect(result.structuredContent).toBeDefined();
  const first = result.content[0];
  expect(first?.type).toBe('text');
  const parsed = JSON.parse((first as { text: string }).text) as Record<string, unknown>;
  expect(parsed).toEqual(result.structuredContent);
  return parsed;
}

describe('Baton\'s MCP tools', () => {
  it('queue a run through the dispatcher, which executes it; status and transcript come from the store', async () => {
    const { client, test } = await connect();
    const { runId } = json(await tool(client, 'start_run', { goal: 'What is Baton?', priority: 'batch' })) as { runId: string };
    expect((await test.runtime.store.getRun(runId)).labels).toMatchObject({ priority: 'batch' });
    const status = await eventually(async () => {
      const view = json(await tool(client, 'run_status', { runId }));
      return view['finished'] ? view : undefined;
    }, 20_000, 'the run to finish');
    expect(status).toMatchObject({ status: 'approved', verified: true, objections: [], error: null });
    expect(status['answer']).toContain('Baton');
    const transcript = json(await tool(client, 'run_transcript', { runId, limit: 500 }));
    expect(transcript['turns']).toEqual(await test.runtime.store.turns(runId));
  });

  it('report a queued run with its position and no answer yet', async () => {
    const { client } = await connect({ execute: false });
    json(await tool(client, 'start_run', { goal: 'What is Baton?' }));
    const { runId } = json(await tool(client, 'start_run', { goal: 'What does the checker do?' })) as { runId: string };
    expect(json(await tool(client, 'run_status', { runId }))).toMatchObject({ status: 'queued', finished: false, verified: false, answer: null, citations: [], position: 2, totals: { rounds: 0 } });
  });

  it('refuse a run beyond the queue limit as a tool error, and check arguments by their schema', async () => {
    const { client } = await connect({ execute: false, maxQueued: 1 });
    json(await tool(client, 'start_run', { goal: 'What is Baton?' }));
    const refused = await tool(client, 'start_run', { goal: 'What is Baton, again?' });
    expect(refused.isError).toBe(true);
    expect(refused.content[0]).toMatchObject({ type: 'text', text: expect.stringContaining('UNAVAILABLE: too many runs are waiting') });
    const badPriority = await tool(client, 'start_run', { goal: 'What is Baton?', priority: 'asap' });
    expect(badPriority.isError).toBe(true);
    const badLimit = await tool(client, 'run_transcript', { runId: 'run_x', limit: 0 });
    expect(badLimit.isError).toBe(true);
  });
});
