/**
 * Bad input never ends in a stack trace or a hang: YAML alias bombs and deep nesting, data directories that are files,
 * run through files, sit on /proc or deny writes, empty config files and knowledge paths that do not exist.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject, type ProjectWarning } from '../../src/config/load.js';
import { prepareProjectDataDir } from '../../src/config/project-checks.js';
import { BatonConfig } from '../../src/config/schema.js';
import { summariseProblems, YamlSource } from '../../src/config/yaml.js';
import { prepareDirectory, type DirectoryFileSystem } from '../../src/data-dir.js';
import { ConfigError, RoleError, UsageError, exitCodeFor } from '../../src/errors.js';
import { createRedactor } from '../../src/transcript/redact.js';
import { SqliteRunStore } from '../../src/stores/sqlite/store.js';
import { temporaryDirectories } from '../support/project.js';
import { BILLION_LAUGHS } from './yaml-bombs.js';

const tempDir = temporaryDirectories('baton-bad-files-');

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

describe('YAML that would exhaust memory or the stack', () => {
  it('refuses an alias bomb as invalid YAML naming the file, instead of a ReferenceError', () => {
    const parsed = YamlSource.parse('/p/baton.config.yaml', BILLION_LAUGHS);
    expect('problems' in parsed).toBe(true);
    if (!('problems' in parsed)) return;
    expect(parsed.problems[0]?.message).toMatch(/aliases .* expand beyond 100 copies/);
    expect(parsed.problems[0]?.location.file).toBe('/p/baton.config.yaml');
  });

  it('refuses absurdly deep nesting without a stack overflow escaping', () => {
    const depth = 50_000;
    const parsed = YamlSource.parse('deep.yaml', `${'['.repeat(depth)}${']'.repeat(depth)}`);
    expect('problems' in parsed).toBe(true);
  });

  it('keeps a few ordinary aliases working', () => {
    const parsed = YamlSource.parse('ok.yaml', 'base: &base { x: 1 }\none: *base\ntwo: *base\n');
    expect('source' in parsed && parsed.source.value).toEqual({ base: { x: 1 }, one: { x: 1 }, two: { x: 1 } });
  });

  it('loadProject reports a bomb in the config (ConfigError, exit 78) and in agents/*.yaml (RoleError)', () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'baton.config.yaml'), BILLION_LAUGHS);
    const configError = thrown(() => loadProject({ cwd, env: {} }));
    expect(configError).toBeInstanceOf(ConfigError);
    expect(exitCodeFor(configError)).toBe(78);
    expect((configError as Error).message).toContain(path.join(cwd, 'baton.config.yaml'));

    const roles = tempDir();
    mkdirSync(path.join(roles, 'agents'));
    writeFileSync(path.join(roles, 'agents', 'planner.yaml'), BILLION_LAUGHS);
    const roleError = thrown(() => loadProject({ cwd: roles, env: {} }));
    expect(roleError).toBeInstanceOf(RoleError);
    expect((roleError as Error).message).toContain(path.join('agents', 'planner.yaml'));
  });
});

describe('files with many problems', () => {
  it('5000 unclosed [ give a short error: each distinct problem once, its place named once', () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'baton.config.yaml'), `${'['.repeat(5000)}\n`);
    const error = thrown(() => loadProject({ cwd, env: {} }));
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message.length).toBeLessThan(1200);
    expect((error as ConfigError).locations.length).toBeLessThanOrEqual(3);
    // The parser reports one place many times: it is named once.
    const where = `${path.join(cwd, 'baton.config.yaml')}:1:`;
    expect(message.split(where)).toHaveLength(2);
  });

  it('a config with hundreds of invalid fields reports 3 and counts the rest', () => {
    const models = Array.from({ length: 400 }, (_, index) => `  - { name: m${index}, provider: openai-compatible, baseUrl: not-a-url, model: x }`).join('\n');
    const parsed = YamlSource.parse('/p/baton.config.yaml', `models:\n${models}\n`);
    if (!('source' in parsed)) throw new Error('expected valid YAML');
    const validated = parsed.source.validate(BatonConfig);
    if (!('problems' in validated)) throw new Error('expected problems');
    expect(validated.problems).toHaveLength(3);
    expect(validated.problems[2]?.message).toContain('(and 397 more problems in this file; fix these first)');
  });

  it('cuts one very long problem message', () => {
    const problems = summariseProblems([{ message: 'x'.repeat(10_000), location: { file: 'f.yaml', line: 1 } }]);
    expect(problems[0]?.message.length).toBeLessThanOrEqual(300);
  });
});

describe('the data directory', () => {
  it('is created when missing, nested folders included', () => {
    const target = path.join(tempDir(), 'a', 'b', 'c');
    expect(prepareDirectory(target)).toBeUndefined();
    expect(prepareDirectory(target)).toBeUndefined();
  });

  it('names a regular file, and a path that runs through one', () => {
    const root = tempDir();
    const file = path.join(root, 'afile');
    writeFileSync(file, 'x');
    expect(prepareDirectory(file)).toBe(`${file} is a file, not a directory`);
    expect(prepareDirectory(path.join(file, 'sub', 'deeper'))).toBe(`${path.join(file, 'sub', 'deeper')} cannot be created: ${file} is a file, not a directory`);
  });

  it('fails at once, never spinning, under /proc', () => {
    const started = Date.now();
    expect(prepareDirectory('/proc/baton-data/x')).toMatch(/cannot create \/proc\/baton-data: \/proc does not accept new folders/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('says permission denied and read-only where the file system does (injected)', () => {
    const denied = (code: string) => Object.assign(new Error(code), { code });
    const fileSystem = (fail: Partial<Record<'mkdir' | 'probe', string>>): DirectoryFileSystem => ({
      stat: (target) => {
        if (target === '/srv') return { isDirectory: () => true };
        throw denied('ENOENT');
      },
      mkdir: () => {
        if (fail.mkdir) throw denied(fail.mkdir);
      },
      probeWrite: () => {
        if (fail.probe) throw denied(fail.probe);
      },
    });
    expect(prepareDirectory('/srv/data', fileSystem({ mkdir: 'EACCES' }))).toBe('cannot create /srv/data: permission denied');
    expect(prepareDirectory('/srv/data', fileSystem({ probe: 'EROFS' }))).toBe('/srv/data does not accept new files: the file system is read-only');
    const error = thrown(() => prepareProjectDataDir('/srv/data', { dataDir: '/srv/data' }, undefined, fileSystem({ probe: 'EACCES' })));
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/the data directory \/srv\/data \(given with --data-dir \("\/srv\/data"\)\) cannot be used: .*permission denied; expected a folder Baton can write to/);
  });

  it('loadProject with prepareDataDir names --data-dir (exit 64) or the config field and line (exit 78)', () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'afile'), 'x');
    const fromOption = thrown(() => loadProject({ cwd, env: {}, dataDir: 'afile', prepareDataDir: true }));
    expect(fromOption).toBeInstanceOf(UsageError);
    expect(exitCodeFor(fromOption)).toBe(64);
    expect((fromOption as Error).message).toContain(`${path.join(cwd, 'afile')} is a file, not a directory`);

    writeFileSync(path.join(cwd, 'baton.config.yaml'), 'log:\n  level: info\ndataDir: afile/sub\n');
    const fromConfig = thrown(() => loadProject({ cwd, env: {}, prepareDataDir: true }));
    expect(fromConfig).toBeInstanceOf(ConfigError);
    expect(exitCodeFor(fromConfig)).toBe(78);
    expect((fromConfig as Error).message).toContain(`${path.join(cwd, 'baton.config.yaml')}:3`);
    expect((fromConfig as Error).message).toContain('(at dataDir)');
    expect((fromConfig as Error).message).toContain(`${path.join(cwd, 'afile')} is a file, not a directory`);
  });

  it('the run store refuses a bad data dir with a typed error, not EEXIST', () => {
    const file = path.join(tempDir(), 'afile');
    writeFileSync(file, 'x');
    const error = thrown(() => SqliteRunStore.open({ dataDir: file, redact: createRedactor([]) }));
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain('is a file, not a directory');
  });
});

describe('silent acceptance', () => {
  it('warns that an empty config file (0 bytes or only comments) is empty and the defaults are used', () => {
    for (const text of ['', '# nothing yet\n\n   # still nothing\n']) {
      const cwd = tempDir();
      writeFileSync(path.join(cwd, 'baton.config.yaml'), text);
      const warnings: ProjectWarning[] = [];
      const project = loadProject({ cwd, env: {}, onWarning: (warning) => warnings.push(warning) });
      expect(project.config.flow.length).toBeGreaterThan(0);
      expect(warnings.map((warning) => warning.message)).toEqual([`${path.join(cwd, 'baton.config.yaml')}: the config file is empty (or holds only comments); the built-in defaults are used`]);
    }
  });

  it('warns about a knowledge path that does not exist, with the file, field path and line', () => {
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'docs'));
    // A document in docs: an empty folder is warned about too (see test/cli/bad-input.test.ts).
    writeFileSync(path.join(cwd, 'docs', 'a.md'), '# A\n');
    writeFileSync(path.join(cwd, 'baton.config.yaml'), 'knowledge:\n  paths:\n    - docs\n    - missing-folder\n');
    const warnings: ProjectWarning[] = [];
    loadProject({ cwd, env: {}, onWarning: (warning) => warnings.push(warning) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.location).toMatchObject({ file: path.join(cwd, 'baton.config.yaml'), path: 'knowledge.paths[1]', line: 4 });
    expect(warnings[0]?.message).toBe(
      `${path.join(cwd, 'baton.config.yaml')}:4 (at knowledge.paths[1]): "missing-folder" does not exist (${path.join(cwd, 'missing-folder')}); expected a folder or file of documents. It is skipped until it exists`,
    );
  });
});
