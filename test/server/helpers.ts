/** Shared set-up for the server tests: a temp project on the offline engine, and models whose pace the test controls. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { OfflineModel } from '../../src/models/offline/index.js';
import { answerAfter, type ScriptedModel } from '../../src/models/scripted.js';
import type { ChatModel, ModelRequest } from '../../src/models/types.js';
import { openRuntime, type Runtime } from '../../src/runtime/open.js';
import { createServer, type ServerOptions } from '../../src/server/app.js';

export interface TestRuntime {
  runtime: Runtime;
  /** The project folder (its data directory is `.baton` inside). */
  dataDir: string;
  cleanup(): Promise<void>;
}

export interface RuntimeOptions {
  /** Reopen a project folder another runtime used (a restarted server); default a fresh temp folder. */
  dataDir?: string;
  /** `baton.config.yaml` for the project, written when the folder is new. */
  config?: string;
  /** Keep LangGraph checkpoints (default on: executing a run reads its checkpoint state). */
  checkpoints?: boolean;
  /** Leave the folder in place at cleanup (another runtime reopens it). */
  keep?: boolean;
}

/** A flow with a human gate on the plan, and short leases: what the durable-run tests use. */
export const GATED_CONFIG = `flow:
  - planner
  - human: review
    review: plan
  - researcher
  - checker
runs:
  leaseMs: 1000
`;

/** Short leases, so a run left by a stopped server reads interrupted within a second. */
export const SHORT_LEASE_CONFIG = `runs:
  leaseMs: 1000
`;

/** A runtime in a temp folder, using the built-in flow unless `config` says otherwise; `model` replaces the offline engine for every role. */
export async function makeRuntime(model?: ChatModel, options: RuntimeOptions = {}): Promise<TestRuntime> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'baton-server-'));
  if (options.config !== undefined && options.dataDir === undefined) writeFileSync(path.join(dataDir, 'baton.config.yaml'), options.config);
  const project = loadProject({ cwd: dataDir, env: {} });
  const runtime = await openRuntime(project, { env: {}, checkpoints: options.checkpoints ?? true, ...(model ? { modelOverrides: { offline: model } } : {}) });
  let closed = false;
  return {
    runtime,
    dataDir,
    cleanup: async () => {
      if (closed) return;
      closed = true;
      await runtime.close();
      if (!options.keep) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits `ms`, or rejects as soon as the signal aborts (as a real HTTP model call would). */
export function abortableDelay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Answers like the offline engine after `wait(request)` settles. */
function offlineAfter(wait: (request: ModelRequest) => Promise<void>): ScriptedModel {
  return answerAfter(new OfflineModel(), wait, 'offline');
}

/** The offline engine, `delayMs` slower per call. */
export function slowModel(delayMs: number): ScriptedModel {
  return offlineAfter((request) => abortableDelay(delayMs, request.signal));
}

/**
 * A model whose calls after the first `free` ones wait until the test opens the gate, so a test can look at a run
 * while it is certainly still going.
 */
export function gatedModel(free: number): { model: ScriptedModel; open(): void; calls(): number } {
  let opened = false;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let calls = 0;
  const model = offlineAfter(async (request) => {
    calls += 1;
    if (calls <= free || opened) return;
    await new Promise<void>((resolve, reject) => {
      request.signal?.addEventListener('abort', () => reject(request.signal?.reason), { once: true });
      void gate.then(resolve);
    });
  });
  return {
    model,
    open: () => {
      opened = true;
      release();
    },
    calls: () => calls,
  };
}

/**
 * A model that answers planner calls at once and holds every other call until the test opens the gate (or the call is
 * aborted): runs that were taken stop right after planning, whatever order they were taken in.
 */
export function plannersOnlyModel(): { model: ScriptedModel; open(): void; waiting(): number } {
  let opened = false;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let waiting = 0;
  const model = offlineAfter(async (request) => {
    if (opened || request.task.kind === 'plan') return;
    waiting += 1;
    try {
      await new Promise<void>((resolve, reject) => {
        request.signal?.addEventListener('abort', () => reject(request.signal?.reason), { once: true });
        void gate.then(resolve);
      });
    } finally {
      waiting -= 1;
    }
  });
  return {
    model,
    open: () => {
      opened = true;
      release();
    },
    waiting: () => waiting,
  };
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A server on a test runtime, closed (runs released) and cleaned up by `close`. */
export async function makeServer(options: { model?: ChatModel; runtimeOptions?: RuntimeOptions } & Partial<ServerOptions> = {}): Promise<{ app: FastifyInstance; runtime: Runtime; dataDir: string; close(): Promise<void> }> {
  const { model, runtimeOptions, ...serverOptions } = options;
  const test = await makeRuntime(model, runtimeOptions);
  const app = await createServer({ runtime: test.runtime, env: {}, ...serverOptions });
  return {
    app,
    runtime: test.runtime,
    dataDir: test.dataDir,
    close: async () => {
      await app.close();
      await test.cleanup();
    },
  };
}

const END_STATUSES = new Set(['approved', 'unverified', 'budget_exceeded', 'failed', 'cancelled']);

/** Waits until a run recorded in the store has ended; returns its status. */
export async function waitForEnd(app: FastifyInstance, runId: string, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<string> {
  return waitForStatus(app, runId, (status) => END_STATUSES.has(status), headers, timeoutMs, 'to end');
}

/** Waits until the API reports a status `accept` takes; returns it. */
export async function waitForStatus(app: FastifyInstance, runId: string, accept: string | ((status: string) => boolean), headers: Record<string, string> = {}, timeoutMs = 10_000, what?: string): Promise<string> {
  const test = typeof accept === 'string' ? (status: string) => status === accept : accept;
  return eventually(async () => {
    const response = await app.inject({ method: 'GET', url: `/api/runs/${runId}`, headers });
    const status = (response.json() as { status?: string }).status;
    return status && test(status) ? status : undefined;
  }, timeoutMs, `run ${runId} ${what ?? `to be ${String(accept)}`}`);
}

type MadeServer = Awaited<ReturnType<typeof makeServer>>;

/**
 * Servers for one test file, each closed after its test: `server(options)` makes one (options merged over `defaults`),
 * `servers` holds the open ones. Call at the top level of a test file.
 */
export function serversOfThisFile(defaults: Parameters<typeof makeServer>[0] = {}): { server: (options?: Parameters<typeof makeServer>[0]) => Promise<MadeServer>; servers: MadeServer[] } {
  const servers: MadeServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((created) => created.close()));
  });
  return {
    servers,
    server: async (options = {}) => {
      const created = await makeServer({ ...defaults, ...options });
      servers.push(created);
      return created;
    },
  };
}
