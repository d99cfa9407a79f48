/**
 * Baton's one error hierarchy. Every error a user can cause or meet carries a stable `code`, the context a person
 * needs to act on it (which file, which field, which endpoint) and maps to one CLI exit status and one HTTP status
 * through {@link exitCodeFor} and {@link httpStatusFor}.
 */

import type { ConnectorErrorCode } from './connectors/errors.js';
import type { SecretStoreErrorCode } from './secrets/errors.js';
import type { GuardErrorCode } from './guards/errors.js';

/** Stable error codes. Scripts may match on these; they never change meaning. */
export type BatonErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'ROLE_INVALID'
  | 'PROMPT_INVALID'
  | 'FLOW_INVALID'
  | 'GOAL_INVALID'
  | 'USAGE'
  | 'MODEL_UNREACHABLE'
  | 'MODEL_AUTH'
  | 'MODEL_HTTP'
  | 'MODEL_TIMEOUT'
  | 'MODEL_OUTPUT_INVALID'
  | 'MODEL_UNKNOWN'
  | 'MODEL_KEY_MISSING'
  | 'ROUTING_NO_MODEL'
  | 'CONFIDENTIAL_NO_PRIVATE_MODEL'
  | 'ALL_MODELS_FAILED'
  | 'BUDGET_EXCEEDED'
  | 'TOOL_UNKNOWN'
  | 'TOOL_INPUT_INVALID'
  | 'TOOL_FAILED'
  | 'FETCH_BLOCKED'
  | 'KB_INDEX_MISSING'
  | 'KB_INDEX_CORRUPT'
  | 'KB_EMBEDDING_MISMATCH'
  | 'RUN_NOT_FOUND'
  | 'TRANSCRIPT_INVALID'
  | 'DATA_FILE_INVALID'
  | 'CANCELLED'
  | 'RUN_NOT_RESUMABLE'
  | 'RUN_NOT_AWAITING'
  | 'RUN_FLOW_CHANGED'
  | 'RUN_BUSY'
  | 'RUN_LEASE_LOST'
  | 'DECISION_STALE'
  | 'STORE_UNAVAILABLE'
  | 'STORE_SCHEMA'
  | SecretStoreErrorCode
  | ConnectorErrorCode
  | GuardErrorCode
  | 'INTERNAL';

/** Abstract base of every Baton error. */
export abstract class BatonError extends Error {
  abstract readonly code: BatonErrorCode;
  /** A hint on what to do next, printed under the message. */
  readonly hint: string | undefined;

  constructor(message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options?.hint;
  }

  /** A JSON-safe description, for `--json` output, transcripts and HTTP bodies. */
  toJSON(): { code: BatonErrorCode; message: string; hint?: string } {
    return this.hint === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, hint: this.hint };
  }
}

/** Where in a user's file a problem is. */
export interface SourceLocation {
  file: string;
  /** Dotted field path, e.g. `flow[1].role`. */
  path?: string;
  line?: number;
  column?: number;
}

function formatLocation(location: SourceLocation): string {
  let text = location.file;
  if (location.line !== undefined) text += `:${location.line}${location.column !== undefined ? `:${location.column}` : ''}`;
  if (location.path) text += ` (at ${location.path})`;
  return text;
}

/** A problem in a file the user wrote: config, role or prompt. */
export abstract class FileError extends BatonError {
  readonly locations: SourceLocation[];
  constructor(problem: string, locations: SourceLocation[], options?: { cause?: unknown; hint?: string }) {
    // Several problems at one place name it once.
    const where = [...new Set(locations.map(formatLocation))];
    super(where.length > 0 ? `${where.join(', ')}: ${problem}` : problem, options);
    this.locations = locations;
  }
}

export class ConfigError extends FileError {
  readonly code = 'CONFIG_INVALID' as const;
}
export class ConfigNotFoundError extends BatonError {
  readonly code = 'CONFIG_NOT_FOUND' as const;
}
export class RoleError extends FileError {
  readonly code = 'ROLE_INVALID' as const;
}
export class PromptError extends FileError {
  readonly code = 'PROMPT_INVALID' as const;
}
export class FlowError extends FileError {
  readonly code = 'FLOW_INVALID' as const;
}
export class GoalError extends BatonError {
  readonly code = 'GOAL_INVALID' as const;
}
export class UsageError extends BatonError {
  readonly code = 'USAGE' as const;
}

