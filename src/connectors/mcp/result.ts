/**
 * Reading what an MCP tool call gave back, and naming what went wrong. A tool answers with `structuredContent` (JSON,
 * used as it is), or with content items, of which the text ones carry the answer (often JSON written as text, which is
 * parsed so the response mapping can reach into it). A tool that answers `isError` refused: the role may act on its
 * words, so that is CONNECTOR_REJECTED, never retried. A server that is gone or silent is CONNECTOR_UNAVAILABLE.
 */
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ConnectorError } from '../errors.js';

/** Characters of a tool's error text quoted in a message. */
const MAX_QUOTED = 2000;

type ContentItem = CallToolResult['content'][number];

function textOf(content: readonly ContentItem[]): string[] {
  return content.flatMap((item) => (item.type === 'text' ? [item.text] : []));
}

/** A non-text item without its bytes: what it is, for the output (images and audio are not passed on as base64). */
function describeItem(item: ContentItem): Record<string, unknown> {
  switch (item.type) {
    case 'image':
    case 'audio':
      return { type: item.type, mimeType: item.mimeType };
    case 'resource':
      return { type: item.type, uri: item.resource.uri, ...('text' in item.resource ? { text: item.resource.text } : {}) };
    case 'resource_link':
      return { type: item.type, uri: item.uri, name: item.name };
    default:
      return { type: item.type };
  }
}

/** The value a tool result stands for: its structured content, else its text (parsed when it is JSON). */
export function rawValue(result: CallToolResult): unknown {
  if (result.structuredContent !== undefined) return result.structuredContent;
  const content = result.content ?? [];
  const texts = textOf(content);
  if (texts.length === 0) return content.length ? content.map(describeItem) : null;
  const text = texts.join('\n');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A tool's own words when it answered `isError`, bounded. */
export function errorText(result: CallToolResult): string {
  const text = textOf(result.content ?? []).join(' ').trim() || 'no details given';
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
}

/** What a failed call means for the connection: keep it, or drop it and open a new one on the next call. */
export interface CallFailure {
  error: ConnectorError;
  /** The connection is unusable (closed, unreachable): drop it. */
  dropConnection: boolean;
}

export interface FailureContext {
  operation: string;
  tool: string;
  server: string;
  timeoutMs: number;
  closed: boolean;
  /** `; its stderr ended with: ...` or ''. */
  stderrNote: () => string;
  hide: (text: string) => string;
}

/** Maps an error thrown by `callTool` to a typed ConnectorError. */
export function callFailure(error: unknown, context: FailureContext): CallFailure {
  const { operation, tool, server, hide } = context;
  const words = hide(error instanceof Error ? error.message : String(error));
  if (context.closed || (error instanceof McpError && error.code === ErrorCode.ConnectionClosed)) {
    return {
      error: new ConnectorError('CONNECTOR_UNAVAILABLE', `${server} closed the connection during ${tool} (the server exited or hung up)${context.stderrNote()}`, { operation, retryable: true }, {
        cause: error,
        hint: 'the next call starts the server again; if it keeps exiting, run its command by hand to see why',
      }),
      dropConnection: true,
    };
  }
  if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
    return { error: new ConnectorError('CONNECTOR_UNAVAILABLE', `${server} did not answer ${tool} within ${context.timeoutMs} ms`, { operation, retryable: true }, { cause: error, hint: 'raise timeoutMs in the connector file if the tool is slow' }), dropConnection: false };
  }
  if (error instanceof McpError) {
    // The client checks structured content against the tool's declared output schema.
    if (/structured content|output schema/i.test(error.message)) {
      return { error: new ConnectorError('CONNECTOR_RESPONSE_INVALID', `${server} answered ${tool} with a result that does not match its output schema: ${words}`, { operation, status: error.code }, { cause: error }), dropConnection: false };
    }
    return { error: new ConnectorError('CONNECTOR_REJECTED', `${server} refused ${tool}: ${words}`, { operation, status: error.code }, { cause: error }), dropConnection: false };
  }
  if (error instanceof Error && error.name === 'ZodError') {
    return { error: new ConnectorError('CONNECTOR_RESPONSE_INVALID', `${server} answered ${tool} with something that is not an MCP tool result: ${words}`, { operation }, { cause: error }), dropConnection: false };
  }
  if (error instanceof StreamableHTTPError && (error.code === 401 || error.code === 403)) {
    return { error: new ConnectorError('CONNECTOR_REJECTED', `${server} refused the credentials for ${tool} (HTTP ${error.code})`, { operation, status: error.code }, { cause: error, hint: 'check the headers in the connector file and the stored secret they name' }), dropConnection: true };
  }
  return { error: new ConnectorError('CONNECTOR_UNAVAILABLE', `${server} could not be reached for ${tool}: ${words}${context.stderrNote()}`, { operation, retryable: true }, { cause: error }), dropConnection: true };
}
