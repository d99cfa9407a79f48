/**
 * The OpenAPI 3.1 description of the API, served at `GET /api/openapi.json`. Request bodies, query parameters and the
 * run and turn records are generated from the same zod schemas that validate them, so the description cannot drift
 * from what the server accepts and stores.
 */
import { z } from 'zod';
import { RunRecord, TurnRecord } from '../transcript/schema.js';
import { auditPaths, auditSchemas } from './audit-openapi.js';
import { ApiRunStatus, CreateRunBody, DecisionBody, EventsQuery, ListRunsQuery, StatsQuery } from './schemas.js';

type JsonObject = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output' = 'output'): JsonObject {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonObject;
  return rest;
}

/** Query parameters of an object schema, each with its own JSON Schema. */
function queryParameters(schema: z.ZodObject): JsonObject[] {
  const json = schemaOf(schema, 'input') as { properties?: Record<string, JsonObject>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({ name, in: 'query', required: json.required?.includes(name) ?? false, schema: property }));
}

/** What the API adds to a stored run record (see `routes.ts`). */
const ApiRunFields = {
  verified: z.boolean().meta({ description: 'True only when the checker approved (status `approved`).' }),
  position: z.number().int().min(1).optional().meta({ description: 'A queued run\'s place in the queue, 1 = next to start (absent beyond the first 1000).' }),
};
/** `GET /api/runs/:id`: the record with what the API adds. */
const ApiRun = RunRecord.extend(ApiRunFields);
/** An item of `GET /api/runs`: the same without the (possibly long) result. */
const ApiRunSummary = RunRecord.omit({ result: true }).extend(ApiRunFields);

const RUN_STATUSES =
  'Statuses: queued, running, interrupted (its process stopped; a server or worker resumes it on its own when `runs.autoResume` is on, otherwise `baton resume` does), awaiting_human (parked at a human gate), and the end states approved, unverified, budget_exceeded, failed, cancelled.';

const damagedList = {
  type: 'array',
  description: 'Records that could not be read back (skipped above), each with why.',
  items: { type: 'object', required: ['runId', 'reason'], properties: { runId: { type: 'string' }, seq: { type: 'integer' }, reason: { type: 'string' } } },
};

const ref = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonObject, description: string): JsonObject => ({ description, content: { 'application/json': { schema } } });
const errorResponse = (description: string): JsonObject => json(ref('Error'), description);
const runIdParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

