/**
 * The `baton` command line, run in-process through `runCli` with injected io (a temp working directory, an empty
 * environment, so the offline engine and the built-in sample knowledge answer), plus one run of the real executable.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, type CliResult } from '../support/cli.js';
import { temporaryDirectories } from '../support/project.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ANSWERABLE = 'What is Baton?';
const UNANSWERABLE = 'What is the boiling point of tungsten?';

const tempDir = temporaryDirectories('baton-cli-');

/** The one JSON value a `--json` command printed: exactly one non-empty line. */
function singleJson(output: string): unknown {
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  expect(lines, output).toHaveLength(1);
  return JSON.parse(lines[0]!);
}

function expectNoStackTrace(text: string): void {
  expect(text).not.toMatch(/\n\s+at .+[(:]\d+/);
  expect(text).not.toContain('internal error');
}

describe('baton run / runs / show on the offline engine', () => {
  let cwd: string;
  let run: CliResult;
  let runId: string;

  beforeAll(async () => {
    cwd = tempDir();
    run = await cli(['run', ANSWERABLE, '--json'], cwd);
    runId = (JSON.parse(run.stdout) as { runId: string }).runId;
  });

  it('run --json prints one JSON object with the run id, status, result and rounds, and exits 0', () => {
    expect(run.code).toBe(0);
    const printed = singleJson(run.stdout) as Record<string, unknown>;
    expect(printed).toMatchObject({ status: 'approved', verified: true, error: null });
    expect(printed['runId']).toMatch(/^run_/);
    expect(typeof printed['result']).toBe('string');
    expect(printed['result']).toContain('Baton is an open-source TypeScript runtime');
    expect(printed['rounds']).toBe(1);
    expect((printed['citations'] as Array<{ source: string }>).length).toBeGreaterThan(0);
    // JSON mode keeps the terminal quiet: nothing but the object.
    expect(run.stderr).toBe('');
    expect(existsSync(path.join(cwd, '.baton', 'baton.db'))).toBe(true);
  });

  it('runs --json lists the run', async () => {
    const listed = await cli(['runs', '--json'], cwd);
    expect(listed.code).toBe(0);
    const runs = singleJson(listed.stdout) as Array<Record<string, unknown>>;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: runId, goal: ANSWERABLE, status: 'approved', rounds: 1 });
  });

  it('runs (text) shows a table with the run', async () => {
    const listed = await cli(['runs'], cwd);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('STATUS');
    expect(listed.stdout).toContain(runId);
    expect(listed.stdout).toContain('approved');
  });

  it('show <id> --json prints { run, turns } whose turns name role, model and round', async () => {
    const shown = await cli(['show', runId, '--json'], cwd);
    expect(shown.code).toBe(0);
    const { run: record, turns } = singleJson(shown.stdout) as { run: Record<string, unknown>; turns: Array<Record<string, unknown>> };
    expect(record).toMatchObject({ id: runId, goal: ANSWERABLE, status: 'approved', engine: 'offline' });
    expect(turns.map((turn) => turn['role'])).toEqual(['supervisor', 'planner', 'researcher', 'checker', 'supervisor']);
    for (const turn of turns) {
      expect(turn).toHaveProperty('model');
      expect(typeof turn['round']).toBe('number');
    }
    const agentTurns = turns.filter((turn) => turn['role'] !== 'supervisor');
    for (const turn of agentTurns) {
      expect(turn['model']).toBe('offline:baton-offline-1');
      expect(turn['round']).toBe(1);
    }
  });

  it('show <id> prints the plan and the verdict', async () => {
    const shown = await cli(['show', runId], cwd);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`Run ${runId}  approved (verified)`);
    expect(shown.stdout).toMatch(/s1\. .*Baton/);
    expect(shown.stdout).toContain('decision: approve');
    expect(shown.stdout).toContain('Answer (verified by the checker):');
  });

  it('show with an unknown run id exits 64 with a hint', async () => {
    const shown = await cli(['show', 'run_does_not_exist'], cwd);
    expect(shown.code).toBe(64);
    expect(shown.stderr).toContain('no run with id "run_does_not_exist"');
    expect(shown.stderr).toContain('hint: list runs with `baton runs`');
    expect(shown.stdout).toBe('');
    expectNoStackTrace(shown.stderr);
  });
});

