/**
 * The errors of the sealed credential store, with their codes. Their exit statuses are in `exitCodeFor`
 * (src/errors.ts) with every other code's.
 */
import { BatonError } from '../errors.js';
/** Codes of {@link SecretStoreError}. */
export type SecretStoreErrorCode =
  | 'SECRET_NAME_INVALID'
  | 'SECRET_VALUE_INVALID'
  | 'SECRET_NOT_FOUND'
  | 'SECRET_KEY_MISSING'
  | 'SECRET_KEY_INVALID'
  | 'SECRET_KEY_MISMATCH'
  | 'SECRET_STORE_INVALID';

/**
 * A problem with the sealed credential store (`<dataDir>/secrets.json`) or its key: a refused name or value, an unknown
 * name, a missing, malformed, too widely readable or wrong key, a damaged or altered record. Never carries a value.
 */
export class SecretStoreError extends BatonError {
  readonly code: SecretStoreErrorCode;
  constructor(code: SecretStoreErrorCode, message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options);
    this.code = code;
  }
}
