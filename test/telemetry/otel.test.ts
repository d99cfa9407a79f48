/**
 * Baton's trace export against a real OTLP/HTTP receiver on 127.0.0.1: the span tree of a run, the GenAI attributes,
 * errors, both encodings, and that telemetry stays off, silent and quick when it should. The exporter reads its
 * endpoint and headers from process.env, so the tests stub process.env and pass it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GuardEvent } from '../../src/guards/types.js';
import { createTelemetry, noTelemetry, type Telemetry } from '../../src/telemetry/index.js';
import { startOtlpReceiver, type FlatSpan, type OtlpReceiver } from '../support/otlp-receiver.js';

const SPAN_KIND_CLIENT = 3;
const STATUS_ERROR = 2;

let receiver: OtlpReceiver;
let warnings: string[];

beforeEach(async () => {
  for (const name of Object.keys(process.env).filter((key) => key.startsWith('OTEL_'))) vi.stubEnv(name, undefined);
  receiver = await startOtlpReceiver();
  warnings = [];
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await receiver.close();
});

/** Telemetry sending to the receiver with `protocol`, configured the standard way: through process.env. */
function telemetryFor(protocol: string | undefined, extra: Record<string, string> = {}): Promise<Telemetry> {
  vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', receiver.url);
  if (protocol) vi.stubEnv('OTEL_EXPORTER_OTLP_PROTOCOL', protocol);
  for (const [name, value] of Object.entries(extra)) vi.stubEnv(name, value);
  return createTelemetry({ env: process.env, serviceVersion: '9.8.7', warn: (message) => warnings.push(message) });
}

function byName(spans: FlatSpan[], name: string): FlatSpan {
  const span = spans.find((candidate) => candidate.name === name);
  if (!span) throw new Error(`no span "${name}" among ${spans.map((candidate) => candidate.name).join(', ')}`);
  return span;
}

const guardEvent: GuardEvent = {
  type: 'guard',
  at: Date.now(),
  surface: 'tool',
  action: 'quarantine',
  source: 'https://example.test/page',
  detections: [
    { detector: 'heuristic', rule: 'ignore-previous', score: 1, reason: 'asks to ignore instructions' },
    { detector: 'classifier', rule: 'injection', score: 0.73, reason: 'classifier' },
  ],
};

/** A run with one turn, which makes a model call and a tool call; the tool's result trips a guard. */
async function sampleRun(telemetry: Telemetry): Promise<string> {
  return telemetry.run(
    { runId: 'run-42', resumed: false, engine: 'models', goalLength: 27 },
    () =>
      telemetry.turn({ runId: 'run-42', role: 'researcher', kind: 'researcher', round: 2, stepId: 'step-1' }, async () => {
        await delay(2);
        await telemetry.modelCall(
          { operation: 'chat', provider: 'openai', model: 'gpt-test', serverUrl: 'https://user:key@models.example.test/v1?token=x', maxTokens: 512, temperature: 0.2, routingReason: 'cheapest capable' },
          async () => {
            await delay(2);
            return { text: 'COMPLETION-TEXT-NOT-TO-EXPORT' };
          },
          () => ({ responseModel: 'gpt-test-2025', inputTokens: 120, outputTokens: 30, finishReasons: ['tool_calls'], costUsd: 0.0012 }),
        );
        await telemetry.toolCall(
          { name: 'web_fetch', callId: 'call-7', type: 'function', sideEffect: false },
          async () => {
            await delay(2);
            telemetry.guard(guardEvent);
            return { ok: true };
          },
          () => ({ replayed: true }),
        );
        return 'approved';
      }),
    (status) => status,
  );
}