describe('baton run outcomes and text output', () => {
  it('a run the sample knowledge cannot answer ends unverified: exit 2 and NOT verified', async () => {
    const cwd = tempDir();
    const result = await cli(['run', UNANSWERABLE], cwd);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('Best draft (NOT verified)');
    expect(result.stdout).toContain('Status: unverified');
    expect(result.stdout).not.toContain('(verified)');
    expect(result.stdout).toContain('Open objections:');
    // The live progress goes to stderr, not into the answer.
    expect(result.stderr).toContain('Engines: every role → offline (no network, deterministic)');
    expect(result.stderr).toContain('checker');
  });

  it('an unverified run --json reports verified false with its objections', async () => {
    const cwd = tempDir();
    const result = await cli(['run', UNANSWERABLE, '--json'], cwd);
    expect(result.code).toBe(2);
    const printed = singleJson(result.stdout) as { status: string; verified: boolean; objections: string[] };
    expect(printed.status).toBe('unverified');
    expect(printed.verified).toBe(false);
    expect(printed.objections.length).toBeGreaterThan(0);
  });

  it('run (text) prints the verified answer, its citations and the run id', async () => {
    const cwd = tempDir();
    const result = await cli(['run', ANSWERABLE], cwd);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Answer (verified by the checker):');
    expect(result.stdout).toContain('Citations:');
    expect(result.stdout).toMatch(/Status: approved \(verified\)/);
    expect(result.stdout).toMatch(/Run id: run_\S+ {2}\(baton show run_\S+\)/);
  });

  it('run --quiet prints only the answer', async () => {
    const cwd = tempDir();
    const result = await cli(['run', ANSWERABLE, '--quiet'], cwd);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Baton is an open-source TypeScript runtime');
    expect(result.stdout).not.toContain('Status:');
    expect(result.stderr).toBe('');
  });

  it('honours --data-dir for run, runs and show', async () => {
    const cwd = tempDir();
    const ran = await cli(['run', ANSWERABLE, '--json', '--data-dir', 'elsewhere'], cwd);
    expect(ran.code).toBe(0);
    const { runId } = JSON.parse(ran.stdout) as { runId: string };
    expect(existsSync(path.join(cwd, 'elsewhere', 'baton.db'))).toBe(true);
    expect(existsSync(path.join(cwd, 'elsewhere', 'baton.log'))).toBe(true);
    expect(existsSync(path.join(cwd, '.baton'))).toBe(false);

    const listed = await cli(['runs', '--json', '--data-dir', 'elsewhere'], cwd);
    expect((singleJson(listed.stdout) as Array<{ id: string }>).map((entry) => entry.id)).toEqual([runId]);
    const shown = await cli(['show', runId, '--json', '--data-dir', 'elsewhere'], cwd);
    expect(shown.code).toBe(0);
    // The default data directory knows nothing of it.
    expect((await cli(['show', runId, '--data-dir', '.baton'], cwd)).code).toBe(64);
  });
});

