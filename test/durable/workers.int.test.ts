/**
 * Scale out on PostgreSQL: two `baton worker` processes share one database and its graphile-worker queue. One is
 * SIGKILLed in the middle of a run; the other notices the expired lease and finishes the run from its last checkpoint
 * within the lease timeout plus two seconds, and every accepted run ends approved with a whole transcript.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { openRunStore } from '../../src/runtime/open-store.js';
import { submitRun, type RunDependencies } from '../../src/runtime/run.js';
import type { RunStore } from '../../src/stores/port.js';
import { buildCliCopy, type BuiltCli } from '../support/built-cli.js';
import { freshDatabase, describePostgres, type FreshDatabase } from '../support/postgres.js';
import { temporaryDirectories } from '../support/project.js';
import { GOAL, startSlowModel, writeProject, type SlowModel, waitFor } from './support.js';

const LEASE_MS = 1000;
const directory = temporaryDirectories('baton-workers-');

describePostgres('workers on one PostgreSQL database', () => {
  let cli: BuiltCli;
  let model: SlowModel;
  const databases: FreshDatabase[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    cli = buildCliCopy();
    model = await startSlowModel({ planner: 200, researcher: 400, checker: 600 });
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await model?.fake.close();
    for (const database of databases) await database.drop();
    cli?.remove();
  });

  function worker(cwd: string): ChildProcess {
    const child = spawn(process.execPath, [cli.executable, 'worker', '--concurrency', '2'], { cwd, env: { PATH: process.env['PATH'] ?? '', HOME: cwd, NO_COLOR: '1' }, stdio: 'ignore' });
    children.push(child);
    return child;
  }

  it('finishes the run of a killed worker within the lease timeout + 2 s, and every accepted run', { timeout: 90_000 }, async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    const database = await freshDatabase();
    databases.push(database);
    const cwd = directory();
    writeProject(cwd, model.fake.url, ['  autoResume: true', 'store:', '  kind: postgres', `  url: ${database.url}`]);
    const project = loadProject({ cwd, env: {} });
    const store: RunStore = await openRunStore(project, {});
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const first = worker(cwd);
      // Accepted runs are in the database before any worker takes them.
      const runs = [];
      for (let index = 0; index < 4; index += 1) runs.push(await submitRun({ project, store } as unknown as RunDependencies, { goal: GOAL }));
      expect((await store.listRuns({ status: 'queued' })).length + (await store.listRuns({ status: 'running' })).length).toBe(4);
      const second = worker(cwd);

      // A run the first worker holds, past its plan: kill that worker there.
      const victim = await waitFor('a run of the first worker past its plan', async () => {
        const held = await client.query<{ id: string }>("SELECT id FROM baton.runs WHERE status = 'running' AND lease_owner LIKE $1", [`%:${first.pid}:%`]);
        for (const row of held.rows) if ((await store.turns(row.id)).some((turn) => turn.role === 'planner')) return row.id;
        return undefined;
      });
      const turnsAtKill = (await store.turns(victim)).length;
      first.kill('SIGKILL');
      const killedAt = Date.now();
      await new Promise((resolve) => first.once('exit', resolve));

      // The second worker continues it: a new turn appears within the lease timeout + 2 s.
      await waitFor('the run to continue elsewhere', async () => ((await store.turns(victim)).length > turnsAtKill ? true : undefined), LEASE_MS + 2000 + 5000);
      const recoveryMs = Date.now() - killedAt;
      expect(recoveryMs).toBeLessThanOrEqual(LEASE_MS + 2000);

      for (const run of runs) {
        const ended = await waitFor(`run ${run.id} to end`, async () => {
          const record = await store.getRun(run.id);
          return ['approved', 'unverified', 'failed', 'cancelled', 'budget_exceeded'].includes(record.status) ? record : undefined;
        });
        expect(ended.status, `${run.id}: ${JSON.stringify(ended.error)}`).toBe('approved');
        const turns = await store.turns(run.id);
        expect(turns.map((turn) => turn.seq)).toEqual(turns.map((_turn, index) => index + 1));
        const keys = turns.filter((turn) => turn.kind !== 'supervisor').map((turn) => `${turn.round}:${turn.role}:${turn.stepId ?? ''}`);
        expect(new Set(keys).size).toBe(keys.length);
        expect(turns.filter((turn) => turn.role === 'planner')).toHaveLength(1);
      }
      expect((await store.getRun(victim)).resumes).toBe(1);
      second.kill('SIGTERM');
    } finally {
      await client.end();
      await store.close();
    }
  });
});
