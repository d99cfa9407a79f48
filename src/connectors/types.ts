/**
 * What every connector kind (http, sql, slack, teams, mcp) gives the runtime: named operations, each with a JSON
 * Schema for its input, a side-effect flag, and two steps. `prepare` validates the input and maps it into the exact
 * request (no I/O: `baton tool --dry-run` shows it, an approval gate shows it, the ledger records it); `execute` sends a
 * prepared request with the idempotency key the runtime derived for it, and maps the response back.
 *
 * Connectors reach for no globals: the secret store, the redactor, `fetch` and the clock come in {@link ConnectorDeps}.
 * The exactly-once logic (idempotency keys, the intent ledger, approvals) is not here but in `src/connectors/invoke.ts`,
 * the same for every kind.
 */
import type { Redactor } from '../transcript/redact.js';

/** When a person must approve a call before it is sent. */
export type Approval = 'always' | 'never' | 'untrusted';

/** What the runtime needs to know about an operation before calling it. */
export interface OperationInfo {
  /** `connector.operation`, e.g. `crm.purchase_history`: the tool name roles list and the citation prefix. */
  id: string;
  connector: string;
  name: string;
  description: string;
  /** JSON Schema (draft 2020-12 or 07 subset ajv reads) of the operation's input. */
  inputSchema: Record<string, unknown>;
  /** Whether the call changes something outside (a POST, a SQL write, a message, a destructive MCP tool). */
  sideEffect: boolean;
  /** Approval policy; reads default to `never`, side effects to `untrusted`. */
  approval: Approval;
  /**
   * Whether the system honours the idempotency key (an `Idempotency-Key` header, a keyed SQL upsert): a side effect
   * whose outcome is unknown after a crash is then sent again with the same key; otherwise the run stops for a person.
   */
  honoursKey: boolean;
}

/**
 * A request as it will be sent, JSON-safe, credentials left out (they are added in `execute`): what `--dry-run`
 * prints, what an approval shows, what the ledger records. `target` is one line a person reads ("POST
 * http://crm/orders", "sqlite customers.db: UPDATE ...", "slack #support").
 */
export interface PreparedCall {
  operation: string;
  target: string;
  /** Kind-specific details: method, url, query, headers (no auth), body; SQL text and parameters; the message. */
  request: Record<string, unknown>;
}

/** A record in a result that a claim may cite as `connector.operation#id`. */
export interface ResultRecord {
  id: string;
  value: unknown;
}

export interface CallResult {
  /** The mapped result, what the role or the next stage sees. */
  output: unknown;
  /** Citable records found in the output (by the operation's `records` mapping). */
  records: ResultRecord[];
  /** One line for the transcript ("200 OK, 3 orders"). */
  summary: string;
  /** The system's own status (an HTTP status, rows changed). */
  status?: number | string;
}

export interface ExecuteOptions {
  /** Stable across retries, resume and failover; sent where the system honours it. Absent for reads. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface Operation extends OperationInfo {
  /** Validates `input` against the schema and applies the request mapping: CONNECTOR_INPUT_INVALID on failure. No I/O. */
  prepare(input: unknown): Promise<PreparedCall>;
  /**
   * Sends a prepared call, retrying transient failures by the connector's policy (honouring `Retry-After`), and maps
   * the response. Typed {@link import('./errors.js').ConnectorError}s: REJECTED (4xx, not retried), UNAVAILABLE
   * (after the retries), RESPONSE_INVALID.
   */
  execute(call: PreparedCall, options: ExecuteOptions): Promise<CallResult>;
}

export type ConnectorKind = 'http' | 'sql' | 'slack' | 'teams' | 'mcp';

export interface Connector {
  name: string;
  kind: ConnectorKind;
  /** The file it was declared in. */
  file: string;
  /**
   * Its operations. Static kinds know them from the file; `mcp` asks the server (once, then cached) and keeps the
   * allow-listed tools.
   */
  operations(): Promise<Operation[]>;
  /** Closes clients, pools and child processes. Safe to call twice. */
  close(): Promise<void>;
}

/** Reads a stored credential by name; throws SecretStoreError (SECRET_NOT_FOUND, key errors) otherwise. */
export interface SecretReader {
  reveal(name: string): string;
  /** The names stored, to refuse at load time a connector naming a missing one. */
  names(): string[];
}

export interface ConnectorDeps {
  secrets: SecretReader;
  /** Removes every stored credential from text; errors and summaries pass through it. */
  redact: Redactor;
  /** The folder of the connector file: relative paths (a SQLite file, an MCP command's cwd) resolve from it. */
  baseDir: string;
  fetch?: typeof fetch;
  /** Waits between retries (tests pass a fake). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}
