/**
 * Live run events as server-sent events. One listener on the transcript store fans turns out to the streams watching
 * each run. A stream first replays the turns already recorded, then sends live ones, then an `end` event, then closes.
 *
 * Recording never waits for a client: the store calls listeners synchronously, so a listener only queues bytes on the
 * socket. A client that falls too far behind is disconnected rather than buffered without bound; EventSource then
 * reconnects with `Last-Event-ID` (each turn's `seq`) and the replay fills the gap from the store.
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from '../logging.js';
import type { RunRecord, TurnRecord } from '../transcript/schema.js';
import type { TranscriptStore } from '../transcript/store.js';
import type { RunEnd, RunManager } from './runs.js';

export interface EventStreamSettings {
  /** A comment line this often keeps proxies from closing an idle stream. */
  heartbeatMs: number;
  /** How often a run being executed by another process is re-read from the store. */
  pollMs: number;
  /** Bytes allowed to wait on a slow client's socket before it is disconnected. */
  maxBufferedBytes: number;
}

interface Watcher {
  turn(turn: TurnRecord): void;
  end(): void;
  close(): void;
}

/** What the `end` event carries: the final state of the run. */
export function endPayload(record: RunRecord): Record<string, unknown> {
  return { runId: record.id, status: record.status, verified: record.status === 'approved', rounds: record.rounds, costUsd: record.costUsd, durationMs: record.durationMs, error: record.error };
}

export class RunEventHub {
  private readonly watchers = new Map<string, Set<Watcher>>();
  private readonly detach: Array<() => void>;

  constructor(
    private readonly store: TranscriptStore,
    private readonly manager: RunManager,
    private readonly settings: EventStreamSettings,
    private readonly logger: Logger,
  ) {
    this.detach = [
      store.onTurn((turn) => this.each(turn.runId, (watcher) => watcher.turn(turn))),
      manager.onEnd((end: RunEnd) => this.each(end.runId, (watcher) => watcher.end())),
    ];
  }

  /** Streams the events of a run on a raw response the caller has taken over (the run must exist). */
  stream(runId: string, response: ServerResponse, after: number): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    let lastSeq = after;
    let closed = false;
    const send = (text: string): void => {
      if (closed) return;
      response.write(text);
      if (response.writableLength > this.settings.maxBufferedBytes) {
        this.logger.warn({ runId }, 'event stream client too slow; disconnecting it (it can resume with Last-Event-ID)');
        watcher.close();
        response.destroy();
      }
    };
    const sendTurn = (turn: TurnRecord): void => {
      if (turn.seq <= lastSeq) return;
      lastSeq = turn.seq;
      send(`id: ${turn.seq}\nevent: turn\ndata: ${JSON.stringify(turn)}\n\n`);
    };
    const heartbeat = setInterval(() => send(': keepalive\n\n'), this.settings.heartbeatMs);
    heartbeat.unref();
    const timers: { poll?: NodeJS.Timeout } = {};
    const watcher: Watcher = {
      turn: sendTurn,
      end: () => {
        // The manager reports the end after the final record is written, so the store has the final status.
        for (const turn of this.store.turns(runId)) sendTurn(turn);
        send(`event: end\ndata: ${JSON.stringify(endPayload(this.store.getRun(runId)))}\n\n`);
        watcher.close();
        response.end();
      },
      close: () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        if (timers.poll) clearInterval(timers.poll);
        this.remove(runId, watcher);
        if (!response.writableEnded) response.end();
      },
    };
    response.on('close', () => watcher.close());
    send('retry: 3000\n\n');

    // Subscribing and replaying in the same synchronous step leaves no gap for a turn to slip through.
    this.add(runId, watcher);
    const queued = this.manager.queued(runId);
    if (queued) {
      send(`event: status\ndata: ${JSON.stringify({ runId, status: 'queued', position: queued.position })}\n\n`);
      return;
    }
    for (const turn of this.store.turns(runId)) sendTurn(turn);
    if (this.manager.isActive(runId)) return;
    const record = this.store.getRun(runId);
    if (record.status !== 'running') {
      watcher.end();
      return;
    }
    // Recorded as running but not by this process (another server or CLI on the same data directory, or a crash):
    // this process hears none of its turns, so re-read the store until the record says it ended.
    timers.poll = setInterval(() => this.pollForeign(runId, watcher), this.settings.pollMs);
    timers.poll.unref();
  }

  /** Ends every open stream (the server is stopping). */
  close(): void {
    for (const set of [...this.watchers.values()]) for (const watcher of [...set]) watcher.close();
    for (const detach of this.detach) detach();
  }

  /** Open streams, for health reporting and tests. */
  openStreams(): number {
    let count = 0;
    for (const set of this.watchers.values()) count += set.size;
    return count;
  }

  private pollForeign(runId: string, watcher: Watcher): void {
    try {
      for (const turn of this.store.turns(runId)) watcher.turn(turn);
      if (this.store.getRun(runId).status !== 'running') watcher.end();
    } catch (error) {
      this.logger.warn({ runId, err: error }, 'event stream poll failed');
      watcher.close();
    }
  }

  private add(runId: string, watcher: Watcher): void {
    let set = this.watchers.get(runId);
    if (!set) this.watchers.set(runId, (set = new Set()));
    set.add(watcher);
  }

  private remove(runId: string, watcher: Watcher): void {
    const set = this.watchers.get(runId);
    set?.delete(watcher);
    if (set?.size === 0) this.watchers.delete(runId);
  }

  private each(runId: string, action: (watcher: Watcher) => void): void {
    const set = this.watchers.get(runId);
    if (!set) return;
    for (const watcher of [...set]) {
      try {
        action(watcher);
      } catch (error) {
        // A broken stream must never break recording or the end of a run.
        this.logger.warn({ runId, err: error }, 'event stream write failed');
        watcher.close();
      }
    }
  }
}
