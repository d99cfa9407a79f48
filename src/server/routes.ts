/**
 * The `/api` routes: start, list, read, follow and cancel runs, decide at human gates, and usage statistics. Every
 * input is parsed through the strict schemas in `schemas.ts`; every failure is thrown and turned into
 * `{ error: { code, message } }` by the app's error handler. Runs are read from the run store, whichever process
 * executes them: a queued run is recorded before `POST /api/runs` answers.
 */
import type { FastifyInstance } from 'fastify';
import { isEndStatus } from '../graph/status.js';
import type { RunDispatcher } from '../runtime/dispatcher.js';
import { validateGoal } from '../runtime/goal.js';
import type { DamagedRecord, RunStore } from '../stores/port.js';
import type { RunRecord, TurnRecord } from '../transcript/schema.js';
import { computeStats } from '../transcript/stats.js';
import { registerAuditRoutes } from './audit-routes.js';
import { decodeAttachments } from './attachments.js';
import { tokenLabel } from './auth.js';
import { ApiError } from './errors.js';
import type { RunEventHub } from './events.js';
import { openApiDocument } from './openapi.js';
import { checkDeadline, CreateRunBody, DecisionBody, EventsQuery, ListRunsQuery, parseQuery, parseRequest, RunIdParams, StatsQuery } from './schemas.js';

export interface ApiContext {
  store: RunStore;
  dispatcher: RunDispatcher;
  hub: RunEventHub;
  version: string;
  /** How long `POST /cancel` waits for the run to end before answering `cancelling`. */
  cancelWaitMs: number;
  /** Runs read at most for one stats request. */
  maxStatsRuns: number;
  /** The server's clock, against which a run's deadline must lie ahead. */
  clock: () => Date;
  /** Whether requests carry API tokens (a decision's default `by` is then the token's label). */
  tokensRequired: boolean;
}

/** A run as listed: the record without its (possibly long) result, plus whether the checker approved it. */
export type RunSummary = Omit<RunRecord, 'result'> & { verified: boolean; position?: number };

/** A queued run as the list's `queued` part shows it, next to start first. */
export interface QueuedRunView {
  id: string;
  goal: string;
  status: 'queued';
  labels: Record<string, unknown>;
  queuedAt: string;
  /** 1 for the next run to start. */
  position: number;
}

/** How deep the queue is looked at for positions; a run further back is listed without one. */
const POSITION_DEPTH = 1000;
/** Queued runs listed in a list's `queued` part at most. */
const QUEUED_LISTED = 100;

function summary(record: RunRecord, positions: Map<string, number>): RunSummary {
  const { result: _result, ...rest } = record;
  const position = record.status === 'queued' ? positions.get(record.id) : undefined;
  return { ...rest, verified: record.status === 'approved', ...(position === undefined ? {} : { position }) };
}

/**
 * Waits up to `ms` for a run to reach an end state; returns its record then, or undefined. Hears the store (every
 * process on PostgreSQL), this process's dispatcher, and re-reads the store meanwhile (another process on SQLite).
 */
async function waitForRunEnd(context: ApiContext, runId: string, ms: number): Promise<RunRecord | undefined> {
  const { store, dispatcher } = context;
  // `wake` is replaced by each round's resolver: whatever wakes the loop must call the current one, never a copy.
  let wake: () => void = () => undefined;
  const woken = new Promise<void>((resolve) => (wake = resolve));
  const unsubscribe = [
    store.onRunChange((change) => change.runId === runId && isEndStatus(change.status) && wake()),
    dispatcher.onEnd((end) => end.runId === runId && isEndStatus(end.status) && wake()),
  ];
  const poll = setInterval(() => wake(), Math.min(250, Math.max(20, ms / 4)));
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => (timer = setTimeout(() => resolve('expired'), ms)));
  try {
    let waiter = woken;
    for (;;) {
      const record = await store.getRun(runId);
      if (isEndStatus(record.status)) return record;
      if ((await Promise.race([waiter, expired])) === 'expired') {
        // One last look: a run that ended as the wait ran out has ended.
        const last = await store.getRun(runId);
        return isEndStatus(last.status) ? last : undefined;
      }
      waiter = new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    clearInterval(poll);
    clearTimeout(timer);
    for (const stop of unsubscribe) stop();
  }
}

