/**
 * The sealed credential store, `<dataDir>/secrets.json`: a versioned JSON file, owner-only, written atomically, where
 * every value is sealed with AES-256-GCM under its own random 12-byte IV and its name as additional authenticated data
 * (a record moved to another name fails to open). A check record sealed with the same key tells a wrong key apart from
 * an altered record. Names and dates are plain text, so listing and removing need no key.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SecretStoreError } from './errors.js';
import { describeFsError, errnoCode } from '../fs-problems.js';
import { newScryptSettings, resolveSecretKey, SECRET_KEY_ENV, type SecretKey } from './key.js';

/** The store's file name inside the data directory. */
export const STORE_FILE_NAME = 'secrets.json';
/** What a secret may be called: an upper-case letter, then upper-case letters, digits and `_`, 64 at most. */
export const SECRET_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;
/** Shorter values are not redacted by value (they would match ordinary text), so they are not stored. */
export const MIN_SECRET_LENGTH = 8;
/** The largest value stored, in bytes. */
export const MAX_SECRET_BYTES = 64 * 1024;

const CHECK_PLAINTEXT = 'baton secret store v1';
const CHECK_AAD = 'baton-secret-store-check:v1';
const recordAad = (name: string): string => `baton-secret:v1:${name}`;

const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);
const Sealed = z.object({ iv: Base64, tag: Base64, data: Base64 });
type Sealed = z.infer<typeof Sealed>;
const SecretRecord = Sealed.extend({ createdAt: z.iso.datetime(), updatedAt: z.iso.datetime() });
type SecretRecord = z.infer<typeof SecretRecord>;

/** The file's format, version 1. */
export const SecretStoreFile = z.object({
  version: z.literal(1),
  /** Used only when `BATON_SECRET_KEY` is a passphrase. */
  kdf: z.object({ name: z.literal('scrypt'), salt: Base64.min(16), N: z.number().int().min(2 ** 14).max(2 ** 20), r: z.number().int().min(1).max(32), p: z.number().int().min(1).max(16) }),
  check: z.object({ iv: Base64.min(16), tag: Base64.min(16), data: Base64.min(1) }),
  secrets: z.record(z.string().regex(SECRET_NAME), SecretRecord),
});
export type SecretStoreFile = z.infer<typeof SecretStoreFile>;

/** A stored secret as listed: never its value. */
export interface SecretEntry {
  name: string;
  createdAt: string;
  updatedAt: string;
}