describe('trace export over http/json', () => {
  it('exports the run, turn, model call, tool call and guard as one tree with GenAI attributes', async () => {
    const telemetry = await telemetryFor('http/json', { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test' });
    expect(telemetry.enabled).toBe(true);
    await expect(sampleRun(telemetry)).resolves.toBe('approved');
    await telemetry.shutdown();
    const spans = await receiver.waitForSpans(5, 2_000);

    const run = byName(spans, 'invoke_agent baton');
    const turn = byName(spans, 'invoke_agent researcher');
    const model = byName(spans, 'chat gpt-test');
    const tool = byName(spans, 'execute_tool web_fetch');
    const guard = byName(spans, 'guard tool');
    expect(run.parentSpanId).toBeUndefined();
    expect(turn.parentSpanId).toBe(run.spanId);
    expect(model.parentSpanId).toBe(turn.spanId);
    expect(tool.parentSpanId).toBe(turn.spanId);
    expect(guard.parentSpanId).toBe(tool.spanId);
    expect(new Set(spans.map((span) => span.traceId)).size).toBe(1);

    expect(run.attributes).toMatchObject({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'baton', 'gen_ai.conversation.id': 'run-42', 'baton.run.id': 'run-42', 'baton.run.goal_length': 27, 'baton.run.resumed': false, 'baton.run.engine': 'models', 'baton.run.status': 'approved' });
    expect(run.status.code).not.toBe(STATUS_ERROR);
    expect(turn.attributes).toMatchObject({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'researcher', 'baton.turn.kind': 'researcher', 'baton.turn.round': 2, 'baton.turn.step': 'step-1' });
    expect(model.kind).toBe(SPAN_KIND_CLIENT);
    expect(model.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-test',
      'gen_ai.request.max_tokens': 512,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.response.model': 'gpt-test-2025',
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 30,
      'gen_ai.response.finish_reasons': ['tool_calls'],
      'server.address': 'models.example.test',
      'server.port': 443,
      'baton.routing.reason': 'cheapest capable',
      'baton.cost_usd': 0.0012,
    });
    expect(tool.attributes).toEqual({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'web_fetch', 'gen_ai.tool.call.id': 'call-7', 'gen_ai.tool.type': 'function', 'baton.tool.side_effect': false, 'baton.tool.replayed': true });
    expect(guard.attributes).toEqual({ 'baton.guard.surface': 'tool', 'baton.guard.action': 'quarantine', 'baton.guard.source': 'https://example.test/page', 'baton.guard.detectors': ['heuristic', 'classifier'], 'baton.guard.rules': ['ignore-previous', 'injection'], 'baton.guard.score': 1 });
    expect(run.resource).toMatchObject({ 'service.name': 'baton', 'service.version': '9.8.7', 'deployment.environment.name': 'test' });

    const sent = receiver.requests().map((request) => request.body.toString('utf8')).join('\n');
    expect(receiver.requests().every((request) => request.contentType === 'application/json')).toBe(true);
    expect(sent).not.toContain('COMPLETION-TEXT-NOT-TO-EXPORT');
    expect(sent).not.toContain('key@');
    expect(warnings).toEqual([]);
  });

  it('marks a failing model call ERROR with error.type from the error code, and passes the error through', async () => {
    const telemetry = await telemetryFor('http/json');
    class ModelTimeoutError extends Error {
      readonly code = 'MODEL_TIMEOUT';
    }
    const failure = new ModelTimeoutError('the model did not answer in 30 s');
    const run = telemetry.run({ runId: 'run-9' }, () =>
      telemetry.modelCall({ operation: 'chat', provider: 'openai', model: 'gpt-slow' }, async () => {
        await delay(1);
        throw failure;
      }),
    );
    await expect(run).rejects.toBe(failure);
    await expect(telemetry.toolCall({ name: 'calc' }, () => Promise.reject(new TypeError('bad input')))).rejects.toThrow(TypeError);
    await expect(telemetry.toolCall({ name: 'thrower' }, () => Promise.reject('a string'))).rejects.toBe('a string');
    await telemetry.shutdown();
    const spans = await receiver.waitForSpans(4, 2_000);

    const model = byName(spans, 'chat gpt-slow');
    expect(model.status).toEqual({ code: STATUS_ERROR, message: 'the model did not answer in 30 s' });
    expect(model.attributes['error.type']).toBe('MODEL_TIMEOUT');
    expect(model.events.map((event) => event.name)).toContain('exception');
    const runSpan = byName(spans, 'invoke_agent baton');
    expect(runSpan.status.code).toBe(STATUS_ERROR);
    expect(runSpan.attributes['baton.run.status']).toBe('failed');
    expect(byName(spans, 'execute_tool calc').attributes['error.type']).toBe('TypeError');
    expect(byName(spans, 'execute_tool thrower').attributes['error.type']).toBe('_OTHER');
  });

  it('keeps the value when a result mapper throws, and records a tool error result', async () => {
    const telemetry = await telemetryFor('http/json');
    const value = await telemetry.modelCall({ operation: 'embeddings', provider: 'openai', model: 'embed-small' }, () => Promise.resolve([0.1, 0.2]), () => {
      throw new Error('mapper bug');
    });
    expect(value).toEqual([0.1, 0.2]);
    await telemetry.toolCall({ name: 'crm.update', type: 'extension', sideEffect: true }, () => Promise.resolve({ isError: true }), () => ({ error: 'CONNECTOR_REJECTED' }));
    await telemetry.shutdown();
    const spans = await receiver.waitForSpans(2, 2_000);
    expect(byName(spans, 'embeddings embed-small').attributes['gen_ai.operation.name']).toBe('embeddings');
    const tool = byName(spans, 'execute_tool crm.update');
    expect(tool.status.code).toBe(STATUS_ERROR);
    expect(tool.attributes).toMatchObject({ 'gen_ai.tool.type': 'extension', 'baton.tool.side_effect': true, 'error.type': 'CONNECTOR_REJECTED' });
  });

  it('sends the OTEL_EXPORTER_OTLP_HEADERS and names the service after OTEL_SERVICE_NAME', async () => {
    const telemetry = await telemetryFor('http/json', { OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=secret-1', OTEL_SERVICE_NAME: 'baton-ci' });
    await telemetry.turn({ runId: 'r', role: 'planner', kind: 'planner', round: 1 }, () => Promise.resolve());
    await telemetry.shutdown();
    const [span] = await receiver.waitForSpans(1, 2_000);
    expect(span?.resource['service.name']).toBe('baton-ci');
    expect(receiver.requests()[0]?.headers['x-api-key']).toBe('secret-1');
  });
});

describe('trace export over http/protobuf', () => {
  it.each([['http/protobuf'], [undefined]])('sends protobuf with the span names in the bytes (protocol %s)', async (protocol) => {
    const telemetry = await telemetryFor(protocol);
    await sampleRun(telemetry);
    await telemetry.shutdown();
    const requests = receiver.requests();
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((request) => request.contentType === 'application/x-protobuf')).toBe(true);
    const bytes = Buffer.concat(requests.map((request) => request.body));
    for (const name of ['invoke_agent baton', 'invoke_agent researcher', 'chat gpt-test', 'execute_tool web_fetch', 'guard tool']) {
      expect(bytes.includes(Buffer.from(name, 'utf8')), name).toBe(true);
    }
    expect(bytes.includes(Buffer.from('COMPLETION-TEXT-NOT-TO-EXPORT'))).toBe(false);
  });

  it('warns once that grpc is not supported and sends http/protobuf instead', async () => {
    const telemetry = await telemetryFor('grpc');
    await telemetry.turn({ runId: 'r', role: 'checker', kind: 'checker', round: 1 }, () => Promise.resolve());
    await telemetry.shutdown();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/gRPC is not supported/);
    expect(receiver.requests().map((request) => request.contentType)).toEqual(['application/x-protobuf']);
  });
});

describe('when telemetry is off', () => {
  it.each([
    ['no OTEL variables', {}],
    ['OTEL_SDK_DISABLED=true', { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' }],
    ['OTEL_TRACES_EXPORTER=none', { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:1/v1/traces' }],
  ])('%s: returns the no-op telemetry and sends nothing', async (_name, env: NodeJS.ProcessEnv) => {
    const telemetry = await createTelemetry({ env, serviceVersion: '1.0.0', warn: (message) => warnings.push(message) });
    expect(telemetry).toBe(noTelemetry);
    expect(telemetry.enabled).toBe(false);
    await expect(sampleRun(telemetry)).resolves.toBe('approved');
    await telemetry.shutdown();
    await delay(50);
    expect(receiver.requests()).toEqual([]);
    expect(warnings).toEqual([]);
  });
});

describe('when the collector is down', () => {
  it.each([
    ['refuses connections', () => closedPort()],
    ['accepts but never answers', () => silentServer()],
  ])('%s: nothing throws, shutdown resolves within 3 s, one warning', async (_name, collector) => {
    const { url, close } = await collector();
    try {
      vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', url);
      const telemetry = await createTelemetry({ env: process.env, serviceVersion: '1.0.0', warn: (message) => warnings.push(message) });
      expect(telemetry.enabled).toBe(true);
      await expect(sampleRun(telemetry)).resolves.toBe('approved');
      const started = Date.now();
      await expect(telemetry.shutdown()).resolves.toBeUndefined();
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^OpenTelemetry: .*spans are being dropped/);
    } finally {
      await close();
    }
  });
});

/** A URL on which nothing listens. */
async function closedPort(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { url: `http://127.0.0.1:${port}`, close: async () => undefined };
}

/** A collector that reads requests and never answers them. */
async function silentServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((request) => request.resume());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
