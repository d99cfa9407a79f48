/**
 * The `/api` routes: start, list, read, follow and cancel runs, and usage statistics. Every input is parsed through the
 * strict schemas in `schemas.ts`; every failure is thrown and turned into `{ error: { code, message } }` by the app's
 * error handler.
 */
import type { FastifyInstance } from 'fastify';
import type { RunStatus } from '../graph/state.js';
import { validateGoal } from '../runtime/goal.js';
import type { RunRecord } from '../transcript/schema.js';
import type { DamagedRecord, TranscriptStore } from '../transcript/store.js';
import { decodeAttachments } from './attachments.js';
import { ApiError } from './errors.js';
import type { RunEventHub } from './events.js';
import { openApiDocument } from './openapi.js';
import type { RunManager } from './runs.js';
import { checkDeadline, CreateRunBody, EventsQuery, ListRunsQuery, parseQuery, parseRequest, RunIdParams, StatsQuery } from './schemas.js';
import { computeStats } from '../transcript/stats.js';

export interface ApiContext {
  store: TranscriptStore;
  manager: RunManager;
  hub: RunEventHub;
  version: string;
  /** How long `POST /cancel` waits for the run to end before answering `cancelling`. */
  cancelWaitMs: number;
  /** Runs read at most for one stats request. */
  maxStatsRuns: number;
  /** The server's clock, against which a run's deadline must lie ahead. */
  clock: () => Date;
}

/** A run as listed: the record without its (possibly long) result, plus whether the checker approved it. */
export type RunSummary = Omit<RunRecord, 'result'> & { verified: boolean };

function summary(record: RunRecord): RunSummary {
  const { result: _result, ...rest } = record;
  return { ...rest, verified: record.status === 'approved' };
}

export function registerApiRoutes(app: FastifyInstance, context: ApiContext): void {
  const { store, manager, hub } = context;
  const document = openApiDocument(context.version);

  app.post('/api/runs', async (request, reply) => {
    const body = parseRequest(CreateRunBody, request.body, 'request body');
    const goal = validateGoal(body.goal);
    checkDeadline(body.labels, context.clock());
    const attachments = decodeAttachments(body.attachments ?? []);
    const submitted = manager.submit({ goal, ...(body.labels ? { labels: body.labels } : {}), attachments });
    if ('refused' in submitted) {
      throw submitted.refused === 'closing'
        ? new ApiError(503, 'UNAVAILABLE', 'the server is stopping and accepts no new runs')
        : new ApiError(503, 'UNAVAILABLE', 'too many runs (or too many attachment bytes) are waiting; try again when some have finished', { hint: 'GET /healthz shows how many runs are queued' });
    }
    const status = manager.queued(submitted.runId) ? 'queued' : 'running';
    return reply.status(202).header('location', `/api/runs/${submitted.runId}`).send({ runId: submitted.runId, status });
  });

  app.get('/api/runs', async (request) => {
    const query = parseQuery(ListRunsQuery, request.query);
    const queued = manager.listQueued();
    if (query.status === 'queued') return { runs: [], limit: query.limit, offset: query.offset, hasMore: false, queued };
    // One more than asked tells whether another page exists without counting the whole table.
    const damaged: DamagedRecord[] = [];
    const records = store.listRuns({
      onDamaged: (record) => damaged.push(record),
      limit: query.limit + 1,
      offset: query.offset,
      ...(query.status ? { status: query.status } : {}),
      ...(query.since ? { since: query.since } : {}),
      ...(query.until ? { until: query.until } : {}),
    });
    return { runs: records.slice(0, query.limit).map(summary), limit: query.limit, offset: query.offset, hasMore: records.length > query.limit, queued, damaged };
  });

  app.get('/api/runs/:id', async (request) => {
    const { id } = parseRequest(RunIdParams, request.params, 'path');
    const queued = manager.queued(id);
    if (queued) return queued;
    const record = store.getRun(id);
    return { ...record, verified: record.status === 'approved' };
  });

  app.get('/api/runs/:id/transcript', async (request) => {
    const { id } = parseRequest(RunIdParams, request.params, 'path');
    if (manager.queued(id)) return { runId: id, status: 'queued', turns: [] };
    const record = store.getRun(id);
    const damaged: DamagedRecord[] = [];
    const turns = store.turns(id, (turn) => damaged.push(turn));
    return { runId: id, status: record.status, turns, damaged };
  });

  app.get('/api/runs/:id/events', async (request, reply) => {
    const { id } = parseRequest(RunIdParams, request.params, 'path');
    const query = parseQuery(EventsQuery, request.query);
    if (!manager.queued(id)) store.getRun(id); // 404 before the stream starts
    const header = Number(request.headers['last-event-id']);
    const after = query.after ?? (Number.isInteger(header) && header >= 0 ? header : 0);
    reply.hijack();
    hub.stream(id, reply.raw, after);
  });

  app.post('/api/runs/:id/cancel', async (request, reply) => {
    const { id } = parseRequest(RunIdParams, request.params, 'path');
    const done = manager.whenDone(id);
    if (!done || !manager.cancel(id)) {
      const record = store.getRun(id);
      if (record.status === 'running') {
        throw new ApiError(409, 'CONFLICT', `run ${id} is running in another process, not in this server; cancel it there`);
      }
      throw new ApiError(409, 'CONFLICT', `run ${id} already ended with status ${record.status}; there is nothing to cancel`);
    }
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([done, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), context.cancelWaitMs)))]);
    clearTimeout(timer);
    if (waited) return reply.status(200).send({ runId: id, status: waited.status });
    return reply.status(202).send({ runId: id, status: 'cancelling' satisfies 'cancelling' | RunStatus });
  });

  app.get('/api/stats', async (request) => {
    const query = parseQuery(StatsQuery, request.query);
    const damaged: DamagedRecord[] = [];
    const runs = store.listRuns({ onDamaged: (record) => damaged.push(record), limit: context.maxStatsRuns + 1, ...(query.since ? { since: query.since } : {}), ...(query.until ? { until: query.until } : {}) });
    const truncated = runs.length > context.maxStatsRuns;
    return computeStats({
      runs: runs.slice(0, context.maxStatsRuns),
      turnsOf: (runId) => store.turns(runId, (turn) => damaged.push(turn)),
      damaged,
      truncated,
      ...(query.since ? { since: query.since } : {}),
      ...(query.until ? { until: query.until } : {}),
    });
  });

  app.get('/api/openapi.json', async () => document);
}
