import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logging.js';
import { RunDispatcher } from '../../src/runtime/dispatcher.js';
import { startServer, type RunningServer } from '../../src/server/app.js';
import { RunEventHub } from '../../src/server/events.js';
import type { TurnRecord } from '../../src/transcript/schema.js';
import { eventually, GATED_CONFIG, gatedModel, makeRuntime, slowModel, type TestRuntime } from './helpers.js';
import { openEvents, type SseEvent, type SseReader } from './sse.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(test: TestRuntime, options: Partial<Parameters<typeof startServer>[0]> = {}): Promise<RunningServer> {
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

async function waitForStatus(server: RunningServer, runId: string, status: string): Promise<void> {
  await eventually(async () => ((await statusOf(server, runId)) === status ? true : undefined), 10_000, `run ${runId} to be ${status}`);
}

const turnOf = (event: SseEvent): TurnRecord => JSON.parse(event.data) as TurnRecord;
const dataOf = (event: SseEvent | undefined): Record<string, unknown> => JSON.parse(event?.data ?? '{}') as Record<string, unknown>;

/** The next `turn` event, skipping `status` events (collected in `statuses`). */
async function nextTurn(stream: SseReader, statuses: string[] = []): Promise<SseEvent> {
  for (;;) {
    const event = await stream.next();
    if (!event) throw new Error('the stream ended before the next turn');
    if (event.event === 'turn') return event;
    if (event.event === 'status') statuses.push(String(dataOf(event)['status']));
    else throw new Error(`unexpected ${event.event} event`);
  }
}

