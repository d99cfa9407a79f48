/**
 * Side effects under SIGKILL, on a real process: `baton run` is killed while its action's POST is in flight at the
 * fake CRM, and (in a second test) right after the CRM answered, before or while the turn is written. `baton resume`
 * in a new process finishes the run. The CRM must have applied the ticket exactly once: the ledger either knows the
 * call is done (not sent again) or knows it was sent with an outcome unknown (sent again under the same
 * `Idempotency-Key`, which the CRM drops as a duplicate).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteRunStore } from '../../src/stores/sqlite/store.js';
import { createRedactor } from '../../src/transcript/redact.js';
import { buildCliCopy, type BuiltCli } from '../support/built-cli.js';
import { crmSeed, startFakeSystem, type FakeSystem } from '../support/fake-systems.js';
import { makeProject } from '../support/project.js';
import { waitFor } from './support.js';

const GOAL = 'What does the Lighthouse project keep a ledger of?';
let cli: BuiltCli;

beforeAll(() => {
  cli = buildCliCopy();
});
afterAll(() => cli?.remove());

function project(url: string, then = ''): string {
  return makeProject({
    'baton.config.yaml': `knowledge:\n  paths: [kb]\nruns:\n  leaseMs: 1000\nflow: [planner, researcher, checker, { action: ticket, call: crm.open_ticket, input: "{ 'customerId': 'c-1001', 'summary': goal }" }${then}]\n`,
    'kb/ledger.md': '# Ledger\n\nThe Lighthouse project keeps a ledger of every ship that docks at the harbour.\n',
    'connectors/crm.yaml': `name: crm\nkind: http\nbaseUrl: ${url}\nretries: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 }\noperations:\n  slow:\n    path: /slow\n  open_ticket:\n    method: POST\n    path: /tickets\n    approval: never\n    request:\n      body: "{ 'customerId': customerId, 'summary': summary }"\n`,
  });
}

function env(cwd: string): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'] ?? '', HOME: cwd, NO_COLOR: '1' };
}

/** A CRM whose ticket endpoint applies the ticket, then answers only when `release` is called. */
async function slowCrm(): Promise<{ system: FakeSystem; arrived: () => number; release: () => void; answered: () => number; slowCalls: () => number }> {
  let arrivals = 0;
  let slowCalls = 0;
  let answers = 0;
  let open: (() => void) | undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let tickets = 0;
  const system = await startFakeSystem({
    seed: crmSeed(),
    routes: {
      // Answers only after the test is over: a step that is still running when the process is killed.
      'GET /slow': async () => {
        slowCalls += 1;
        await new Promise((resolve) => setTimeout(resolve, slowCalls === 1 ? 20_000 : 0));
        return { status: 200, body: { ok: true } };
      },
      'POST /tickets': async () => {
        arrivals += 1;
        tickets += 1;
        await gate;
        answers += 1;
        return { status: 201, body: { id: `T-${tickets}` }, effect: true };
      },
    },
  });
  return { system, arrived: () => arrivals, release: () => open!(), answered: () => answers, slowCalls: () => slowCalls };
}

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

async function killWhen(cwd: string, ready: () => boolean): Promise<string> {
  const child: ChildProcess = spawn(process.execPath, [cli.executable, 'run', '--json', GOAL], { cwd, env: env(cwd), stdio: 'ignore' });
  await waitFor('the kill point', async () => (ready() ? true : undefined));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  const store = SqliteRunStore.open({ dataDir: `${cwd}/.baton`, redact: createRedactor() });
  try {
    const runId = (await store.listRuns({ limit: 1 }))[0]!.id;
    await waitFor('the lease to expire', async () => ((await store.getRun(runId)).status === 'interrupted' ? true : undefined), 5000);
    return runId;
  } finally {
    await store.close();
  }
}

async function effectsOf(cwd: string, runId: string) {
  const store = SqliteRunStore.open({ dataDir: `${cwd}/.baton`, redact: createRedactor() });
  try {
    return await store.effects(runId);
  } finally {
    await store.close();
  }
}

describe('a side effect when the process is killed', () => {
  it('while the call is in flight: resumed, it is sent again under the same key and applied once', async () => {
    const crm = await slowCrm();
    try {
      const cwd = project(crm.system.url);
      const runId = await killWhen(cwd, () => crm.arrived() === 1);
      expect((await effectsOf(cwd, runId))[0]).toMatchObject({ status: 'pending', attempts: 1 });
      crm.release();
      const resumed = await baton(cwd, ['resume', '--json', runId]);
      expect(resumed.stderr).not.toMatch(/at .*\.js:\d+/);
      expect(JSON.parse(resumed.stdout.trim().split('\n').pop()!)).toMatchObject({ status: 'approved' });
      const posts = crm.system.apiRequests().filter((request) => request.method === 'POST');
      expect(posts).toHaveLength(2);
      expect(posts[1]!.headers['idempotency-key']).toBe(posts[0]!.headers['idempotency-key']);
      expect(crm.system.effects).toBe(1);
      expect((await effectsOf(cwd, runId))[0]).toMatchObject({ status: 'done', attempts: 2 });
    } finally {
      await crm.system.close();
    }
  }, 60_000);

  it('after the system answered, while the next step runs: resumed, the ticket is not sent again', async () => {
    const crm = await slowCrm();
    try {
      const cwd = project(crm.system.url, ', { action: wait, call: crm.slow }');
      crm.release();
      const runId = await killWhen(cwd, () => crm.answered() === 1 && crm.slowCalls() === 1);
      const resumed = await baton(cwd, ['resume', '--json', runId]);
      expect(JSON.parse(resumed.stdout.trim().split('\n').pop()!)).toMatchObject({ status: 'approved' });
      expect(crm.system.effects).toBe(1);
      expect(crm.system.apiRequests().filter((request) => request.method === 'POST')).toHaveLength(1);
      expect((await effectsOf(cwd, runId))[0]).toMatchObject({ status: 'done', attempts: 1 });
    } finally {
      await crm.system.close();
    }
  }, 60_000);
});
