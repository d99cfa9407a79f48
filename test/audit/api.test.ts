/**
 * `GET /api/audit` and `GET /api/audit/summary` on a server (Fastify inject) whose store holds the audit fixtures:
 * the token is required like on every read route, filters work as on the CLI, JSON lines on request, 400 naming the
 * parameter for a bad value, 404 for an unknown run, and the answers match the OpenAPI document.
 */
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { AuditEntry } from '../../src/audit/entry.js';
import { serversOfThisFile } from '../server/helpers.js';
import { validate } from '../server/json-schema.js';
import { recordAuditRuns, RUN_IDS, TIMES } from './fixtures.js';

const TOKEN = 'audit-test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };
const { server } = serversOfThisFile({ execute: false, tokens: [TOKEN] });

/** A server whose store holds the fixtures: run a 4 days ago, b 2 days ago, old 14 days ago, the live run's event a day ago. */
async function auditServer(): Promise<FastifyInstance> {
  const { app, runtime } = await server();
  await recordAuditRuns(runtime.store, Date.now() - 4 * TIMES.DAY);
  return app;
}

async function entries(app: FastifyInstance, query: string): Promise<AuditEntry[]> {
  const response = await app.inject({ url: `/api/audit${query}`, headers: auth });
  expect(response.statusCode, response.body).toBe(200);
  return (response.json() as { entries: unknown[] }).entries.map((entry) => AuditEntry.parse(entry));
}

