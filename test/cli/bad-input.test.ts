/**
 * The CLI on bad files and paths: a clear typed error with the path and the exit status that fits (64 usage,
 * 78 config), never `internal error` with a stack trace, never a hang; warnings where something useful still happens.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BILLION_LAUGHS } from '../config/yaml-bombs.js';
import { cli, expectClean } from '../support/cli.js';
import { temporaryDirectories } from '../support/project.js';

const tempDir = temporaryDirectories('baton-bad-input-');

describe('bad config files', () => {
  it('an alias bomb in baton.config.yaml or agents/*.yaml exits 78 naming the file', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'bomb.yaml'), BILLION_LAUGHS);
    const config = await cli(['runs', '--config', 'bomb.yaml'], cwd);
    expect(config.code).toBe(78);
    expect(config.stderr).toContain(`${path.join(cwd, 'bomb.yaml')}: invalid YAML: its aliases (*name) expand beyond 100 copies`);
    expectClean(config.stderr);

    mkdirSync(path.join(cwd, 'agents'));
    writeFileSync(path.join(cwd, 'agents', 'checker.yaml'), BILLION_LAUGHS);
    const role = await cli(['runs'], cwd);
    expect(role.code).toBe(78);
    expect(role.stderr).toContain(path.join('agents', 'checker.yaml'));
    expectClean(role.stderr);
  });

  it('an empty config file warns and the defaults are used', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'baton.config.yaml'), '# to be filled in\n');
    const result = await cli(['runs'], cwd);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`baton: warning: ${path.join(cwd, 'baton.config.yaml')}: the config file is empty (or holds only comments); the built-in defaults are used`);
  });

  it('a knowledge path that does not exist warns with the file, line and field path', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'baton.config.yaml'), 'knowledge:\n  paths: [docs, nowhere]\n');
    mkdirSync(path.join(cwd, 'docs'));
    const result = await cli(['runs'], cwd);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`baton: warning: ${path.join(cwd, 'baton.config.yaml')}:2 (at knowledge.paths[1]): "nowhere" does not exist`);
  });
});

describe('bad data directories', () => {
  it('--data-dir naming a file, a path through a file, or a folder under /proc exits 64 at once, naming the path', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'afile'), 'x');
    const cases: Array<[string, string]> = [
      ['afile', `${path.join(cwd, 'afile')} is a file, not a directory`],
      ['afile/sub', `${path.join(cwd, 'afile', 'sub')} cannot be created: ${path.join(cwd, 'afile')} is a file, not a directory`],
      ['/proc/x', 'cannot create /proc/x: /proc does not accept new folders'],
    ];
    for (const [dataDir, message] of cases) {
      for (const command of [['runs'], ['kb'], ['stats'], ['run', 'What is Baton?', '--offline']]) {
        const started = Date.now();
        const result = await cli([...command, '--data-dir', dataDir], cwd);
        expect(result.code, `${command[0]} --data-dir ${dataDir}`).toBe(64);
        expect(result.stderr).toContain(`given with --data-dir ("${dataDir}")`);
        expect(result.stderr).toContain(message);
        expectClean(result.stderr);
        expect(Date.now() - started).toBeLessThan(5000);
      }
    }
  });

  it('dataDir in the config naming a file exits 78 with the config file, line and field', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'afile'), 'x');
    writeFileSync(path.join(cwd, 'baton.config.yaml'), 'dataDir: afile\n');
    const result = await cli(['runs'], cwd);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(`${path.join(cwd, 'baton.config.yaml')}:1:10 (at dataDir): the data directory cannot be used: ${path.join(cwd, 'afile')} is a file, not a directory`);
    expectClean(result.stderr);
  });
});

describe('baton ingest of paths that do not exist', () => {
  it('a path on the command line that does not exist exits 64 naming it', async () => {
    const cwd = tempDir();
    const result = await cli(['ingest', '/no-such'], cwd);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('cannot ingest "/no-such": no such file or folder');
    const relative = await cli(['ingest', 'docs-typo', '--json'], cwd);
    expect(relative.code).toBe(64);
    expect(relative.stderr).toContain(`"docs-typo" (${path.join(cwd, 'docs-typo')})`);
    expectClean(result.stderr + relative.stderr);
  });

  it('knowledge.paths that all do not exist exit 78 naming the config field', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'baton.config.yaml'), 'knowledge:\n  paths: [gone, also-gone]\n');
    const result = await cli(['ingest'], cwd);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('(at knowledge.paths): nothing to ingest: every path of knowledge.paths is missing');
  });

  it('a missing folder that documents were ingested from is still accepted: ingesting it removes them', async () => {
    const cwd = tempDir();
    const docs = path.join(cwd, 'docs');
    mkdirSync(docs);
    writeFileSync(path.join(docs, 'a.md'), '# A\n\nQuokkas smile.\n');
    expect((await cli(['ingest', 'docs'], cwd)).code).toBe(0);
    rmSync(docs, { recursive: true });
    const again = await cli(['ingest', 'docs'], cwd);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/not found; documents previously ingested from it are removed/);
  });
});

describe('baton ingest of paths that hold nothing', () => {
  it('an empty path on the command line exits 64 instead of ingesting the working directory', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'notes.md'), '# Notes\n');
    for (const given of ['', '  ']) {
      const result = await cli(['ingest', given], cwd);
      expect(result.code).toBe(64);
      expect(result.stderr).toContain('cannot ingest an empty path ("")');
      expect(result.stdout).not.toContain('Ingested');
      expectClean(result.stderr);
    }
  });

  it('a device such as /dev/null exits 64: nothing can ever be read from it', async () => {
    const result = await cli(['ingest', '/dev/null'], tempDir());
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('cannot ingest "/dev/null": neither a file nor a folder (a device, pipe or socket)');
    expectClean(result.stderr);
  });

  it('an empty folder, or one with no documents, is ingested (removing what came from it) with a warning naming it', async () => {
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'empty'));
    mkdirSync(path.join(cwd, 'images'));
    writeFileSync(path.join(cwd, 'images', 'logo.png'), 'png');
    const result = await cli(['ingest', 'empty', 'images'], cwd);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: empty: no documents found, so nothing was ingested from it (the folder is empty, hidden files aside); documents are files ending in .md');
    expect(result.stderr).toContain('warning: images: no documents found, so nothing was ingested from it (1 file(s) of other kinds ignored)');
  });

  it('knowledge.paths: [] warns at load, and `baton ingest` with nothing to read exits 78', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'baton.config.yaml'), 'knowledge:\n  paths: []\n');
    const runs = await cli(['runs'], cwd);
    expect(runs.code).toBe(0);
    expect(runs.stderr).toContain(`baton: warning: ${path.join(cwd, 'baton.config.yaml')}:2 (at knowledge.paths): the list is empty, so runs search no local documents`);
    const ingest = await cli(['ingest'], cwd);
    expect(ingest.code).toBe(78);
    expect(ingest.stderr).toContain('(at knowledge.paths): nothing to ingest: knowledge.paths is an empty list');
    expectClean(ingest.stderr);
  });

  it('a knowledge path naming an empty folder warns with the file, line and field path', async () => {
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'docs'));
    writeFileSync(path.join(cwd, 'baton.config.yaml'), 'knowledge:\n  paths:\n    - docs\n');
    const result = await cli(['runs'], cwd);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`baton: warning: ${path.join(cwd, 'baton.config.yaml')}:3 (at knowledge.paths[0]): "docs" is an empty folder (${path.join(cwd, 'docs')})`);
  });
});

describe('empty paths in the config', () => {
  it('an empty --data-dir or --config exits 64 instead of meaning the working directory', async () => {
    const cwd = tempDir();
    for (const [flag, expected] of [['--data-dir', 'a folder for runs'], ['--config', 'a YAML config file']] as const) {
      const result = await cli(['runs', flag, ''], cwd);
      expect(result.code).toBe(64);
      expect(result.stderr).toContain(`baton: ${flag} was given an empty path; expected ${expected}`);
      expectClean(result.stderr);
    }
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('knowledge.paths: [""], dataDir: "", agentsDir: "" and promptsDir: "" exit 78 naming the field and line', async () => {
    const cases: Array<[string, string]> = [
      ['knowledge:\n  paths: [docs, ""]\n', ':2:17 (at knowledge.paths[1]): the path is empty; expected a folder or file of documents'],
      ['dataDir: ""\n', ':1:10 (at dataDir): the path is empty; expected a folder for runs, logs and the knowledge base'],
      ['agentsDir: " "\n', ':1:12 (at agentsDir): the path is empty; expected a folder of role files'],
      ['promptsDir: ""\n', ':1:13 (at promptsDir): the path is empty; expected a folder of prompt files'],
    ];
    for (const [config, message] of cases) {
      const cwd = tempDir();
      mkdirSync(path.join(cwd, 'docs'));
      writeFileSync(path.join(cwd, 'baton.config.yaml'), config);
      const result = await cli(['runs'], cwd);
      expect(result.code, config).toBe(78);
      expect(result.stderr).toContain(`${path.join(cwd, 'baton.config.yaml')}${message}`);
      expectClean(result.stderr);
    }
  });
});