describe('baton usage and config errors', () => {
  it('--config with a missing file exits 78 with a clear message and no stack trace', async () => {
    const cwd = tempDir();
    const result = await cli(['run', ANSWERABLE, '--config', 'nope.yaml'], cwd);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('config file not found');
    expect(result.stderr).toContain(path.join(cwd, 'nope.yaml'));
    expect(result.stderr).toContain('hint:');
    expect(result.stdout).toBe('');
    expectNoStackTrace(result.stderr);
  });

  it('a config field of the wrong type exits 78 naming the file, the field path and the line', async () => {
    const cwd = tempDir();
    const file = path.join(cwd, 'baton.config.yaml');
    writeFileSync(file, ['dataDir: .baton', 'limits:', '  maxSteps: 4', '  maxRounds: "three"', ''].join('\n'));
    const result = await cli(['run', ANSWERABLE], cwd);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(`${file}:4`);
    expect(result.stderr).toContain('limits.maxRounds');
    expect(result.stderr).toMatch(/number/);
    expectNoStackTrace(result.stderr);
  });

  // Known bug in src/config/yaml.ts (describeIssue): zod 4 issues carry no `input` unless asked for, so every
  // wrong-type field is reported as "missing required field". Drop `.fails` once that is fixed.
  it('a config field of the wrong type is not reported as missing', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'baton.config.yaml'), ['limits:', '  maxRounds: "three"', ''].join('\n'));
    const result = await cli(['run', ANSWERABLE], cwd);
    expect(result.code).toBe(78);
    expect(result.stderr).not.toContain('missing required field');
    expect(result.stderr).toContain('string');
  });

  it('an unknown config field exits 78 naming the file, the field and the line', async () => {
    const cwd = tempDir();
    const file = path.join(cwd, 'custom.yaml');
    writeFileSync(file, ['flow: [planner, researcher, checker]', 'limits:', '  maxRounds: 2', '  maxRoundz: 3', ''].join('\n'));
    const result = await cli(['runs', '--config', 'custom.yaml'], cwd);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toContain('unknown field "maxRoundz"');
    expect(result.stderr).toContain('(at limits.maxRoundz)');
    // The line of the unknown key itself.
    expect(result.stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:`));
    expectNoStackTrace(result.stderr);
  });

  it('an empty goal exits 64', async () => {
    const cwd = tempDir();
    for (const goal of ['', '   ']) {
      const result = await cli(['run', goal], cwd);
      expect(result.code).toBe(64);
      expect(result.stderr).toContain('the goal is empty');
      expectNoStackTrace(result.stderr);
    }
    // Nothing was recorded for a refused goal.
    expect(existsSync(path.join(cwd, '.baton'))).toBe(false);
  });

  it('an unknown flag prints the usage and exits 64', async () => {
    const cwd = tempDir();
    const result = await cli(['run', ANSWERABLE, '--frobnicate'], cwd);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain("unknown option '--frobnicate'");
    expect(result.stderr).toContain('Usage: baton run');
    expect(existsSync(path.join(cwd, '.baton'))).toBe(false);
  });

  it('an unknown command exits 64', async () => {
    const result = await cli(['frobnicate'], tempDir());
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('frobnicate');
  });

  it('--help prints the commands and exits 0', async () => {
    const result = await cli(['--help'], tempDir());
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: baton');
    expect(result.stdout).toMatch(/run .*<goal>/);
    expect(result.stdout).toContain('show');
  });

  it('a bad --limit exits 64', async () => {
    const result = await cli(['runs', '--limit', '0'], tempDir());
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('--limit expects a positive whole number');
  });
});

describe('the baton executable', () => {
  beforeAll(() => {
    // Build once if needed; an existing build is reused to keep the suite fast.
    if (!existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'))) {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'pipe' });
    }
  }, 120_000);

  it('node bin/baton.js run "What is Baton?" --json answers from a temp directory', () => {
    const cwd = tempDir();
    const child = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'baton.js'), 'run', ANSWERABLE, '--json'], {
      cwd,
      env: { PATH: process.env['PATH'] ?? '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.error).toBeUndefined();
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const printed = singleJson(child.stdout) as { runId: string; status: string; result: string };
    expect(printed.status).toBe('approved');
    expect(printed.result).toContain('Baton');
    expect(existsSync(path.join(cwd, '.baton', 'baton.db'))).toBe(true);
  });

  it('stops quietly when the reader of its output goes away (baton run | true)', () => {
    const child = spawnSync('sh', ['-c', `"${process.execPath}" "${path.join(REPO_ROOT, 'bin', 'baton.js')}" run "${ANSWERABLE}" --json | true`], {
      cwd: tempDir(),
      env: { PATH: process.env['PATH'] ?? '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.status).toBe(0);
    expect(child.stderr).not.toMatch(/EPIPE|\n\s+at /);
  });

  it('exits 64 for an empty goal', () => {
    const child = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'baton.js'), 'run', ''], {
      cwd: tempDir(),
      env: { PATH: process.env['PATH'] ?? '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.status).toBe(64);
    expect(child.stderr).toContain('the goal is empty');
  });
});
