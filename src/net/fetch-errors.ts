/**
 * Errors of fetching a URL that are not a policy refusal (those are {@link FetchBlockedError} in `src/errors.ts`):
 * the page could not be read, or is of a kind Baton does not read.
 */
import { BatonError } from '../errors.js';

/** Why a fetch failed. */
export type FetchFailureReason = 'invalid-url' | 'content-type' | 'timeout' | 'network' | 'too-many-redirects' | 'http';

/** A fetch that was allowed but did not produce readable text. Tools report it to the model as a failed tool call. */
export class FetchFailedError extends BatonError {
  readonly code = 'TOOL_FAILED' as const;
  readonly reason: FetchFailureReason;
  readonly url: string;
  constructor(reason: FetchFailureReason, url: string, message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options);
    this.reason = reason;
    this.url = url;
  }
}
