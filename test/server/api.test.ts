import { describe, expect, it } from 'vitest';
import type { RunRecord, TurnRecord } from '../../src/transcript/schema.js';
import { eventually, gatedModel, makeServer, serversOfThisFile, waitForEnd, waitForStatus } from './helpers.js';

const { server } = serversOfThisFile();
type Server = Awaited<ReturnType<typeof makeServer>>;

async function submit(app: Server['app'], goal: string, extra: Record<string, unknown> = {}): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/api/runs', payload: { goal, ...extra } });
  expect(response.statusCode).toBe(202);
  return (response.json() as { runId: string }).runId;
}

/** A request body with one attachment. */
function attach(attachment: Record<string, unknown>): string {
  return JSON.stringify({ goal: 'What is Baton?', attachments: [attachment] });
}

function errorOf(response: { json(): unknown }): { code: string; message: string; hint?: string } {
  return (response.json() as { error: { code: string; message: string; hint?: string } }).error;
}

describe('runs', () => {
  it('starts a run with 202, then reports its status, verified result and transcript', async () => {
    const { app } = await server();
    const response = await app.inject({ method: 'POST', url: '/api/runs', payload: { goal: 'What is Baton?', labels: { priority: 'urgent' } } });
    expect(response.statusCode).toBe(202);
    const { runId, status } = response.json() as { runId: string; status: string };
    expect(runId).toMatch(/^run_/);
    // Recorded as queued before the answer: the store has it whatever happens next.
    expect(status).toBe('queued');
    expect(response.headers.location).toBe(`/api/runs/${runId}`);

    expect(await waitForEnd(app, runId)).toBe('approved');
    const run = (await app.inject({ url: `/api/runs/${runId}` })).json() as RunRecord & { verified: boolean };
    expect(run).toMatchObject({ id: runId, goal: 'What is Baton?', status: 'approved', verified: true, labels: { priority: 'urgent' } });
    expect(run.result?.verification.verified).toBe(true);
    expect(run.result?.answer).toContain('Baton');
    expect(run.result?.citations.length).toBeGreaterThan(0);

    const transcript = (await app.inject({ url: `/api/runs/${runId}/transcript` })).json() as { status: string; turns: TurnRecord[] };
    expect(transcript.status).toBe('approved');
    expect(transcript.turns.map((turn) => turn.from)).toEqual(['user', 'planner', 'researcher', 'checker', 'supervisor']);
    expect(transcript.turns[0]?.to).toEqual(['supervisor']);
    expect(transcript.turns.at(-1)?.to).toEqual(['user']);
    expect(transcript.turns.map((turn) => turn.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('lists runs newest first without their results, paginated and filtered', async () => {
    const { app } = await server({ concurrency: 1 });
    const ids: string[] = [];
    for (const goal of ['What is Baton?', 'How are transcripts stored?', 'Which models does Baton use?']) {
      const runId = await submit(app, goal);
      await waitForEnd(app, runId);
      ids.push(runId);
    }
    const first = (await app.inject({ url: '/api/runs?limit=2' })).json() as { runs: Array<Record<string, unknown>>; hasMore: boolean; limit: number; offset: number; queued: unknown[] };
    expect(first.runs.map((run) => run['id'])).toEqual([ids[2], ids[1]]);
    expect(first).toMatchObject({ hasMore: true, limit: 2, offset: 0, queued: [] });
    expect(first.runs[0]).not.toHaveProperty('result');
    expect(first.runs[0]).toMatchObject({ verified: true, status: 'approved' });
    expect(typeof first.runs[0]?.['durationMs']).toBe('number');

    const second = (await app.inject({ url: '/api/runs?limit=2&offset=2' })).json() as { runs: Array<{ id: string }>; hasMore: boolean };
    expect(second.runs.map((run) => run.id)).toEqual([ids[0]]);
    expect(second.hasMore).toBe(false);

    expect(((await app.inject({ url: '/api/runs?status=approved' })).json() as { runs: unknown[] }).runs).toHaveLength(3);
    expect(((await app.inject({ url: '/api/runs?status=failed' })).json() as { runs: unknown[] }).runs).toHaveLength(0);
    expect(((await app.inject({ url: '/api/runs?since=2999-01-01' })).json() as { runs: unknown[] }).runs).toHaveLength(0);
    expect(((await app.inject({ url: '/api/runs?until=2999-01-01T00:00:00Z&since=2000-01-01' })).json() as { runs: unknown[] }).runs).toHaveLength(3);
  });

  it('runs with a document attachment: recorded by name, type, size and hash, and searchable as a source', async () => {
    const { app, runtime } = await server();
    const text = 'Quokkas are small marsupials that live on Rottnest Island.\n\nA quokka weighs about three kilograms.\n';
    const runId = await submit(app, 'How much does a quokka weigh?', { attachments: [{ name: 'quokkas.md', mimeType: 'text/markdown', dataBase64: Buffer.from(text).toString('base64') }] });
    await waitForEnd(app, runId);
    const record = await runtime.store.getRun(runId);
    expect(record.labels['attachments']).toEqual([{ name: 'quokkas.md', kind: 'document', mimeType: 'text/markdown', sizeBytes: Buffer.byteLength(text), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(JSON.stringify(await runtime.store.turns(runId))).toContain('attachment:quokkas.md');
    // The bytes waited with the queued run in the store, and are dropped once it has ended.
    expect(await runtime.store.attachments(runId)).toEqual([]);
  });

  it('cancels a running run: it ends cancelled, keeps its transcript, and cannot be cancelled twice', async () => {
    const gate = gatedModel(1);
    const { app } = await server({ model: gate.model });
    const runId = await submit(app, 'What is Baton?');
    await eventually(() => (gate.calls() >= 2 ? true : undefined), 5000, 'the researcher call');
    expect(((await app.inject({ url: `/api/runs/${runId}` })).json() as { status: string }).status).toBe('running');

    const cancel = await app.inject({ method: 'POST', url: `/api/runs/${runId}/cancel` });
    expect(cancel.statusCode).toBe(200);
    expect(cancel.json()).toEqual({ runId, status: 'cancelled' });
    const run = (await app.inject({ url: `/api/runs/${runId}` })).json() as RunRecord;
    expect(run.status).toBe('cancelled');
    expect(run.error?.code).toBe('CANCELLED');
    const turns = ((await app.inject({ url: `/api/runs/${runId}/transcript` })).json() as { turns: TurnRecord[] }).turns;
    expect(turns.some((turn) => turn.from === 'planner')).toBe(true);

    const again = await app.inject({ method: 'POST', url: `/api/runs/${runId}/cancel` });
    expect(again.statusCode).toBe(409);
    expect(errorOf(again)).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('already ended with status cancelled') });
  });
});

describe('queue', () => {
  it('records runs beyond the concurrency limit as queued, in the store, listed in order with their place', async () => {
    const gate = gatedModel(0);
    const { app, runtime } = await server({ model: gate.model, concurrency: 1 });
    const first = await submit(app, 'What is Baton?');
    await waitForStatus(app, first, 'running');
    const secondResponse = await app.inject({ method: 'POST', url: '/api/runs', payload: { goal: 'How are transcripts stored?' } });
    expect(secondResponse.json()).toMatchObject({ status: 'queued' });
    const second = (secondResponse.json() as { runId: string }).runId;
    const third = await submit(app, 'Which models does Baton use?');

    expect((await app.inject({ url: `/api/runs/${second}` })).json()).toMatchObject({ id: second, status: 'queued', position: 1, goal: 'How are transcripts stored?', verified: false });
    expect((await app.inject({ url: `/api/runs/${third}` })).json()).toMatchObject({ status: 'queued', position: 2 });
    expect(await runtime.store.getRun(second)).toMatchObject({ status: 'queued', queuedAt: expect.any(String) });
    const list = (await app.inject({ url: '/api/runs' })).json() as { runs: Array<{ id: string; status: string; position?: number }>; queued: Array<{ id: string; position: number }> };
    expect(list.runs.map((run) => [run.id, run.status, run.position])).toEqual([[third, 'queued', 2], [second, 'queued', 1], [first, 'running', undefined]]);
    expect(list.queued.map((run) => [run.id, run.position])).toEqual([[second, 1], [third, 2]]);
    const onlyQueued = (await app.inject({ url: '/api/runs?status=queued' })).json() as { runs: unknown[]; queued: unknown[] };
    expect(onlyQueued.runs).toHaveLength(2);
    expect(onlyQueued.queued).toHaveLength(2);
    expect(((await app.inject({ url: '/api/runs?status=running' })).json() as { runs: Array<{ id: string }>; queued: unknown[] })).toMatchObject({ runs: [{ id: first }], queued: [] });
    // A queued run's transcript holds its opening turn: the goal as recorded.
    const transcript = (await app.inject({ url: `/api/runs/${second}/transcript` })).json() as { status: string; turns: TurnRecord[] };
    expect(transcript.status).toBe('queued');
    expect(transcript.turns.map((turn) => turn.from)).toEqual(['user']);
    expect((await app.inject({ url: '/healthz' })).json()).toMatchObject({ ok: true, executing: 1, concurrency: 1, execute: true, store: 'sqlite' });

    // Cancelling a queued run records it as cancelled at once, with its goal, without waiting for a slot.
    const cancel = await app.inject({ method: 'POST', url: `/api/runs/${third}/cancel` });
    expect(cancel.json()).toEqual({ runId: third, status: 'cancelled' });
    expect(await runtime.store.getRun(third)).toMatchObject({ status: 'cancelled', goal: 'Which models does Baton use?', error: { code: 'CANCELLED' } });

    gate.open();
    expect(await waitForEnd(app, first)).toBe('approved');
    expect(await waitForEnd(app, second)).toBe('approved');
    expect((await runtime.store.getRun(third)).status).toBe('cancelled');
  });

  it('refuses runs beyond the queue size with 503', async () => {
    const gate = gatedModel(0);
    const { app } = await server({ model: gate.model, concurrency: 1, maxQueued: 1 });
    const first = await submit(app, 'What is Baton?');
    await waitForStatus(app, first, 'running');
    await submit(app, 'How are transcripts stored?');
    const refused = await app.inject({ method: 'POST', url: '/api/runs', payload: { goal: 'One too many' } });
    expect(refused.statusCode).toBe(503);
    expect(errorOf(refused)).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('too many runs') });
  });

  it('accepts runs without executing them when execute is off', async () => {
    const { app, runtime } = await server({ execute: false });
    const runId = await submit(app, 'What is Baton?');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await runtime.store.getRun(runId)).toMatchObject({ status: 'queued' });
    expect((await app.inject({ url: '/healthz' })).json()).toMatchObject({ executing: 0, execute: false });
  });

  it('releases the runs it executes as interrupted when the server closes, and leaves queued runs queued', async () => {
    const gate = gatedModel(0);
    const created = await makeServer({ model: gate.model, concurrency: 1, shutdownGraceMs: 5000 });
    const running = await submit(created.app, 'What is Baton?');
    await eventually(() => (gate.calls() >= 1 ? true : undefined), 5000, 'the first model call');
    const queued = await submit(created.app, 'How are transcripts stored?');
    await created.app.close();
    expect(await created.runtime.store.getRun(running)).toMatchObject({ status: 'interrupted', error: null, endedAt: null });
    expect(await created.runtime.store.getRun(queued)).toMatchObject({ status: 'queued', goal: 'How are transcripts stored?' });
    expect(await created.runtime.store.listRuns({ status: 'running' })).toEqual([]);
    await created.close();
  });
});

describe('bad input', () => {
  it('answers 400 with an actionable JSON error for malformed JSON, bad goals, unknown fields and wrong types', async () => {
    const { app } = await server();
    const cases: Array<{ payload: string; code: string; message: RegExp }> = [
      { payload: '{"goal": "What', code: 'USAGE', message: /not valid JSON/ },
      { payload: '{"goal": ""}', code: 'GOAL_INVALID', message: /the goal is empty/ },
      { payload: '{"goal": "   "}', code: 'GOAL_INVALID', message: /the goal is empty/ },
      { payload: JSON.stringify({ goal: 'x'.repeat(8001) }), code: 'GOAL_INVALID', message: /8001 characters; at most 8000/ },
      { payload: '{"goal": "What is Baton?", "colour": "red"}', code: 'USAGE', message: /unknown field "colour" in the request body \(accepted: goal, attachments, labels\)/ },
      { payload: '{"goal": 42}', code: 'USAGE', message: /goal: .*expected string/ },
      { payload: '{}', code: 'USAGE', message: /goal is required/ },
      { payload: '[1, 2]', code: 'USAGE', message: /must be a JSON object/ },
      { payload: '{"goal": "What is Baton?", "labels": {"secret": true}}', code: 'USAGE', message: /unknown field "labels.secret" in the request body \(accepted in labels: confidential, priority, budgetUsd, deadlineMs\)/ },
      { payload: '{"goal": "What is Baton?", "labels": {"priority": "asap"}}', code: 'USAGE', message: /labels.priority/ },
      { payload: attach({ name: 'a.exe', mimeType: 'application/x-msdownload', dataBase64: 'AA==' }), code: 'USAGE', message: /attachments\[0\] \("a.exe"\): unsupported media type "application\/x-msdownload"; accepted: image\/png/ },
      { payload: attach({ name: 'notes.md', mimeType: 'text/markdown', dataBase64: 'not base64!' }), code: 'USAGE', message: /attachments\[0\] \("notes.md"\): dataBase64 is not valid base64/ },
      { payload: attach({ name: '../etc/passwd', mimeType: 'text/plain', dataBase64: 'AA==' }), code: 'USAGE', message: /plain file name/ },
      { payload: attach({ name: 'empty.txt', mimeType: 'text/plain', dataBase64: '' }), code: 'USAGE', message: /the file is empty/ },
      { payload: attach({ name: 'notes.md', mimeType: 'text/markdown' }), code: 'USAGE', message: /attachments\[0\]\.dataBase64 is required/ },
    ];
    for (const { payload, code, message } of cases) {
      const response = await app.inject({ method: 'POST', url: '/api/runs', payload, headers: { 'content-type': 'application/json' } });
      expect(response.statusCode, payload.slice(0, 60)).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(errorOf(response).code, payload.slice(0, 60)).toBe(code);
      expect(errorOf(response).message, payload.slice(0, 60)).toMatch(message);
    }
    expect(((await app.inject({ url: '/api/runs' })).json() as { runs: unknown[] }).runs).toEqual([]);
  });

  it('answers 413 for a huge body and 415 for a body that is not JSON', async () => {
    const { app } = await server({ bodyLimit: 10_000 });
    const huge = await app.inject({ method: 'POST', url: '/api/runs', payload: { goal: 'x'.repeat(20_000) } });
    expect(huge.statusCode).toBe(413);
    expect(errorOf(huge).code).toBe('PAYLOAD_TOO_LARGE');
    const text = await app.inject({ method: 'POST', url: '/api/runs', payload: 'goal=hi', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(text.statusCode).toBe(415);
    expect(errorOf(text)).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringContaining('application/json') });
  });

  it('answers 404 for an unknown run id on every run endpoint, and for unknown endpoints', async () => {
    const { app } = await server();
    for (const [method, url] of [['GET', '/api/runs/run_nope'], ['GET', '/api/runs/run_nope/transcript'], ['GET', '/api/runs/run_nope/events'], ['POST', '/api/runs/run_nope/cancel'], ['POST', '/api/runs/run_nope/decision']] as const) {
      const response = await app.inject({ method, url, ...(url.endsWith('/decision') ? { payload: { decision: 'approve' } } : {}) });
      expect(response.statusCode, url).toBe(404);
      expect(errorOf(response), url).toMatchObject({ code: 'RUN_NOT_FOUND', message: 'no run with id "run_nope"' });
    }
    const unknown = await app.inject({ url: '/api/nothing?x=1' });
    expect(unknown.statusCode).toBe(404);
    expect(errorOf(unknown)).toMatchObject({ code: 'NOT_FOUND', message: 'no such endpoint: GET /api/nothing' });
  });

  it('answers 400 for bad query parameters, naming them', async () => {
    const { app } = await server();
    const cases: Array<[string, RegExp]> = [
      ['/api/runs?limit=0', /limit/],
      ['/api/runs?limit=abc', /limit/],
      ['/api/runs?offset=-1', /offset/],
      ['/api/runs?status=done', /status/],
      ['/api/runs?since=yesterday', /since: expected an ISO date/],
      ['/api/runs?page=2', /unknown field "page" in the query string/],
      ['/api/stats?until=soon', /until/],
      ['/api/stats?limit=3', /unknown field "limit"/],
    ];
    for (const [url, message] of cases) {
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(400);
      expect(errorOf(response).message, url).toMatch(message);
    }
  });
});

describe('stats, health, description and dashboard', () => {
  it('reports cost per run, role and model, model usage, approval rate and rounds, with empty guard and routing events', async () => {
    const { app } = await server();
    const runId = await submit(app, 'What is Baton?');
    await waitForEnd(app, runId);
    const stats = (await app.inject({ url: '/api/stats?since=2000-01-01' })).json() as Record<string, never> & {
      runs: { total: number; byStatus: Record<string, number> };
      cost: { perRun: Array<{ runId: string; tokens: number }>; perRole: Array<{ name: string; calls: number }>; perModel: Array<{ name: string; calls: number }> };
      modelUsage: { counts: Array<{ model: string; calls: number }>; overTime: { series: Array<{ counts: Record<string, number> }> } };
      approvalRate: number; checkerApprovalRate: number; rounds: { mean: number; histogram: Record<string, number> };
      routing: { decisions: number }; guardEvents: unknown[]; window: { since: string };
    };
    expect(stats.window.since).toBe('2000-01-01T00:00:00.000Z');
    expect(stats.runs).toMatchObject({ total: 1, byStatus: { approved: 1 } });
    expect(stats.cost.perRun).toEqual([expect.objectContaining({ runId, tokens: expect.any(Number) })]);
    expect(stats.cost.perRun[0]?.tokens).toBeGreaterThan(0);
    expect(stats.cost.perRole.map((group) => group.name).sort()).toEqual(['checker', 'planner', 'researcher']);
    expect(stats.cost.perModel).toEqual([expect.objectContaining({ name: 'offline:baton-offline-1', calls: 3 })]);
    expect(stats.modelUsage.counts).toEqual([{ model: 'offline:baton-offline-1', calls: 3 }]);
    expect(stats.modelUsage.overTime.series.reduce((sum, slot) => sum + (slot.counts['offline:baton-offline-1'] ?? 0), 0)).toBe(3);
    expect(stats.approvalRate).toBe(1);
    expect(stats.checkerApprovalRate).toBe(1);
    expect(stats.rounds).toMatchObject({ mean: 1, histogram: { '1': 1 } });
    // Routing decisions are counted from the turns' `route` events, whatever the runtime records.
    const turns = ((await app.inject({ url: `/api/runs/${runId}/transcript` })).json() as { turns: TurnRecord[] }).turns;
    expect(stats.routing.decisions).toBe(turns.flatMap((turn) => turn.events).filter((event) => event.type === 'route').length);
    expect(stats.guardEvents).toEqual([]);
    const empty = (await app.inject({ url: '/api/stats?since=2999-01-01' })).json() as { runs: { total: number }; approvalRate: unknown };
    expect(empty).toMatchObject({ runs: { total: 0 }, approvalRate: null });
  });

  it('serves /healthz and an OpenAPI 3.1 description generated from the request schemas', async () => {
    const { app } = await server();
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ ok: true, executing: 0, concurrency: 4, execute: true, store: 'sqlite', autoResume: true, eventStreams: 0, auth: false });
    const document = (await app.inject({ url: '/api/openapi.json' })).json() as { openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, { additionalProperties?: boolean; properties?: Record<string, { maxLength?: number }> }> } };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/runs', '/api/runs/{id}', '/api/runs/{id}/transcript', '/api/runs/{id}/events', '/api/runs/{id}/cancel', '/api/decisions', '/api/runs/{id}/decision', '/api/stats', '/healthz', '/readyz']));
    expect(document.components.schemas['DecisionBody']?.additionalProperties).toBe(false);
    expect(Object.keys(document.components.schemas['DecisionBody']?.properties ?? {})).toEqual(['decision', 'note', 'reason', 'by', 'round']);
    expect(document.components.schemas['CreateRunBody']?.additionalProperties).toBe(false);
    expect(document.components.schemas['CreateRunBody']?.properties?.['goal']?.maxLength).toBe(8000);
    expect(document.components.schemas['Turn']?.properties).toHaveProperty('from');
  });

  it('serves the dashboard with exact content types, a restrictive CSP and no-sniff', async () => {
    const { app } = await server();
    const page = await app.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.body).toContain('<script type="module" src="/assets/app.js"></script>');
    for (const [url, type] of [['/assets/app.js', 'text/javascript; charset=utf-8'], ['/assets/app.css', 'text/css; charset=utf-8'], ['/assets/charts.js', 'text/javascript; charset=utf-8'], ['/assets/favicon.svg', 'image/svg+xml']]) {
      const asset = await app.inject({ url });
      expect(asset.statusCode, url).toBe(200);
      expect(asset.headers['content-type'], url).toBe(type);
    }
    expect((await app.inject({ url: '/assets/../app.ts' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/runs' })).headers['cache-control']).toBe('no-store');
  });
});
