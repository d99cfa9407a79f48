/**
 * The store's LISTEN connection: turns and status changes written by other processes on the same database arrive as
 * NOTIFY messages (sent by the writer's transaction, so only once it committed). Messages this store sent itself carry
 * its origin id and are skipped: its own listeners were told directly. When the connection drops, it reconnects with
 * growing pauses; what was sent meanwhile is missed (readers that must not miss anything read the store).
 */
import type pg from 'pg';
import { RunStatus } from '../../graph/status.js';
import { connectClient, mapConnectionError, type PostgresTarget } from './connection.js';
import { RUNS_CHANNEL, TURNS_CHANNEL } from './rows.js';

export interface NotificationHandlers {
  /** Another process wrote turn `seq` of `runId`. */
  turn(runId: string, seq: number): void;
  /** Another process changed the run's status. */
  run(runId: string, status: RunStatus): void;
  /** The connection failed (it is being re-established). */
  error?(error: unknown): void;
}

const MAX_PAUSE_MS = 30_000;

function parsePayload(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export class NotificationListener {
  private client: pg.Client | undefined;
  private closed = false;
  private pause = 500;
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly target: PostgresTarget,
    private readonly origin: string,
    private readonly handlers: NotificationHandlers,
  ) {}

  /** Connects and listens; a failure to connect the first time is thrown (a StoreUnavailableError). */
  static async start(target: PostgresTarget, origin: string, handlers: NotificationHandlers): Promise<NotificationListener> {
    const listener = new NotificationListener(target, origin, handlers);
    await listener.connect();
    return listener;
  }

  private async connect(): Promise<void> {
    const connection: { client?: pg.Client } = {};
    let gone = false;
    // The connection ended or failed: forget it and connect again later (unless the listener was closed).
    const lost = (error: unknown): void => {
      if (gone) return;
      gone = true;
      const current = connection.client;
      if (current && this.client === current) this.client = undefined;
      current?.removeAllListeners('notification');
      current?.end().catch(() => undefined);
      if (this.closed) return;
      if (error !== undefined) this.handlers.error?.(error);
      this.schedule();
    };
    const client = await connectClient(this.target, (error) => lost(error));
    connection.client = client;
    client.on('end', () => lost(undefined));
    client.on('notification', (message) => this.receive(message));
    try {
      await client.query(`LISTEN ${TURNS_CHANNEL}`);
      await client.query(`LISTEN ${RUNS_CHANNEL}`);
    } catch (error) {
      gone = true;
      client.removeAllListeners('notification');
      await client.end().catch(() => undefined);
      throw mapConnectionError(this.target, error);
    }
    if (this.closed || gone) {
      gone = true;
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.pause = 500;
  }

  private receive(message: pg.Notification): void {
    const payload = parsePayload(message.payload);
    if (!payload || payload['origin'] === this.origin || typeof payload['runId'] !== 'string') return;
    try {
      if (message.channel === TURNS_CHANNEL && typeof payload['seq'] === 'number') this.handlers.turn(payload['runId'], payload['seq']);
      else if (message.channel === RUNS_CHANNEL) {
        const status = RunStatus.safeParse(payload['status']);
        if (status.success) this.handlers.run(payload['runId'], status.data);
      }
    } catch {
      // A handler's failure must not end the connection.
    }
  }

  private schedule(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.connect().catch((error: unknown) => {
        this.handlers.error?.(error);
        this.pause = Math.min(this.pause * 2, MAX_PAUSE_MS);
        this.schedule();
      });
    }, this.pause);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners('notification');
      await client.end().catch(() => undefined);
    }
  }
}
