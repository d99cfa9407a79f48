/**
 * API benchmark: 200 goals submitted at once to a real `baton serve` listening on 127.0.0.1, with a fake model that
 * answers every call after 200 ms (the offline engine's answer, delayed). Each run is recorded as `queued` in the run
 * store before its POST is answered, then taken by the server's dispatcher; each is polled through
 * `GET /api/runs/:id` until it ends, and every run must end and be recorded. Reported: throughput, API latency p50/p99
 * of the POSTs and of the polls, peak RSS, and the ideal wall time for that model latency and concurrency limit.
 *
 * Ideal time: runs execute in waves of `concurrency`, and one run is `modelTurnsPerRun` model calls one after another
 * (planner, researcher, checker; researchers of one plan run in parallel, so they count once), each taking the model
 * latency. So ideal = ceil(runs / concurrency) × modelTurnsPerRun × latency; everything above it is Baton's overhead
 * (graph, transcript writes, HTTP) plus the polling load on the same two cores.
 *
 * The load comes from a separate Node process (this file with `--client`), so the client's own 200 connections and
 * JSON parsing do not run on the server's event loop, and the peak RSS is the server's alone.
 *
 * Run: `npx tsc -p tsconfig.build.json && node dist/bench/api.js`
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadProject } from '../src/config/load.js';
import { OfflineModel } from '../src/models/offline/index.js';
import { answerAfter, type ScriptedModel } from '../src/models/scripted.js';
import { openRuntime } from '../src/runtime/open.js';
import { startServer } from '../src/server/app.js';

/** Latency percentiles in milliseconds. */
export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** What {@link runApiBench} measured. */
export interface ApiBenchReport {
  node: string;
  runs: number;
  concurrency: number;
  modelLatencyMs: number;
  /** Sequential model calls on one run's critical path, measured from the transcripts. */
  modelTurnsPerRun: number;
  wallMs: number;
  idealMs: number;
  /** Runs finished per second. */
  throughput: number;
  idealThroughput: number;
  post: LatencySummary;
  poll: LatencySummary;
  /** The same burst of `runs` requests on fresh connections to `GET /healthz`, which does no work: the floor for `post`. */
  burstBaseline: LatencySummary;
  peakRssMb: number;
  startRssMb: number;
  statuses: Record<string, number>;
  /** Runs found in the transcript store afterwards. */
  recorded: number;
  allCompleted: boolean;
}

export interface ApiBenchOptions {
  runs?: number;
  concurrency?: number;
  modelLatencyMs?: number;
  /** How often each client polls its run. */
  pollIntervalMs?: number;
  /** Drive the load from a child process (default when running compiled JavaScript) or from this one. */
  client?: 'process' | 'in-process';
}

/** What the load generator measured. */
interface ClientResult {
  postTimes: number[];
  pollTimes: number[];
  statuses: Record<string, number>;
  wallMs: number;
}

const GOALS = ['What is Baton?', 'How are transcripts stored?', 'Which models does Baton use?'];
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function summarise(samples: number[]): LatencySummary {
  const sorted = [...samples].sort((left, right) => left - right);
  const at = (fraction: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? 0;
  return { count: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted.at(-1) ?? 0 };
}

/** The offline engine's answer after `latencyMs`, as a remote model would give it. */
function delayedOfflineModel(latencyMs: number): ScriptedModel {
  return answerAfter(new OfflineModel(), () => sleep(latencyMs), 'offline');
}

const THIS_FILE = fileURLToPath(import.meta.url);

/** Sends `count` requests to /healthz at once on fresh connections: what a burst costs before any real work. */
async function driveBaseline(url: string, count: number): Promise<ClientResult> {
  const times: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: count }, async () => {
      const begun = performance.now();
      await (await fetch(`${url}/healthz`)).text();
      times.push(performance.now() - begun);
    }),
  );
  return { postTimes: times, pollTimes: [], statuses: {}, wallMs: performance.now() - started };
}