/** Common shape of errors raised by a model endpoint. */
export abstract class ModelError extends BatonError {
  /** The endpoint (base URL) or model id involved. */
  readonly endpoint: string;
  /** The model name as configured. */
  readonly model: string;
  constructor(message: string, context: { endpoint: string; model: string }, options?: { cause?: unknown; hint?: string }) {
    super(message, options);
    this.endpoint = context.endpoint;
    this.model = context.model;
  }
  /** Whether trying the same call again may succeed. */
  abstract readonly retryable: boolean;
}

export class ModelUnreachableError extends ModelError {
  readonly code = 'MODEL_UNREACHABLE' as const;
  readonly retryable = true;
}
export class ModelAuthError extends ModelError {
  readonly code = 'MODEL_AUTH' as const;
  readonly retryable = false;
}
export class ModelTimeoutError extends ModelError {
  readonly code = 'MODEL_TIMEOUT' as const;
  readonly retryable = true;
}
export class ModelKeyMissingError extends ModelError {
  readonly code = 'MODEL_KEY_MISSING' as const;
  readonly retryable = false;
}
/** Any other HTTP failure from a model endpoint. */
export class ModelHttpError extends ModelError {
  readonly code = 'MODEL_HTTP' as const;
  readonly status: number;
  /** Milliseconds the server asked us to wait (`Retry-After`), when it said. */
  readonly retryAfterMs: number | undefined;
  constructor(
    message: string,
    context: { endpoint: string; model: string; status: number; retryAfterMs?: number },
    options?: { cause?: unknown; hint?: string },
  ) {
    super(message, context, options);
    this.status = context.status;
    this.retryAfterMs = context.retryAfterMs;
  }
  get retryable(): boolean {
    return this.status === 408 || this.status === 409 || this.status === 429 || this.status >= 500;
  }
}
/** The model kept replying with output that does not match the role's schema. */
export class ModelOutputError extends BatonError {
  readonly code = 'MODEL_OUTPUT_INVALID' as const;
  readonly role: string;
  readonly attempts: number;
  constructor(message: string, context: { role: string; attempts: number }, options?: { cause?: unknown; hint?: string }) {
    super(message, options);
    this.role = context.role;
    this.attempts = context.attempts;
  }
}
export class UnknownModelError extends BatonError {
  readonly code = 'MODEL_UNKNOWN' as const;
  constructor(name: string, available: readonly string[], where?: string) {
    super(
      `${where ? `${where}: ` : ''}unknown model "${name}". Available models: ${available.length ? available.join(', ') : '(none)'}`,
    );
  }
}
export class RoutingError extends BatonError {
  readonly code: 'ROUTING_NO_MODEL' | 'CONFIDENTIAL_NO_PRIVATE_MODEL';
  constructor(code: 'ROUTING_NO_MODEL' | 'CONFIDENTIAL_NO_PRIVATE_MODEL', message: string, options?: { hint?: string }) {
    super(message, options);
    this.code = code;
  }
}
export class AllModelsFailedError extends BatonError {
  readonly code = 'ALL_MODELS_FAILED' as const;
  readonly attempts: ReadonlyArray<{ model: string; error: string }>;
  /** `cause` is the last failure itself, so a caller with a single model can report that model's own error. */
  constructor(attempts: ReadonlyArray<{ model: string; error: string }>, options?: { cause?: unknown }) {
    super(`every eligible model failed: ${attempts.map((attempt) => `${attempt.model} (${attempt.error})`).join('; ')}`, options);
    this.attempts = attempts;
  }
}

/** The next call would take the run past its budget. Ends the run `budget_exceeded`, not `failed`. */
export class BudgetExceededError extends BatonError {
  readonly code = 'BUDGET_EXCEEDED' as const;
}

