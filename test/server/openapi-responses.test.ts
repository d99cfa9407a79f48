/**
 * The OpenAPI document describes what the server really answers: real responses (ended, queued and waiting runs,
 * lists, transcripts, decisions, errors, health and readiness) are validated against the document's own schemas.
 */
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { gatedModel, GATED_CONFIG, serversOfThisFile, waitForEnd, waitForStatus } from './helpers.js';
import { validate } from './json-schema.js';

const { server } = serversOfThisFile();

type Document = Record<string, unknown> & { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>> };

async function documentOf(app: FastifyInstance): Promise<Document> {
  return (await app.inject({ url: '/api/openapi.json' })).json() as Document;
}

/**
 * Sends the request and checks the answer against the document's schema for that path, method and status; returns
 * the parsed body.
 */
async function conforming(app: FastifyInstance, document: Document, request: { method?: 'GET' | 'POST'; url: string; payload?: Record<string, unknown> }, template: string, status: number): Promise<Record<string, unknown>> {
  const response = await app.inject({ method: request.method ?? 'GET', url: request.url, ...(request.payload ? { payload: request.payload } : {}) });
  expect(response.statusCode, `${request.method ?? 'GET'} ${request.url}: ${response.body.slice(0, 300)}`).toBe(status);
  const described = document.paths[template]?.[(request.method ?? 'GET').toLowerCase()]?.responses[String(status)];
  expect(described, `the document describes ${status} for ${request.method ?? 'GET'} ${template}`).toBeDefined();
  const schema = described?.content?.['application/json']?.schema;
  expect(schema, `a JSON schema for ${status} of ${template}`).toBeDefined();
  const body = response.json() as Record<string, unknown>;
  expect(validate(schema, body, document), `${request.method ?? 'GET'} ${request.url}`).toEqual([]);
  return body;
}

