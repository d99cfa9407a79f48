/**
 * The CLI on bad files and paths: a clear typed error with the path and the exit status that fits (64 usage,
 * 78 config), never `internal error` with a stack trace, never a hang; warnings where something useful still happens.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { BILLION_LAUGHS } from '../config/yaml-bombs.js';

const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});
function tempDir(): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'baton-bad-input-'));
  directories.push(directory);
  return directory;
}

async function cli(argv: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(argv, { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text), env: {}, cwd, onInterrupt: () => () => undefined });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

function expectClean(text: string): void {
  expect(text).not.toContain('internal error');
  expect(text).not.toMatch(/\n\s+at .+[(:]\d+/);
}

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
