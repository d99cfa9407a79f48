/**
 * Kill tests on a real process: `baton run` is SIGKILLed after the planner's turn, in the middle of the researcher
 * fan-out and during the checker's call; `baton resume` then finishes the run. The resumed transcript must have the
 * same roles, steps and rounds as an uninterrupted run, no turn twice, no gap in sequence numbers, and the same end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/transcript/redact.js';
import { SqliteRunStore } from '../../src/stores/sqlite/store.js';
import type { TurnRecord } from '../../src/transcript/schema.js';
import { buildCliCopy, type BuiltCli } from '../support/built-cli.js';
import { temporaryDirectories } from '../support/project.js';
import { GOAL, startSlowModel, writeProject, type SlowModel, waitFor } from './support.js';

const directory = temporaryDirectories('baton-kill-');
let cli: BuiltCli;
let model: SlowModel;

beforeAll(async () => {
  cli = buildCliCopy();
  model = await startSlowModel({ planner: 300, researcher: 700, checker: 900 });
});
afterAll(async () => {
  await model?.fake.close();
  cli?.remove();
});

function env(cwd: string): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'] ?? '', HOME: cwd, NO_COLOR: '1' };
}

function openStore(cwd: string): SqliteRunStore {
  return SqliteRunStore.open({ dataDir: `${cwd}/.baton`, redact: createRedactor() });
}


/** What must match between an uninterrupted run and a resumed one. */
function shape(turns: TurnRecord[]): string[] {
  return turns.map((turn) => `${turn.round}:${turn.role}:${turn.stepId ?? ''}:${turn.kind}`).sort();
}

function expectWhole(turns: TurnRecord[]): void {
  expect(turns.map((turn) => turn.seq)).toEqual(turns.map((_turn, index) => index + 1));
  const keys = turns.filter((turn) => turn.kind !== 'supervisor').map((turn) => `${turn.round}:${turn.role}:${turn.stepId ?? ''}`);
  expect(new Set(keys).size, 'no turn twice').toBe(keys.length);
}

/** Starts `baton run`, kills it with SIGKILL once `ready` holds, and returns the run id. */
async function runAndKill(cwd: string, ready: (turns: TurnRecord[]) => boolean): Promise<string> {
  const child: ChildProcess = spawn(process.execPath, [cli.executable, 'run', '--json', GOAL], { cwd, env: env(cwd), stdio: 'ignore' });
  const store = openStore(cwd);
  try {
    const runId = await waitFor('the run to be recorded', async () => (await store.listRuns({ limit: 1 }))[0]?.id);
    await waitFor('the kill point', async () => (ready(await store.turns(runId)) ? true : undefined));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    return runId;
  } finally {
    await store.close();
  }
}

/** Runs `baton <argv>` without blocking this process (the fake model answers from it). */
function baton(cwd: string, argv: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli.executable, ...argv], { cwd, env: env(cwd) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

async function resume(cwd: string, runId: string): Promise<{ status: number | null; json: { status: string }; text: string }> {
  const result = await baton(cwd, ['resume', '--json', runId]);
  expect(result.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  return { status: result.status, json: JSON.parse(result.stdout.trim().split('\n').pop() || '{}') as { status: string }, text: `${result.stdout}\n${result.stderr}` };
}

describe('a run killed with SIGKILL and resumed', () => {
  let reference: { turns: TurnRecord[]; status: string };

  beforeAll(async () => {
    const cwd = directory();
    writeProject(cwd, model.fake.url);
    const result = await baton(cwd, ['run', '--json', GOAL]);
    expect(result.status, result.stderr).toBe(0);
    const store = openStore(cwd);
    const [run] = await store.listRuns({ limit: 1 });
    reference = { turns: await store.turns(run!.id), status: run!.status };
    await store.close();
    expect(reference.status).toBe('approved');
  }, 60_000);

  const points: Array<[string, (turns: TurnRecord[]) => boolean]> = [
    ['after the planner turn', (turns) => turns.some((turn) => turn.role === 'planner')],
    ['in the middle of the researcher fan-out', (turns) => turns.filter((turn) => turn.role === 'researcher').length === 1],
    ['during the checker call', (turns) => turns.filter((turn) => turn.role === 'researcher').length === 3 && model.requestsOf('checker').length > checkerCallsBefore],
  ];
  let checkerCallsBefore = 0;

  for (const [name, ready] of points) {
    it(`is shown interrupted, then resumes to the same end with the same turns (${name})`, async () => {
      const cwd = directory();
      writeProject(cwd, model.fake.url);
      checkerCallsBefore = model.requestsOf('checker').length;
      const plannerCallsBefore = model.requestsOf('planner').length;
      const researcherCallsBefore = model.requestsOf('researcher').length;
      const runId = await runAndKill(cwd, ready);
      const before = openStore(cwd);
      const recorded = (await before.turns(runId)).length;
      // Once the lease (1 s) expires, the run reads as interrupted.
      await waitFor('the lease to expire', async () => ((await before.getRun(runId)).status === 'interrupted' ? true : undefined), 5000);
      await before.close();

      const resumed = await resume(cwd, runId);
      expect(resumed.json.status, resumed.text).toBe(reference.status);
      expect(resumed.status).toBe(0);
      const after = openStore(cwd);
      try {
        const turns = await after.turns(runId);
        expect(turns.length).toBeGreaterThanOrEqual(recorded);
        expectWhole(turns);
        expect(shape(turns)).toEqual(shape(reference.turns));
        const run = await after.getRun(runId);
        expect(run.status).toBe('approved');
        expect(run.resumes).toBe(1);
        // No completed turn called its model again: the plan was made once, and only a call cut short is repeated.
        expect(model.requestsOf('planner').length - plannerCallsBefore).toBe(1);
        expect(model.requestsOf('researcher').length - researcherCallsBefore).toBeLessThanOrEqual(4);
        // A finished run cannot be resumed again: a clear error, a usage exit status, no stack trace.
        const again = await baton(cwd, ['resume', runId]);
        expect(again.status).toBe(64);
        expect(again.stderr).toMatch(/cannot be resumed: it is approved/);
      } finally {
        await after.close();
      }
    }, 60_000);
  }
});