describe('responses match the OpenAPI document', () => {
  it('runs as listed and as read, ended and queued, with their transcripts', async () => {
    const { app } = await server();
    const document = await documentOf(app);
    const created = await conforming(app, document, { method: 'POST', url: '/api/runs', payload: { goal: 'What is Baton?', labels: { priority: 'urgent' } } }, '/api/runs', 202);
    const runId = created['runId'] as string;
    expect(await waitForEnd(app, runId)).toBe('approved');

    const run = await conforming(app, document, { url: `/api/runs/${runId}` }, '/api/runs/{id}', 200);
    expect(run).toMatchObject({ verified: true, result: expect.any(Object) });
    const list = await conforming(app, document, { url: '/api/runs' }, '/api/runs', 200);
    expect((list['runs'] as Array<Record<string, unknown>>)[0]).toMatchObject({ id: runId, verified: true });
    expect((list['runs'] as Array<Record<string, unknown>>)[0]).not.toHaveProperty('result');
    await conforming(app, document, { url: `/api/runs/${runId}/transcript` }, '/api/runs/{id}/transcript', 200);
    await conforming(app, document, { method: 'POST', url: `/api/runs/${runId}/cancel` }, '/api/runs/{id}/cancel', 409);
    await conforming(app, document, { url: '/api/runs/run_nope' }, '/api/runs/{id}', 404);
    await conforming(app, document, { url: '/api/runs?limit=0' }, '/api/runs', 400);
    await conforming(app, document, { url: '/healthz' }, '/healthz', 200);
    await conforming(app, document, { url: '/readyz' }, '/readyz', 200);
  });

  it('queued runs, with their place in the queue, and a cancelled one', async () => {
    const { app } = await server({ execute: false });
    const document = await documentOf(app);
    const ids: string[] = [];
    for (const goal of ['What is Baton?', 'How are transcripts stored?']) {
      ids.push((await conforming(app, document, { method: 'POST', url: '/api/runs', payload: { goal } }, '/api/runs', 202))['runId'] as string);
    }
    const list = await conforming(app, document, { url: '/api/runs' }, '/api/runs', 200);
    expect((list['runs'] as Array<Record<string, unknown>>).map((run) => run['position'])).toEqual([2, 1]);
    expect((list['queued'] as unknown[]).length).toBe(2);
    expect(await conforming(app, document, { url: `/api/runs/${ids[1]}` }, '/api/runs/{id}', 200)).toMatchObject({ status: 'queued', position: 2, verified: false });
    await conforming(app, document, { method: 'POST', url: `/api/runs/${ids[0]}/cancel` }, '/api/runs/{id}/cancel', 200);
    await conforming(app, document, { url: `/api/runs/${ids[0]}` }, '/api/runs/{id}', 200);
    await conforming(app, document, { url: '/api/runs?status=cancelled' }, '/api/runs', 200);
  });

  it('a run waiting at a gate, the pending decisions, a decision and a stale one', async () => {
    const { app } = await server({ runtimeOptions: { config: GATED_CONFIG } });
    const document = await documentOf(app);
    const runId = (await conforming(app, document, { method: 'POST', url: '/api/runs', payload: { goal: 'What is Baton?' } }, '/api/runs', 202))['runId'] as string;
    await waitForStatus(app, runId, 'awaiting_human');
    await conforming(app, document, { url: `/api/runs/${runId}` }, '/api/runs/{id}', 200);
    await conforming(app, document, { url: '/api/runs?status=awaiting_human' }, '/api/runs', 200);
    await conforming(app, document, { url: '/api/decisions' }, '/api/decisions', 200);
    await conforming(app, document, { method: 'POST', url: `/api/runs/${runId}/decision`, payload: { decision: 'approve', round: 2 } }, '/api/runs/{id}/decision', 409);
    await conforming(app, document, { method: 'POST', url: `/api/runs/${runId}/decision`, payload: { decision: 'approve', note: 'fine', round: 1 } }, '/api/runs/{id}/decision', 200);
  });

  it('a run executing, and one cancelled while it executes', async () => {
    const gate = gatedModel(1);
    const { app } = await server({ model: gate.model });
    const document = await documentOf(app);
    const runId = (await conforming(app, document, { method: 'POST', url: '/api/runs', payload: { goal: 'What is Baton?' } }, '/api/runs', 202))['runId'] as string;
    await waitForStatus(app, runId, 'running');
    await conforming(app, document, { url: `/api/runs/${runId}` }, '/api/runs/{id}', 200);
    await conforming(app, document, { url: '/api/runs' }, '/api/runs', 200);
    await conforming(app, document, { method: 'POST', url: `/api/runs/${runId}/cancel` }, '/api/runs/{id}/cancel', 200);
    await conforming(app, document, { url: `/api/runs/${runId}` }, '/api/runs/{id}', 200);
    await conforming(app, document, { url: `/api/runs/${runId}/transcript` }, '/api/runs/{id}/transcript', 200);
  });

  it('the validator itself refuses what the document forbids', async () => {
    const { app } = await server({ execute: false });
    const document = await documentOf(app);
    const run = { $ref: '#/components/schemas/Run' };
    const summary = { $ref: '#/components/schemas/RunSummary' };
    const id = ((await app.inject({ method: 'POST', url: '/api/runs', payload: { goal: 'What is Baton?' } })).json() as { runId: string }).runId;
    const record = (await app.inject({ url: `/api/runs/${id}` })).json() as Record<string, unknown>;
    expect(validate(run, record, document)).toEqual([]);
    expect(validate(run, { ...record, surprise: 1 }, document)).toEqual(['$: the property "surprise" is not in the schema (additionalProperties: false)']);
    const { result: _result, ...withoutResult } = record;
    expect(validate(run, withoutResult, document)).toEqual(['$: the required property "result" is missing']);
    expect(validate(summary, withoutResult, document)).toEqual([]);
    expect(validate(summary, record, document)).toEqual(['$: the property "result" is not in the schema (additionalProperties: false)']);
    expect(validate(run, { ...record, position: 0 }, document)).toEqual(['$.position: 0 < minimum 1']);
  });
});
