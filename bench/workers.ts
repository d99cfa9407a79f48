/**
 * Workers benchmark (durable runs on PostgreSQL): `baton worker` processes sharing one database and its
 * graphile-worker queue, driving a fake OpenAI-compatible model on 127.0.0.1 that answers every call after a fixed
 * delay (planner: a one-step plan; researcher: one claim quoting the knowledge file; checker: approve; so a run is
 * three sequential model calls). Three parts, each on a fresh database:
 *
 * - throughput: 200 runs recorded as `queued`, then W worker processes (W = 1, 2, 4, each `--concurrency C`) are
 *   spawned; timed from the spawn to the last run's end. Ideal = W × C / (3 × latency) runs/s. Beside it: the CPU the
 *   workers, PostgreSQL, this process and the whole machine used (from /proc), and how long a run took once held;
 * - recovery: 2 workers, `runs.leaseMs` 1000; one is SIGKILLed while it holds a run past its plan; timed from the
 *   kill to the other worker taking the run, and to the run's next turn being recorded (target: lease + 2 s);
 * - per turn, in this process, a zero-latency scripted model, runs one after another and interleaved: the bare
 *   LangGraph graph doing the same role work (the orchestration bench's baseline), Baton on SQLite (with and without
 *   LangGraph's SQLite checkpointer) and Baton on PostgreSQL (the store alone, and with PostgresSaver), with the
 *   queries a PostgreSQL run sends.
 *
 * PostgreSQL: `BATON_BENCH_DATABASE_URL` or `BATON_TEST_DATABASE_URL` (a server where databases may be created and
 * dropped), else a throwaway server started with `.ci/postgres.sh` and stopped at the end.
 *
 * Run: `npm run bench -- workers` (builds first: the workers are `bin/baton.js`, which loads `dist/`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { loadProject } from '../src/config/load.js';
import { ScriptedModel } from '../src/models/scripted.js';
import { openRuntime } from '../src/runtime/open.js';
import { openRunStore } from '../src/runtime/open-store.js';
import { runGoal, submitRun, type RunDependencies } from '../src/runtime/run.js';
import { GOAL as TURN_GOAL, reply as scriptedReply, sameWorkGraph, writeBenchProject } from './orchestration.js';

/** The issue's targets. */
export const WORKERS_TARGETS = { speedupAt4: 3.5, idealFractionAt4: 0.9, recoveryOverLeaseMs: 2000, perTurnRatio: 1.5 } as const;

const GOAL = 'What does the Lighthouse project keep?';
const KNOWLEDGE = ['# The Lighthouse project', '', 'The Lighthouse project keeps a ledger of every ship that docks at the harbour.', ''].join('\n');
const QUOTE = 'keeps a ledger of every ship that docks at the harbour';
const END_STATUSES = ['approved', 'unverified', 'failed', 'cancelled', 'budget_exceeded'];
/** The environment variable the projects' `store.url` refers to, so no URL (or password) is written to a file. */
const STORE_URL_VARIABLE = 'BATON_BENCH_STORE_URL';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? 0;
}

function mean(values: readonly number[]): number {
  return values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : 0;
}

/** The repository (or installed package) root: the folder holding `bin/baton.js`, from `bench/` or `dist/bench/`. */
function packageRoot(): string {
  let folder = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(folder, 'bin', 'baton.js'))) {
    const parent = path.dirname(folder);
    if (parent === folder) throw new Error('bench/workers: cannot find bin/baton.js above this file');
    folder = parent;
  }
  return folder;
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL: a given server, or a throwaway one from .ci/postgres.sh; a fresh database per measurement.

interface PostgresServer {
  url: string;
  /** Where it came from, in words. */
  source: string;
  /** The server's main process, when this bench started it (so all of the server's CPU can be counted). */
  postmasterPid?: number;
  stop(): void;
}

