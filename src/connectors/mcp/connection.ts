/**
 * One live connection to an MCP server, opened when first needed and shared by every caller: a child process spoken to
 * over stdio, or a streamable HTTP endpoint. The child gets a small environment (PATH, the SDK's few safe defaults,
 * and what the file declares, secrets revealed only here), so Baton's own API keys never reach a third-party server.
 * Its stderr is kept (the last few kilobytes) because it is usually the only place a crashing server says why.
 *
 * A connection that closes (the server exited, the HTTP session vanished) is dropped, and the next call opens a new
 * one: a crashed server costs the calls in flight, not the rest of the run.
 */
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { ConnectorError } from '../errors.js';
import type { McpConnectorConfig } from '../schema.js';
import type { ConnectorDeps } from '../types.js';

/** Bytes of the server's stderr kept, and lines of it quoted in an error. */
const STDERR_KEPT = 8 * 1024;
const STDERR_QUOTED_LINES = 8;
/** Pages of `tools/list` read at most (a server that pages forever cannot hang the connector). */
const MAX_TOOL_PAGES = 50;
/** How long a child gets to exit on its own once its stdin is closed. */
const CLOSE_GRACE_MS = 250;

/** The end of a child's stderr, bounded, for error messages. */
export class StderrTail {
  private text = '';
  push(chunk: string): void {
    this.text = (this.text + chunk).slice(-STDERR_KEPT);
  }
  lines(count = STDERR_QUOTED_LINES): string[] {
    return this.text
      .split(/\r?\n/)
      .map((line) => line.trimEnd())
      .filter((line) => line !== '')
      .slice(-count);
  }
}

/** An open connection: its client, the tools the server listed on it, and whether it has closed since. */
export interface McpSession {
  readonly client: Client;
  readonly tools: readonly Tool[];
  readonly closed: boolean;
  /** The last lines the server wrote on stderr, hidden and redacted, as `; its stderr ended with: ...`, or ''. */
  stderrNote(): string;
  /** Removes the secrets this connection revealed, and every stored one, from a text. */
  hide(text: string): string;
  close(): Promise<void>;
}

/** Who the connector talks to, for messages: `the MCP server "tickets" (node server.mjs)`. Never carries a credential. */
export function describeServer(config: McpConnectorConfig): string {
  const { transport } = config;
  if (transport.type === 'stdio') return `the MCP server "${config.name}" (${[transport.command, ...transport.args].join(' ')})`;
  const url = new URL(transport.url);
  return `the MCP server "${config.name}" at ${url.origin}${url.pathname}`;
}

/** Replaces revealed secret values in a text, then applies the store's redactor. */
export function hider(deps: ConnectorDeps, revealed: readonly string[]): (text: string) => string {
  const values = revealed.filter((value) => value.length > 0).sort((left, right) => right.length - left.length);
  return (text) => deps.redact(values.reduce((result, value) => result.split(value).join('[REDACTED:secret]'), text));
}

function valueOf(value: string | { secret: string }, deps: ConnectorDeps, revealed: string[]): string {
  if (typeof value === 'string') return value;
  const secret = deps.secrets.reveal(value.secret);
  revealed.push(secret);
  return secret;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Lists every tool, following `nextCursor`. */
async function listAllTools(client: Client, timeoutMs: number): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_TOOL_PAGES; page += 1) {
    const listed = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout: timeoutMs });
    tools.push(...listed.tools);
    cursor = listed.nextCursor;
    if (cursor === undefined) break;
  }
  return tools;
}

/**
 * Starts the server (or reaches the endpoint), runs the MCP handshake and lists its tools, within `timeoutMs` per
 * request. CONNECTOR_UNAVAILABLE, naming the server and quoting its stderr, when any of that fails.
 */
