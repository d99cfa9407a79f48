/**
 * The `mcp` connector kind: the tools of an MCP server, reached over stdio (a child process) or streamable HTTP, as
 * Baton operations. Unlike the static kinds, the operations are not in the file but asked of the server (once, on
 * first use), and only the tools the file's `allow` list names are exposed: a server that grows a new tool gives Baton
 * nothing until someone allows it.
 *
 * Whether a tool changes something comes from the server's own annotations (read-only tools do not; destructive ones
 * and tools that say nothing do, the safe default), unless the file's `tools:` entry overrides it. The input is checked
 * against the server's schema before anything is sent; the response and records mappings come from the file.
 */
import { ConnectorError } from '../errors.js';
import { createKit, SchemaProblem, type OperationKit } from '../kit.js';
import type { ConnectorFactory, LoadedConnector } from '../load.js';
import type { McpConnectorConfig } from '../schema.js';
import type { CallResult, Operation, PreparedCall } from '../types.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { describeServer, McpLink, type McpSession } from './connection.js';
import { callFailure, errorText, rawValue } from './result.js';

/** What model providers accept as a tool name (OpenAI, Anthropic, Gemini): the model sees `${connector}__${tool}`. */
export const MODEL_TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_MODEL_TOOL_NAME = 64;

/**
 * Why an allowed tool cannot be offered to a model under `${connector}__${tool}`, or undefined when it can: the whole
 * name must match {@link MODEL_TOOL_NAME}, so the tool's own name holds only letters, digits, `_` and `-` (no `.`,
 * which would also split the operation id `connector.tool`) and leaves room for the connector's name and `__`.
 */
export function toolNameProblem(connector: string, tool: string): string | undefined {
  const room = MAX_MODEL_TOOL_NAME - connector.length - 2;
  if (!/^[A-Za-z0-9_-]+$/.test(tool)) return `it may hold only letters, digits, _ and - (model tool names must match ${MODEL_TOOL_NAME.source})`;
  if (tool.length > room) return `it is ${tool.length} characters long; the model sees "${connector}__${tool}", which must be at most ${MAX_MODEL_TOOL_NAME} characters, so a tool of connector "${connector}" may have at most ${room}`;
  return undefined;
}

/** The JSON Schema dialect the kit's validator speaks; a schema naming another one is read as this one. */
const DIALECT_2020 = 'https://json-schema.org/draft/2020-12/schema';

/**
 * The tool's input schema as the kit can compile it. MCP servers built with the SDK declare draft-07 (`$schema`), which
 * the kit's draft 2020-12 validator refuses to compile by that name; the keywords tool schemas use read the same in
 * both drafts, so the declaration is dropped.
 */