export function registerApiRoutes(app: FastifyInstance, context: ApiContext): void {
  const { store, dispatcher, hub } = context;
  const document = openApiDocument(context.version);

  app.post('/api/runs', async (request, reply) => {
    const body = parseRequest(CreateRunBody, request.body, 'request body');
    const goal = validateGoal(body.goal);
    checkDeadline(body.labels, context.clock());
    const attachments = decodeAttachments(body.attachments ?? []);
    const submitted = await dispatcher.submit({ goal, ...(body.labels ? { labels: body.labels } : {}), ...(attachments.length ? { attachments } : {}) });
    if ('refused' in submitted) {
      throw submitted.refused === 'closing'
        ? new ApiError(503, 'UNAVAILABLE', 'the server is stopping and accepts no new runs')
        : new ApiError(503, 'UNAVAILABLE', 'too many runs are waiting in the queue; try again when some have started', { hint: 'GET /api/runs?status=queued lists them' });
    }
    // Recorded as queued before this answer: a crash from here on loses nothing.
    return reply.status(202).header('location', `/api/runs/${submitted.id}`).send({ runId: submitted.id, status: submitted.status });
  });

  app.get('/api/runs', async (request) => {
    const query = parseQuery(ListRunsQuery, request.query);
    // One more than asked tells whether another page exists without counting the whole table.
    const damaged: DamagedRecord[] = [];
    const records = await store.listRuns({
      onDamaged: (record) => damaged.push(record),
      limit: query.limit + 1,
      offset: query.offset,
      ...(query.status ? { status: query.status } : {}),
      ...(query.since ? { since: query.since } : {}),
      ...(query.until ? { until: query.until } : {}),
    });
    const page = records.slice(0, query.limit);
    const positions = page.some((record) => record.status === 'queued') || !query.status || query.status === 'queued' ? await dispatcher.queuePositions(POSITION_DEPTH) : new Map<string, number>();
    // The queue in order (its head), whatever page or filter: what waits for a slot, next first.
    const queued: QueuedRunView[] = [];
    if (!query.status || query.status === 'queued') {
      const heads = [...positions.keys()].slice(0, QUEUED_LISTED);
      const read = await Promise.all(heads.map((id) => store.getRun(id).catch(() => undefined)));
      for (const record of read) {
        const position = record ? positions.get(record.id) : undefined;
        if (record?.status === 'queued' && position !== undefined) queued.push({ id: record.id, goal: record.goal, status: 'queued', labels: record.labels, queuedAt: record.queuedAt ?? record.startedAt, position });
      }
    }
    return { runs: page.map((record) => summary(record, positions)), limit: query.limit, offset: query.offset, hasMore: records.length > query.limit, queued, damaged };
  });

  app.get('/api/runs/:id', async (request) => {
    const { id } = parseRequest(RunIdParams, request.params, 'path');
    const record = await store.getRun(id);
    const position = record.status === 'queued' ? (await dispatcher.queuePositions(POSITION_DEPTH)).get(id) : undefined;
    return { ...record, verified: record.status === 'approved', ...(position === undefined ? {} : { position }) };
  });

  app.get('/api/runs/:id/transcript', async (request) => {
    const { id } = parseRequest(RunIdParams, request.params, 'path');
    const record = await store.getRun(id);
    const damaged: DamagedRecord[] = [];
    const turns = await store.turns(id, (turn) => damaged.push(turn));
    return { runId: id, status: record.status, turns, damaged };
  });

  app.get('/api/runs/:id/events', async (request, reply) => {
    const { id } = parseRequest(RunIdParams, request.params, 'path');
    const query = parseQuery(EventsQuery, request.query);
    await store.getRun(id); // 404 before the stream starts
    const header = Number(request.headers['last-event-id']);
    const after = query.after ?? (Number.isInteger(header) && header >= 0 ? header : 0);
    reply.hijack();
    hub.stream(id, reply.raw, after);
  });

  app.post('/api/runs/:id/cancel', async (request, reply) => {
    const { id } = parseRequest(RunIdParams, request.params, 'path');
    const local = dispatcher.whenDone(id);
    const outcome = await dispatcher.cancel(id, context.clock());
    if (outcome === 'finished') {
      const record = await store.getRun(id);
      throw new ApiError(409, 'CONFLICT', `run ${id} already ended with status ${record.status}; there is nothing to cancel`);
    }
    if (outcome === 'cancelled') return reply.status(200).send({ runId: id, status: 'cancelled' });
    // Executing: here it stops at once; in another process at its holder's next heartbeat.
    let ended: RunRecord | undefined;
    if (local) {
      let timer: NodeJS.Timeout | undefined;
      const done = await Promise.race([local, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), context.cancelWaitMs)))]);
      clearTimeout(timer);
      if (done) {
        const record = await store.getRun(id);
        if (isEndStatus(record.status)) ended = record;
      }
    } else {
      ended = await waitForRunEnd(context, id, context.cancelWaitMs);
    }
    if (ended) return reply.status(200).send({ runId: id, status: ended.status });
    return reply.status(202).send({ runId: id, status: 'cancelling' });
  });

  app.get('/api/decisions', async () => {
    const pending = await store.pendingDecisions();
    return {
      decisions: pending.map((request) => ({
        runId: request.runId,
        goal: request.goal,
        gate: request.gate,
        review: request.review,
        prompt: request.prompt,
        subject: request.subject,
        round: request.round,
        requestedAt: request.requestedAt,
      })),
    };
  });

  app.post('/api/runs/:id/decision', async (request) => {
    const { id } = parseRequest(RunIdParams, request.params, 'path');
    const body = parseRequest(DecisionBody, request.body, 'request body');
    const by = body.by ?? (context.tokensRequired ? tokenLabel(request.headers.authorization) : 'api');
    const note = body.decision === 'reject' ? body.reason : body.note;
    // A decision meant for an earlier round is refused in the same transaction that would record it (DECISION_STALE).
    const gate = await dispatcher.decide(id, { decision: body.decision, by, ...(note !== undefined && note.trim() !== '' ? { note } : {}) }, body.round !== undefined ? { round: body.round } : undefined);
    // The decision and `queued` are one commit: the run continues from its gate when a slot is free.
    return { runId: id, status: 'queued', gate };
  });

  app.get('/api/stats', async (request) => {
    const query = parseQuery(StatsQuery, request.query);
    const damaged: DamagedRecord[] = [];
    const runs = await store.listRuns({ onDamaged: (record) => damaged.push(record), limit: context.maxStatsRuns + 1, ...(query.since ? { since: query.since } : {}), ...(query.until ? { until: query.until } : {}) });
    const truncated = runs.length > context.maxStatsRuns;
    const counted = runs.slice(0, context.maxStatsRuns);
    // computeStats reads turns synchronously: they are read first, one run at a time (a bounded load on the store).
    const turns = new Map<string, TurnRecord[]>();
    for (const run of counted) turns.set(run.id, await store.turns(run.id, (turn) => damaged.push(turn)));
    return computeStats({
      runs: counted,
      turnsOf: (runId) => turns.get(runId) ?? [],
      damaged,
      truncated,
      ...(query.since ? { since: query.since } : {}),
      ...(query.until ? { until: query.until } : {}),
    });
  });

  app.get('/api/openapi.json', async () => document);
  registerAuditRoutes(app, context);
}
