/**
 * The errors of connectors, with their codes. Their exit and HTTP statuses are in `exitCodeFor` / `httpStatusFor`
 * (src/errors.ts) with every other code's. No message ever carries a credential: the redactor knows every stored value,
 * and connectors build messages from what they sent without the auth headers.
 */
import { BatonError, FileError } from '../errors.js';

export type ConnectorErrorCode =
  /** A connector file that does not load: bad YAML, a field, a mapping expression that does not compile, a missing secret. */
  | 'CONNECTOR_INVALID'
  /** A name that is no declared `connector.operation`. */
  | 'CONNECTOR_UNKNOWN'
  /** An operation's input that fails its JSON Schema, or a mapping that fails on it. */
  | 'CONNECTOR_INPUT_INVALID'
  /** The system refused the request (HTTP 4xx, a SQL constraint, a Slack `ok: false`): not retried, the role may act on it. */
  | 'CONNECTOR_REJECTED'
  /** The system could not be reached or kept failing (5xx, timeout, connection refused) after the retries. */
  | 'CONNECTOR_UNAVAILABLE'
  /** The response could not be read by the operation's response mapping (or was not what the operation declares). */
  | 'CONNECTOR_RESPONSE_INVALID'
  /** A side effect's outcome is unknown (sent, never recorded) and the system honours no idempotency key: a person must confirm. */
  | 'EFFECT_OUTCOME_UNKNOWN'
  /** A person rejected a side-effect call that needed approval. */
  | 'EFFECT_REJECTED';

export interface ConnectorErrorContext {
  /** `connector.operation`, or the connector's name. */
  operation?: string;
  /** The HTTP status (or the system's error code) when the system answered. */
  status?: number | string;
  /** Whether trying again may succeed (5xx, timeouts); 4xx and schema failures are not. */
  retryable?: boolean;
}

export class ConnectorError extends BatonError {
  readonly code: ConnectorErrorCode;
  readonly operation: string | undefined;
  readonly status: number | string | undefined;
  readonly retryable: boolean;
  constructor(code: ConnectorErrorCode, message: string, context: ConnectorErrorContext = {}, options?: { cause?: unknown; hint?: string }) {
    super(message, options);
    this.code = code;
    this.operation = context.operation;
    this.status = context.status;
    this.retryable = context.retryable ?? false;
  }

  override toJSON(): { code: ConnectorErrorCode; message: string; hint?: string; operation?: string; status?: number | string } {
    return {
      ...(super.toJSON() as { code: ConnectorErrorCode; message: string; hint?: string }),
      ...(this.operation ? { operation: this.operation } : {}),
      ...(this.status !== undefined ? { status: this.status } : {}),
    };
  }
}

/** A connector file that does not load, with the file, field path and line of each problem. */
export class ConnectorFileError extends FileError {
  readonly code = 'CONNECTOR_INVALID' as const;
}