describe('GET /api/audit', () => {
  it('requires the API token, like every read route', async () => {
    const app = await auditServer();
    for (const url of ['/api/audit', '/api/audit/summary', '/api/audit?format=jsonl']) {
      const response = await app.inject({ url });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      expect((await app.inject({ url, headers: { authorization: 'Bearer wrong-token-0123456789abcdef' } })).statusCode).toBe(401);
    }
  });

  it('lists every entry oldest first, with the malformed records it skipped', async () => {
    const app = await auditServer();
    const response = await app.inject({ url: '/api/audit', headers: auth });
    const body = response.json() as { entries: AuditEntry[]; truncated: boolean; damaged: Array<{ runId: string; reason: string }> };
    expect(body.entries.map((entry) => `${entry.runId}:${entry.kind}:${entry.action}`)).toEqual([
      `${RUN_IDS.old}:guard:redact`, `${RUN_IDS.a}:guard:quarantine`, `${RUN_IDS.a}:guard:flag`, `${RUN_IDS.a}:approval:approve`, `${RUN_IDS.a}:gate:reject`, `${RUN_IDS.b}:guard:block`, `${RUN_IDS.live}:guard:flag`,
    ]);
    expect(body.truncated).toBe(false);
    expect(body.damaged.map((record) => record.reason).sort()).toEqual([
      expect.stringMatching(/^a gate decision is malformed/), expect.stringMatching(/^a guard event is malformed/), expect.stringMatching(/^an approval event is malformed/),
    ]);
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('filters by run, kind, action, surface, since, until and limit', async () => {
    const app = await auditServer();
    expect((await entries(app, `?run=${RUN_IDS.a}`)).map((entry) => entry.kind)).toEqual(['guard', 'guard', 'approval', 'gate']);
    expect((await entries(app, '?kind=approval')).map((entry) => entry.operation)).toEqual(['crm.refund']);
    expect((await entries(app, '?action=flag')).map((entry) => entry.surface)).toEqual(['model-output', 'knowledge']);
    expect((await entries(app, '?surface=attachment')).map((entry) => entry.source)).toEqual(['attachment:inquiry.eml']);
    expect((await entries(app, '?since=3d')).map((entry) => entry.runId)).toEqual([RUN_IDS.b, RUN_IDS.live]);
    const until = new Date(Date.now() - 3 * TIMES.DAY).toISOString();
    expect((await entries(app, `?until=${encodeURIComponent(until)}`)).map((entry) => entry.runId)).toEqual([RUN_IDS.old, RUN_IDS.a, RUN_IDS.a, RUN_IDS.a, RUN_IDS.a]);
    const limited = (await app.inject({ url: '/api/audit?limit=2', headers: auth })).json() as { entries: AuditEntry[]; truncated: boolean };
    expect(limited.entries.map((entry) => entry.runId)).toEqual([RUN_IDS.b, RUN_IDS.live]);
    expect(limited.truncated).toBe(true);
  });

  it('answers JSON lines for Accept: application/x-ndjson or format=jsonl', async () => {
    const app = await auditServer();
    for (const request of [{ url: '/api/audit?kind=guard', headers: { ...auth, accept: 'application/x-ndjson' } }, { url: '/api/audit?kind=guard&format=jsonl', headers: auth }]) {
      const response = await app.inject(request);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/x-ndjson/);
      const lines = response.body.split('\n');
      expect(lines.at(-1)).toBe('');
      expect(lines.slice(0, -1).map((line) => AuditEntry.parse(JSON.parse(line)).kind)).toEqual(['guard', 'guard', 'guard', 'guard', 'guard']);
    }
    // format=json wins over the header.
    const json = await app.inject({ url: '/api/audit?format=json', headers: { ...auth, accept: 'application/x-ndjson' } });
    expect(json.headers['content-type']).toMatch(/^application\/json/);
  });

  it.each([
    ['?since=yesterday', /since: expected a span back from now such as 24h, 7d/],
    ['?until=2026-02-30', /until: expected a span back from now/],
    ['?since=1d&until=3d', /until: must not be before since/],
    ['?kind=guards', /kind: expected one of "guard", "approval", "gate"; received the string "guards"/],
    ['?action=deny', /action: expected one of .*"block".*"approve", "reject"/],
    ['?surface=web', /surface: expected one of "goal"/],
    ['?limit=0', /limit: at least 1/],
    ['?limit=many', /limit: expected number/],
    ['?format=csv', /format: expected one of "json", "jsonl"/],
    ['?runs=x', /unknown field "runs".*did you mean "run"/],
    ['?since=', /the parameter "since" is empty/],
  ])('refuses %s with 400 naming the parameter', async (query, message) => {
    const app = await auditServer();
    const response = await app.inject({ url: `/api/audit${query}`, headers: auth });
    expect(response.statusCode).toBe(400);
    const body = response.json() as { error: { code: string; message: string } };
    expect(body.error.code).toBe('USAGE');
    expect(body.error.message).toMatch(message);
  });

  it('answers 404 for an unknown run', async () => {
    const app = await auditServer();
    const response = await app.inject({ url: '/api/audit?run=run_nope', headers: auth });
    expect(response.statusCode).toBe(404);
  });
});

describe('GET /api/audit/summary', () => {
  it('counts guard decisions per day by action, per surface and per run', async () => {
    const app = await auditServer();
    const response = await app.inject({ url: '/api/audit/summary?kind=guard&since=7d&bucket=day', headers: auth });
    expect(response.statusCode, response.body).toBe(200);
    const summary = response.json() as { bucket: string; total: number; buckets: Array<{ total: number; byAction: Record<string, number> }>; byAction: unknown[]; bySurface: unknown[]; perRun: Array<{ runId: string }> };
    expect(summary.bucket).toBe('day');
    expect(summary.total).toBe(4);
    expect(summary.buckets.length).toBeGreaterThanOrEqual(7);
    expect(summary.buckets.reduce((sum, bucket) => sum + bucket.total, 0)).toBe(4);
    expect(summary.byAction).toEqual([{ name: 'flag', count: 2 }, { name: 'block', count: 1 }, { name: 'quarantine', count: 1 }]);
    expect(summary.bySurface).toEqual([{ name: 'goal', count: 1 }, { name: 'knowledge', count: 1 }, { name: 'model-output', count: 1 }, { name: 'tool', count: 1 }]);
    expect(summary.perRun[0]?.runId).toBe(RUN_IDS.a);
    const hourly = (await app.inject({ url: '/api/audit/summary?since=2d&bucket=hour', headers: auth })).json() as { buckets: unknown[] };
    expect(hourly.buckets.length).toBeGreaterThanOrEqual(48);
    const bad = await app.inject({ url: '/api/audit/summary?bucket=week', headers: auth });
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as { error: { message: string } }).error.message).toMatch(/bucket: expected one of "hour", "day"/);
  });
});

describe('the audit routes in the OpenAPI document', () => {
  it('describes both routes, and their answers match the document', async () => {
    const app = await auditServer();
    const document = (await app.inject({ url: '/api/openapi.json', headers: auth })).json() as { paths: Record<string, { get: { parameters: Array<{ name: string }>; responses: Record<string, { content?: Record<string, { schema: unknown }> }> } }> };
    expect(document.paths['/api/audit']?.get.parameters.map((parameter) => parameter.name)).toEqual(['run', 'kind', 'action', 'surface', 'since', 'until', 'limit', 'format']);
    const checks: Array<[string, string, number]> = [
      ['/api/audit', '/api/audit', 200],
      ['/api/audit?kind=nope', '/api/audit', 400],
      ['/api/audit/summary?since=7d', '/api/audit/summary', 200],
    ];
    for (const [url, template, status] of checks) {
      const response = await app.inject({ url, headers: auth });
      expect(response.statusCode).toBe(status);
      const schema = document.paths[template]?.get.responses[String(status)]?.content?.['application/json']?.schema;
      expect(schema, `${template} ${status}`).toBeDefined();
      expect(validate(schema, response.json(), document), url).toEqual([]);
    }
  });
});