function startPostgres(root: string): PostgresServer {
  const bench = process.env['BATON_BENCH_DATABASE_URL']?.trim();
  const test = process.env['BATON_TEST_DATABASE_URL']?.trim();
  if (bench) return { url: bench, source: 'BATON_BENCH_DATABASE_URL', stop: () => undefined };
  if (test) return { url: test, source: 'BATON_TEST_DATABASE_URL', stop: () => undefined };
  const script = path.join(root, '.ci', 'postgres.sh');
  if (!existsSync(script)) throw new Error('bench/workers: set BATON_BENCH_DATABASE_URL (no .ci/postgres.sh here to start a throwaway server)');
  const started = performance.now();
  const result = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BATON_TEST_DATABASE_URL: '' } });
  if (result.status !== 0) throw new Error(`bench/workers: .ci/postgres.sh failed (status ${result.status}):\n${result.stderr}`);
  const exported = Object.fromEntries([...result.stdout.matchAll(/^export ([A-Z_]+)=(.*)$/gm)].map((match) => [match[1], match[2]]));
  const url = exported['BATON_TEST_DATABASE_URL'];
  const dir = exported['BATON_TEST_POSTGRES_DIR'];
  const bin = exported['BATON_TEST_POSTGRES_BIN'];
  if (!url || !dir || !bin) throw new Error(`bench/workers: .ci/postgres.sh printed no server:\n${result.stdout}\n${result.stderr}`);
  const version = /PostgreSQL\/(\d+)|postgresql\/(\d+)/.exec(bin);
  let postmasterPid: number | undefined;
  try {
    postmasterPid = Number(readFileSync(path.join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]) || undefined;
  } catch {
    // not readable here: only the database's backends are counted
  }
  return {
    url,
    ...(postmasterPid ? { postmasterPid } : {}),
    source: `a throwaway PostgreSQL ${version?.[1] ?? version?.[2] ?? ''} from .ci/postgres.sh (fsync off), started in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    stop: () => {
      const command = `'${bin}/pg_ctl' -D '${dir}/data' stop -m fast`;
      const user = os.userInfo().username;
      const stopped =
        user === 'postgres'
          ? spawnSync('bash', ['-c', command], { stdio: 'ignore' })
          : spawnSync(process.getuid?.() === 0 ? 'su' : 'sudo', process.getuid?.() === 0 ? ['postgres', '-s', '/bin/bash', '-c', command] : ['su', 'postgres', '-s', '/bin/bash', '-c', command], { stdio: 'ignore' });
      if (stopped.status !== 0) console.error(`bench/workers: could not stop the throwaway PostgreSQL in ${dir}; stop it with: ${command}`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Database {
  url: string;
  name: string;
  drop(): Promise<void>;
}

async function onServer<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl, application_name: 'baton-bench' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function freshDatabase(serverUrl: string, label: string): Promise<Database> {
  const name = `baton_bench_${label}_${randomBytes(4).toString('hex')}`;
  await onServer(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => onServer(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined) };
}

// ---------------------------------------------------------------------------------------------------------------
// The fake model: an OpenAI-compatible chat endpoint that tells the roles apart by their system prompt.

type Role = 'planner' | 'researcher' | 'checker';

interface FakeModel {
  url: string;
  delayMs: number;
  calls: Record<Role, number>;
  close(): Promise<void>;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (typeof part === 'object' && part && 'text' in part ? String((part as { text: unknown }).text) : '')).join('');
  return JSON.stringify(content ?? '');
}

function answerFor(role: Role): unknown {
  switch (role) {
    case 'planner':
      return { steps: [{ id: 's1', question: GOAL }] };
    case 'researcher':
      return { claims: [{ text: 'The project keeps a ledger of the ships that dock.', citations: [{ source: 'kb/lighthouse.md', quote: QUOTE }] }], gaps: [] };
    case 'checker':
      return { decision: 'approve', objections: [], feedback: 'supported' };
  }
}

async function startFakeModel(delayMs: number): Promise<FakeModel> {
  let served = 0;
  const model: FakeModel = { url: '', delayMs, calls: { planner: 0, researcher: 0, checker: 0 }, close: async () => undefined };
  const send = (response: ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    response.end(text);
  };
  const handle = (request: IncomingMessage, response: ServerResponse, raw: string): void => {
    if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) return send(response, 404, { error: { message: `the bench fake serves only chat completions, not ${request.method} ${request.url}` } });
    const body = JSON.parse(raw) as { model?: string; stream?: boolean; messages?: Array<{ role: string; content: unknown }> };
    if (body.stream) return send(response, 400, { error: { message: 'the bench fake does not stream' } });
    const system = textOf(body.messages?.find((message) => message.role === 'system')?.content);
    const role: Role | undefined = system.includes('You are the Planner') ? 'planner' : system.includes('You are the Researcher') ? 'researcher' : system.includes('You are the Checker') ? 'checker' : undefined;
    if (!role) return send(response, 400, { error: { message: `the bench fake cannot tell which role sent: ${system.slice(0, 80)}` } });
    model.calls[role] += 1;
    served += 1;
    const completion = {
      id: `chatcmpl-bench-${served}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model ?? 'fake',
      choices: [{ index: 0, message: { role: 'assistant', content: JSON.stringify(answerFor(role)), refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 },
    };
    setTimeout(() => {
      if (!response.destroyed) send(response, 200, completion);
    }, model.delayMs);
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        handle(request, response, Buffer.concat(chunks).toString('utf8'));
      } catch (error) {
        send(response, 500, { error: { message: `the bench fake failed: ${String(error)}` } });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  model.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  model.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return model;
}

/** A project whose default model is the fake, on the PostgreSQL database named by {@link STORE_URL_VARIABLE}. */
function writeWorkerProject(dir: string, modelUrl: string, runsConfig: string[]): void {
  mkdirSync(path.join(dir, 'kb'), { recursive: true });
  writeFileSync(path.join(dir, 'kb', 'lighthouse.md'), KNOWLEDGE);
  writeFileSync(
    path.join(dir, 'baton.config.yaml'),
    [
      'models:',
      '  - name: fake',
      '    provider: openai-compatible',
      `    baseUrl: ${modelUrl}`,
      '    model: fake-gpt',
      'defaultModel: fake',
      'knowledge:',
      '  paths: [kb]',
      'flow: [planner, researcher, checker]',
      'store:',
      '  kind: postgres',
      `  url: \${${STORE_URL_VARIABLE}}`,
      'runs:',
      ...runsConfig,
      '',
    ].join('\n'),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Worker processes, and CPU time from /proc.

interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** performance.now() when it said it takes runs. */
  ready: Promise<number>;
  /** Its CPU time (ms) when it said it takes runs: start-up, loading and opening the runtime. */
  startupCpuMs: number;
  exited: Promise<void>;
  /** The tail of its stderr. */
  output(): string;
  /** `run-end` lines it logged. */
  runEnds(): number;
}

function spawnWorker(executable: string, cwd: string, concurrency: number, storeUrl: string): WorkerProcess {
  const child = spawn(process.execPath, [executable, 'worker', '--concurrency', String(concurrency)], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', HOME: cwd, NO_COLOR: '1', [STORE_URL_VARIABLE]: storeUrl },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let tail = '';
  let ends = 0;
  let ready = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const readyAt = new Promise<number>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      ends += text.split('run-end').length - 1;
      tail = (tail + text).slice(-8000);
      if (!ready && tail.includes('takes runs from the postgres queue')) {
        ready = true;
        worker.startupCpuMs = processCpuMs(child.pid ?? 0) ?? 0;
        resolve(performance.now());
      }
    });
    child.once('exit', (code, signal) => reject(new Error(`a worker exited (${signal ?? code}) before it took runs:\n${tail}`)));
  });
  readyAt.catch(() => undefined);
  const worker: WorkerProcess = { child, pid: child.pid ?? 0, ready: readyAt, startupCpuMs: 0, exited, output: () => tail, runEnds: () => ends };
  return worker;
}

