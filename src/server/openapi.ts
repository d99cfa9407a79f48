/**
 * The OpenAPI 3.1 description of the API, served at `GET /api/openapi.json`. Request bodies, query parameters and the
 * run and turn records are generated from the same zod schemas that validate them, so the description cannot drift
 * from what the server accepts and stores.
 */
import { z } from 'zod';
import { RunRecord, TurnRecord } from '../transcript/schema.js';
import { ApiRunStatus, CreateRunBody, EventsQuery, ListRunsQuery, StatsQuery } from './schemas.js';

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
        Run: { ...schemaOf(RunRecord), description: 'A recorded run. `verified` is added by the API: true only when the checker approved.' },
        QueuedRun: {
          type: 'object',
          required: ['id', 'goal', 'status', 'queuedAt', 'position'],
          properties: { id: { type: 'string' }, goal: { type: 'string' }, status: { const: 'queued' }, labels: { type: 'object' }, queuedAt: { type: 'string', format: 'date-time' }, position: { type: 'integer', minimum: 1 } },
        },
        Turn: schemaOf(TurnRecord),
        RunList: {
          type: 'object',
          required: ['runs', 'limit', 'offset', 'hasMore', 'queued'],
          properties: { runs: { type: 'array', items: ref('Run') }, limit: { type: 'integer' }, offset: { type: 'integer' }, hasMore: { type: 'boolean' }, queued: { type: 'array', items: ref('QueuedRun') } },
        },
        Stats: { type: 'object', description: 'Cost per run, role and model; model usage over time; approval rate; rounds; routing decisions; guard events.' },
      },
    },
    security: [{}, { bearer: [] }],
    paths: {
      '/api/runs': {
        post: {
          summary: 'Start a run',
          description: 'Queues the goal; it starts when a slot of the concurrency limit is free. Answers at once with the run id.',
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
        get: { summary: 'A run: status, result and verification', parameters: [runIdParameter], responses: { '200': json({ oneOf: [ref('Run'), ref('QueuedRun')] }, 'The run'), '404': errorResponse('No such run') } },
      },
      '/api/runs/{id}/transcript': {
        get: { summary: 'Every recorded turn of a run', parameters: [runIdParameter], responses: { '200': json({ type: 'object', properties: { runId: { type: 'string' }, status: ref('RunStatus'), turns: { type: 'array', items: ref('Turn') } } }, 'The turns'), '404': errorResponse('No such run') } },
      },
      '/api/runs/{id}/events': {
        get: {
          summary: 'Live turns as server-sent events',
          description: 'Replays recorded turns (`event: turn`, `id: <seq>`), then sends live ones, then `event: end` with the final status, then closes. Resume with `Last-Event-ID` or `?after=<seq>`.',
          parameters: [runIdParameter, ...queryParameters(EventsQuery)],
          responses: { '200': { description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, '404': errorResponse('No such run') },
        },
      },
      '/api/runs/{id}/cancel': {
        post: {
          summary: 'Cancel a run started by this server',
          parameters: [runIdParameter],
          responses: { '200': json({ type: 'object', properties: { runId: { type: 'string' }, status: ref('RunStatus') } }, 'Cancelled (or `cancelling` with 202 if in-flight calls are still stopping)'), '404': errorResponse('No such run'), '409': errorResponse('The run already ended, or runs in another process') },
        },
      },
      '/api/stats': { get: { summary: 'Usage statistics over a window', parameters: queryParameters(StatsQuery), responses: { '200': json(ref('Stats'), 'Statistics'), ...common } } },
      '/api/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1' } } } },
      '/healthz': { get: { summary: 'Liveness and load', security: [{}], responses: { '200': json({ type: 'object', properties: { ok: { type: 'boolean' }, running: { type: 'integer' }, queued: { type: 'integer' } } }, 'Healthy') } } },
    },
  };
}
