/**
 * Three things can stop a model call, and each must end the run its own way: every attempt timing out is a model
 * failure (`failed`, `MODEL_TIMEOUT`), a person's abort is `cancelled`, and the run's deadline is `budget_exceeded`.
 * Each runs over real HTTP against fakes on 127.0.0.1 that answer slower than the model's `timeoutMs`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenAICompatibleModel } from '../../src/config/models.js';
import { loadProject } from '../../src/config/load.js';
import { ModelTimeoutError } from '../../src/errors.js';
import { transcribe } from '../../src/models/transcription.js';
import { readAttachments } from '../../src/runtime/attachments.js';
import { openRuntime, type Runtime } from '../../src/runtime/open.js';
import { runGoal } from '../../src/runtime/run.js';
import { startFakeOpenAI, type ChatReply, type FakeOpenAI } from '../support/fake-openai.js';
import { makeProject } from '../support/project.js';

const GOAL = 'When is the harbour light lit?';
const FACT = 'The harbour light is lit every night at dusk.';
const TIMEOUT_MS = 150;
/** Longer than the timeout, short enough that a closing fake does not keep the test waiting. */
const SLOW: ChatReply = { delayMs: 1_500, content: '{}' };

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function slowFake(): Promise<FakeOpenAI> {
  const server = await startFakeOpenAI({ chat: () => SLOW, transcription: () => SLOW });
  cleanups.push(() => server.close());
  return server;
}

interface ModelYaml {
  name: string;
  url: string;
  stream?: boolean;
  capabilities?: string[];
  timeoutMs?: number;
}

async function setup(models: ModelYaml[], extra = ''): Promise<Runtime> {
  const modelYaml = models
    .map(
      (model) => `  - name: ${model.name}
    provider: openai-compatible
    baseUrl: ${model.url}
    model: ${model.name}-id
    capabilities: [${(model.capabilities ?? ['text', 'structured-output', 'tools']).join(', ')}]
    timeoutMs: ${model.timeoutMs ?? TIMEOUT_MS}
    stream: ${model.stream ?? false}`,
    )
    .join('\n');
  const cwd = makeProject({
    'baton.config.yaml': `knowledge:\n  paths: [kb]\nmodels:\n${modelYaml}\ndefaultNeeds:\n  capabilities: [text]\nresilience:\n  maxAttemptsPerModel: 2\n  baseDelayMs: 1\n  maxDelayMs: 5\n  failureThreshold: 10\n${extra}`,
    'kb/harbour.md': `# Harbour\n\n${FACT}\n`,
  });
  const project = loadProject({ cwd, env: {} });
  const runtime = await openRuntime(project, { env: {} });
  cleanups.push(() => runtime.close());
  return runtime;
}

