/**
 * `baton secrets` through the real executable: the value goes in on standard input and never comes out on stdout or
 * stderr, whatever the command; a stored value is redacted from a run's goal and answer; a missing key stops a run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCliCopy, packagesOf, runRecorded, type BuiltCli } from '../support/built-cli.js';

const VALUE = 'erp-key-4d9b2f7e81c3a5';

let cli: BuiltCli;
let cwd: string;

beforeAll(() => {
  cli = buildCliCopy();
  cwd = mkdtempSync(path.join(os.tmpdir(), 'baton-secrets-cli-'));
}, 120_000);

afterAll(() => {
  cli?.remove();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `baton <argv>` with `input` piped to its standard input. */
function baton(argv: readonly string[], input = '', env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli.executable, ...argv], { cwd, env: { PATH: process.env['PATH'] ?? '', HOME: cwd, NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

function expectNoValue(result: Result): void {
  expect(result.stdout).not.toContain(VALUE);
  expect(result.stderr).not.toContain(VALUE);
}

describe('baton secrets', () => {
  it('sets from stdin, lists names only, refuses mistakes with usage codes, and removes', async () => {
    const set = await baton(['secrets', 'set', 'ERP_KEY', '--json'], `${VALUE}\n`);
    expect(set.status, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ name: 'ERP_KEY', created: true });
    expectNoValue(set);
    const stored = readFileSync(path.join(cwd, '.baton', 'secrets.json'), 'utf8');
    expect(stored).not.toContain(VALUE);

    const again = await baton(['secrets', 'set', 'ERP_KEY'], VALUE);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^Replaced secret ERP_KEY/);
    expectNoValue(again);

    const list = await baton(['secrets', 'list']);
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/NAME\s+CREATED\s+UPDATED\nERP_KEY\s/);
    expectNoValue(list);
    const listJson = await baton(['secrets', 'list', '--json']);
    expect((JSON.parse(listJson.stdout) as Array<{ name: string }>).map((entry) => entry.name)).toEqual(['ERP_KEY']);
    expectNoValue(listJson);

    const badName = await baton(['secrets', 'set', 'erp-key'], VALUE);
    expect(badName.status).toBe(64);
    expect(badName.stderr).toMatch(/not a valid secret name/);
    expect(badName.stderr).not.toMatch(/\n\s+at /);
    expectNoValue(badName);
    const empty = await baton(['secrets', 'set', 'EMPTY_KEY'], '\n');
    expect(empty.status).toBe(64);
    expect(empty.stderr).toMatch(/the value is empty/);
    const argument = await baton(['secrets', 'set', 'ERP_KEY', VALUE]);
    expect(argument.status).toBe(64);

    const wrongKey = await baton(['secrets', 'set', 'OTHER_KEY'], 'another-value-99', { BATON_SECRET_KEY: 'f'.repeat(64) });
    expect(wrongKey.status).toBe(78);
    expect(wrongKey.stderr).toMatch(/the key from BATON_SECRET_KEY does not match the secret store/);

    const rm = await baton(['secrets', 'rm', 'ERP_KEY']);
    expect(rm.status, rm.stderr).toBe(0);
    expect(rm.stdout).toBe('Removed secret ERP_KEY.\n');
    const unknown = await baton(['secrets', 'rm', 'ERP_KEY']);
    expect(unknown.status).toBe(64);
    expect(unknown.stderr).toMatch(/no secret named ERP_KEY/);
  }, 60_000);

  it('redacts a stored value from a run, and refuses to run when the stored secrets cannot be decrypted', async () => {
    const set = await baton(['secrets', 'set', 'RUN_KEY'], VALUE);
    expect(set.status, set.stderr).toBe(0);
    const run = await baton(['run', '--offline', '--json', `What is Baton? The key is ${VALUE}`]);
    expectNoValue(run);
    const { runId } = JSON.parse(run.stdout) as { runId: string };
    const show = await baton(['show', runId, '--json']);
    expect(show.status).toBe(0);
    expect(show.stdout).toContain('[REDACTED:secret]');
    expectNoValue(show);

    rmSync(path.join(cwd, '.baton', 'secret.key'));
    const locked = await baton(['run', '--offline', 'What is Baton?']);
    expect(locked.status).toBe(78);
    expect(locked.stderr).toMatch(/holds 1 sealed secret\(s\) but no key is available/);
    const removed = await baton(['secrets', 'rm', 'RUN_KEY']);
    expect(removed.status, removed.stderr).toBe(0);
  }, 120_000);

  it('secrets list loads none of the heavy packages', () => {
    const result = runRecorded(cli, ['secrets', 'list'], cwd);
    expect(result.status, result.stderr).toBe(0);
    expect(packagesOf(result.modules).filter((name) => !['commander', 'zod', 'yaml', 'better-sqlite3', 'bindings', 'file-uri-to-path'].includes(name))).toEqual([]);
  });
});
