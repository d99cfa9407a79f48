import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/errors.js';
import { SecretStoreError } from '../../src/secrets/errors.js';
import { SecretStore, storedSecretValues } from '../../src/secrets/store.js';
import { temporaryDirectories } from '../support/project.js';

const directory = temporaryDirectories('baton-secrets-');
const VALUE = 'crm-token-7f3a9c2e41b8d6';
const HEX_KEY = 'a'.repeat(64);
const OTHER_KEY = Buffer.alloc(32, 7).toString('base64');
const posix = process.platform !== 'win32';

function failure(action: () => unknown): SecretStoreError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(SecretStoreError);
    return error as SecretStoreError;
  }
  throw new Error('expected a SecretStoreError');
}

describe('SecretStore', () => {
  it('round-trips a value with a key file it creates owner-only, and keeps no plain text in the file', () => {
    const dataDir = directory();
    const store = SecretStore.open({ dataDir, env: {} });
    expect(store.set('CRM_TOKEN', VALUE, new Date('2026-01-02T03:04:05Z'))).toMatchObject({ created: true, entry: { name: 'CRM_TOKEN', createdAt: '2026-01-02T03:04:05.000Z' } });
    expect(SecretStore.open({ dataDir, env: {} }).reveal('CRM_TOKEN')).toBe(VALUE);
    expect(storedSecretValues(dataDir, {})).toEqual([VALUE]);
    const file = path.join(dataDir, 'secrets.json');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(VALUE);
    expect(text).not.toContain(Buffer.from(VALUE).toString('base64'));
    expect(JSON.parse(text)).toMatchObject({ version: 1, kdf: { name: 'scrypt' }, secrets: { CRM_TOKEN: { createdAt: '2026-01-02T03:04:05.000Z' } } });
    if (posix) {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(path.join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    }
  });

  it('replaces a value keeping its creation date, lists names and dates only, and removes without a key', () => {
    const dataDir = directory();
    const env = { BATON_SECRET_KEY: HEX_KEY };
    SecretStore.open({ dataDir, env }).set('B_TOKEN', VALUE, new Date('2026-01-01T00:00:00Z'));
    SecretStore.open({ dataDir, env }).set('A_TOKEN', 'first-value-123', new Date('2026-01-01T00:00:00Z'));
    const replaced = SecretStore.open({ dataDir, env }).set('A_TOKEN', 'second-value-456', new Date('2026-02-01T00:00:00Z'));
    expect(replaced).toEqual({ created: false, entry: { name: 'A_TOKEN', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-02-01T00:00:00.000Z' } });
    expect(SecretStore.open({ dataDir, env: {} }).list().map((entry) => entry.name)).toEqual(['A_TOKEN', 'B_TOKEN']);
    expect(JSON.stringify(SecretStore.open({ dataDir, env: {} }).list())).not.toContain('value');
    expect(SecretStore.open({ dataDir, env }).reveal('A_TOKEN')).toBe('second-value-456');
    SecretStore.open({ dataDir, env: {} }).remove('A_TOKEN');
    expect(storedSecretValues(dataDir, env)).toEqual([VALUE]);
    const unknown = failure(() => SecretStore.open({ dataDir, env: {} }).remove('A_TOKEN'));
    expect(unknown.code).toBe('SECRET_NOT_FOUND');
    expect(unknown.message).toContain('B_TOKEN');
    expect(exitCodeFor(unknown)).toBe(64);
  });

  it('derives the key from a passphrase with the store salt', () => {
    const dataDir = directory();
    SecretStore.open({ dataDir, env: { BATON_SECRET_KEY: 'correct horse battery staple' } }).set('PASS_TOKEN', VALUE);
    expect(storedSecretValues(dataDir, { BATON_SECRET_KEY: 'correct horse battery staple' })).toEqual([VALUE]);
    expect(failure(() => storedSecretValues(dataDir, { BATON_SECRET_KEY: 'incorrect horse battery staple' })).code).toBe('SECRET_KEY_MISMATCH');
  });

  it('refuses a wrong key with a message naming the key source and never the value', () => {
    const dataDir = directory();
    SecretStore.open({ dataDir, env: { BATON_SECRET_KEY: HEX_KEY } }).set('CRM_TOKEN', VALUE);
    const error = failure(() => storedSecretValues(dataDir, { BATON_SECRET_KEY: OTHER_KEY }));
    expect(error.code).toBe('SECRET_KEY_MISMATCH');
    expect(error.message).toMatch(/the key from BATON_SECRET_KEY does not match the secret store/);
    expect(`${error.message} ${error.hint}`).not.toContain(VALUE);
    expect(exitCodeFor(error)).toBe(78);
    // Setting with another key would mix keys in one store: refused too.
    expect(failure(() => SecretStore.open({ dataDir, env: { BATON_SECRET_KEY: OTHER_KEY } }).set('OTHER', 'another-value-1')).code).toBe('SECRET_KEY_MISMATCH');
  });

  it('fails closed when secrets are stored and no key is available, and needs no key when none are', () => {
    const dataDir = directory();
    expect(storedSecretValues(dataDir, {})).toEqual([]);
    SecretStore.open({ dataDir, env: { BATON_SECRET_KEY: HEX_KEY } }).set('CRM_TOKEN', VALUE);
    const error = failure(() => storedSecretValues(dataDir, {}));
    expect(error.code).toBe('SECRET_KEY_MISSING');
    expect(error.message).toMatch(/holds 1 sealed secret\(s\) but no key is available/);
    SecretStore.open({ dataDir, env: {} }).remove('CRM_TOKEN');
    expect(storedSecretValues(dataDir, {})).toEqual([]);
  });

  it('refuses a malformed key', () => {
    const dataDir = directory();
    const error = failure(() => SecretStore.open({ dataDir, env: { BATON_SECRET_KEY: 'short' } }).set('CRM_TOKEN', VALUE));
    expect(error.code).toBe('SECRET_KEY_INVALID');
    expect(error.message).toMatch(/BATON_SECRET_KEY is malformed/);
    writeFileSync(path.join(dataDir, 'secret.key'), 'not a key\n', { mode: 0o600 });
    expect(failure(() => SecretStore.open({ dataDir, env: {} }).set('CRM_TOKEN', VALUE)).message).toMatch(/secret\.key is malformed/);
  });

  it.skipIf(!posix)('refuses a key file other users can read, naming its mode and the chmod to run', () => {
    const dataDir = directory();
    SecretStore.open({ dataDir, env: {} }).set('CRM_TOKEN', VALUE);
    const keyFile = path.join(dataDir, 'secret.key');
    chmodSync(keyFile, 0o644);
    const error = failure(() => storedSecretValues(dataDir, {}));
    expect(error.code).toBe('SECRET_KEY_INVALID');
    expect(error.message).toContain('has mode 0644');
    expect(error.hint).toBe(`make it readable by its owner only: chmod 600 ${keyFile}`);
    chmodSync(keyFile, 0o600);
    expect(storedSecretValues(dataDir, {})).toEqual([VALUE]);
  });

  it('refuses a tampered ciphertext and a record moved to another name', () => {
    const dataDir = directory();
    const env = { BATON_SECRET_KEY: HEX_KEY };
    SecretStore.open({ dataDir, env }).set('CRM_TOKEN', VALUE);
    const file = path.join(dataDir, 'secrets.json');
    const original = readFileSync(file, 'utf8');
    const document = JSON.parse(original) as { secrets: Record<string, { data: string }> };
    const record = document.secrets['CRM_TOKEN']!;
    const bytes = Buffer.from(record.data, 'base64');
    bytes[0] = bytes[0]! ^ 1;
    record.data = bytes.toString('base64');
    writeFileSync(file, JSON.stringify(document));
    const tampered = failure(() => storedSecretValues(dataDir, env));
    expect(tampered.code).toBe('SECRET_STORE_INVALID');
    expect(tampered.message).toMatch(/sealed value of CRM_TOKEN .* fails its authentication/);
    expect(exitCodeFor(tampered)).toBe(65);

    const moved = JSON.parse(original) as { secrets: Record<string, unknown> };
    moved.secrets['ERP_TOKEN'] = moved.secrets['CRM_TOKEN'];
    delete moved.secrets['CRM_TOKEN'];
    writeFileSync(file, JSON.stringify(moved));
    expect(failure(() => SecretStore.open({ dataDir, env }).reveal('ERP_TOKEN')).message).toMatch(/sealed value of ERP_TOKEN .* altered, or moved from another name/);
  });

  it('refuses bad names, empty and short values, and a store file that is not a version-1 store', () => {
    const dataDir = directory();
    const store = SecretStore.open({ dataDir, env: { BATON_SECRET_KEY: HEX_KEY } });
    for (const name of ['crm_token', '1TOKEN', 'CRM-TOKEN', `A${'B'.repeat(64)}`]) {
      const error = failure(() => store.set(name, VALUE));
      expect(error.code).toBe('SECRET_NAME_INVALID');
      expect(error.message).toMatch(/an upper-case letter, then up to 63 upper-case letters, digits or _/);
    }
    expect(failure(() => store.set('CRM_TOKEN', '')).message).toMatch(/the value is empty/);
    expect(failure(() => store.set('CRM_TOKEN', 'short')).message).toMatch(/shorter than 8 characters/);
    writeFileSync(path.join(dataDir, 'secrets.json'), JSON.stringify({ version: 2, secrets: {} }));
    const error = failure(() => SecretStore.open({ dataDir, env: {} }));
    expect(error.code).toBe('SECRET_STORE_INVALID');
    expect(error.message).toMatch(/is not a version-1 Baton secret store \(at version\)/);
    writeFileSync(path.join(dataDir, 'secrets.json'), '{');
    expect(failure(() => SecretStore.open({ dataDir, env: {} })).message).toMatch(/is not valid JSON/);
  });
});
