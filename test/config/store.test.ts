import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { makeProject } from '../support/project.js';

function load(config: string, env: Record<string, string> = {}) {
  return loadProject({ cwd: makeProject({ 'baton.config.yaml': config }), env });
}

describe('the store setting', () => {
  it('is SQLite by default', () => {
    expect(load('').store).toEqual({ kind: 'sqlite' });
  });

  it('reads ${NAME} references in the PostgreSQL URL from the environment', () => {
    const project = load('store:\n  kind: postgres\n  url: ${BATON_DATABASE_URL}\n', { BATON_DATABASE_URL: 'postgres://baton:s3cret@db.example.com:5432/baton' });
    expect(project.store).toEqual({ kind: 'postgres', url: 'postgres://baton:s3cret@db.example.com:5432/baton' });
  });

  it('names the field and the variable when the variable is not set', () => {
    expect(() => load('store:\n  kind: postgres\n  url: ${BATON_DATABASE_URL}\n')).toThrow(/store\.url refers to \$\{BATON_DATABASE_URL\}, which is not set/);
  });

  it('refuses another scheme, and a URL whose password was not percent-encoded, without quoting the URL', () => {
    expect(() => load('store:\n  kind: postgres\n  url: mysql://db/x\n')).toThrow(/scheme "mysql"/);
    for (const url of ['postgres://u:Ab12@Cd34/Ef56@127.0.0.1:5432/db', 'postgres://u:p@ss/w#rd@127.0.0.1/db', 'postgres://u:50%off@127.0.0.1/db']) {
      const error = (() => {
        try {
          load('store:\n  kind: postgres\n  url: ${URL}\n', { URL: url });
        } catch (caught) {
          return caught as Error;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect(error!.message).not.toMatch(/Ab12|Cd34|Ef56|w#rd|50%off/);
      expect(error!.message).toMatch(/percent-encod|%25/);
    }
  });

  it('says to quote a ${NAME} value when YAML reads it as a map', () => {
    expect(() => load('store: { kind: postgres, url: ${BATON_DATABASE_URL} }\n')).toThrow(/must be quoted, e\.g\. url: "\$\{BATON_DATABASE_URL\}"/);
  });
});