export class UnknownToolError extends BatonError {
  readonly code = 'TOOL_UNKNOWN' as const;
  constructor(name: string, available: readonly string[]) {
    super(`unknown tool "${name}". Available tools: ${available.join(', ') || '(none)'}`);
  }
}
export class ToolInputError extends BatonError {
  readonly code = 'TOOL_INPUT_INVALID' as const;
}
export class ToolFailedError extends BatonError {
  readonly code = 'TOOL_FAILED' as const;
}
export class FetchBlockedError extends BatonError {
  readonly code = 'FETCH_BLOCKED' as const;
}
export class KnowledgeBaseError extends BatonError {
  readonly code: 'KB_INDEX_MISSING' | 'KB_INDEX_CORRUPT' | 'KB_EMBEDDING_MISMATCH';
  constructor(code: 'KB_INDEX_MISSING' | 'KB_INDEX_CORRUPT' | 'KB_EMBEDDING_MISMATCH', message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options);
    this.code = code;
  }
}
export class RunNotFoundError extends BatonError {
  readonly code = 'RUN_NOT_FOUND' as const;
  constructor(runId: string) {
    super(`no run with id "${runId}"`, { hint: 'list runs with `baton runs`' });
  }
}
export class TranscriptError extends BatonError {
  readonly code = 'TRANSCRIPT_INVALID' as const;
}
/**
 * A file Baton keeps in its data directory (the transcript store, the checkpoints, the log) is not what it should be:
 * a folder, not a database, unreadable. Names the file, what it should hold and what to do.
 */
export class DataFileError extends BatonError {
  readonly code = 'DATA_FILE_INVALID' as const;
  readonly file: string;
  constructor(message: string, context: { file: string }, options?: { cause?: unknown; hint?: string }) {
    super(message, options);
    this.file = context.file;
  }
}
export class CancelledError extends BatonError {
  readonly code = 'CANCELLED' as const;
}
/** `baton resume` on a run that ended, or is waiting for a person, or is queued. */
export class RunNotResumableError extends BatonError {
  readonly code = 'RUN_NOT_RESUMABLE' as const;
  constructor(runId: string, status: string, options?: { hint?: string }) {
    super(`run ${runId} cannot be resumed: it is ${status}`, options);
  }
}
/** A decision for a run that is not waiting for one. */
export class RunNotAwaitingError extends BatonError {
  readonly code = 'RUN_NOT_AWAITING' as const;
  constructor(runId: string, status: string) {
    super(`run ${runId} is not waiting for a decision: it is ${status}`, { hint: 'list the runs that wait with `baton pending`' });
  }
}
/** A decision meant for another gate request than the one the run waits at now (it was replaced meanwhile). */
export class DecisionStaleError extends BatonError {
  readonly code = 'DECISION_STALE' as const;
}
/** Another process holds the run (its lease has not expired). */
export class RunBusyError extends BatonError {
  readonly code = 'RUN_BUSY' as const;
}
/** This process no longer holds the run's lease (another process took it): it must stop writing to the run. */
export class RunLeaseLostError extends BatonError {
  readonly code = 'RUN_LEASE_LOST' as const;
  constructor(runId: string) {
    super(`this process no longer holds run ${runId} (its lease passed to another process)`);
  }
}
/** The run was started under another flow than the project has now. */
export class RunFlowChangedError extends BatonError {
  readonly code = 'RUN_FLOW_CHANGED' as const;
}
/** The run store cannot be reached (a database down, a refused password). Never carries the password. */
export class StoreUnavailableError extends BatonError {
  readonly code = 'STORE_UNAVAILABLE' as const;
}
/** The store's schema is newer than this Baton, or a migration failed. */
export class StoreSchemaError extends BatonError {
  readonly code = 'STORE_SCHEMA' as const;
}
export class InternalError extends BatonError {
  readonly code = 'INTERNAL' as const;
}

// Exit and HTTP statuses per code live in error-status.ts; re-exported so every import of them stays as it was.
export { exitCodeFor, httpStatusFor } from './error-status.js';

/** The message of any thrown value, for records and logs. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
