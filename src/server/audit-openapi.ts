/**
 * The audit routes' part of the OpenAPI document (see openapi.ts): the entry and summary schemas and the two paths,
 * generated from the zod schemas that validate the queries and describe the entries.
 */
import { z } from 'zod';
import { AuditEntry } from '../audit/entry.js';
import { AuditQuery, AuditSummaryQuery } from './audit-routes.js';

type JsonObject = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output' = 'output'): JsonObject {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonObject;
  return rest;
}

function queryParameters(schema: z.ZodObject): JsonObject[] {
  const json = schemaOf(schema, 'input') as { properties?: Record<string, JsonObject>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({ name, in: 'query', required: json.required?.includes(name) ?? false, schema: property }));
}

const ref = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });
const errorResponse = (description: string): JsonObject => ({ description, content: { 'application/json': { schema: ref('Error') } } });

const damagedList = {
  type: 'array',
  description: 'Records that could not be read back or do not have their shape (skipped), each with why.',
  items: { type: 'object', required: ['runId', 'reason'], properties: { runId: { type: 'string' }, seq: { type: 'integer' }, reason: { type: 'string' } } },
};
const counts = { type: 'object', additionalProperties: { type: 'integer' } };
const namedCounts = { type: 'array', items: { type: 'object', required: ['name', 'count'], properties: { name: { type: 'string' }, count: { type: 'integer' } } } };

/** Component schemas the audit paths refer to. */
export const auditSchemas: JsonObject = {
  AuditEntry: {
    ...schemaOf(AuditEntry),
    description:
      'A guard decision (kind guard: surface, action, source, the detectors and rules that matched and their reasons), a person\'s decision on a connector call (kind approval: operation, decision, by, note, why approval was needed), or a decision at a human gate (kind gate: review, decision, by, note). `action` is the guard\'s action or the person\'s decision.',
  },
  AuditSummary: {
    type: 'object',
    required: ['bucket', 'total', 'buckets', 'byAction', 'bySurface', 'byKind', 'perRun', 'since', 'until', 'damaged'],
    properties: {
      bucket: { enum: ['hour', 'day'] },
      total: { type: 'integer' },
      buckets: {
        type: 'array',
        description: 'Consecutive UTC buckets over the window, empty ones included (at most 1000, the newest).',
        items: { type: 'object', required: ['start', 'total', 'byAction'], properties: { start: { type: 'string', format: 'date-time' }, total: { type: 'integer' }, byAction: counts } },
      },
      byAction: namedCounts,
      bySurface: namedCounts,
      byKind: namedCounts,
      perRun: {
        type: 'array',
        items: { type: 'object', required: ['runId', 'total', 'byAction', 'last'], properties: { runId: { type: 'string' }, total: { type: 'integer' }, byAction: counts, last: { type: 'string', format: 'date-time' } } },
      },
      since: { type: ['string', 'null'], format: 'date-time' },
      until: { type: 'string', format: 'date-time' },
      damaged: damagedList,
    },
  },
};

/** The audit paths. */
export const auditPaths: JsonObject = {
  '/api/audit': {
    get: {
      summary: 'The audit trail: guard decisions, call approvals and gate decisions across runs, oldest first',
      description: 'JSON by default; JSON lines (one entry per line, for export) with `format=jsonl` or `Accept: application/x-ndjson`. With `limit`, the newest entries; `truncated` says older ones were left out.',
      parameters: queryParameters(AuditQuery),
      responses: {
        '200': {
          description: 'The entries',
          headers: {
            'X-Baton-Truncated': { description: 'JSON lines only: `true` when older entries were left out (the JSON answer says so in `truncated`)', schema: { type: 'string', enum: ['true', 'false'] } },
            'X-Baton-Damaged': { description: 'JSON lines only: how many damaged records were skipped', schema: { type: 'string' } },
          },
          content: {
            'application/json': {
              schema: { type: 'object', required: ['entries', 'truncated', 'damaged'], properties: { entries: { type: 'array', items: ref('AuditEntry') }, truncated: { type: 'boolean' }, damaged: damagedList } },
            },
            'application/x-ndjson': { schema: { type: 'string', description: 'One AuditEntry as JSON per line.' } },
          },
        },
        '400': errorResponse('Invalid query'),
        '401': errorResponse('Missing or wrong bearer token (only when tokens are configured)'),
        '404': errorResponse('No such run (with `run`)'),
      },
    },
  },
  '/api/audit/summary': {
    get: {
      summary: 'The audit in counts: per time bucket and action, per action, surface, kind and run',
      parameters: queryParameters(AuditSummaryQuery),
      responses: {
        '200': { description: 'The counts', content: { 'application/json': { schema: ref('AuditSummary') } } },
        '400': errorResponse('Invalid query'),
        '401': errorResponse('Missing or wrong bearer token (only when tokens are configured)'),
        '404': errorResponse('No such run (with `run`)'),
      },
    },
  },
};