export async function openSession(config: McpConnectorConfig, deps: ConnectorDeps, onClose: () => void): Promise<McpSession> {
  const revealed: string[] = [];
  const hide = hider(deps, revealed);
  const tail = new StderrTail();
  const { transport: spec } = config;
  let transport: StdioClientTransport | StreamableHTTPClientTransport;
  if (spec.type === 'stdio') {
    const cwd = path.resolve(deps.baseDir, spec.cwd ?? '.');
    // A command given as a relative path (./server) is the file's neighbour, like the cwd; a bare name is on PATH.
    const command = spec.command.includes('/') || spec.command.includes('\\') ? path.resolve(cwd, spec.command) : spec.command;
    // The SDK adds HOME, LOGNAME, SHELL, TERM and USER from this process (tools such as npx need them); nothing else.
    const env: Record<string, string> = {};
    if (process.env['PATH'] !== undefined) env['PATH'] = process.env['PATH'];
    for (const [name, value] of Object.entries(spec.env)) env[name] = valueOf(value, deps, revealed);
    const stdio = new StdioClientTransport({ command, args: spec.args, env, cwd, stderr: 'pipe' });
    stdio.stderr?.on('data', (chunk: Buffer | string) => tail.push(chunk.toString()));
    stdio.stderr?.on('error', () => undefined);
    transport = stdio;
  } else {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(spec.headers)) headers[name] = valueOf(value, deps, revealed);
    transport = new StreamableHTTPClientTransport(new URL(spec.url), { requestInit: { headers }, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
  }

  let closed = false;
  const client = new Client({ name: 'baton', version: '0.1.0' });
  client.onclose = () => {
    closed = true;
    onClose();
  };
  // Transport errors also reach the pending request (or the next one) as a rejection; nothing to add here.
  client.onerror = () => undefined;
  const stderrNote = (): string => {
    const lines = tail.lines();
    return lines.length ? `; its stderr ended with: ${hide(lines.join(' | '))}` : '';
  };
  const close = async (): Promise<void> => {
    closed = true;
    if (transport instanceof StreamableHTTPClientTransport && transport.sessionId !== undefined) await transport.terminateSession().catch(() => undefined);
    // The SDK ends the child's stdin and waits two seconds before SIGTERM (then SIGKILL); many servers do not exit
    // on a closed stdin, so they get SIGTERM sooner.
    const pid = transport instanceof StdioClientTransport ? transport.pid : null;
    const closing = client.close().catch(() => undefined);
    if (pid === null) return closing;
    const timer = setTimeout(() => {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }, CLOSE_GRACE_MS);
    await closing;
    clearTimeout(timer);
  };
  let tools: Tool[];
  try {
    await client.connect(transport, { timeout: config.timeoutMs });
    tools = await listAllTools(client, config.timeoutMs);
  } catch (error) {
    await close();
    // The child's last stderr lines are piped through asynchronously: let them arrive before quoting them.
    await new Promise((resolve) => setImmediate(resolve));
    throw new ConnectorError('CONNECTOR_UNAVAILABLE', `cannot connect to ${describeServer(config)}: ${hide(message(error))}${stderrNote()}`, { operation: config.name, retryable: true }, {
      cause: error,
      hint: spec.type === 'stdio' ? 'run the command by hand from the connector file\'s folder to see whether it starts' : 'check that the server runs and answers MCP at that URL',
    });
  }
  return {
    client,
    tools,
    get closed() {
      return closed;
    },
    stderrNote,
    hide,
    close,
  };
}

/**
 * The connector's one shared connection: opened on first use (concurrent callers wait on the same promise), forgotten
 * when it closes or fails, so the next caller opens a new one.
 */
export class McpLink {
  private current: Promise<McpSession> | undefined;
  private ended = false;

  constructor(
    private readonly config: McpConnectorConfig,
    private readonly deps: ConnectorDeps,
  ) {}

  session(): Promise<McpSession> {
    if (this.ended) return Promise.reject(new ConnectorError('CONNECTOR_UNAVAILABLE', `the connector "${this.config.name}" is closed`, { operation: this.config.name }));
    if (this.current) return this.current;
    const opening: Promise<McpSession> = openSession(this.config, this.deps, () => this.forget(opening));
    this.current = opening;
    opening.catch(() => this.forget(opening));
    return opening;
  }

  /** Drops a session that failed; the next call opens a new one. */
  async drop(session: McpSession): Promise<void> {
    const current = this.current;
    if (current && (await current.catch(() => undefined)) === session) this.forget(current);
    await session.close();
  }

  /** Closes the connection (and stops the child process); later calls fail. Safe to call twice. */
  async close(): Promise<void> {
    this.ended = true;
    const current = this.current;
    this.current = undefined;
    if (current) await current.then((session) => session.close(), () => undefined);
  }

  private forget(session: Promise<McpSession>): void {
    if (this.current === session) this.current = undefined;
  }
}
