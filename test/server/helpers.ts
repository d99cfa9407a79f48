/** Shared set-up for the server tests: a temp project on the offline engine, and models whose pace the test controls. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadProject } from '../../src/config/load.js';
import { OfflineModel } from '../../src/models/offline/index.js';
import { answerAfter, type ScriptedModel } from '../../src/models/scripted.js';
import type { ChatModel, ModelRequest } from '../../src/models/types.js';
import { openRuntime, type Runtime } from '../../src/runtime/open.js';
import { createServer, type ServerOptions } from '../../src/server/app.js';

export interface TestRuntime {
  runtime: Runtime;
  dataDir: string;
  cleanup(): void;
}

/** A runtime in a fresh temp folder, using the built-in flow; `model` replaces the offline engine for every role. */
export function makeRuntime(model?: ChatModel): TestRuntime {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'baton-server-'));
  const project = loadProject({ cwd: dataDir, env: {} });
  const runtime = openRuntime(project, { env: {}, checkpoints: false, ...(model ? { modelOverrides: { offline: model } } : {}) });
  return {
    runtime,
    dataDir,
    cleanup: () => {
      runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
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

/** A server on a test runtime, closed (runs cancelled) and cleaned up by `close`. */
export async function makeServer(options: { model?: ChatModel } & Partial<ServerOptions> = {}): Promise<{ app: FastifyInstance; runtime: Runtime; close(): Promise<void> }> {
  const { model, ...serverOptions } = options;
  const test = makeRuntime(model);
  const app = await createServer({ runtime: test.runtime, env: {}, ...serverOptions });
  return {
    app,
    runtime: test.runtime,
    close: async () => {
      await app.close();
      test.cleanup();
    },
  };
}

/** Waits until a run recorded in the store has ended; returns its status. */
export async function waitForEnd(app: FastifyInstance, runId: string, headers: Record<string, string> = {}): Promise<string> {
  return eventually(async () => {
    const response = await app.inject({ method: 'GET', url: `/api/runs/${runId}`, headers });
    const status = (response.json() as { status?: string }).status;
    return status && status !== 'running' && status !== 'queued' ? status : undefined;
  }, 10_000, `run ${runId} to end`);
}
