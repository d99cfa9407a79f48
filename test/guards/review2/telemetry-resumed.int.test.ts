/**
 * The run span's `baton.run.resumed` says whether the run continues from a checkpoint. executeRun computes it as
 * `resumes > 0 || status !== 'queued'`, but `runGoal` hands it a record already `running`: every fresh `baton run`
 * is exported as resumed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runGoal } from '../../../src/runtime/run.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/otlp-receiver.js';
import { fakeModels, GOAL, modelsYaml, openFolder, projectFolder } from '../runs/helpers.js';

let receiver: OtlpReceiver;
beforeEach(async () => {
  for (const name of Object.keys(process.env).filter((key) => key.startsWith('OTEL_'))) vi.stubEnv(name, undefined);
  receiver = await startOtlpReceiver();
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await receiver.close();
});

describe('the run span', () => {
  it('marks a fresh run as not resumed', async () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const models = await fakeModels();
    const { runtime } = await openFolder(projectFolder(modelsYaml(models.url)), { env });
    const outcome = await runGoal(runtime, { goal: GOAL });
    await runtime.close();
    const run = receiver.spans().find((span) => span.name === 'invoke_agent baton');
    expect(run?.attributes['baton.run.id']).toBe(outcome.runId);
    expect(run?.attributes['baton.run.resumed']).toBe(false);
  });
});