/** Submits every goal at once, then polls each run until it ends. */
async function driveLoad(url: string, runs: number, pollIntervalMs: number): Promise<ClientResult> {
  const postTimes: number[] = [];
  const pollTimes: number[] = [];
  const statuses: Record<string, number> = {};
  const timed = async <T>(samples: number[], call: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const value = await call();
    samples.push(performance.now() - started);
    return value;
  };
  // One request first, so the timings do not include loading the HTTP client.
  await (await fetch(`${url}/healthz`)).text();
  const started = performance.now();
  const ids = await Promise.all(
    Array.from({ length: runs }, (_, index) =>
      timed(postTimes, async () => {
        const response = await fetch(`${url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ goal: GOALS[index % GOALS.length] }) });
        if (response.status !== 202) throw new Error(`POST /api/runs answered ${response.status}: ${await response.text()}`);
        return ((await response.json()) as { runId: string }).runId;
      }),
    ),
  );
  await Promise.all(
    ids.map(async (runId) => {
      for (;;) {
        const status = await timed(pollTimes, async () => ((await (await fetch(`${url}/api/runs/${runId}`)).json()) as { status: string }).status);
        if (!['queued', 'running', 'interrupted', 'awaiting_human'].includes(status)) {
          statuses[status] = (statuses[status] ?? 0) + 1;
          return;
        }
        await sleep(pollIntervalMs);
      }
    }),
  );
  return { postTimes, pollTimes, statuses, wallMs: performance.now() - started };
}

/** Runs {@link driveLoad} in a child Node process and reads its result (one JSON line on stdout). */
function driveFromChild(mode: 'load' | 'baseline', url: string, runs: number, pollIntervalMs: number): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [THIS_FILE, '--client', mode, url, String(runs), String(pollIntervalMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`the load client exited with status ${code}`));
      try {
        resolve(JSON.parse(output) as ClientResult);
      } catch {
        reject(new Error(`the load client printed no result: ${output.slice(0, 200)}`));
      }
    });
  });
}

export async function runApiBench(options: ApiBenchOptions = {}): Promise<ApiBenchReport> {
  const runs = options.runs ?? 200;
  const concurrency = options.concurrency ?? 20;
  const latencyMs = options.modelLatencyMs ?? 200;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const folder = mkdtempSync(path.join(tmpdir(), 'baton-api-bench-'));
  const project = loadProject({ cwd: folder, env: {} });
  const runtime = await openRuntime(project, { env: {}, modelOverrides: { offline: delayedOfflineModel(latencyMs) } });
  const server = await startServer({ runtime, env: {}, port: 0, concurrency, maxQueued: runs, onShutdownSignal: () => () => undefined });

  const startRss = process.memoryUsage().rss;
  let peakRss = startRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 25);

  try {
    const client = options.client ?? (THIS_FILE.endsWith('.js') ? 'process' : 'in-process');
    const baseline = client === 'process' ? await driveFromChild('baseline', server.url, runs, pollIntervalMs) : await driveBaseline(server.url, runs);
    const { postTimes, pollTimes, statuses, wallMs } = client === 'process' ? await driveFromChild('load', server.url, runs, pollIntervalMs) : await driveLoad(server.url, runs, pollIntervalMs);
    clearInterval(sampler);

    const recorded = await runtime.store.listRuns({ limit: runs * 2 });
    const depth: number[] = [];
    for (const run of recorded) depth.push(new Set((await runtime.store.turns(run.id)).filter((turn) => turn.model !== null).map((turn) => `${turn.round}:${turn.kind}`)).size);
    const modelTurnsPerRun = depth.reduce((sum, value) => sum + value, 0) / Math.max(1, depth.length);
    const idealMs = Math.ceil(runs / concurrency) * modelTurnsPerRun * latencyMs;
    return {
      node: process.version,
      runs,
      concurrency,
      modelLatencyMs: latencyMs,
      modelTurnsPerRun,
      wallMs,
      idealMs,
      throughput: runs / (wallMs / 1000),
      idealThroughput: runs / (idealMs / 1000),
      post: summarise(postTimes),
      poll: summarise(pollTimes),
      burstBaseline: summarise(baseline.postTimes),
      peakRssMb: peakRss / 2 ** 20,
      startRssMb: startRss / 2 ** 20,
      statuses,
      recorded: recorded.length,
      allCompleted: recorded.length === runs && (statuses['approved'] ?? 0) === runs,
    };
  } finally {
    clearInterval(sampler);
    await server.close();
    await runtime.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

/** A plain-text summary of a report. */
export function formatApiBenchReport(report: ApiBenchReport): string {
  const latency = (label: string, summary: LatencySummary): string =>
    `${label.padEnd(30)} p50 ${summary.p50Ms.toFixed(1).padStart(7)} ms   p99 ${summary.p99Ms.toFixed(1).padStart(7)} ms   max ${summary.maxMs.toFixed(1).padStart(7)} ms   (${summary.count} requests)`;
  return [
    `API bench (node ${report.node}): ${report.runs} goals POSTed at once to baton serve on 127.0.0.1, concurrency ${report.concurrency}, model latency ${report.modelLatencyMs} ms`,
    `runs ended: ${Object.entries(report.statuses).map(([status, count]) => `${count} ${status}`).join(', ')}; recorded in the store: ${report.recorded}${report.allCompleted ? ' (all completed)' : ' — NOT all completed'}`,
    `wall time                      ${(report.wallMs / 1000).toFixed(2).padStart(7)} s    ideal ${(report.idealMs / 1000).toFixed(2)} s = ceil(${report.runs}/${report.concurrency}) waves × ${report.modelTurnsPerRun.toFixed(2)} sequential model calls × ${report.modelLatencyMs} ms  (${((report.idealMs / report.wallMs) * 100).toFixed(0)}% of ideal)`,
    `throughput                     ${report.throughput.toFixed(2).padStart(7)} runs/s   ideal ${report.idealThroughput.toFixed(2)} runs/s`,
    latency('POST /api/runs', report.post),
    latency('GET /api/runs/:id (polls)', report.poll),
    latency('baseline: GET /healthz burst', report.burstBaseline),
    `peak RSS (server process)      ${report.peakRssMb.toFixed(0).padStart(7)} MB   (${report.startRssMb.toFixed(0)} MB before the first POST)`,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv[2] === '--client') {
  const [mode = 'load', url = '', runs = '200', pollIntervalMs = '250'] = process.argv.slice(3);
  (mode === 'baseline' ? driveBaseline(url, Number(runs)) : driveLoad(url, Number(runs), Number(pollIntervalMs)))
    .then((result) => process.stdout.write(`${JSON.stringify(result)}\n`))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runApiBench()
    .then((report) => {
      console.log(formatApiBenchReport(report));
      if (!report.allCompleted) process.exitCode = 1;
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