export function validatableSchema(schema: Record<string, unknown>): Record<string, unknown> {
  if (typeof schema['$schema'] !== 'string' || schema['$schema'].replace(/#$/, '') === DIALECT_2020) return schema;
  const { $schema: _declared, ...rest } = schema;
  return rest;
}

/** Side effect by the annotations: only a tool that says it is read-only (and not destructive) has none. */
export function toolSideEffect(tool: Pick<Tool, 'annotations'>): boolean {
  const annotations = tool.annotations ?? {};
  return annotations.destructiveHint === true || annotations.readOnlyHint !== true;
}

function mcpConfig(loaded: LoadedConnector): McpConnectorConfig {
  if (loaded.config.kind !== 'mcp') throw new ConnectorError('CONNECTOR_INVALID', `the connector "${loaded.config.name}" is of kind ${loaded.config.kind}, not mcp`, { operation: loaded.config.name });
  return loaded.config;
}

function argumentsOf(call: PreparedCall): Record<string, unknown> {
  const value = call.request['arguments'];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export const createMcpConnector: ConnectorFactory = (loaded, deps) => {
  const config = mcpConfig(loaded);
  const link = new McpLink(config, deps);
  const server = describeServer(config);
  let listing: Promise<Operation[]> | undefined;

  /** Refuses allowed tools a model could not be offered, before anything is started or connected. */
  function checkToolNames(): void {
    const problems = config.allow.flatMap((tool) => {
      const problem = toolNameProblem(config.name, tool);
      return problem ? [`"${tool}": ${problem}`] : [];
    });
    if (problems.length) {
      throw new ConnectorError('CONNECTOR_INVALID', `the MCP connector "${config.name}" (${loaded.file}) allows tool names a model cannot be given: ${problems.join('; ')}`, { operation: config.name }, {
        hint: 'allow only tools whose names fit (a shorter connector name leaves more room); Baton does not rename a server\'s tools',
      });
    }
  }

  /** The allowed tools of a session's listing; an allowed tool the server lacks is a configuration error. */
  function allowedTools(session: McpSession): Tool[] {
    const byName = new Map(session.tools.map((tool) => [tool.name, tool]));
    const missing = config.allow.filter((name) => !byName.has(name));
    if (missing.length) {
      const offered = [...byName.keys()].sort().join(', ') || 'none';
      throw new ConnectorError('CONNECTOR_INVALID', `${server} has no tool ${missing.map((name) => `"${name}"`).join(', ')} named in allow (${loaded.file}); it offers: ${offered}`, { operation: config.name }, {
        hint: 'fix the names in allow: [...] (they are the server\'s own tool names)',
      });
    }
    return config.allow.map((name) => byName.get(name) as Tool);
  }

  function operation(tool: Tool): Operation {
    const id = `${config.name}.${tool.name}`;
    const override = config.tools[tool.name] ?? {};
    let kit: OperationKit;
    try {
      kit = createKit(id, validatableSchema(tool.inputSchema as Record<string, unknown>), loaded.mappings.get(tool.name) ?? new Map());
    } catch (error) {
      if (!(error instanceof SchemaProblem)) throw error;
      throw new ConnectorError('CONNECTOR_INVALID', `${server} lists tool "${tool.name}" with an input schema Baton cannot use: ${error.message}`, { operation: id }, { cause: error });
    }
    const sideEffect = override.sideEffect ?? toolSideEffect(tool);
    return {
      id,
      connector: config.name,
      name: tool.name,
      description: tool.description ?? tool.title ?? '',
      inputSchema: kit.inputSchema,
      sideEffect,
      approval: override.approval ?? (sideEffect ? 'untrusted' : 'never'),
      // MCP has no idempotency key: a side effect whose outcome is unknown stops for a person.
      honoursKey: false,
      async prepare(input) {
        return { operation: id, target: `mcp ${config.name} ${tool.name}`, request: { tool: tool.name, arguments: kit.validate(input) } };
      },
      execute: (call, options) => execute(tool, kit, call, options),
    };
  }

  async function execute(tool: Tool, kit: OperationKit, call: PreparedCall, options: { signal?: AbortSignal }): Promise<CallResult> {
    const id = kit.id;
    if (call.operation !== id) throw new ConnectorError('CONNECTOR_UNKNOWN', `a call prepared for ${call.operation} was given to ${id}`, { operation: id });
    if (options.signal?.aborted) throw abortReason(options.signal);
    const session = await link.session();
    let result;
    try {
      result = await session.client.callTool({ name: tool.name, arguments: argumentsOf(call) }, undefined, { timeout: config.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      if (options.signal?.aborted) throw abortReason(options.signal);
      // A child's last stderr lines are piped through asynchronously: let them arrive before quoting them.
      if (session.closed) await new Promise((resolve) => setImmediate(resolve));
      const failure = callFailure(error, { operation: id, tool: tool.name, server, timeoutMs: config.timeoutMs, closed: session.closed, stderrNote: session.stderrNote, hide: session.hide });
      if (failure.dropConnection) await link.drop(session);
      throw failure.error;
    }
    if (!('content' in result)) throw new ConnectorError('CONNECTOR_RESPONSE_INVALID', `${server} answered ${tool.name} in the old toolResult form, which Baton does not read`, { operation: id });
    // The SDK's inferred result type differs from its exported one only in `_meta`'s shape.
    const answer = result as CallToolResult;
    if (answer.isError) throw new ConnectorError('CONNECTOR_REJECTED', `${tool.name} refused: ${session.hide(errorText(answer))}`, { operation: id, status: 'isError' });
    const { output, records } = await kit.result(rawValue(answer));
    return { output, records, summary: `${tool.name}: ok${records.length ? `, ${records.length} record${records.length === 1 ? '' : 's'}` : ''}`, status: 'ok' };
  }

  return {
    name: config.name,
    kind: 'mcp',
    file: loaded.file,
    operations() {
      if (listing) return listing;
      const attempt = Promise.resolve()
        .then(checkToolNames)
        .then(() => link.session())
        .then((session) => allowedTools(session).map(operation));
      listing = attempt;
      // A failed listing (server down, a wrong allow list) is not cached: the next call asks again.
      attempt.catch(() => {
        if (listing === attempt) listing = undefined;
      });
      return attempt;
    },
    close: () => link.close(),
  };
};

/** Like `fetch`: an aborted call rejects with the signal's reason (the runtime puts a typed error there). */
function abortReason(signal: AbortSignal): unknown {
  return signal.reason instanceof Error ? signal.reason : new ConnectorError('CONNECTOR_UNAVAILABLE', 'the call was cancelled');
}