function seal(key: Buffer, plaintext: string, aad: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

/** The plaintext, or undefined when authentication fails (wrong key, altered bytes, another name). */
function open(key: Buffer, sealed: Sealed, aad: string): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/** Refuses a name that is not `SECRET_NAME`. */
export function checkSecretName(name: string): void {
  if (!SECRET_NAME.test(name)) {
    throw new SecretStoreError('SECRET_NAME_INVALID', `"${name.slice(0, 80)}" is not a valid secret name: a name is an upper-case letter, then up to 63 upper-case letters, digits or _ (e.g. CRM_TOKEN)`);
  }
}

/** Refuses a value that could not be redacted or is too large; never quotes it. */
export function checkSecretValue(value: string): void {
  if (value.length === 0) throw new SecretStoreError('SECRET_VALUE_INVALID', 'the value is empty: pipe it on standard input, e.g. `printf %s "$TOKEN" | baton secrets set NAME`');
  if (value.length < MIN_SECRET_LENGTH) {
    throw new SecretStoreError('SECRET_VALUE_INVALID', `the value is shorter than ${MIN_SECRET_LENGTH} characters: Baton could not redact it from records by value, so it does not store it`);
  }
  if (Buffer.byteLength(value, 'utf8') > MAX_SECRET_BYTES) throw new SecretStoreError('SECRET_VALUE_INVALID', `the value is larger than ${MAX_SECRET_BYTES / 1024} KiB`);
}

/** The sealed store of one data directory. Read when opened; each change is written at once. */
export class SecretStore {
  readonly file: string;
  private readonly dataDir: string;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private document: SecretStoreFile | undefined;
  private key: SecretKey | undefined;

  private constructor(dataDir: string, env: Readonly<Record<string, string | undefined>>, document: SecretStoreFile | undefined) {
    this.dataDir = dataDir;
    this.env = env;
    this.file = path.join(dataDir, STORE_FILE_NAME);
    this.document = document;
  }

  /** Reads `<dataDir>/secrets.json` (absent is an empty store). Needs no key. */
  static open(options: { dataDir: string; env: Readonly<Record<string, string | undefined>> }): SecretStore {
    const file = path.join(options.dataDir, STORE_FILE_NAME);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return new SecretStore(options.dataDir, options.env, undefined);
      throw new SecretStoreError('SECRET_STORE_INVALID', `the secret store ${file} cannot be read: ${describeFsError(error) ?? errnoCode(error) ?? 'unknown error'}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new SecretStoreError('SECRET_STORE_INVALID', `the secret store ${file} is not valid JSON`, { hint: 'restore it from a backup, or move it away and set the secrets again' });
    }
    const result = SecretStoreFile.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue?.path.length ? ` (at ${issue.path.join('.')})` : '';
      throw new SecretStoreError('SECRET_STORE_INVALID', `the secret store ${file} is not a version-1 Baton secret store${where}: ${issue?.message ?? 'invalid'}`, {
        hint: 'restore it from a backup, or move it away and set the secrets again',
      });
    }
    return new SecretStore(options.dataDir, options.env, result.data);
  }

  /** Names and dates, sorted by name. Needs no key. */
  list(): SecretEntry[] {
    return Object.entries(this.document?.secrets ?? {})
      .map(([name, record]) => ({ name, createdAt: record.createdAt, updatedAt: record.updatedAt }))
      .sort((left, right) => (left.name < right.name ? -1 : 1));
  }

  /** Whether a secret of that name is stored. */
  has(name: string): boolean {
    return Object.hasOwn(this.document?.secrets ?? {}, name);
  }

  /** Stores (or replaces) a value; creates the store and, when no key is configured, the key file. */
  set(name: string, value: string, now: Date = new Date()): { created: boolean; entry: SecretEntry } {
    checkSecretName(name);
    checkSecretValue(value);
    const document = this.document ?? this.newDocument();
    const key = this.unlock(document, true);
    const previous = document.secrets[name];
    const timestamp = now.toISOString();
    const record: SecretRecord = { ...seal(key, value, recordAad(name)), createdAt: previous?.createdAt ?? timestamp, updatedAt: timestamp };
    const next: SecretStoreFile = { ...document, secrets: { ...document.secrets, [name]: record } };
    this.write(next);
    return { created: previous === undefined, entry: { name, createdAt: record.createdAt, updatedAt: record.updatedAt } };
  }

  /** Removes a secret. Needs no key, so a store whose key is lost can still be emptied. */
  remove(name: string): void {
    checkSecretName(name);
    if (!this.document || !this.has(name)) throw this.unknown(name);
    const secrets = { ...this.document.secrets };
    delete secrets[name];
    this.write({ ...this.document, secrets });
  }

  /** One value, opened with the key. For the code that injects it into a request; never print it. */
  reveal(name: string): string {
    checkSecretName(name);
    const record = this.document?.secrets[name];
    if (!this.document || !record) throw this.unknown(name);
    return this.openRecord(this.unlock(this.document, false), name, record);
  }

  /** Every stored value (for the redactor). An empty store needs no key. */
  values(): string[] {
    const document = this.document;
    if (!document || Object.keys(document.secrets).length === 0) return [];
    const key = this.unlock(document, false);
    return Object.entries(document.secrets).map(([name, record]) => this.openRecord(key, name, record));
  }

  private unknown(name: string): SecretStoreError {
    const names = this.list().map((entry) => entry.name);
    return new SecretStoreError('SECRET_NOT_FOUND', `no secret named ${name}. Stored secrets: ${names.length ? names.join(', ') : '(none)'}`, { hint: 'store one with `baton secrets set NAME` (the value on standard input)' });
  }

  private newDocument(): SecretStoreFile {
    return { version: 1, kdf: { name: 'scrypt', ...newScryptSettings() }, check: { iv: '', tag: '', data: '' }, secrets: {} };
  }

  /** The key, checked against the store's check record (sealed now when the store is new). */
  private unlock(document: SecretStoreFile, create: boolean): Buffer {
    if (!this.key) {
      const { name: _name, ...scrypt } = document.kdf;
      const key = resolveSecretKey({ dataDir: this.dataDir, env: this.env, scrypt, create });
      if (!key) {
        throw new SecretStoreError('SECRET_KEY_MISSING', `${this.file} holds ${Object.keys(document.secrets).length} sealed secret(s) but no key is available: ${SECRET_KEY_ENV} is not set and ${path.join(this.dataDir, 'secret.key')} does not exist`, {
          hint: `set ${SECRET_KEY_ENV} to the key the secrets were stored with, or restore the key file; or remove the secrets with \`baton secrets rm NAME\``,
        });
      }
      this.key = key;
    }
    if (document.check.data === '' && document.check.iv === '') {
      document.check = seal(this.key.key, CHECK_PLAINTEXT, CHECK_AAD);
    } else if (open(this.key.key, document.check, CHECK_AAD) !== CHECK_PLAINTEXT) {
      throw new SecretStoreError('SECRET_KEY_MISMATCH', `the key from ${this.key.source} does not match the secret store ${this.file}: it was sealed with another key`, {
        hint: `use the key the store was created with (${SECRET_KEY_ENV} or the key file), or move ${this.file} away and set the secrets again`,
      });
    }
    return this.key.key;
  }

  private openRecord(key: Buffer, name: string, record: SecretRecord): string {
    const value = open(key, record, recordAad(name));
    if (value === undefined) {
      throw new SecretStoreError('SECRET_STORE_INVALID', `the sealed value of ${name} in ${this.file} fails its authentication: it was altered, or moved from another name`, {
        hint: `set it again with \`baton secrets set ${name}\`, or remove it with \`baton secrets rm ${name}\``,
      });
    }
    return value;
  }

  /** Writes the whole file to a temp file beside it (owner-only), flushes it, then renames it over the store. */
  private write(document: SecretStoreFile): void {
    const temporary = path.join(this.dataDir, `.${STORE_FILE_NAME}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const descriptor = openSync(temporary, 'wx', 0o600);
      try {
        writeSync(descriptor, `${JSON.stringify(document, null, 2)}\n`);
        fsyncSync(descriptor);
      } finally {
        closeSync(descriptor);
      }
      renameSync(temporary, this.file);
    } catch (error) {
      try {
        unlinkSync(temporary);
      } catch {
        // Never created, or already renamed.
      }
      throw new SecretStoreError('SECRET_STORE_INVALID', `the secret store ${this.file} cannot be written: ${describeFsError(error) ?? errnoCode(error) ?? 'unknown error'}`);
    }
    this.document = document;
  }
}

/**
 * Every value stored in `<dataDir>/secrets.json`, for the project's redactor. None stored: no key needed. Stored but
 * not decryptable (no key, wrong key, altered record): throws, so nothing runs whose records could hold a stored value
 * unredacted (fail closed).
 */
export function storedSecretValues(dataDir: string, env: Readonly<Record<string, string | undefined>>): string[] {
  return SecretStore.open({ dataDir, env }).values();
}
