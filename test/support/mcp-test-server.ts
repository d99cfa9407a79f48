/**
 * A small MCP server for the `mcp` connector's tests, written with the SDK like a real third-party server: a ticket
 * system whose tools carry the annotations the connector reads (read-only, destructive, none), one tool that fails with
 * `isError`, one that kills its own process, and one that tells whether the credential it was given arrived.
 *
 * Imported, it gives {@link createTicketServer} (the tests serve it over streamable HTTP on 127.0.0.1). Run as a
 * script, it serves itself over stdio; the tests transpile it into a temporary `.mjs` first (this repository has no
 * TypeScript loader for child processes), so it imports nothing but the SDK, zod and Node.
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

export interface TicketServerOptions {
  /** The credential as this server received it (an env variable over stdio, a header over HTTP). */
  token: (headers: Record<string, string | string[] | undefined> | undefined) => string | undefined;
  /** SHA-256 (hex) of the credential expected; the test passes the hash so the value itself is written nowhere. */
  expectedTokenSha256: string | undefined;
  /** Counts `create_ticket` calls (shared across the per-request servers of stateless HTTP). */
  counter: { created: number };
  /** What `explode` does: exit the process over stdio. */
  explode: () => never | void;
}

function json(value: unknown): { type: 'text'; text: string } {
  return { type: 'text', text: JSON.stringify(value) };
}

export function createTicketServer(options: TicketServerOptions): McpServer {
  const server = new McpServer({ name: 'ticket-test-server', version: '1.0.0' });
  server.registerTool(
    'lookup_ticket',
    { description: 'Reads one ticket by id.', inputSchema: { id: z.string().regex(/^T-\d+$/) }, annotations: { readOnlyHint: true } },
    // Text only, holding JSON: the connector parses it.
    async ({ id }) => ({ content: [json({ id, title: `Ticket ${id}`, status: 'open' })] }),
  );
  server.registerTool(
    'create_ticket',
    { description: 'Opens a ticket.', inputSchema: { title: z.string().min(1), priority: z.enum(['low', 'high']).optional() }, annotations: { destructiveHint: true } },
    async ({ title, priority }) => {
      options.counter.created += 1;
      const ticket = { id: `T-${100 + options.counter.created}`, title, priority: priority ?? 'low', calls: options.counter.created };
      return { content: [json(ticket)], structuredContent: ticket };
    },
  );
  server.registerTool('search-tickets', { description: 'Searches tickets (no annotations).', inputSchema: { query: z.string() } }, async ({ query }) => ({
    content: [{ type: 'text', text: `no tickets match ${query}` }],
  }));
  server.registerTool('fail_ticket', { description: 'Always refuses.', inputSchema: { id: z.string() }, annotations: { readOnlyHint: true } }, async ({ id }) => ({
    isError: true,
    content: [{ type: 'text', text: `ticket ${id} is locked by another agent` }],
  }));
  server.registerTool('explode', { description: 'Kills the server process.', annotations: { readOnlyHint: true } }, async (_extra) => {
    process.stderr.write('starting the detonator\n');
    process.stderr.write(`token in hand: ${process.env['TICKETS_TOKEN'] ?? 'none'}\n`);
    process.stderr.write('boom: the ticket server exits on purpose\n');
    options.explode();
    return { content: [] };
  });
  server.registerTool('check_token', { description: 'Says whether the credential arrived, and which environment variables the process has.', annotations: { readOnlyHint: true } }, async (extra) => {
    const token = options.token(extra.requestInfo?.headers);
    const tokenOk = token !== undefined && options.expectedTokenSha256 !== undefined && createHash('sha256').update(token).digest('hex') === options.expectedTokenSha256;
    return { content: [json({ tokenOk, pid: process.pid, envKeys: Object.keys(process.env).sort() })] };
  });
  server.registerTool('slow', { description: 'Answers after a while.', inputSchema: { ms: z.number().int().min(0).max(60_000) }, annotations: { readOnlyHint: true } }, async ({ ms }) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return { content: [json({ waited: ms })] };
  });
  server.registerTool('delete_everything', { description: 'Not on any allow list.', annotations: { destructiveHint: true } }, async () => ({ content: [json({ deleted: true })] }));
  return server;
}

const script = process.argv[1];
if (script !== undefined && import.meta.url === pathToFileURL(script).href) {
  const server = createTicketServer({
    token: () => process.env['TICKETS_TOKEN'],
    expectedTokenSha256: process.env['EXPECTED_TOKEN_SHA256'],
    counter: { created: 0 },
    explode: () => process.exit(3),
  });
  process.stderr.write('ticket test server ready on stdio\n');
  await server.connect(new StdioServerTransport());
}
