/**
 * Live run events as server-sent events. One listener on the run store fans turns out to the streams watching each
 * run, and one more hears status changes. A stream first replays the turns already recorded, then sends live ones and
 * `status` events (queued with its place, running, interrupted, waiting for a person), then an `end` event once the run
 * reaches an end state, then closes. A run parked at a human gate keeps its stream open: it continues after the
 * decision, here or in another process.
 *
 * The store tells listeners about writes of this process (SQLite) or of every process on the database (PostgreSQL).
 * A run this process does not execute may be written by another one, so its streams also re-read the store every
 * `pollMs`: whatever the store, such a stream still ends when its run ends.
 *
 * Recording never waits for a client: listeners only queue work, and a stream's writes only queue bytes on its
 * socket. A client that falls too far behind is disconnected rather than buffered without bound; EventSource then
 * reconnects with `Last-Event-ID` (each turn's `seq`) and the replay fills the gap from the store.
 */
import type { ServerResponse } from 'node:http';
import { isEndStatus, type RunStatus } from '../graph/status.js';
import type { Logger } from '../logging.js';
import type { RunDispatcher, RunEnd } from '../runtime/dispatcher.js';
import type { RunStore } from '../stores/port.js';
import type { RunRecord, TurnRecord } from '../transcript/schema.js';

export interface EventStreamSettings {
  /** A comment line this often keeps proxies from closing an idle stream. */
  heartbeatMs: number;
  /** How often a run this process does not execute is re-read from the store. */
  pollMs: number;
  /** Bytes allowed to wait on a slow client's socket before it is disconnected. */
  maxBufferedBytes: number;
}

interface Watcher {
  turn(turn: TurnRecord): void;
  /** The run's status changed (from the store, the dispatcher or a poll). */
  status(status: RunStatus): void;
  /** Settles once what the stream has been asked to write so far is written. */
  settled(): Promise<void>;
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
    private readonly store: RunStore,
    private readonly dispatcher: RunDispatcher,
    private readonly settings: EventStreamSettings,
    private readonly logger: Logger,
  ) {
    this.detach = [
      store.onTurn((turn) => this.each(turn.runId, (watcher) => watcher.turn(turn))),
      store.onRunChange((change) => this.each(change.runId, (watcher) => watcher.status(change.status))),
      dispatcher.onEnd((end: RunEnd) => this.each(end.runId, (watcher) => watcher.status(end.status))),
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
    // A run that is running when the stream opens is what a client expects: that is not announced, every other
    // status is, and so is every change after.
    let lastStatus: RunStatus = 'running';
    let closed = false;
    let ended = false;
    // Everything a stream writes goes through one chain, in order: the replay first, then live turns and statuses as
    // they were heard (a turn heard during the replay is sent after it, never before older turns).
    let chain: Promise<void> = Promise.resolve();
    const enqueue = (work: () => void | Promise<void>): void => {
      chain = chain.then(async () => {
        if (closed) return;
        try {
          await work();
        } catch (error) {
          this.logger.warn({ runId, err: error }, 'event stream failed');
          watcher.close();
        }
      });
    };
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
    const catchUp = async (): Promise<void> => {
      for (const turn of await this.store.turns(runId)) sendTurn(turn);
    };
    /** Tells the client where the run is now: `end` (and close) for an end state, a `status` event otherwise. */
    const report = async (record: RunRecord): Promise<void> => {
      if (ended || record.status === lastStatus) return;
      lastStatus = record.status;
      if (isEndStatus(record.status)) {
        ended = true;
        // The end is reported after the final record is written, so the store has the closing turn too.
        await catchUp();
        send(`event: end\ndata: ${JSON.stringify(endPayload(record))}\n\n`);
        watcher.close();
        return;
      }
      send(`event: status\ndata: ${JSON.stringify(await this.statusPayload(record))}\n\n`);
    };
    const refresh = async (): Promise<void> => {
      if (ended) return;
      await catchUp();
      await report(await this.store.getRun(runId));
    };

    const heartbeat = setInterval(() => send(': keepalive\n\n'), this.settings.heartbeatMs);
    heartbeat.unref();
    let polling = false;
    const poll = setInterval(() => {
      // A run executing here is followed through the listeners; any other may be written by another process.
      if (polling || closed || this.dispatcher.isExecuting(runId)) return;
      polling = true;
      enqueue(async () => {
        try {
          await refresh();
        } finally {
          polling = false;
        }
      });
    }, this.settings.pollMs);
    poll.unref();
    const watcher: Watcher = {
      turn: (turn) => enqueue(() => sendTurn(turn)),
      status: (status) => {
        if (status !== lastStatus) enqueue(refresh);
      },
      settled: () => chain,
      close: () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        clearInterval(poll);
        this.remove(runId, watcher);
        if (!response.writableEnded) response.end();
      },
    };
    response.on('close', () => watcher.close());
    send('retry: 3000\n\n');
    // Listening starts before the replay, so nothing written meanwhile is missed (the chain keeps the order).
    this.add(runId, watcher);
    enqueue(refresh);
  }

  /**
   * Ends every open stream (the server is stopping), after letting each write what it has already heard (a released
   * run's `interrupted` status) for up to `graceMs`. Clients reconnect to the next server with Last-Event-ID.
   */
  async close(graceMs = 1000): Promise<void> {
    for (const detach of this.detach) detach();
    const open = [...this.watchers.values()].flatMap((set) => [...set]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(open.map((watcher) => watcher.settled())), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    for (const watcher of open) watcher.close();
    for (const set of [...this.watchers.values()]) for (const watcher of [...set]) watcher.close();
  }

  /** Open streams, for health reporting and tests. */
  openStreams(): number {
    let count = 0;
    for (const set of this.watchers.values()) count += set.size;
    return count;
  }

  /** What a `status` event carries: the status, a queued run's place, the question a waiting run asks. */
  private async statusPayload(record: RunRecord): Promise<Record<string, unknown>> {
    const payload: Record<string, unknown> = { runId: record.id, status: record.status };
    if (record.status === 'queued') {
      const position = (await this.dispatcher.queuePositions()).get(record.id);
      if (position !== undefined) payload['position'] = position;
    } else if (record.status === 'awaiting_human') {
      const open = (await this.store.gates(record.id)).filter((gate) => gate.decision === null).pop();
      if (open) Object.assign(payload, { gate: open.gate, review: open.review, prompt: open.prompt, round: open.round, requestedAt: open.requestedAt });
    }
    return payload;
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