describe('model call timeouts', () => {
  it('ends failed with MODEL_TIMEOUT naming the model, the timeout and the attempts when every attempt times out', async () => {
    const server = await slowFake();
    const runtime = await setup([{ name: 'slow', url: server.url }]);
    const outcome = await runGoal(runtime, { goal: GOAL });

    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe('MODEL_TIMEOUT');
    expect(outcome.error?.message).toMatch(/"slow"/);
    expect(outcome.error?.message).toContain(`${TIMEOUT_MS} ms`);
    expect(outcome.error?.message).toContain('2 attempts');
    const planner = (await runtime.store.turns(outcome.runId)).find((turn) => turn.role === 'planner');
    expect(planner?.error?.code).toBe('MODEL_TIMEOUT');
    expect(planner?.events.filter((event) => event.type === 'retry')).toMatchObject([{ model: 'slow', error: expect.stringMatching(/^MODEL_TIMEOUT/) }]);
    expect(await runtime.store.getRun(outcome.runId)).toMatchObject({ status: 'failed', error: { code: 'MODEL_TIMEOUT' } });
  });

  it('does the same for a streamed model', async () => {
    const server = await slowFake();
    const runtime = await setup([{ name: 'streamer', url: server.url, stream: true }]);
    const outcome = await runGoal(runtime, { goal: GOAL });

    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ code: 'MODEL_TIMEOUT', message: expect.stringContaining('"streamer"') });
    expect(outcome.error?.message).toContain('2 attempts');
  });

  it('names every model when the fallback models all time out', async () => {
    const first = await slowFake();
    const second = await slowFake();
    const runtime = await setup([
      { name: 'first', url: first.url },
      { name: 'second', url: second.url, timeoutMs: 200 },
    ]);
    const outcome = await runGoal(runtime, { goal: GOAL });

    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe('MODEL_TIMEOUT');
    expect(outcome.error?.message).toMatch(/"first".*150 ms.*2 attempts/);
    expect(outcome.error?.message).toMatch(/"second".*200 ms.*2 attempts/);
    const planner = (await runtime.store.turns(outcome.runId)).find((turn) => turn.role === 'planner');
    expect(planner?.events.filter((event) => event.type === 'fallback')).toMatchObject([{ model: 'first', nextModel: 'second' }]);
  });

  it('ends failed with MODEL_TIMEOUT when transcribing an attachment times out', async () => {
    const chat = await slowFake();
    const speech = await slowFake();
    const runtime = await setup([
      { name: 'chat', url: chat.url },
      { name: 'whisper', url: speech.url, capabilities: ['transcription'] },
    ]);
    const audio = path.join(runtime.project.baseDir, 'call.wav');
    writeFileSync(audio, Buffer.from('RIFF0000WAVEfmt '));
    const outcome = await runGoal(runtime, { goal: GOAL, attachments: await readAttachments([audio], runtime.project.baseDir) });

    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ code: 'MODEL_TIMEOUT', message: expect.stringContaining('"whisper"') });
    const transcription = (await runtime.store.turns(outcome.runId)).find((turn) => turn.role === 'transcription');
    expect(transcription?.error?.code).toBe('MODEL_TIMEOUT');
    expect(chat.chatRequests()).toHaveLength(0);
  });

  it('maps a transcription aborted by a timeout to ModelTimeoutError', async () => {
    const speech = await slowFake();
    const spec = OpenAICompatibleModel.parse({ name: 'whisper', provider: 'openai-compatible', baseUrl: speech.url, model: 'whisper-1' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new ModelTimeoutError('model "whisper" did not answer within 50 ms', { endpoint: speech.url, model: 'whisper' })), 50);
    const error = await transcribe(spec, {}, { fileName: 'a.wav', mimeType: 'audio/wav', bytes: Buffer.from('RIFF'), signal: controller.signal }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelTimeoutError);
  });

  it('still ends cancelled, not timed out, when the caller aborts during a slow call', async () => {
    const server = await slowFake();
    const runtime = await setup([{ name: 'slow', url: server.url, timeoutMs: 10_000 }]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const outcome = await runGoal(runtime, { goal: GOAL, signal: controller.signal });

    expect(outcome.status).toBe('cancelled');
    expect(outcome.error?.code).toBe('CANCELLED');
  });

  it('still ends budget_exceeded, not cancelled, when the run deadline passes during a slow call', async () => {
    const server = await slowFake();
    const runtime = await setup([{ name: 'slow', url: server.url, timeoutMs: 10_000 }], 'limits:\n  maxDurationMs: 200\n');
    const outcome = await runGoal(runtime, { goal: GOAL });

    expect(outcome.status).toBe('budget_exceeded');
    expect(outcome.error).toMatchObject({ code: 'BUDGET_EXCEEDED', message: expect.stringMatching(/deadline passed while calling model "slow"/) });
    const planner = (await runtime.store.turns(outcome.runId)).find((turn) => turn.role === 'planner');
    expect(planner?.error?.code).toBe('BUDGET_EXCEEDED');
  });

  it('ends budget_exceeded, not failed, when the run deadline passes while transcribing', async () => {
    const chat = await slowFake();
    const speech = await slowFake();
    const runtime = await setup(
      [
        { name: 'chat', url: chat.url },
        { name: 'whisper', url: speech.url, capabilities: ['transcription'], timeoutMs: 10_000 },
      ],
      'limits:\n  maxDurationMs: 200\n',
    );
    const audio = path.join(runtime.project.baseDir, 'call.wav');
    writeFileSync(audio, Buffer.from('RIFF0000WAVEfmt '));
    const outcome = await runGoal(runtime, { goal: GOAL, attachments: await readAttachments([audio], runtime.project.baseDir) });

    expect(outcome.status).toBe('budget_exceeded');
    expect(outcome.error).toMatchObject({ code: 'BUDGET_EXCEEDED', message: expect.stringContaining('"whisper"') });
  });
});