/** Builds the document; `version` is Baton's version. */
export function openApiDocument(version: string): JsonObject {
  const common = { '400': errorResponse('Invalid input'), '401': errorResponse('Missing or wrong bearer token (only when tokens are configured)') };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Baton API',
      version,
      description: 'Run goals through Baton\'s verified multi-agent flow, follow them live and read their transcripts. When the server has API tokens, every /api request needs `Authorization: Bearer <token>`.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, hint: { type: 'string' } } } },
        },
        CreateRunBody: schemaOf(CreateRunBody, 'input'),
        RunStatus: schemaOf(ApiRunStatus),
        Run: {
          ...schemaOf(ApiRun),
          description: `A recorded run (queued runs are recorded too), as GET /api/runs/{id} answers. \`verified\` is added by the API: true only when the checker approved; \`position\` (1 = next to start) is added to a queued run. ${RUN_STATUSES}`,
        },
        RunSummary: {
          ...schemaOf(ApiRunSummary),
          description: `A run as GET /api/runs lists it: the run without its \`result\` (read it with GET /api/runs/{id}). ${RUN_STATUSES}`,
        },
        QueuedRun: {
          type: 'object',
          required: ['id', 'goal', 'status', 'queuedAt', 'position'],
          properties: { id: { type: 'string' }, goal: { type: 'string' }, status: { const: 'queued' }, labels: { type: 'object' }, queuedAt: { type: 'string', format: 'date-time' }, position: { type: 'integer', minimum: 1 } },
        },
        Turn: schemaOf(TurnRecord),
        DecisionBody: schemaOf(DecisionBody, 'input'),
        PendingDecision: {
          type: 'object',
          required: ['runId', 'goal', 'gate', 'review', 'prompt', 'subject', 'round', 'requestedAt'],
          properties: {
            runId: { type: 'string' },
            goal: { type: 'string' },
            gate: { type: 'string', description: 'The human gate\'s stage name in the flow.' },
            review: { enum: ['plan', 'draft', 'call'] },
            prompt: { type: 'string', description: 'What the person is asked.' },
            subject: { description: 'What is decided on: `{ plan }` (goal and steps) or `{ draft, claims }`.' },
            round: { type: 'integer' },
            requestedAt: { type: 'string', format: 'date-time' },
          },
        },
        GateRecord: {
          type: 'object',
          description: 'A gate request with the decision it got.',
          properties: {
            runId: { type: 'string' },
            gate: { type: 'string' },
            review: { enum: ['plan', 'draft', 'call'] },
            prompt: { type: 'string' },
            subject: {},
            round: { type: 'integer' },
            requestedAt: { type: 'string', format: 'date-time' },
            decision: {
              type: 'object',
              properties: { decision: { enum: ['approve', 'reject'] }, by: { type: 'string' }, note: { type: 'string', description: 'The approval\'s note or the rejection\'s reason.' }, decidedAt: { type: 'string', format: 'date-time' } },
            },
          },
        },
        RunList: {
          type: 'object',
          required: ['runs', 'limit', 'offset', 'hasMore', 'queued'],
          properties: {
            runs: { type: 'array', items: ref('RunSummary'), description: 'The page of runs, newest first, queued ones included (without their results).' },
            limit: { type: 'integer' },
            offset: { type: 'integer' },
            hasMore: { type: 'boolean' },
            queued: { type: 'array', items: ref('QueuedRun'), description: 'The head of the queue (up to 100 runs), next to start first, whatever the page.' },
            damaged: damagedList,
          },
        },
        Stats: { type: 'object', description: 'Cost per run, role and model; model usage over time; approval rate; rounds; routing decisions; guard events.' },
        ...auditSchemas,
      },
    },
    security: [{}, { bearer: [] }],
    paths: {
      '/api/runs': {
        post: {
          summary: 'Start a run',
          description: 'Records the run as `queued` (before answering: a crash loses nothing) and answers at once with its id. It starts when a server or worker has a free slot.',
          requestBody: { required: true, content: { 'application/json': { schema: ref('CreateRunBody') } } },
          responses: { '202': json({ type: 'object', required: ['runId', 'status'], properties: { runId: { type: 'string' }, status: ref('RunStatus') } }, 'Accepted'), ...common, '503': errorResponse('Queue full or server stopping') },
        },
        get: {
          summary: 'List runs, newest first',
          parameters: queryParameters(ListRunsQuery),
          responses: { '200': json(ref('RunList'), 'Runs; runs waiting for a slot are listed apart in `queued`'), ...common },
        },
      },
      '/api/runs/{id}': {
        get: { summary: 'A run: status, result and verification', parameters: [runIdParameter], responses: { '200': json(ref('Run'), 'The run (with `position` while queued)'), '404': errorResponse('No such run') } },
      },
      '/api/runs/{id}/transcript': {
        get: { summary: 'Every recorded turn of a run', parameters: [runIdParameter], responses: { '200': json({ type: 'object', required: ['runId', 'status', 'turns', 'damaged'], properties: { runId: { type: 'string' }, status: ref('RunStatus'), turns: { type: 'array', items: ref('Turn') }, damaged: damagedList } }, 'The turns'), '404': errorResponse('No such run') } },
      },
      '/api/runs/{id}/events': {
        get: {
          summary: 'Live turns as server-sent events',
          description:
            'Replays recorded turns (`event: turn`, `id: <seq>`), then sends live ones and `event: status` when the run is or becomes queued (with its `position`), running again, interrupted, or awaiting_human (with the gate, review and prompt; the stream stays open until the run ends), then `event: end` with the final status, then closes. Follows runs executed by any process on the store. Resume with `Last-Event-ID` or `?after=<seq>`.',
          parameters: [runIdParameter, ...queryParameters(EventsQuery)],
          responses: { '200': { description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, '404': errorResponse('No such run') },
        },
      },
      '/api/runs/{id}/cancel': {
        post: {
          summary: 'Cancel a run, wherever it executes',
          description: 'A queued, interrupted or waiting run is cancelled at once. An executing one is stopped by its process (this server at once, another at its next lease heartbeat); the answer waits a moment for it to end.',
          parameters: [runIdParameter],
          responses: {
            '200': json({ type: 'object', properties: { runId: { type: 'string' }, status: ref('RunStatus') } }, 'The run ended (normally `cancelled`)'),
            '202': json({ type: 'object', properties: { runId: { type: 'string' }, status: { const: 'cancelling' } } }, 'Asked for; the run has not ended yet'),
            '404': errorResponse('No such run'),
            '409': errorResponse('The run already ended'),
          },
        },
      },
      '/api/decisions': {
        get: {
          summary: 'Runs waiting for a person at a human gate, oldest request first',
          responses: { '200': json({ type: 'object', required: ['decisions'], properties: { decisions: { type: 'array', items: ref('PendingDecision') } } }, 'Pending decisions'), '401': common['401'] },
        },
      },
      '/api/runs/{id}/decision': {
        post: {
          summary: 'Approve or reject at the human gate a run waits at',
          description: 'Records the decision and queues the run to continue from its gate. A rejection needs a `reason`: it goes back to the planner as an objection, and a new round starts.',
          parameters: [runIdParameter],
          requestBody: { required: true, content: { 'application/json': { schema: ref('DecisionBody') } } },
          responses: {
            '200': json({ type: 'object', required: ['runId', 'status', 'gate'], properties: { runId: { type: 'string' }, status: { const: 'queued' }, gate: ref('GateRecord') } }, 'Decided; the run is queued to continue'),
            ...common,
            '404': errorResponse('No such run'),
            '409': errorResponse('The run is not waiting for a person (RUN_NOT_AWAITING), or it waits at another round than the `round` given (DECISION_STALE: reload and decide again)'),
          },
        },
      },
      ...auditPaths,
      '/api/stats': { get: { summary: 'Usage statistics over a window', parameters: queryParameters(StatsQuery), responses: { '200': json(ref('Stats'), 'Statistics'), ...common } } },
      '/api/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1' } } } },
      '/healthz': {
        get: {
          summary: 'Liveness and this process\'s load',
          security: [{}],
          responses: {
            '200': json(
              {
                type: 'object',
                required: ['ok', 'executing', 'concurrency', 'execute', 'store', 'autoResume', 'eventStreams', 'auth'],
                properties: {
                  ok: { type: 'boolean' },
                  executing: { type: 'integer', description: 'Runs this process executes now.' },
                  concurrency: { type: 'integer' },
                  execute: { type: 'boolean', description: 'Whether this server executes runs (false: workers do).' },
                  store: { enum: ['sqlite', 'postgres'] },
                  autoResume: { type: 'boolean', description: 'Whether interrupted runs are resumed on their own (`runs.autoResume`); otherwise `baton resume` continues them.' },
                  eventStreams: { type: 'integer' },
                  auth: { type: 'boolean' },
                },
              },
              'Alive (says nothing about the store: see /readyz)',
            ),
          },
        },
      },
      '/readyz': {
        get: {
          summary: 'Readiness: whether the run store answers',
          description:
            'Reads one run from the store (a cheap query). 200 while the store answers; 503 STORE_UNAVAILABLE while it does not (PostgreSQL down or refusing connections), or does not answer within 3 s. The store\'s location and the reason are in the message only for callers the API would accept (any caller when the server has no tokens). A server that is stopping answers 503 as well (Fastify\'s own body). Take the server out of rotation on 503; restart it only when /healthz fails.',
          security: [{}],
          responses: {
            '200': json({ type: 'object', required: ['ready', 'store'], properties: { ready: { const: true }, store: { enum: ['sqlite', 'postgres'] } } }, 'Ready: the store answers'),
            '503': errorResponse('Not ready: the store cannot be used (STORE_UNAVAILABLE)'),
          },
        },
      },
    },
  };
}
