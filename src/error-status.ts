/**
 * What each error code means outside Baton: the CLI's exit status (sysexits-style) and the API's HTTP status. One
 * table per channel, so a new code is mapped in one place.
 */
import { BatonError } from './errors.js';

/** Process exit status for an error that ends a CLI command. Run end states have their own table in the CLI. */
export function exitCodeFor(error: unknown): number {
  if (!(error instanceof BatonError)) return 70; // EX_SOFTWARE: a bug in Baton
  switch (error.code) {
    case 'USAGE':
    case 'GOAL_INVALID':
    case 'TOOL_INPUT_INVALID':
    case 'TOOL_UNKNOWN':
    case 'RUN_NOT_FOUND':
    case 'RUN_NOT_RESUMABLE':
    case 'RUN_NOT_AWAITING':
    case 'DECISION_STALE':
      return 64; // EX_USAGE
    case 'RUN_BUSY':
    case 'RUN_LEASE_LOST':
      return 75; // EX_TEMPFAIL
    case 'STORE_UNAVAILABLE':
      return 69; // EX_UNAVAILABLE
    case 'STORE_SCHEMA':
    case 'RUN_FLOW_CHANGED':
      return 65;
    case 'CONFIG_INVALID':
    case 'CONFIG_NOT_FOUND':
    case 'ROLE_INVALID':
    case 'PROMPT_INVALID':
    case 'FLOW_INVALID':
    case 'MODEL_UNKNOWN':
      return 78; // EX_CONFIG
    case 'KB_INDEX_MISSING':
    case 'KB_INDEX_CORRUPT':
    case 'KB_EMBEDDING_MISMATCH':
    case 'TRANSCRIPT_INVALID':
    case 'DATA_FILE_INVALID':
      return 65; // EX_DATAERR
    case 'CANCELLED':
      return 130;
    case 'SECRET_NAME_INVALID':
    case 'SECRET_VALUE_INVALID':
    case 'SECRET_NOT_FOUND':
      return 64; // EX_USAGE
    case 'SECRET_KEY_MISSING':
    case 'SECRET_KEY_INVALID':
    case 'SECRET_KEY_MISMATCH':
      return 78; // EX_CONFIG
    case 'SECRET_STORE_INVALID':
      return 65; // EX_DATAERR
    case 'CONNECTOR_INVALID':
      return 78; // EX_CONFIG
    case 'CONNECTOR_UNKNOWN':
    case 'CONNECTOR_INPUT_INVALID':
      return 64; // EX_USAGE
    case 'CONNECTOR_UNAVAILABLE':
      return 69; // EX_UNAVAILABLE
    case 'CONNECTOR_REJECTED':
    case 'CONNECTOR_RESPONSE_INVALID':
      return 76; // EX_PROTOCOL
    case 'EFFECT_OUTCOME_UNKNOWN':
      return 75; // EX_TEMPFAIL
    case 'GUARD_BLOCKED':
    case 'OUTPUT_BLOCKED':
      return 65; // EX_DATAERR: the input or the output broke a rule
    default:
      return 1;
  }
}

/** HTTP status for an error returned by the API server. */
export function httpStatusFor(error: unknown): number {
  if (!(error instanceof BatonError)) return 500;
  switch (error.code) {
    case 'USAGE':
    case 'GOAL_INVALID':
    case 'TOOL_INPUT_INVALID':
    case 'CONNECTOR_INPUT_INVALID':
      return 400;
    case 'RUN_NOT_FOUND':
    case 'TOOL_UNKNOWN':
    case 'CONNECTOR_UNKNOWN':
      return 404;
    case 'CONNECTOR_REJECTED':
    case 'CONNECTOR_UNAVAILABLE':
    case 'CONNECTOR_RESPONSE_INVALID':
      return 502;
    case 'FETCH_BLOCKED':
    case 'GUARD_BLOCKED':
    case 'OUTPUT_BLOCKED':
      return 403;
    case 'RUN_NOT_RESUMABLE':
    case 'RUN_NOT_AWAITING':
    case 'RUN_BUSY':
    case 'RUN_FLOW_CHANGED':
    case 'DECISION_STALE':
      return 409;
    case 'STORE_UNAVAILABLE':
      return 503;
    default:
      return 500;
  }
}