async function stopWorker(worker: WorkerProcess, graceMs = 15_000): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill('SIGTERM');
  if (await Promise.race([worker.exited.then(() => true), sleep(graceMs).then(() => false)])) return;
  worker.child.kill('SIGKILL');
  await worker.exited;
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** The fields of /proc/<pid>/stat after the command name (state first), or undefined once it is gone. */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** User + system CPU of a live process, in ms (undefined once it is gone or without /proc); with `children`, also its reaped children's. */
function processCpuMs(pid: number, children = false): number | undefined {
  const fields = statFields(pid);
  if (!fields) return undefined;
  const own = Number(fields[11]) + Number(fields[12]);
  return ((own + (children ? Number(fields[13]) + Number(fields[14]) : 0)) * 1000) / CLOCK_TICKS;
}

function procEntries(): string[] {
  try {
    return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
}

/**
 * CPU of the PostgreSQL server, in ms: with its main process known, all of it (the main process, its reaped children,
 * and the live ones: backends and background workers); else the live backends serving `database` (their command line
 * names it; backends that exit in between are then missed).
 */
function postgresCpuMs(server: { postmasterPid?: number }, database: string): number {
  let total = 0;
  if (server.postmasterPid) {
    total += processCpuMs(server.postmasterPid, true) ?? 0;
    for (const entry of procEntries()) if (statFields(entry)?.[1] === String(server.postmasterPid)) total += processCpuMs(Number(entry)) ?? 0;
    return total;
  }
  for (const entry of procEntries()) {
    try {
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (command.startsWith('postgres: ') && command.includes(` ${database} `)) total += processCpuMs(Number(entry)) ?? 0;
    } catch {
      // gone
    }
  }
  return total;
}

/** Busy and total CPU time of the machine, in ms summed over cores. */
function machineCpuMs(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = line.slice(0, 8).reduce((sum, value) => sum + value, 0);
    const idle = (line[3] ?? 0) + (line[4] ?? 0);
    return { busy: ((total - idle) * 1000) / CLOCK_TICKS, total: (total * 1000) / CLOCK_TICKS };
  } catch {
    return { busy: 0, total: 0 };
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`bench/workers: timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Throughput.

export interface ThroughputFigures {
  workers: number;
  concurrency: number;
  runs: number;
  statuses: Record<string, number>;
  /** Model calls per run (from the fake's count). */
  callsPerRun: number;
  /** From spawning the workers to the last run's end. */
  wallMs: number;
  throughput: number;
  idealThroughput: number;
  /** Spawn to "takes runs", per worker (Node start-up, loading, opening the store, queue and checkpointer). */
  startupMs: number[];
  /** From the first model call of any run to the last run's end: the wall time without the start-up. */
  activeMs: number;
  /** Per run, from its planner call to its end (a worker holds it), mean and p99. */
  runMeanMs: number;
  runP99Ms: number;
  /** Per run, the sum of its model calls' latencies as Baton recorded them. */
  modelMeanMs: number;
  /** Runs each worker ended. */
  perWorker: number[];
  /** Runs per second over {@link activeMs}. */
  activeThroughput: number;
  /**
   * CPU time (ms) from the spawn to the last end: the workers (and the part of it they spent starting), PostgreSQL (see
   * {@link postgresCpuMs}), this process (fake model, polling), and the whole machine: busy, and capacity
   * (wall × cores); other = busy minus the rest (other tenants of the machine, the kernel, PostgreSQL's background).
   */
  cpu: { workersMs: number; workersStartupMs: number; postgresMs: number; benchMs: number; otherMs: number; machineBusyMs: number; machineCapacityMs: number };
}

interface BenchContext {
  serverUrl: string;
  executable: string;
  postmasterPid?: number;
}

async function measureThroughput(context: BenchContext, model: FakeModel, workers: number, concurrency: number, runs: number): Promise<ThroughputFigures> {
  const database = await freshDatabase(context.serverUrl, `w${workers}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-workers-bench-'));
  const spawned: WorkerProcess[] = [];
  const client = new pg.Client({ connectionString: database.url, application_name: 'baton-bench' });
  try {
    writeWorkerProject(dir, model.url, ['  leaseMs: 15000']);
    const env = { [STORE_URL_VARIABLE]: database.url };
    const project = loadProject({ cwd: dir, env });
    const store = await openRunStore(project, env);
    try {
      for (let index = 0; index < runs; index += 1) await submitRun({ project, store } as unknown as RunDependencies, { goal: GOAL });
    } finally {
      await store.close();
    }
    await client.connect();
    model.calls = { planner: 0, researcher: 0, checker: 0 };
    const benchCpuBefore = process.cpuUsage();
    const machineBefore = machineCpuMs();
    const postgresBefore = postgresCpuMs(context, database.name);
    const startedEpoch = Date.now();
    const started = performance.now();
    for (let index = 0; index < workers; index += 1) spawned.push(spawnWorker(context.executable, dir, concurrency, database.url));
    const readyAt = await Promise.all(spawned.map((worker) => worker.ready));
    const idealMs = (runs / ((workers * concurrency) / 0.6)) * 1000;
    await waitFor(
      `${runs} runs to end with ${workers} worker(s)`,
      async () => {
        const result = await client.query<{ ended: string }>(`SELECT count(*) AS ended FROM baton.runs WHERE status = ANY($1)`, [END_STATUSES]);
        return Number(result.rows[0]?.ended) >= runs ? true : undefined;
      },
      idealMs * 4 + 60_000,
      50,
    );
    const workersCpu = spawned.reduce((sum, worker) => sum + (processCpuMs(worker.pid) ?? 0), 0);
    const postgresAfter = postgresCpuMs(context, database.name);
    const machineAfter = machineCpuMs();
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const { rows } = await client.query<{ id: string; status: string; data: string }>('SELECT id, status, data FROM baton.runs');
    const turns = await client.query<{ run_id: string; data: string }>('SELECT run_id, data FROM baton.turns');
    const statuses: Record<string, number> = {};
    const endedAt = new Map<string, number>();
    for (const row of rows) {
      statuses[row.status] = (statuses[row.status] ?? 0) + 1;
      const ended = (JSON.parse(row.data) as { endedAt?: string | null }).endedAt;
      if (ended) endedAt.set(row.id, Date.parse(ended));
    }
    const firstCall = new Map<string, number>();
    const modelTime = new Map<string, number>();
    for (const row of turns.rows) {
      const turn = JSON.parse(row.data) as { model: string | null; startedAt: string; latencyMs: number };
      if (turn.model === null) continue;
      const at = Date.parse(turn.startedAt);
      firstCall.set(row.run_id, Math.min(firstCall.get(row.run_id) ?? Infinity, at));
      modelTime.set(row.run_id, (modelTime.get(row.run_id) ?? 0) + turn.latencyMs);
    }
    const lastEnd = Math.max(...endedAt.values());
    const firstStart = Math.min(...firstCall.values());
    const perRun = [...endedAt.entries()].filter(([id]) => firstCall.has(id)).map(([id, end]) => end - firstCall.get(id)!).sort((left, right) => left - right);
    const wallMs = lastEnd - startedEpoch;
    const calls = model.calls.planner + model.calls.researcher + model.calls.checker;
    const perWorker = spawned.map((worker) => worker.runEnds());
    const machineBusyMs = machineAfter.busy - machineBefore.busy;
    const postgresMs = Math.max(0, postgresAfter - postgresBefore);
    const benchMs = (benchCpu.user + benchCpu.system) / 1000;
    return {
      workers,
      concurrency,
      runs,
      statuses,
      callsPerRun: calls / runs,
      wallMs,
      throughput: runs / (wallMs / 1000),
      idealThroughput: (workers * concurrency) / ((3 * model.delayMs) / 1000),
      startupMs: readyAt.map((at) => at - started),
      activeMs: lastEnd - firstStart,
      activeThroughput: runs / ((lastEnd - firstStart) / 1000),
      runMeanMs: mean(perRun),
      runP99Ms: percentile(perRun, 0.99),
      modelMeanMs: mean([...modelTime.values()]),
      perWorker,
      cpu: {
        workersMs: workersCpu,
        workersStartupMs: spawned.reduce((sum, worker) => sum + worker.startupCpuMs, 0),
        postgresMs,
        benchMs,
        otherMs: Math.max(0, machineBusyMs - workersCpu - postgresMs - benchMs),
        machineBusyMs,
        machineCapacityMs: machineAfter.total - machineBefore.total,
      },
    };
  } finally {
    await Promise.all(spawned.map((worker) => stopWorker(worker)));
    await client.end().catch(() => undefined);
    await database.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Recovery.

export interface RecoveryTrial {
  /** Turns the victim run had recorded when its worker was killed (2 = opening + planner). */
  turnsAtKill: number;
  /** From the kill to the run recorded as no longer held (the survivor's sweep found the lease expired). */
  expiredMs: number;
  /** From the kill to the surviving worker holding the run. */
  takenMs: number;
  /** From the kill to the run's next turn being recorded by the surviving worker (the target's measure). */
  nextTurnMs: number;
  /** Every run of the trial ended approved. */
  allApproved: boolean;
  /** How the trial's runs ended, and the first error of one that did not end approved. */
  statuses: Record<string, number>;
  firstError?: string;
  victimResumes: number;
}

export interface RecoveryFigures {
  leaseMs: number;
  heartbeatMs: number;
  concurrency: number;
  runs: number;
  modelLatencyMs: number;
  trials: RecoveryTrial[];
  maxNextTurnMs: number;
  targetMs: number;
}

async function measureRecovery(context: BenchContext, model: FakeModel, options: { leaseMs: number; runs: number; concurrency: number }): Promise<RecoveryTrial> {
  const database = await freshDatabase(context.serverUrl, 'recovery');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-workers-recovery-'));
  const spawned: WorkerProcess[] = [];
  const client = new pg.Client({ connectionString: database.url, application_name: 'baton-bench' });
  try {
    writeWorkerProject(dir, model.url, [`  leaseMs: ${options.leaseMs}`, '  autoResume: true']);
    const env = { [STORE_URL_VARIABLE]: database.url };
    const project = loadProject({ cwd: dir, env });
    const store = await openRunStore(project, env);
    try {
      // Both workers listen before any run is queued, so both take some.
      for (let index = 0; index < 2; index += 1) spawned.push(spawnWorker(context.executable, dir, options.concurrency, database.url));
      await Promise.all(spawned.map((worker) => worker.ready));
      for (let index = 0; index < options.runs; index += 1) await submitRun({ project, store } as unknown as RunDependencies, { goal: GOAL });
    } finally {
      await store.close();
    }
    await client.connect();
    const turnCount = async (runId: string): Promise<number> => Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM baton.turns WHERE run_id = $1', [runId])).rows[0]?.n);
    // A run held by a worker, past its plan.
    const { victim, worker } = await waitFor(
      'a worker holding a run past its plan',
      async () => {
        const held = await client.query<{ id: string; lease_owner: string }>(
          `SELECT r.id, r.lease_owner FROM baton.runs r WHERE r.status = 'running' AND r.lease_owner IS NOT NULL
             AND EXISTS (SELECT 1 FROM baton.turns t WHERE t.run_id = r.id AND t.data::json->>'role' = 'planner') LIMIT 1`,
        );
        const row = held.rows[0];
        const holder = row && spawned.find((candidate) => row.lease_owner.includes(`:${candidate.pid}:`));
        return row && holder ? { victim: row.id, worker: holder } : undefined;
      },
      30_000,
      5,
    );
    const survivor = spawned.find((candidate) => candidate !== worker)!;
    const turnsAtKill = await turnCount(victim);
    worker.child.kill('SIGKILL');
    const killed = performance.now();
    let expiredMs: number | undefined;
    let takenMs: number | undefined;
    const nextTurnMs = await waitFor(
      'the run to continue in the other worker',
      async () => {
        const row = (await client.query<{ status: string; lease_owner: string | null }>('SELECT status, lease_owner FROM baton.runs WHERE id = $1', [victim])).rows[0];
        const now = performance.now() - killed;
        const byVictim = row?.lease_owner?.includes(`:${worker.pid}:`) ?? false;
        if (expiredMs === undefined && row && !(row.status === 'running' && byVictim)) expiredMs = now;
        if (takenMs === undefined && row?.status === 'running' && row.lease_owner?.includes(`:${survivor.pid}:`)) takenMs = now;
        return (await turnCount(victim)) > turnsAtKill ? performance.now() - killed : undefined;
      },
      options.leaseMs + 30_000,
      5,
    );
    await waitFor(
      'every run of the trial to end',
      async () => (Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM baton.runs WHERE status = ANY($1)', [END_STATUSES])).rows[0]?.n) >= options.runs ? true : undefined),
      60_000,
      50,
    );
    const { rows } = await client.query<{ id: string; status: string; data: string }>('SELECT id, status, data FROM baton.runs');
    const victimRecord = JSON.parse(rows.find((row) => row.id === victim)!.data) as { resumes?: number };
    const statuses: Record<string, number> = {};
    for (const row of rows) statuses[row.status] = (statuses[row.status] ?? 0) + 1;
    const failed = rows.find((row) => row.status !== 'approved');
    const firstError = failed ? `${failed.id === victim ? 'the killed run' : 'another run'}: ${JSON.stringify((JSON.parse(failed.data) as { error?: unknown }).error)}` : undefined;
    return {
      turnsAtKill,
      expiredMs: expiredMs ?? nextTurnMs,
      takenMs: takenMs ?? nextTurnMs,
      nextTurnMs,
      allApproved: rows.every((row) => row.status === 'approved'),
      statuses,
      ...(firstError ? { firstError } : {}),
      victimResumes: victimRecord.resumes ?? 0,
    };
  } finally {
    await Promise.all(spawned.map((worker) => stopWorker(worker)));
    await client.end().catch(() => undefined);
    await database.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Per-turn overhead, in process.

export interface TurnVariant {
  name: string;
  medianPerTurnMs: number;
  p99PerTurnMs: number;
}

export interface PerTurnFigures {
  runs: number;
  turnsPerRun: number;
  /** bare same role work, Baton SQLite, Baton SQLite + checkpointer, Baton PostgreSQL, Baton PostgreSQL + PostgresSaver. */
  variants: TurnVariant[];
  /** Queries (round trips to PostgreSQL) per run: the store alone, and the store with PostgresSaver. */
  queriesPerRun: { store: number; withCheckpoints: number };
  ratioSqlite: number;
  ratioSqliteCheckpointed: number;
  ratioPostgres: number;
  /** Baton on PostgreSQL over Baton on SQLite with its checkpointer (both durable). */
  postgresOverSqlite: number;
}

/** Queries sent through `pg` per call of `once` (every `pg.Client#query`, pooled or not, BEGIN and COMMIT included). */
async function queriesPerRun(once: () => Promise<void>, runs: number): Promise<number> {
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  let queries = 0;
  prototype.query = function (this: unknown, ...args: unknown[]) {
    queries += 1;
    return original.apply(this, args);
  };
  try {
    for (let index = 0; index < runs; index += 1) await once();
  } finally {
    prototype.query = original;
  }
  return queries / runs;
}

async function measurePerTurn(context: BenchContext, runs: number): Promise<PerTurnFigures> {
  const sqliteRoot = mkdtempSync(path.join(os.tmpdir(), 'baton-workers-turns-'));
  const postgresRoot = mkdtempSync(path.join(os.tmpdir(), 'baton-workers-turns-pg-'));
  const database = await freshDatabase(context.serverUrl, 'turns');
  const closers: Array<() => Promise<void>> = [];
  try {
    writeBenchProject(sqliteRoot);
    writeBenchProject(postgresRoot, ['store:', '  kind: postgres', `  url: \${${STORE_URL_VARIABLE}}`]);
    const env = { [STORE_URL_VARIABLE]: database.url };
    const model = new ScriptedModel((request) => scriptedReply(request));
    const project = loadProject({ cwd: sqliteRoot, env: {} });
    const plain = await openRuntime(project, { env: {}, modelOverrides: { offline: model }, checkpoints: false });
    closers.push(() => plain.close());
    const checkpointed = await openRuntime({ ...project, dataDir: path.join(sqliteRoot, '.baton-checkpointed') }, { env: {}, modelOverrides: { offline: model } });
    closers.push(() => checkpointed.close());
    const postgresProject = loadProject({ cwd: postgresRoot, env });
    const postgresStore = await openRuntime(postgresProject, { env, modelOverrides: { offline: model }, checkpoints: false });
    closers.push(() => postgresStore.close());
    const postgres = await openRuntime(postgresProject, { env, modelOverrides: { offline: model } });
    closers.push(() => postgres.close());
    const sameWork = sameWorkGraph(plain, model);
    const batonRun = (runtime: RunDependencies) => async (): Promise<void> => {
      const outcome = await runGoal(runtime, { goal: TURN_GOAL });
      if (outcome.status !== 'approved') throw new Error(`bench run ended ${outcome.status}: ${JSON.stringify(outcome.error)}`);
    };
    const variants: Array<{ name: string; once: () => Promise<void>; samples: number[] }> = [
      { name: 'bare LangGraph, same role work', once: async () => void (await sameWork.invoke({ runId: 'bench', goal: TURN_GOAL, round: 0, plan: null })), samples: [] },
      { name: 'Baton, SQLite store', once: batonRun(plain), samples: [] },
      { name: 'Baton, SQLite store + SQLite checkpoints', once: batonRun(checkpointed), samples: [] },
      { name: 'Baton, PostgreSQL store', once: batonRun(postgresStore), samples: [] },
      { name: 'Baton, PostgreSQL store + PostgresSaver', once: batonRun(postgres), samples: [] },
    ];
    for (let index = 0; index < 20; index += 1) for (const variant of variants) await variant.once();
    for (let index = 0; index < runs; index += 1) {
      for (const variant of variants) {
        const started = performance.now();
        await variant.once();
        variant.samples.push(performance.now() - started);
      }
    }
    const turnsPerRun = 3;
    const figures = variants.map((variant) => {
      const sorted = [...variant.samples].sort((left, right) => left - right);
      return { name: variant.name, medianPerTurnMs: percentile(sorted, 0.5) / turnsPerRun, p99PerTurnMs: percentile(sorted, 0.99) / turnsPerRun };
    });
    const [bare, sqlite, sqliteCheckpointed, , onPostgres] = figures as [TurnVariant, TurnVariant, TurnVariant, TurnVariant, TurnVariant];
    return {
      runs,
      turnsPerRun,
      variants: figures,
      queriesPerRun: { store: await queriesPerRun(batonRun(postgresStore), 20), withCheckpoints: await queriesPerRun(batonRun(postgres), 20) },
      ratioSqlite: sqlite.medianPerTurnMs / bare.medianPerTurnMs,
      ratioSqliteCheckpointed: sqliteCheckpointed.medianPerTurnMs / bare.medianPerTurnMs,
      ratioPostgres: onPostgres.medianPerTurnMs / bare.medianPerTurnMs,
      postgresOverSqlite: onPostgres.medianPerTurnMs / sqliteCheckpointed.medianPerTurnMs,
    };
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    // PostgresSaver's pool closes in the background; give it a moment before the database goes.
    await sleep(200);
    await database.drop().catch(() => undefined);
    rmSync(sqliteRoot, { recursive: true, force: true });
    rmSync(postgresRoot, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------

export interface WorkersBenchOptions {
  runs?: number;
  concurrency?: number;
  workerCounts?: number[];
  modelLatencyMs?: number;
  recoveryTrials?: number;
  recoveryLatencyMs?: number;
  perTurnRuns?: number;
}

export interface WorkersBenchReport {
  node: string;
  cores: number;
  postgres: string;
  /** What the PostgreSQL CPU figure covers. */
  postgresCpu: string;
  modelLatencyMs: number;
  throughput: ThroughputFigures[];
  /** Throughput at the most workers over one worker. */
  speedup: number;
  /** Throughput at the most workers over its ideal. */
  idealFraction: number;
  recovery: RecoveryFigures;
  perTurn: PerTurnFigures;
  totalMs: number;
}

export async function runWorkersBench(options: WorkersBenchOptions = {}): Promise<WorkersBenchReport> {
  const began = performance.now();
  const runs = options.runs ?? 200;
  const concurrency = options.concurrency ?? 4;
  const workerCounts = options.workerCounts ?? [1, 2, 4];
  const latencyMs = options.modelLatencyMs ?? 200;
  const root = packageRoot();
  const context: BenchContext = { serverUrl: '', executable: path.join(root, 'bin', 'baton.js') };
  const server = startPostgres(root);
  context.serverUrl = server.url;
  if (server.postmasterPid) context.postmasterPid = server.postmasterPid;
  const fast = await startFakeModel(latencyMs);
  const slow = await startFakeModel(options.recoveryLatencyMs ?? 500);
  try {
    const throughput: ThroughputFigures[] = [];
    for (const workers of workerCounts) throughput.push(await measureThroughput(context, fast, workers, concurrency, runs));

    const recoveryOptions = { leaseMs: 1000, runs: 8, concurrency: 8 };
    const trials: RecoveryTrial[] = [];
    for (let index = 0; index < (options.recoveryTrials ?? 3); index += 1) trials.push(await measureRecovery(context, slow, recoveryOptions));

    const perTurn = await measurePerTurn(context, options.perTurnRuns ?? 300);
    const first = throughput[0]!;
    const last = throughput.at(-1)!;
    return {
      node: process.version,
      cores: os.cpus().length,
      postgres: server.source,
      postgresCpu: server.postmasterPid ? 'PostgreSQL server' : "the database's PostgreSQL backends",
      modelLatencyMs: latencyMs,
      throughput,
      speedup: last.throughput / first.throughput,
      idealFraction: last.throughput / last.idealThroughput,
      recovery: {
        ...recoveryOptions,
        heartbeatMs: Math.max(100, Math.floor(recoveryOptions.leaseMs / 3)),
        modelLatencyMs: slow.delayMs,
        trials,
        maxNextTurnMs: Math.max(...trials.map((trial) => trial.nextTurnMs)),
        targetMs: recoveryOptions.leaseMs + WORKERS_TARGETS.recoveryOverLeaseMs,
      },
      perTurn,
      totalMs: performance.now() - began,
    };
  } finally {
    await fast.close();
    await slow.close();
    server.stop();
  }
}

const met = (ok: boolean): string => (ok ? 'met' : 'NOT met');

export function formatWorkersReport(report: WorkersBenchReport): string {
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const first = report.throughput[0]!;
  const last = report.throughput.at(-1)!;
  const lines = [
    `Workers on one PostgreSQL (${report.postgres}; ${report.cores} cores, Node ${report.node})`,
    `  throughput: ${first.runs} queued runs, model latency ${report.modelLatencyMs} ms, ${first.callsPerRun.toFixed(2)} model calls per run, --concurrency ${first.concurrency} per worker; timed from spawning the workers`,
    `  ${'workers'.padEnd(8)}${'wall'.padStart(9)}${'runs/s'.padStart(8)}${'ideal'.padStart(8)}${'of ideal'.padStart(10)}${'speed-up'.padStart(10)}   | ${'start-up'.padStart(8)}${'active'.padStart(9)}${'runs/s'.padStart(8)}${'of ideal'.padStart(10)}${'speed-up'.padStart(10)}`,
    ...report.throughput.flatMap((figures) => {
      const cpu = figures.cpu;
      const busy = cpu.machineCapacityMs ? (cpu.machineBusyMs / cpu.machineCapacityMs) * 100 : 0;
      const perRun = (ms: number): string => `${(ms / figures.runs).toFixed(1)} ms`;
      return [
        `  ${String(figures.workers).padEnd(8)}${seconds(figures.wallMs).padStart(9)}${figures.throughput.toFixed(2).padStart(8)}${figures.idealThroughput.toFixed(2).padStart(8)}${`${((figures.throughput / figures.idealThroughput) * 100).toFixed(0)}%`.padStart(10)}${`${(figures.throughput / first.throughput).toFixed(2)}x`.padStart(10)}   | ${`${(Math.max(...figures.startupMs) / 1000).toFixed(2)} s`.padStart(8)}${seconds(figures.activeMs).padStart(9)}${figures.activeThroughput.toFixed(2).padStart(8)}${`${((figures.activeThroughput / figures.idealThroughput) * 100).toFixed(0)}%`.padStart(10)}${`${(figures.activeThroughput / first.activeThroughput).toFixed(2)}x`.padStart(10)}`,
        `          ${Object.entries(figures.statuses).map(([status, count]) => `${count} ${status}`).join(', ')} (per worker ${figures.perWorker.join('/')}); a held run took ${figures.runMeanMs.toFixed(0)} ms mean, ${figures.runP99Ms.toFixed(0)} ms p99 (its model calls ${figures.modelMeanMs.toFixed(0)} ms)`,
        `          CPU: workers ${seconds(cpu.workersMs)} (${seconds(cpu.workersStartupMs)} of it starting; ${perRun(cpu.workersMs - cpu.workersStartupMs)} per run after), ${report.postgresCpu} ${seconds(cpu.postgresMs)} (${perRun(cpu.postgresMs)} per run), bench ${seconds(cpu.benchMs)}, other ${seconds(cpu.otherMs)}; machine ${busy.toFixed(0)}% busy (${seconds(cpu.machineBusyMs)} of ${seconds(cpu.machineCapacityMs)})`,
      ];
    }),
    `  (wall: spawning the workers to the last run's end; start-up: the slowest worker from spawn to taking runs; active: the first model call to the last end)`,
    `  throughput at ${last.workers} workers: ${report.speedup.toFixed(2)}x one worker (target >= ${WORKERS_TARGETS.speedupAt4}x: ${met(report.speedup >= WORKERS_TARGETS.speedupAt4)}), ${(report.idealFraction * 100).toFixed(0)}% of ideal (target >= ${WORKERS_TARGETS.idealFractionAt4 * 100}%: ${met(report.idealFraction >= WORKERS_TARGETS.idealFractionAt4)})`,
    `  recovery: 2 workers (--concurrency ${report.recovery.concurrency}), ${report.recovery.runs} runs, lease ${report.recovery.leaseMs} ms (heartbeat ${report.recovery.heartbeatMs} ms), model latency ${report.recovery.modelLatencyMs} ms; SIGKILL of a worker holding a run past its plan`,
    ...report.recovery.trials.map(
      (trial, index) =>
        `    trial ${index + 1}: lease seen expired ${trial.expiredMs.toFixed(0)} ms, taken by the other worker ${trial.takenMs.toFixed(0)} ms, next turn recorded ${trial.nextTurnMs.toFixed(0)} ms after the kill (${trial.turnsAtKill} turns at the kill; resumed ${trial.victimResumes}x; ${trial.allApproved ? 'all runs approved' : `NOT all runs approved: ${Object.entries(trial.statuses).map(([status, count]) => `${count} ${status}`).join(', ')}; ${trial.firstError ?? ''}`})`,
    ),
    `    max ${report.recovery.maxNextTurnMs.toFixed(0)} ms to the next turn (target <= lease + 2 s = ${report.recovery.targetMs} ms: ${met(report.recovery.maxNextTurnMs <= report.recovery.targetMs)})`,
    `  per turn, in process (${report.perTurn.runs} runs x ${report.perTurn.turnsPerRun} turns per variant, interleaved, zero-latency scripted model)`,
    ...report.perTurn.variants.map((variant) => `    ${variant.name.padEnd(44)} median ${variant.medianPerTurnMs.toFixed(3).padStart(7)} ms   p99 ${variant.p99PerTurnMs.toFixed(3).padStart(7)} ms`),
    `    queries to PostgreSQL per run: ${report.perTurn.queriesPerRun.store.toFixed(1)} (store), ${report.perTurn.queriesPerRun.withCheckpoints.toFixed(1)} (store + PostgresSaver)`,
    `    ratio to the bare graph: SQLite ${report.perTurn.ratioSqlite.toFixed(2)}x (target <= ${WORKERS_TARGETS.perTurnRatio}x: ${met(report.perTurn.ratioSqlite <= WORKERS_TARGETS.perTurnRatio)}), SQLite + checkpoints ${report.perTurn.ratioSqliteCheckpointed.toFixed(2)}x, PostgreSQL ${report.perTurn.ratioPostgres.toFixed(2)}x; PostgreSQL / SQLite + checkpoints ${report.perTurn.postgresOverSqlite.toFixed(2)}x`,
    `  whole bench: ${(report.totalMs / 1000).toFixed(0)} s`,
  ];
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runWorkersBench()
    .then((report) => console.log(formatWorkersReport(report)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