describe('GET /api/runs/:id/events', () => {
  it('delivers turns while the run is still going, then an end event with the final status, then closes', async () => {
    const gate = gatedModel(1); // the planner answers; the researcher waits for the gate
    const server = await listen(await makeRuntime(gate.model));
    const runId = await submit(server, 'What is Baton?');
    const stream = await openEvents(`${server.url}/api/runs/${runId}/events`);

    const first = await nextTurn(stream);
    expect(first).toMatchObject({ event: 'turn', id: '1' });
    expect(turnOf(first)).toMatchObject({ runId, from: 'user', to: ['supervisor'] });
    const second = await nextTurn(stream);
    expect(turnOf(second)).toMatchObject({ seq: 2, from: 'planner' });
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
    const server = await listen(await makeRuntime());
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
    const server = await listen(await makeRuntime(gate.model), { concurrency: 1 });
    const first = await submit(server, 'What is Baton?');
    await waitForStatus(server, first, 'running');
    const second = await submit(server, 'How are transcripts stored?');
    const stream = await openEvents(`${server.url}/api/runs/${second}/events`);
    // A queued run is recorded with its opening turn; then where it stands.
    expect(turnOf((await stream.next()) as SseEvent)).toMatchObject({ runId: second, seq: 1, from: 'user' });
    const status = await stream.next();
    expect(status).toMatchObject({ event: 'status' });
    expect(dataOf(status)).toEqual({ runId: second, status: 'queued', position: 1 });
    gate.open();
    const rest = await stream.rest();
    expect(rest.filter((event) => event.event === 'status').map((event) => dataOf(event)['status'])).toEqual(['running']);
    expect(rest.filter((event) => event.event === 'turn').map(turnOf).every((turn) => turn.runId === second)).toBe(true);
    expect(rest.filter((event) => event.event === 'turn').map((event) => event.id)).toEqual(['2', '3', '4', '5']);
    expect(dataOf(rest.at(-1))).toMatchObject({ status: 'approved' });
    expect(await statusOf(server, first)).toBe('approved');
  });

  it('says when a run waits for a person, stays open, and follows it to its end after the decision', async () => {
    const server = await listen(await makeRuntime(undefined, { config: GATED_CONFIG }));
    const runId = await submit(server, 'What is Baton?');
    const stream = await openEvents(`${server.url}/api/runs/${runId}/events`);
    const statuses: string[] = [];
    expect(turnOf(await nextTurn(stream, statuses))).toMatchObject({ from: 'user' });
    expect(turnOf(await nextTurn(stream, statuses))).toMatchObject({ from: 'planner' });
    expect(turnOf(await nextTurn(stream, statuses))).toMatchObject({ from: 'supervisor', to: ['review'], output: { awaiting: 'review', review: 'plan' } });
    const waiting = await stream.next();
    expect(waiting?.event).toBe('status');
    expect(dataOf(waiting)).toMatchObject({ runId, status: 'awaiting_human', gate: 'review', review: 'plan', prompt: expect.any(String), round: 1 });
    // Nothing more comes until someone decides: the stream is open, the run parked.
    await expect(stream.next(400)).rejects.toThrow(/no event/);

    const decided = await fetch(`${server.url}/api/runs/${runId}/decision`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ decision: 'approve' }) });
    expect(decided.status).toBe(200);
    const rest = await stream.rest();
    expect(rest.filter((event) => event.event === 'status').map((event) => dataOf(event)['status'])).toEqual(expect.arrayContaining(['running']));
    expect(rest.filter((event) => event.event === 'turn').map((event) => turnOf(event).from)).toEqual(['user', 'review', 'researcher', 'checker', 'supervisor']);
    expect(rest.at(-1)?.event).toBe('end');
    expect(dataOf(rest.at(-1))).toMatchObject({ runId, status: 'approved', verified: true });
  });

  it('follows a run another process executes on the same store, to its end', async () => {
    // Server A only accepts and shows runs; server B, another runtime on the same data directory, executes them.
    // A's store hears none of B's writes (SQLite tells listeners in-process only): its stream reads the store.
    const front = await makeRuntime();
    const accepting = await listen(front, { execute: false, events: { pollMs: 100 } });
    const back = await makeRuntime(slowModel(50), { dataDir: front.dataDir, keep: true });
    await listen(back, { concurrency: 2 });
    const runId = await submit(accepting, 'What is Baton?');
    const stream = await openEvents(`${accepting.url}/api/runs/${runId}/events`);
    const events = await stream.rest();
    expect(events.filter((event) => event.event === 'turn').map((event) => turnOf(event).from)).toEqual(['user', 'planner', 'researcher', 'checker', 'supervisor']);
    expect(events.at(-1)?.event).toBe('end');
    expect(dataOf(events.at(-1))).toMatchObject({ runId, status: 'approved' });
    expect(((await (await fetch(`${accepting.url}/healthz`)).json()) as { executing: number; execute: boolean })).toMatchObject({ executing: 0, execute: false });
  });

  it('lets a client disconnect mid-run without affecting the run, and forgets the stream', async () => {
    const server = await listen(await makeRuntime(slowModel(150)));
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

  it('tells open streams the run was released as interrupted when the server stops mid-run, then closes them', async () => {
    const gate = gatedModel(1);
    const test = await makeRuntime(gate.model);
    const server = await startServer({ runtime: test.runtime, env: {}, port: 0, onShutdownSignal: () => () => undefined });
    cleanups.push(() => test.cleanup());
    const runId = await submit(server, 'What is Baton?');
    const stream = await openEvents(`${server.url}/api/runs/${runId}/events`);
    await nextTurn(stream);
    await eventually(() => (gate.calls() >= 2 ? true : undefined), 5000, 'the researcher call');
    await server.close();
    const rest = await stream.rest();
    expect(rest.at(-1)?.event).toBe('status');
    expect(dataOf(rest.at(-1))).toMatchObject({ runId, status: 'interrupted' });
    expect(stream.ended).toBe(true);
    expect((await test.runtime.store.getRun(runId)).status).toBe('interrupted');
  });
});

describe('RunEventHub backpressure', () => {
  it('disconnects a client whose socket stops draining, and recording carries on', async () => {
    const test = await makeRuntime();
    cleanups.push(() => test.cleanup());
    const dispatcher = new RunDispatcher({ runtime: test.runtime, logger: silentLogger(), concurrency: 1 });
    const hub = new RunEventHub(test.runtime.store, dispatcher, { heartbeatMs: 60_000, pollMs: 1000, maxBufferedBytes: 1024 }, silentLogger());
    cleanups.push(() => hub.close(0), async () => void (await dispatcher.shutdown(5000)));

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

    const submitted = await dispatcher.submit({ goal: 'What is Baton?' });
    if ('refused' in submitted) throw new Error('refused');
    hub.stream(submitted.id, response as unknown as ServerResponse, 0);
    await dispatcher.start();
    await eventually(async () => ((await test.runtime.store.getRun(submitted.id)).status === 'approved' ? true : undefined), 10_000, 'the run to end');
    await eventually(() => (destroyed ? true : undefined), 5000, 'the slow client to be cut off');
    expect(hub.openStreams()).toBe(0);
    // It got the start of the stream, then was cut off instead of being sent the rest.
    expect(written.filter((chunk) => chunk.startsWith('id: ')).length).toBeLessThan(5);
    expect(await test.runtime.store.turns(submitted.id)).toHaveLength(5);
  });
});
