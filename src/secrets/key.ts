/**
 * The key that seals stored credentials: from `BATON_SECRET_KEY` (32 bytes in hex or base64, or a passphrase stretched
 * with scrypt and the store's salt), else from the key file `<dataDir>/secret.key` (32 random bytes in base64, created
 * on the first `baton secrets set`, owner-only). A key file anyone else can read is refused rather than used: the
 * sealing would then protect nothing.
 */
import { randomBytes, scryptSync } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SecretStoreError } from './errors.js';
import { describeFsError, errnoCode } from '../fs-problems.js';

/** The environment variable that holds the key or passphrase. */
export const SECRET_KEY_ENV = 'BATON_SECRET_KEY';
/** The key file's name inside the data directory. */
export const KEY_FILE_NAME = 'secret.key';
/** Bytes of an AES-256 key. */
export const KEY_BYTES = 32;
/** The shortest passphrase accepted in `BATON_SECRET_KEY`. */
export const MIN_PASSPHRASE_LENGTH = 12;

/** scrypt settings for a passphrase, kept in the store so a later Baton can still derive the same key. */
export interface ScryptSettings {
  salt: string;
  N: number;
  r: number;
  p: number;
}

/** Default scrypt cost: 32 MiB and about a tenth of a second, once per command that opens the store. */
export function newScryptSettings(): ScryptSettings {
  return { salt: randomBytes(16).toString('base64'), N: 2 ** 15, r: 8, p: 1 };
}

/** A key and where it came from, for messages (never the key itself). */
export interface SecretKey {
  key: Buffer;
  /** `BATON_SECRET_KEY` or the key file's path. */
  source: string;
}

/** 32 bytes written as 64 hex digits or as base64 (standard or URL-safe, padding optional); undefined otherwise. */
export function decodeRawKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === KEY_BYTES) return bytes;
  }
  return undefined;
}

function keyFromEnvironment(text: string, scrypt: ScryptSettings): Buffer {
  const raw = decodeRawKey(text);
  if (raw) return raw;
  if (text.length < MIN_PASSPHRASE_LENGTH) {
    throw new SecretStoreError(
      'SECRET_KEY_INVALID',
      `${SECRET_KEY_ENV} is malformed: expected 32 bytes written as 64 hex digits or 44 base64 characters, or a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters`,
      { hint: `generate a key with: node -e "console.log(require('node:crypto').randomBytes(32).toString('base64'))"` },
    );
  }
  return scryptSync(text, Buffer.from(scrypt.salt, 'base64'), KEY_BYTES, { N: scrypt.N, r: scrypt.r, p: scrypt.p, maxmem: 256 * scrypt.N * scrypt.r + 1024 * 1024 });
}

/** Reads and checks the key file; undefined when there is none. */
function readKeyFile(file: string): Buffer | undefined {
  let stats;
  try {
    stats = statSync(file);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw new SecretStoreError('SECRET_KEY_INVALID', `the secret key file ${file} cannot be read: ${describeFsError(error) ?? errnoCode(error) ?? 'unknown error'}`);
  }
  if (!stats.isFile()) throw new SecretStoreError('SECRET_KEY_INVALID', `the secret key file ${file} is not a regular file`);
  // Windows has no owner-only mode bits to check; elsewhere group or others reading the key defeats the sealing.
  if (process.platform !== 'win32' && (stats.mode & 0o077) !== 0) {
    const mode = (stats.mode & 0o777).toString(8).padStart(4, '0');
    throw new SecretStoreError('SECRET_KEY_INVALID', `the secret key file ${file} has mode ${mode}: other users may read it, so Baton will not use it`, {
      hint: `make it readable by its owner only: chmod 600 ${file}`,
    });
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SecretStoreError('SECRET_KEY_INVALID', `the secret key file ${file} cannot be read: ${describeFsError(error) ?? errnoCode(error) ?? 'unknown error'}`);
  }
  const key = decodeRawKey(text);
  if (!key) throw new SecretStoreError('SECRET_KEY_INVALID', `the secret key file ${file} is malformed: expected 32 bytes written as 64 hex digits or 44 base64 characters`);
  return key;
}

/** Creates the key file with 32 random bytes, owner-only; if another process created it meanwhile, uses that one. */
function createKeyFile(file: string): Buffer {
  const key = randomBytes(KEY_BYTES);
  try {
    writeFileSync(file, `${key.toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    return key;
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') {
      const existing = readKeyFile(file);
      if (existing) return existing;
    }
    throw new SecretStoreError('SECRET_KEY_INVALID', `the secret key file ${file} cannot be created: ${describeFsError(error) ?? errnoCode(error) ?? 'unknown error'}`);
  }
}

/**
 * The key for the store in `dataDir`: `BATON_SECRET_KEY` when set, else the key file. With `create`, a missing key
 * file is created; without it, a missing key is undefined.
 */
export function resolveSecretKey(options: {
  dataDir: string;
  env: Readonly<Record<string, string | undefined>>;
  scrypt: ScryptSettings;
  create: boolean;
}): SecretKey | undefined {
  const fromEnvironment = options.env[SECRET_KEY_ENV];
  if (fromEnvironment !== undefined) return { key: keyFromEnvironment(fromEnvironment, options.scrypt), source: SECRET_KEY_ENV };
  const file = path.join(options.dataDir, KEY_FILE_NAME);
  const key = readKeyFile(file) ?? (options.create ? createKeyFile(file) : undefined);
  return key ? { key, source: file } : undefined;
}
