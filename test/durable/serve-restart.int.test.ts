/**
 * `baton serve` as a real process, SIGKILLed with runs queued, in flight and parked at a human gate, then started
 * again on the same data directory: every accepted run completes, the decisions come through the API after the
 * restart, and no transcript has a turn twice or a gap.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRedactor } from '../../src/transcript/redact.js';
import { SqliteRunStore } from '../../src/stores/sqlite/store.js';
import { buildCliCopy, type BuiltCli } from '../support/built-cli.js';
import { temporaryDirectories } from '../support/project.js';
import { GOAL, startSlowModel, writeProject, type SlowModel, waitFor } from './support.js';

const directory = temporaryDirectories('baton-serve-kill-');
let cli: BuiltCli;
let model: SlowModel;
const children: ChildProcess[] = [];

beforeAll(async () => {
  cli = buildCliCopy();
  model = await startSlowModel({ planner: 300, researcher: 400, checker: 300 });
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await model?.fake.close();
  cli?.remove();
});

/** Starts `baton serve --port 0 --concurrency 1` and resolves with its URL once it listens. */
function serve(cwd: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli.executable, 'serve', '--port', '0', '--concurrency', '1'], { cwd, env: { PATH: process.env['PATH'] ?? '', HOME: cwd, NO_COLOR: '1' } });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /serving the API and the dashboard at (\S+)/.exec(stderr);
      if (match) resolve({ child, url: match[1]! });
    });
    child.once('exit', (code) => reject(new Error(`baton serve exited with ${code}: ${stderr}`)));
  });
}


it('completes every accepted run after a SIGKILL and a restart, with decisions made through the API', async () => {
  const cwd = directory();
  writeProject(cwd, model.fake.url, [], '[planner, { human: review, review: plan }, { role: researcher, concurrency: 1 }, checker]');
  const first = await serve(cwd);
  const accepted: string[] = [];
  for (let index = 0; index < 4; index += 1) {
    const response = await fetch(`${first.url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ goal: GOAL }) });
    expect(response.status).toBe(202);
    accepted.push(((await response.json()) as { runId: string }).runId);
  }
  // One run parked at the gate and the next one in flight; the rest queued: then the server dies.
  await waitFor('a run waiting for a person', async () => {
    const body = (await (await fetch(`${first.url}/api/decisions`)).json()) as { decisions: unknown[] };
    return body.decisions.length >= 1 ? true : undefined;
  });
  first.child.kill('SIGKILL');
  await new Promise((resolve) => first.child.once('exit', resolve));

  const second = await serve(cwd);
  const decided = new Set<string>();
  await waitFor(
    'every accepted run to end',
    async () => {
      const { decisions } = (await (await fetch(`${second.url}/api/decisions`)).json()) as { decisions: Array<{ runId: string; round: number }> };
      for (const decision of decisions) {
        if (decided.has(`${decision.runId}/${decision.round}`)) continue;
        const answer = await fetch(`${second.url}/api/runs/${decision.runId}/decision`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ decision: 'approve', by: 'ana', round: decision.round }),
        });
        expect(answer.status).toBe(200);
        decided.add(`${decision.runId}/${decision.round}`);
      }
      const statuses = await Promise.all(accepted.map(async (runId) => ((await (await fetch(`${second.url}/api/runs/${runId}`)).json()) as { status: string }).status));
      return statuses.every((status) => status === 'approved') ? true : undefined;
    },
    60_000,
  );
  expect(decided.size).toBe(4);
  second.child.kill('SIGTERM');
  await new Promise((resolve) => second.child.once('exit', resolve));

  const store = SqliteRunStore.open({ dataDir: `${cwd}/.baton`, redact: createRedactor() });
  try {
    for (const runId of accepted) {
      const turns = await store.turns(runId);
      expect(turns.map((turn) => turn.seq)).toEqual(turns.map((_turn, index) => index + 1));
      const keys = turns.filter((turn) => turn.kind !== 'supervisor').map((turn) => `${turn.round}:${turn.role}:${turn.stepId ?? ''}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect(turns.find((turn) => turn.kind === 'human')).toMatchObject({ output: { decision: 'approve', by: 'ana' } });
    }
  } finally {
    await store.close();
  }
}, 120_000);
