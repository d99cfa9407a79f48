/**
 * Policy routing over real HTTP: two OpenAI-compatible fakes on 127.0.0.1, one declared `private` and one `external`,
 * each recording every request it receives. The router, the confidential-data detectors, the resilience layer and the
 * cost accounting run for real.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { openRuntime, type Runtime } from '../../src/runtime/open.js';
import { runGoal } from '../../src/runtime/run.js';
import { readAttachments } from '../../src/runtime/attachments.js';
import { startFakeOpenAI, type ChatReply, type FakeOpenAI, type RecordedRequest } from '../support/fake-openai.js';
import { makeProject } from '../support/project.js';

const FACT = 'The harbour light is lit every night at dusk.';
const GOAL = 'When is the harbour light lit?';
const usage = { prompt_tokens: 1000, completion_tokens: 100 };

function systemText(request: RecordedRequest): string {
  const messages = (request.body as { messages: Array<{ role: string; content: unknown }> }).messages;
  return JSON.stringify(messages.find((message) => message.role === 'system')?.content ?? '');
}

/** Answers as each built-in role would, recognised by its system prompt. */
function roleReply(request: RecordedRequest): ChatReply {
  const system = systemText(request);
  if (system.includes('You are the Planner')) return { content: JSON.stringify({ steps: [{ id: 's1', question: GOAL }] }), usage };
  if (system.includes('You are the Researcher')) {
    return { content: JSON.stringify({ claims: [{ text: FACT, citations: [{ source: 'kb/harbour.md', quote: FACT }] }], gaps: [] }), usage };
  }
  return { content: JSON.stringify({ decision: 'approve', objections: [] }), usage };
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fake(chat: (request: RecordedRequest, index: number) => ChatReply = roleReply, transcription?: (file: { name: string }) => string): Promise<FakeOpenAI> {
  const server = await startFakeOpenAI({ chat, ...(transcription ? { transcription } : {}) });
  cleanups.push(() => server.close());
  return server;
}

interface ModelYaml {
  name: string;
  url: string;
  zone: 'private' | 'external';
  capabilities?: string[];
  price?: [number, number];
  latencyMs?: number;
  apiKeyEnv?: string;
}

async function setup(models: ModelYaml[], extra = '', failureThreshold = 3): Promise<Runtime> {
  const modelYaml = models
    .map(
      (model) => `  - name: ${model.name}
    provider: openai-compatible
    baseUrl: ${model.url}
    model: ${model.name}-id
    zone: ${model.zone}
    capabilities: [${(model.capabilities ?? ['text', 'structured-output', 'tools']).join(', ')}]
    pricing: { inputPerMillion: ${model.price?.[0] ?? 1}, outputPerMillion: ${model.price?.[1] ?? 2} }
    latencyMs: ${model.latencyMs ?? 1000}
    timeoutMs: 5000${model.apiKeyEnv ? `\n    apiKeyEnv: ${model.apiKeyEnv}` : ''}`,
    )
    .join('\n');
  const cwd = makeProject({
    'baton.config.yaml': `knowledge:\n  paths: [kb]\nmodels:\n${modelYaml}\ndefaultNeeds:\n  capabilities: [text]\nresilience:\n  baseDelayMs: 1\n  maxDelayMs: 5\n  failureThreshold: ${failureThreshold}\n${extra}`,
    'kb/harbour.md': `# Harbour\n\n${FACT}\n`,
  });
  const project = loadProject({ cwd, env: {} });
  const runtime = await openRuntime(project, { env: {} });
  cleanups.push(() => runtime.close());
  return runtime;
}

describe('policy routing', () => {
  it('sends nothing of a confidential run to the external model', async () => {
    const privateFake = await fake();
    const externalFake = await fake();
    // The external model is cheaper, so without the label it would win.
    const runtime = await setup([
      { name: 'inhouse', url: privateFake.url, zone: 'private', price: [5, 10] },
      { name: 'cloud', url: externalFake.url, zone: 'external', price: [0.1, 0.2] },
    ]);
    const outcome = await runGoal(runtime, { goal: GOAL, labels: { confidential: true } });
    expect(outcome.status).toBe('approved');
    expect(externalFake.requests).toHaveLength(0);
    expect(privateFake.chatRequests().length).toBe(3);
    const planner = (await runtime.store.turns(outcome.runId)).find((turn) => turn.role === 'planner');
    const decision = planner?.events.find((event) => event.type === 'route') as unknown as { chosen: string; candidates: Array<{ model: string; reasons: string[] }> };
    expect(decision.chosen).toBe('inhouse');
    expect(decision.candidates.find((candidate) => candidate.model === 'cloud')?.reasons).toContain('zone-external-confidential');
  });

  it('without the label, prefers the cheaper external model', async () => {
    const privateFake = await fake();
    const externalFake = await fake();
    const runtime = await setup([
      { name: 'inhouse', url: privateFake.url, zone: 'private', price: [5, 10] },
      { name: 'cloud', url: externalFake.url, zone: 'external', price: [0.1, 0.2] },
    ]);
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.status).toBe('approved');
    expect(privateFake.requests).toHaveLength(0);
    expect(externalFake.chatRequests()).toHaveLength(3);
  });

  it('keeps a goal with an e-mail address and an API key away from the external model', async () => {
    const privateFake = await fake();
    const externalFake = await fake();
    const runtime = await setup([
      { name: 'inhouse', url: privateFake.url, zone: 'private', price: [5, 10] },
      { name: 'cloud', url: externalFake.url, zone: 'external', price: [0.1, 0.2] },
    ]);
    const secret = 'sk-proj-abcdefghijklmnop1234567890';
    const outcome = await runGoal(runtime, { goal: `${GOAL} Reply to jane.doe@example.com; our key is ${secret}` });
    expect(externalFake.requests).toHaveLength(0);
    expect(privateFake.chatRequests().length).toBeGreaterThan(0);
    const decision = (await runtime.store.turns(outcome.runId)).find((turn) => turn.role === 'planner')?.events.find((event) => event.type === 'route') as unknown as {
      confidential: { detectors: string[] };
    };
    expect(decision.confidential.detectors).toEqual(expect.arrayContaining(['email', 'openai-api-key']));
    // The transcript keeps neither the key nor, in the routing record, the address.
    expect(JSON.stringify(await runtime.store.turns(outcome.runId))).not.toContain(secret);
  });

  it('fails closed when confidential data has no private model to go to', async () => {
    const externalFake = await fake();
    const runtime = await setup([{ name: 'cloud', url: externalFake.url, zone: 'external' }]);
    const outcome = await runGoal(runtime, { goal: `${GOAL} Contact jane.doe@example.com` });
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe('CONFIDENTIAL_NO_PRIVATE_MODEL');
    expect(outcome.error?.message).toMatch(/email/);
    expect(outcome.error?.message).not.toContain('jane.doe');
    expect(externalFake.requests).toHaveLength(0);
  });

  it('honours Retry-After on 429 and then succeeds', async () => {
    let planner429 = 0;
    const server = await fake((request) => {
      if (systemText(request).includes('You are the Planner') && planner429 < 2) {
        planner429 += 1;
        return { status: 429, headers: { 'retry-after': '1' }, content: 'slow down' };
      }
      return roleReply(request);
    });
    const runtime = await setup([{ name: 'cloud', url: server.url, zone: 'external' }]);
    const started = Date.now();
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.status).toBe('approved');
    const plannerRequests = server.chatRequests().filter((request) => systemText(request).includes('You are the Planner'));
    expect(plannerRequests).toHaveLength(3);
    expect(plannerRequests[1]!.receivedAt - plannerRequests[0]!.receivedAt).toBeGreaterThanOrEqual(990);
    expect(plannerRequests[2]!.receivedAt - plannerRequests[1]!.receivedAt).toBeGreaterThanOrEqual(990);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1980);
    const retries = (await runtime.store.turns(outcome.runId)).find((turn) => turn.role === 'planner')?.events.filter((event) => event.type === 'retry');
    expect(retries?.map((event) => event['waitMs'])).toEqual([1000, 1000]);
  }, 15_000);

  it('falls back to the next model after repeated 500s, and on a 401 without retrying', async () => {
    const failing = await fake(() => ({ status: 500, content: 'boom' }));
    const refusing = await fake(() => ({ status: 401, content: 'bad key' }));
    const healthy = await fake();
    const runtime = await setup([
      { name: 'flaky', url: failing.url, zone: 'external', price: [0.1, 0.1] },
      { name: 'locked', url: refusing.url, zone: 'external', price: [0.2, 0.2] },
      { name: 'steady', url: healthy.url, zone: 'external', price: [3, 3] },
    ], '', 2);
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.status).toBe('approved');
    const planner = (await runtime.store.turns(outcome.runId)).find((turn) => turn.role === 'planner');
    const events = planner?.events.filter((event) => event.type !== 'route').map((event) => `${event.type}:${String(event['model'])}`);
    expect(events).toContain('retry:flaky');
    expect(events).toContain('fallback:flaky');
    expect(events).toContain('fallback:locked');
    expect(events).not.toContain('retry:locked');
    expect(refusing.chatRequests().length).toBeLessThanOrEqual(3);
    expect(refusing.chatRequests().length).toBeGreaterThanOrEqual(1);
    expect(planner?.model).toBe('openai-compatible:steady-id');
    // After the planner's calls both are cooling down ("flaky" after 2 failures, "locked" at its first 401): later
    // roles probe each at most once more.
    expect(failing.chatRequests().length).toBeLessThanOrEqual(4);
    expect(planner?.events.filter((event) => event.type === 'cooldown').map((event) => event['model'])).toEqual(['flaky', 'locked']);
  });

  it('falls back when a model\'s API key variable is not set, naming the variable', async () => {
    const keyless = await fake();
    const steady = await fake();
    const runtime = await setup([
      { name: 'keyless', url: keyless.url, zone: 'external', price: [0.1, 0.1], apiKeyEnv: 'BATON_TEST_UNSET_KEY' },
      { name: 'steady', url: steady.url, zone: 'external', price: [3, 3] },
    ]);
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.status).toBe('approved');
    expect(keyless.requests).toHaveLength(0);
    const fallback = (await runtime.store.turns(outcome.runId)).find((turn) => turn.role === 'planner')?.events.find((event) => event.type === 'fallback');
    expect(fallback).toMatchObject({ model: 'keyless', nextModel: 'steady' });
    expect(String(fallback?.['error'])).toMatch(/BATON_TEST_UNSET_KEY, which is not set/);
  });

  it('ends failed listing what was tried when every model is down', async () => {
    const down = await fake(() => ({ status: 503, content: 'maintenance' }));
    const alsoDown = await fake(() => ({ status: 500, content: 'boom' }));
    const runtime = await setup([
      { name: 'one', url: down.url, zone: 'external' },
      { name: 'two', url: alsoDown.url, zone: 'external' },
    ]);
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe('ALL_MODELS_FAILED');
    expect(outcome.error?.message).toMatch(/one .*HTTP 503.*two .*HTTP 500/s);
  });

  it('sends an attached image only to the vision-capable model', async () => {
    const textOnly = await fake();
    const vision = await fake();
    const runtime = await setup([
      { name: 'cheap-text', url: textOnly.url, zone: 'external', price: [0.1, 0.1] },
      { name: 'seer', url: vision.url, zone: 'external', price: [5, 5], capabilities: ['text', 'vision', 'structured-output', 'tools'] },
    ]);
    const image = path.join(runtime.project.baseDir, 'dent.png');
    writeFileSync(image, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    const outcome = await runGoal(runtime, { goal: GOAL, attachments: await readAttachments([image], runtime.project.baseDir) });
    expect(outcome.status).toBe('approved');
    const withImages = [...textOnly.chatRequests(), ...vision.chatRequests()].filter((request) => JSON.stringify(request.body).includes('image_url'));
    expect(withImages.length).toBe(2);
    expect(textOnly.chatRequests().every((request) => !JSON.stringify(request.body).includes('image_url'))).toBe(true);
    // The checker gets no image, so the cheaper text model serves it.
    expect(textOnly.chatRequests()).toHaveLength(1);
    const run = await runtime.store.getRun(outcome.runId);
    expect(run.labels['attachments']).toEqual([expect.objectContaining({ name: 'dent.png', kind: 'image', sizeBytes: 16, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })]);
    expect(JSON.stringify(await runtime.store.turns(outcome.runId))).not.toContain('iVBORw0KGgo');
  });

  it('transcribes audio first and lets the researcher cite the transcript', async () => {
    const TRANSCRIPT = 'The customer said the harbour light failed on Tuesday night.';
    const speech = await fake(roleReply, () => TRANSCRIPT);
    const chat = await fake((request) => {
      if (systemText(request).includes('You are the Researcher')) {
        return { content: JSON.stringify({ claims: [{ text: 'The light failed on Tuesday.', citations: [{ source: 'attachment:call.wav#transcript', quote: 'the harbour light failed on Tuesday night' }] }], gaps: [] }), usage };
      }
      return roleReply(request);
    });
    const runtime = await setup([
      { name: 'chat', url: chat.url, zone: 'external' },
      { name: 'whisper', url: speech.url, zone: 'external', capabilities: ['transcription'] },
    ]);
    const audio = path.join(runtime.project.baseDir, 'call.wav');
    writeFileSync(audio, Buffer.from('RIFF0000WAVEfmt '));
    const outcome = await runGoal(runtime, { goal: 'When did the harbour light fail?', attachments: await readAttachments([audio], runtime.project.baseDir) });
    expect(outcome.status).toBe('approved');
    expect(speech.requests.map((request) => request.path)).toEqual(['/v1/audio/transcriptions']);
    const turns = await runtime.store.turns(outcome.runId);
    expect(turns[1]).toMatchObject({ role: 'transcription', output: { transcript: TRANSCRIPT } });
    expect(outcome.result?.citations[0]?.source).toBe('attachment:call.wav#transcript');
  });

  it('ends budget_exceeded when the next call would pass the budget, with costs from reported usage and prices', async () => {
    const server = await fake();
    const runtime = await setup([{ name: 'cloud', url: server.url, zone: 'external', price: [10, 100] }]);
    // One call costs 1000 × $10/M + 100 × $100/M = $0.02; the router estimates the next one before sending it.
    const outcome = await runGoal(runtime, { goal: GOAL, labels: { budgetUsd: 0.05 } });
    expect(outcome.status).toBe('budget_exceeded');
    expect(outcome.result?.verification.verified ?? false).toBe(false);
    const turns = (await runtime.store.turns(outcome.runId)).filter((turn) => turn.model !== null);
    for (const turn of turns) expect(turn.costUsd).toBeCloseTo((turn.usage.inputTokens * 10 + turn.usage.outputTokens * 100) / 1_000_000, 10);
    expect(outcome.costUsd).toBeCloseTo(turns.reduce((sum, turn) => sum + turn.costUsd, 0), 10);
    expect(outcome.costUsd).toBeLessThanOrEqual(0.05);
    expect(outcome.costEstimated).toBe(false);
  });
});
