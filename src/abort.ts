/**
 * Why an aborted call stopped. Three things abort a model call through its `AbortSignal`: a person (Ctrl-C, the API's
 * cancel), the per-call timeout of the resilience layer, and the run's deadline. They end a run differently (`cancelled`,
 * `failed` with `MODEL_TIMEOUT`, `budget_exceeded`), so whoever aborts puts a typed error in `signal.reason`, and code
 * that maps a failed call reads it back here instead of calling every abort a cancellation.
 */
import { BatonError, CancelledError } from './errors.js';

/**
 * The typed error an aborted signal stands for: its reason when that is a Baton error (a `ModelTimeoutError`, the run's
 * deadline), else a cancellation made by `cancelled` (a bare `abort()` is a person stopping the run).
 */
export function abortErrorOf(signal: AbortSignal, cancelled: () => BatonError): BatonError {
  const reason: unknown = signal.reason;
  return reason instanceof BatonError && !(reason instanceof CancelledError) ? reason : cancelled();
}
