/**
 * The connector kinds, each imported when a connector of its kind is first used: a project with only an HTTP
 * connector never loads the PostgreSQL driver, the Slack client or the MCP SDK.
 */
import type { ConnectorFactory } from './load.js';
import type { ConnectorKind } from './types.js';

export const CONNECTOR_FACTORIES: Readonly<Record<ConnectorKind, () => Promise<ConnectorFactory>>> = {
  http: async () => (await import('./http/index.js')).createHttpConnector,
  sql: async () => (await import('./sql/index.js')).createSqlConnector,
  slack: async () => (await import('./slack.js')).createSlackConnector,
  teams: async () => (await import('./teams.js')).createTeamsConnector,
  mcp: async () => (await import('./mcp/index.js')).createMcpConnector,
};
