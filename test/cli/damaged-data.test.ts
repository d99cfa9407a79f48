/**
 * Damaged files inside the data directory: a folder or random bytes where `baton.db`, `checkpoints.db`, `baton.log`
 * or the knowledge base's files should be is a typed error naming the file, what is wrong and what to do (exit 65),
 * before a run starts; never `internal error` with a stack trace (exit 70), never a run recorded failed `INTERNAL`.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DataFileError } from '../../src/errors.js';
import { openSqliteCheckpointer } from '../../src/runtime/checkpointer.js';
import { SqliteRunStore } from '../../src/stores/sqlite/store.js';
import { cli, expectClean } from '../support/cli.js';
import { temporaryDirectories } from '../support/project.js';

const tempDir = temporaryDirectories('baton-damaged-');

const randomBytes = Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 7919 + 13) % 256));

/** Replaces `file` by a folder or by random bytes. */
function damage(file: string, how: 'folder' | 'bytes'): void {
  mkdirSync(path.dirname(file), { recursive: true });
  rmSync(file, { recursive: true, force: true });
  if (how === 'folder') mkdirSync(file);
  else writeFileSync(file, randomBytes);
}

const run = ['run', 'What is Baton?', '--offline'];

describe('damaged files in the data directory', () => {
  const cases: Array<{ file: string; hows: Array<'folder' | 'bytes'>; commands: string[][]; expected: string; hint: RegExp }> = [
    { file: 'baton.db', hows: ['folder', 'bytes'], commands: [['runs'], ['stats'], ['show', 'run_x'], run], expected: "expected the SQLite database of Baton's run transcripts", hint: /hint: move .*baton\.db away/ },
    { file: 'checkpoints.db', hows: ['folder', 'bytes'], commands: [run], expected: 'expected the SQLite database of LangGraph checkpoints', hint: /hint: move .*checkpoints\.db away/ },
    { file: 'baton.log', hows: ['folder'], commands: [run], expected: "expected Baton's log", hint: /hint: move .*baton\.log away/ },
    { file: 'kb/kb.sqlite', hows: ['folder', 'bytes'], commands: [['kb'], ['ingest', 'docs'], run], expected: "expected the knowledge base's SQLite database", hint: /baton ingest --rebuild/ },
    { file: 'kb/manifest.json', hows: ['folder'], commands: [['kb'], ['ingest', 'docs'], run], expected: "expected the knowledge base's manifest", hint: /hint: move .*manifest\.json away/ },
  ];
  for (const { file, hows, commands, expected, hint } of cases) {
    for (const how of hows) {
      it(`${how === 'folder' ? 'a folder' : 'random bytes'} at .baton/${file} is a typed error naming it (exit 65) for ${commands.map((command) => command[0]).join(', ')}`, async () => {
        const cwd = tempDir();
        mkdirSync(path.join(cwd, 'docs'));
        writeFileSync(path.join(cwd, 'docs', 'a.md'), '# A\n\nBaton is a runtime.\n');
        if (file.startsWith('kb/')) expect((await cli(['ingest', 'docs'], cwd)).code).toBe(0);
        const target = path.join(cwd, '.baton', file);
        damage(target, how);
        for (const command of commands) {
          const result = await cli(command, cwd);
          expect(result.code, `${command.join(' ')}: ${result.stderr}`).toBe(65);
          expect(result.stderr).toContain(`baton: ${target} cannot be used: ${how === 'folder' ? 'it is a folder, not a file' : 'it is not an SQLite database'}`);
          expect(result.stderr).toContain(expected);
          expect(result.stderr).toMatch(hint);
          expect(result.stdout).not.toContain('Run id');
          expectClean(result.stderr);
        }
      });
    }
  }

  it('with --data-dir the damaged file is named under that folder, and no run is recorded before the error', async () => {
    const cwd = tempDir();
    damage(path.join(cwd, 'data', 'checkpoints.db'), 'bytes');
    const result = await cli([...run, '--data-dir', 'data'], cwd);
    expect(result.code).toBe(65);
    expect(result.stderr).toContain(`baton: ${path.join(cwd, 'data', 'checkpoints.db')} cannot be used`);
    expect(result.stderr).toContain('or choose another data directory with --data-dir');
    const runs = await cli(['runs', '--json', '--data-dir', 'data'], cwd);
    expect(JSON.parse(runs.stdout)).toEqual([]);
  });

  // The index is loaded at a run's first search (loading checks its checksum), so the run records the typed error.
  it('a folder where the knowledge base index file should be ends the run KB_INDEX_CORRUPT naming it', async () => {
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'docs'));
    writeFileSync(path.join(cwd, 'docs', 'a.md'), '# A\n\nBaton is a runtime.\n');
    expect((await cli(['ingest', 'docs'], cwd)).code).toBe(0);
    const indexFile = readdirSync(path.join(cwd, '.baton', 'kb')).find((name) => name.endsWith('.hnsw'))!;
    damage(path.join(cwd, '.baton', 'kb', indexFile), 'folder');
    const result = await cli(run, cwd);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`Error KB_INDEX_CORRUPT: the knowledge base index ${path.join(cwd, '.baton', 'kb', indexFile)} is corrupt: it is not a file`);
    expectClean(result.stderr);
  });
});

describe('data files that pass the header check but still cannot be opened', () => {
  it('the checkpointer reads its database when it opens, so a damaged one rejects before a run uses it', async () => {
    const file = path.join(tempDir(), 'checkpoints.db');
    writeFileSync(file, Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), randomBytes]));
    const pending = openSqliteCheckpointer(file, (text) => text);
    const error: unknown = await pending.saver.then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    pending.close();
    expect(error).toBeInstanceOf(DataFileError);
    expect((error as DataFileError).message).toContain(`${file} cannot be used`);
  });

  it("another program's SQLite database at baton.db is a DataFileError, not an SqliteError", () => {
    const dataDir = tempDir();
    const foreign = new Database(path.join(dataDir, 'baton.db'));
    foreign.exec('CREATE TABLE runs (name TEXT)');
    foreign.close();
    expect(() => SqliteRunStore.open({ dataDir, redact: (text) => text })).toThrow(DataFileError);
    expect(() => SqliteRunStore.open({ dataDir, redact: (text) => text })).toThrow(/baton\.db cannot be used: no such column: id in table runs \(another program's database\?\)/);
  });
});
