/** A value stored with `baton secrets set` never reaches a model, a turn, a checkpointed answer or the result. */
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { SecretStoreError } from '../../src/secrets/errors.js';
import { OfflineModel } from '../../src/models/offline/index.js';
import { ScriptedModel } from '../../src/models/scripted.js';
import type { ModelRequest } from '../../src/models/types.js';
import { openRuntime, type Runtime } from '../../src/runtime/open.js';
import { runGoal } from '../../src/runtime/run.js';
import { SecretStore } from '../../src/secrets/store.js';
import { makeProject } from '../support/project.js';

const VALUE = 'lighthouse-key-93c1f8a27d';
const ENV = { BATON_SECRET_KEY: Buffer.alloc(32, 3).toString('hex') };

const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.close();
});

function project() {
  const cwd = makeProject({
    'baton.config.yaml': 'knowledge:\n  paths: [kb]\n',
    'kb/lighthouse.md': '# Lighthouses\n\nA lighthouse warns ships away from dangerous rocks at night.\n',
  });
  return loadProject({ cwd, env: {}, prepareDataDir: true });
}

describe('stored secrets in a run', () => {
  it('redacts a stored value from the goal, every turn, every model request and the result', async () => {
    const loaded = project();
    SecretStore.open({ dataDir: loaded.dataDir, env: ENV }).set('LIGHTHOUSE_KEY', VALUE);
    const requests: ModelRequest[] = [];
    const offline = new OfflineModel();
    const model = new ScriptedModel(async (request) => {
      requests.push(request);
      const reply = await offline.generate(request);
      return { text: reply.text, usage: { inputTokens: reply.usage.inputTokens, outputTokens: reply.usage.outputTokens } };
    });
    const runtime = await openRuntime(loaded, { env: ENV, modelOverrides: { offline: model }, sleep: async () => undefined });
    runtimes.push(runtime);
    const outcome = await runGoal(runtime, { goal: `What does a lighthouse warn ships about? Use key ${VALUE} if needed.` });
    const turns = await runtime.store.turns(outcome.runId);
    const run = await runtime.store.getRun(outcome.runId);
    expect(turns.length).toBeGreaterThan(0);
    expect(requests.length).toBeGreaterThan(0);
    for (const text of [JSON.stringify(turns), JSON.stringify(run), JSON.stringify(outcome), JSON.stringify(requests.map((request) => request.messages))]) {
      expect(text).not.toContain(VALUE);
    }
    expect(run.goal).toContain('[REDACTED:secret]');
  });

  it('refuses to open a runtime when stored secrets cannot be decrypted (fail closed)', async () => {
    const loaded = project();
    SecretStore.open({ dataDir: loaded.dataDir, env: ENV }).set('LIGHTHOUSE_KEY', VALUE);
    await expect(openRuntime(loaded, { env: {} })).rejects.toBeInstanceOf(SecretStoreError);
  });
});
