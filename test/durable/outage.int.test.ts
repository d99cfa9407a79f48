/**
 * A PostgreSQL outage in the middle of a run: the database goes away for a few seconds (a TCP proxy in front of it
 * drops every connection and refuses new ones). The worker executing the run must survive it, and the run must end
 * approved once the database is back, with a whole transcript.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { openRunStore } from '../../src/runtime/open-store.js';
import { submitRun, type RunDependencies } from '../../src/runtime/run.js';
import { buildCliCopy, type BuiltCli } from '../support/built-cli.js';
import { describePostgres, freshDatabase, type FreshDatabase } from '../support/postgres.js';
import { temporaryDirectories } from '../support/project.js';
import { GOAL, startSlowModel, writeProject, type SlowModel } from './support.js';

const directory = temporaryDirectories('baton-outage-');

/** A TCP proxy to PostgreSQL that can be cut (every connection dropped, new ones refused) and restored. */
async function startProxy(target: URL): Promise<{ port: number; cut(): void; restore(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const listen = (): Promise<void> =>
    new Promise((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(Number(target.port), target.hostname);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  await listen();
  const cut = (): void => {
    server?.close();
    for (const socket of sockets) socket.destroy();
  };
  return { port, cut, restore: listen, close: async () => cut() };
}

describePostgres('a PostgreSQL outage during a run', () => {
  let cli: BuiltCli;
  let model: SlowModel;
  let database: FreshDatabase;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    cli = buildCliCopy();
    model = await startSlowModel({ planner: 300, researcher: 1200, checker: 300 });
    database = await freshDatabase();
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await model?.fake.close();
    await database?.drop();
    cli?.remove();
  });

  it('is survived by the worker, and the run ends approved once the database is back', async () => {
    const proxy = await startProxy(new URL(database.url));
    const proxied = new URL(database.url);
    proxied.port = String(proxy.port);
    proxied.hostname = '127.0.0.1';
    const cwd = directory();
    writeProject(cwd, model.fake.url, ['store:', '  kind: postgres', `  url: ${proxied.toString()}`]);
    const project = loadProject({ cwd, env: {} });
    const direct = loadProject({ cwd, env: {} });
    direct.store = { kind: 'postgres', url: database.url };
    const store = await openRunStore(direct, {});
    const worker = spawn(process.execPath, [cli.executable, 'worker', '--concurrency', '2'], { cwd, env: { PATH: process.env['PATH'] ?? '', HOME: cwd, NO_COLOR: '1' }, stdio: 'ignore' });
    children.push(worker);
    let exited = false;
    worker.once('exit', () => (exited = true));
    try {
      const run = await submitRun({ project, store } as unknown as RunDependencies, { goal: GOAL });
      const deadline = Date.now() + 20_000;
      while (!(await store.turns(run.id)).some((turn) => turn.role === 'planner')) {
        if (Date.now() > deadline) throw new Error('the run did not start');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      proxy.cut();
      await new Promise((resolve) => setTimeout(resolve, 4000));
      await proxy.restore();
      let status = '';
      const end = Date.now() + 40_000;
      while (Date.now() < end) {
        status = (await store.getRun(run.id)).status;
        if (['approved', 'failed', 'unverified', 'cancelled', 'budget_exceeded'].includes(status)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(exited, 'the worker process survived the outage').toBe(false);
      expect(status).toBe('approved');
      const turns = await store.turns(run.id);
      expect(turns.map((turn) => turn.seq)).toEqual(turns.map((_turn, index) => index + 1));
      expect(turns.filter((turn) => turn.role === 'planner')).toHaveLength(1);
    } finally {
      worker.kill('SIGTERM');
      await store.close();
      await proxy.close();
    }
  }, 90_000);
});
