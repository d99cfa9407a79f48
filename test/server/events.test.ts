import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logging.js';
import { startServer, type RunningServer } from '../../src/server/app.js';
import { RunEventHub } from '../../src/server/events.js';
import { RunManager } from '../../src/server/runs.js';
import type { TurnRecord } from '../../src/transcript/schema.js';
import { eventually, gatedModel, makeRuntime, slowModel, type TestRuntime } from './helpers.js';
import { openEvents, type SseEvent } from './sse.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(test: TestRuntime, options: { concurrency?: number } = {}): Promise<RunningServer> {
  const server = await startServer({ runtime: test.runtime, env: {}, host: '127.0.0.1', port: 0, onShutdownSignal: () => () => undefined, ...options });
  cleanups.push(() => test.cleanup(), () => server.close());
  return server;
}

async function submit(server: RunningServer, goal: string): Promise<string> {
  const response = await fetch(`${server.url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ goal }) });
  expect(response.status).toBe(202);
  return ((await response.json()) as { runId: string }).runId;
}

async function statusOf(server: RunningServer, runId: string): Promise<string> {
  return ((await (await fetch(`${server.url}/api/runs/${runId}`)).json()) as { status: string }).status;
}

const turnOf = (event: SseEvent): TurnRecord => JSON.parse(event.data) as TurnRecord;

describe('GET /api/runs/:id/events', () => {
  it('delivers turns while the run is still going, then an end event with the final status, then closes', async () => {
    const gate = gatedModel(1); // the planner answers; the researcher waits for the gate
    const server = await listen(makeRuntime(gate.model));
    const runId = await submit(server, 'What is Baton?');
    const stream = await openEvents(`${server.url}/api/runs/${runId}/events`);

    const first = await stream.next();
    expect(first).toMatchObject({ event: 'turn', id: '1' });
    expect(turnOf(first as SseEvent)).toMatchObject({ runId, from: 'user', to: ['supervisor'] });
    const second = await stream.next();
    expect(turnOf(second as SseEvent)).toMatchObject({ seq: 2, from: 'planner' });
    // The planner's turn arrived live: the run has certainly not ended, its researcher is waiting.
    expect(await statusOf(server, runId)).toBe('running');
    expect(gate.calls()).toBe(2);

    gate.open();
    const rest = await stream.rest();
    const turns = rest.filter((event) => event.event === 'turn').map(turnOf);
    expect(turns.map((turn) => turn.from)).toEqual(['researcher', 'checker', 'supervisor']);
    expect(turns.map((turn) => turn.seq)).toEqual([3, 4, 5]);
    const end = rest.at(-1);
    expect(end?.event).toBe('end');
    expect(JSON.parse(end?.data ?? '{}')).toMatchObject({ runId, status: 'approved', verified: true, rounds: 1 });
    expect(stream.ended).toBe(true);
    expect(await statusOf(server, runId)).toBe('approved');
  });

  it('replays a finished run, or only what follows Last-Event-ID, then ends', async () => {
    const server = await listen(makeRuntime());
    const runId = await submit(server, 'What is Baton?');
    await eventually(async () => ((await statusOf(server, runId)) === 'approved' ? true : undefined));

    const all = await (await openEvents(`${server.url}/api/runs/${runId}/events`)).rest();
    expect(all.map((event) => event.event)).toEqual(['turn', 'turn', 'turn', 'turn', 'turn', 'end']);
    const resumed = await (await openEvents(`${server.url}/api/runs/${runId}/events`, { 'last-event-id': '3' })).rest();
    expect(resumed.filter((event) => event.event === 'turn').map((event) => event.id)).toEqual(['4', '5']);
    const after = await (await openEvents(`${server.url}/api/runs/${runId}/events?after=4`)).rest();
    expect(after.map((event) => event.id ?? event.event)).toEqual(['5', 'end']);
  });

  it('tells a queued run\'s watcher its place, then streams the run once it starts', async () => {
    const gate = gatedModel(0);
    const server = await listen(makeRuntime(gate.model), { concurrency: 1 });
    const first = await submit(server, 'What is Baton?');
    const second = await submit(server, 'How are transcripts stored?');
    const stream = await openEvents(`${server.url}/api/runs/${second}/events`);
    const status = await stream.next();
    expect(status).toMatchObject({ event: 'status' });
    expect(JSON.parse(status?.data ?? '{}')).toEqual({ runId: second, status: 'queued', position: 1 });
    gate.open();
    const rest = await stream.rest();
    expect(rest.filter((event) => event.event === 'turn').map(turnOf).every((turn) => turn.runId === second)).toBe(true);
    expect(rest.filter((event) => event.event === 'turn')).toHaveLength(5);
    expect(JSON.parse(rest.at(-1)?.data ?? '{}')).toMatchObject({ status: 'approved' });
    expect(await statusOf(server, first)).toBe('approved');
  });

  it('lets a client disconnect mid-run without affecting the run, and forgets the stream', async () => {
    const server = await listen(makeRuntime(slowModel(150)));
    const runId = await submit(server, 'What is Baton?');
    const controller = new AbortController();
    const stream = await openEvents(`${server.url}/api/runs/${runId}/events`, {}, controller.signal);
    expect((await stream.next())?.event).toBe('turn');
    const health = async (): Promise<{ eventStreams: number }> => (await (await fetch(`${server.url}/healthz`)).json()) as { eventStreams: number };
    expect((await health()).eventStreams).toBe(1);
    controller.abort();
    await eventually(async () => ((await health()).eventStreams === 0 ? true : undefined), 5000, 'the stream to be dropped');
    await eventually(async () => ((await statusOf(server, runId)) === 'approved' ? true : undefined), 10_000, 'the run to end');
  });

  it('ends open streams with the cancelled status when the server stops mid-run', async () => {
    const gate = gatedModel(1);
    const test = makeRuntime(gate.model);
    const server = await startServer({ runtime: test.runtime, env: {}, port: 0, onShutdownSignal: () => () => undefined });
    cleanups.push(() => test.cleanup());
    const runId = await submit(server, 'What is Baton?');
    const stream = await openEvents(`${server.url}/api/runs/${runId}/events`);
    await stream.next();
    await server.close();
    const rest = await stream.rest();
    expect(rest.at(-1)?.event).toBe('end');
    expect(JSON.parse(rest.at(-1)?.data ?? '{}')).toMatchObject({ runId, status: 'cancelled' });
    expect(test.runtime.store.getRun(runId).status).toBe('cancelled');
  });
});

describe('RunEventHub backpressure', () => {
  it('disconnects a client whose socket stops draining, and recording carries on', async () => {
    const test = makeRuntime();
    cleanups.push(() => test.cleanup());
    const manager = new RunManager({ runtime: test.runtime, logger: silentLogger(), concurrency: 1, maxQueued: 10 });
    const hub = new RunEventHub(test.runtime.store, manager, { heartbeatMs: 60_000, pollMs: 1000, maxBufferedBytes: 1024 }, silentLogger());
    cleanups.push(() => hub.close());

    // A socket that accepts bytes but never sends them: its buffer only grows, and write() says "stop".
    const written: string[] = [];
    let destroyed = false;
    const listeners = new Map<string, () => void>();
    const response = {
      writableLength: 0,
      writableEnded: false,
      writeHead: () => response,
      write(chunk: string) {
        written.push(chunk);
        response.writableLength += chunk.length;
        return false;
      },
      end() {
        response.writableEnded = true;
      },
      destroy() {
        destroyed = true;
        listeners.get('close')?.();
      },
      on(event: string, listener: () => void) {
        listeners.set(event, listener);
        return response;
      },
    };

    const submitted = manager.submit({ goal: 'What is Baton?' });
    if (!('runId' in submitted)) throw new Error('refused');
    hub.stream(submitted.runId, response as unknown as ServerResponse, 0);
    const end = await manager.whenDone(submitted.runId);
    expect(end?.status).toBe('approved');
    expect(destroyed).toBe(true);
    expect(hub.openStreams()).toBe(0);
    // It got the start of the stream, then was cut off instead of being sent the rest.
    expect(written.filter((chunk) => chunk.startsWith('id: ')).length).toBeLessThan(5);
    expect(test.runtime.store.turns(submitted.runId)).toHaveLength(5);
  });
});
