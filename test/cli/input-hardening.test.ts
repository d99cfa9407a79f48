/**
 * Bad input found by a QA pass: a log that cannot be written or is a pipe, user files that are devices or pipes,
 * numbers that are not plain decimals, windows and dates that roll over, bad attachments and serve flags. Each ends in
 * a clear typed error naming what was wrong (or a warning and a finished run), never a stack trace or a hang.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSince } from '../../src/cli/commands/stats.js';
import { parseDollars, parseDuration, parseWholeNumber } from '../../src/cli/numbers.js';
import { UsageError } from '../../src/errors.js';
import { cli, expectClean } from '../support/cli.js';
import { temporaryDirectories } from '../support/project.js';

const tempDir = temporaryDirectories('baton-input-hardening-');

function mkfifo(file: string): void {
  execFileSync('mkfifo', [file]);
}

const linux = process.platform === 'linux' && existsSync('/dev/full');
const run = ['run', 'What is Baton?', '--offline'];

describe('the log file', () => {
  it.runIf(linux)('a log that cannot be written (/dev/full) warns once, and the run finishes and is recorded', async () => {
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'data'));
    symlinkSync('/dev/full', path.join(cwd, 'data', 'baton.log'));
    const result = await cli([...run, '--data-dir', 'data'], cwd);
    expect(result.code, result.stderr).toBe(0);
    expectClean(result.stderr);
    const warnings = result.stderr.split('\n').filter((line) => line.includes('cannot write to the log file'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`baton: warning: cannot write to the log file ${path.join(cwd, 'data', 'baton.log')} (no space left on the device)`);
    const runs = JSON.parse((await cli(['runs', '--json', '--data-dir', 'data'], cwd)).stdout) as Array<{ status: string }>;
    expect(runs.map((entry) => entry.status)).toEqual(['approved']);
  });

  it.runIf(linux)('a FIFO at baton.log is refused as not a regular file (exit 65), not a hang', async () => {
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'data'));
    mkfifo(path.join(cwd, 'data', 'baton.log'));
    const result = await cli([...run, '--data-dir', 'data'], cwd);
    expect(result.code).toBe(65);
    expect(result.stderr).toContain(`baton: ${path.join(cwd, 'data', 'baton.log')} cannot be used: it is not a regular file`);
    expectClean(result.stderr);
  });
});

describe('user files that are not regular files', () => {
  it.runIf(linux)('--config pointing at /dev/zero, a FIFO or a symlink to /dev/urandom exits 78 naming the file', async () => {
    const cwd = tempDir();
    mkfifo(path.join(cwd, 'fifo.yaml'));
    symlinkSync('/dev/urandom', path.join(cwd, 'random.yaml'));
    for (const config of ['/dev/zero', path.join(cwd, 'fifo.yaml'), path.join(cwd, 'random.yaml')]) {
      const result = await cli(['runs', '--config', config], cwd);
      expect(result.code, result.stderr).toBe(78);
      expect(result.stderr).toContain(`baton: ${config}: it is not a regular file`);
      expectClean(result.stderr);
    }
  });

  it('a config file over the size cap exits 78 with the limit', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'big.yaml'), `# ${'x'.repeat(1024 * 1024)}\n`);
    const result = await cli(['runs', '--config', 'big.yaml'], cwd);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('over the 1048576-byte limit');
  });

  it.runIf(linux)('a role file or a prompt that is a FIFO exits 78 naming it', async () => {
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'agents'));
    mkfifo(path.join(cwd, 'agents', 'checker.yaml'));
    const role = await cli(['runs'], cwd);
    expect(role.code).toBe(78);
    expect(role.stderr).toContain(`${path.join(cwd, 'agents', 'checker.yaml')}: it is not a regular file`);
    rmSync(path.join(cwd, 'agents'), { recursive: true });
    mkdirSync(path.join(cwd, 'prompts'));
    mkfifo(path.join(cwd, 'prompts', 'researcher.md'));
    const prompt = await cli(['runs'], cwd);
    expect(prompt.code).toBe(78);
    expect(prompt.stderr).toContain(`${path.join(cwd, 'prompts', 'researcher.md')}: it is not a regular file`);
  });

  it('a prompt file that is a folder exits 78 naming it, not EISDIR', async () => {
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'prompts', 'researcher.md'), { recursive: true });
    const result = await cli(['runs'], cwd);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(`baton: ${path.join(cwd, 'prompts', 'researcher.md')}: it is a folder, not a file; expected a prompt template`);
    expectClean(result.stderr);
  });

  it('agentsDir or promptsDir pointing at a file exits 78 naming the config field, not ENOTDIR', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'roles.txt'), 'not a folder\n');
    for (const field of ['agentsDir', 'promptsDir']) {
      writeFileSync(path.join(cwd, 'baton.config.yaml'), `${field}: roles.txt\n`);
      const result = await cli(['runs'], cwd);
      expect(result.code, result.stderr).toBe(78);
      expect(result.stderr).toContain(`baton.config.yaml:1:`);
      expect(result.stderr).toContain(`(at ${field})`);
      expect(result.stderr).toContain(`${path.join(cwd, 'roles.txt')} is a file, not a folder`);
      expectClean(result.stderr);
    }
  });
});

describe('role files checked at load', () => {
  it('an invalid regex in policy.forbid exits 78 with the file, line and field path', async () => {
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'agents'));
    writeFileSync(path.join(cwd, 'agents', 'checker.yaml'), 'name: checker\nkind: checker\npolicy:\n  forbid:\n    - "/[/"\n');
    const result = await cli(['runs'], cwd);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(`${path.join(cwd, 'agents', 'checker.yaml')}:5:7 (at policy.forbid[0]): invalid regular expression "/[/"`);
    expectClean(result.stderr);
  });

  it('an unknown tool exits 78 naming the file, tools[1] and the tools that exist', async () => {
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'agents'));
    writeFileSync(path.join(cwd, 'agents', 'researcher.yaml'), 'name: researcher\nkind: researcher\ntools: [search_docs, rm_rf]\n');
    const result = await cli(['runs'], cwd);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(`${path.join(cwd, 'agents', 'researcher.yaml')}:3:22 (at tools[1]): unknown tool "rm_rf"; available tools: search_docs, read_source, fetch_url, web_search`);
  });
});

describe('numbers on the command line', () => {
  it('huge limits, hex, exponents and $ signs are usage errors (exit 64), never internal errors', async () => {
    const cwd = tempDir();
    const cases: Array<[string[], string]> = [
      [['runs', '--limit', '99999999999999999999'], '--limit expects a positive whole number from 1 to 1000000'],
      [['runs', '--limit', '0x10'], '--limit expects a positive whole number from 1 to 1000000'],
      [['stats', '--limit', '99999999999999999999'], '--limit expects a positive whole number from 1 to 1000000'],
      [['stats', '--since', '99999999999999999999d'], 'a window of at most 100 years'],
      [['stats', '--since', '2024-02-30'], 'that date does not exist'],
      [['stats', '--since', 'Jan 1'], '--since expects a window'],
      [[...run, '--budget', '0x10'], '--budget expects an amount of US dollars'],
      [[...run, '--budget', '$1'], 'no $ sign'],
      [[...run, '--deadline', '3000000h'], '--deadline must be at most 168h'],
      [[...run, '--deadline', '9'.repeat(400)], '--deadline must be at most 168h'],
    ];
    for (const [argv, message] of cases) {
      const result = await cli(argv, cwd);
      expect(result.code, `${argv.join(' ')}: ${result.stderr}`).toBe(64);
      expect(result.stderr).toContain(message);
      expectClean(result.stderr);
    }
  });

  it('serve refuses a hex port, a huge concurrency and a host with a space before loading anything', async () => {
    const cwd = tempDir();
    for (const [argv, message] of [
      [['serve', '--port', '0x50'], 'expected a port number from 0 to 65535, written in decimal digits'],
      [['serve', '--concurrency', '1e9'], 'expected a whole number from 1 to 256'],
      [['serve', '--host', 'evil host'], 'invalid host'],
    ] as const) {
      const result = await cli([...argv], cwd);
      expect(result.code).toBe(64);
      expect(result.stderr).toContain(message);
    }
  });

  it('serve with an empty --tokens-file says the file holds no tokens', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'tokens.txt'), '# none yet\n\n');
    const result = await cli(['serve', '--host', '0.0.0.0', '--tokens-file', 'tokens.txt'], cwd);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain(`--tokens-file ${path.join(cwd, 'tokens.txt')} holds no API tokens`);
    expect(result.stderr).not.toContain('refusing');
  });

  it('--help says a bare --deadline is seconds', async () => {
    const result = await cli(['run', '--help'], tempDir());
    expect(result.stdout).toMatch(/a bare\s+number is seconds/);
  });

  it('the parsers accept plain decimals within bounds and refuse the rest', () => {
    expect(parseWholeNumber('20', '--limit', { min: 1, max: 100 })).toBe(20);
    for (const bad of ['', ' ', '1e3', '0x10', '-1', '1.5', '0', '101']) expect(() => parseWholeNumber(bad, '--limit', { min: 1, max: 100 })).toThrow(UsageError);
    expect(parseDollars('0.50')).toBe(0.5);
    expect(parseDollars('.5')).toBe(0.5);
    for (const bad of ['$1', '0', '1e3', 'Infinity', '0x10', '2000000']) expect(() => parseDollars(bad)).toThrow(UsageError);
    expect(parseDuration('5', '--deadline')).toBe(5000);
    expect(parseDuration('168h', '--deadline')).toBe(168 * 3_600_000);
    expect(() => parseDuration('169h', '--deadline')).toThrow(/at most 168h/);
  });

  it('parseSince accepts windows and real ISO dates only', () => {
    const now = new Date('2026-03-10T12:00:00Z');
    expect(parseSince('7d', now)).toBe('2026-03-03T12:00:00.000Z');
    expect(parseSince('2024-02-29', now)).toBe('2024-02-29T00:00:00.000Z');
    expect(parseSince('2026-01-02T03:04:05Z', now)).toBe('2026-01-02T03:04:05.000Z');
    expect(parseSince('2026-01-02T03:04+02:00', now)).toBe('2026-01-02T01:04:00.000Z');
    // What `date +%FT%T%z` prints, and a month.
    expect(parseSince('2026-01-02T03:04:05+0100', now)).toBe('2026-01-02T02:04:05.000Z');
    expect(parseSince('2026-01', now)).toBe('2026-01-01T00:00:00.000Z');
    for (const bad of ['0', '1', 'Jan 1', '2024-02-30', '2023-02-29', '2026-13-01', '2026-01-01T24:00Z', '2026-01-01T10:60Z', '99999999999999999999d', '7x', '']) {
      expect(() => parseSince(bad, now), bad).toThrow(UsageError);
    }
  });
});

describe('--attach says what is actually wrong', () => {
  it('a folder, a FIFO, a device, a symlink loop, a dangling link and an empty path each get their own message', async () => {
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'dir.md'));
    mkdirSync(path.join(cwd, 'kb'));
    symlinkSync('loop-b.md', path.join(cwd, 'loop-a.md'));
    symlinkSync('loop-a.md', path.join(cwd, 'loop-b.md'));
    symlinkSync('missing.md', path.join(cwd, 'dangling.md'));
    const cases: Array<[string, string]> = [
      ['dir.md', 'it is a folder'],
      ['kb', 'it is a folder'],
      ['loop-a.md', 'a symbolic-link loop'],
      ['dangling.md', 'a symbolic link to a file that does not exist'],
      ['nothing.md', 'file not found'],
      ['', 'empty path'],
    ];
    if (linux) {
      mkfifo(path.join(cwd, 'fifo.txt'));
      symlinkSync('/dev/zero', path.join(cwd, 'zero.txt'));
      cases.push(['fifo.txt', 'not a regular file'], ['zero.txt', 'not a regular file']);
    }
    for (const [file, message] of cases) {
      const result = await cli([...run, '--attach', file], cwd);
      expect(result.code, `${file}: ${result.stderr}`).toBe(64);
      expect(result.stderr).toContain(message);
      // Checked before the run starts: no engines banner, no run recorded.
      expect(result.stderr).not.toContain('Evidence:');
      expectClean(result.stderr);
    }
  });
});
