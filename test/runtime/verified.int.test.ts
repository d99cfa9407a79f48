/**
 * "Verified" means answered: a model researcher that returns a real quote under an unrelated claim, or a real but
 * unrelated sentence as the answer, is not approved, even when the checker model approves everything; a checker model
 * that judges a claim irrelevant rejects what the deterministic checks pass.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { OfflineModel } from '../../src/models/offline/index.js';
import { ScriptedModel, type ScriptedReply } from '../../src/models/scripted.js';
import type { ModelRequest } from '../../src/models/types.js';
import { openRuntime, type Runtime } from '../../src/runtime/open.js';
import { runGoal } from '../../src/runtime/run.js';
import type { CheckTask } from '../../src/roles/tasks.js';
import { EDITOR_PROMPT, EDITOR_ROLE, makeProject } from '../support/project.js';

const KNOWLEDGE = {
  'kb/lighthouse.md':
    '# Lighthouses\n\nA lighthouse warns ships away from dangerous rocks at night.\n\nThe Fresnel lens lets a small lamp be seen many miles out to sea.\n\n## Logging\n\nLog levels are printed as numbers unless a formatter maps them to labels.\n',
};
const SOURCE = 'kb/lighthouse.md';

const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.close();
});

/** A runtime whose model answers `script` where it returns a reply, and as the offline engine elsewhere. */
async function setup(script: (request: ModelRequest) => ScriptedReply | undefined, flow?: string) {
  const files: Record<string, string> = flow ? { 'agents/editor.yaml': EDITOR_ROLE, 'prompts/editor.md': EDITOR_PROMPT } : {};
  const cwd = makeProject({ 'baton.config.yaml': `knowledge:\n  paths: [kb]\nlimits:\n  maxRounds: 2\n${flow ? `flow: ${flow}\n` : ''}`, ...KNOWLEDGE, ...files });
  const offline = new OfflineModel();
  const model = new ScriptedModel(async (request) => {
    const scripted = script(request);
    if (scripted !== undefined) return scripted;
    const reply = await offline.generate(request);
    return { text: reply.text, usage: { inputTokens: reply.usage.inputTokens, outputTokens: reply.usage.outputTokens } };
  });
  const runtime = await openRuntime(loadProject({ cwd, env: {} }), { env: {}, modelOverrides: { offline: model }, sleep: async () => undefined });
  runtimes.push(runtime);
  return runtime;
}

function research(claims: Array<{ text: string; quote: string }>): string {
  return JSON.stringify({ claims: claims.map((claim) => ({ text: claim.text, citations: [{ source: SOURCE, quote: claim.quote }] })), gaps: [] });
}

/** A checker model that approves whatever it is shown. */
function approveAll(request: ModelRequest): ScriptedReply | undefined {
  if (request.task.kind !== 'check') return undefined;
  const task = request.task as CheckTask;
  return JSON.stringify({ decision: 'approve', claims: task.claims.map((claim) => ({ id: claim.id, supported: true, relevant: true })), objections: [] });
}

describe('an approved answer answers the goal', () => {
  it('is refused when a real quote stands under a claim it does not support', async () => {
    const runtime = await setup((request) =>
      request.task.kind === 'research'
        ? research([{ text: 'A lighthouse warns ships away from dangerous rocks at night.', quote: 'The Fresnel lens lets a small lamp be seen many miles out to sea.' }])
        : approveAll(request),
    );
    const outcome = await runGoal(runtime, { goal: 'What does a lighthouse warn ships about?' });
    expect(outcome.status).toBe('unverified');
    expect(outcome.result?.verification.verified).toBe(false);
    const kinds = (await runtime.store.turns(outcome.runId)).filter((turn) => turn.role === 'checker').flatMap((turn) => (turn.output as { objections: Array<{ kind: string }> }).objections.map((objection) => objection.kind));
    expect(kinds).toContain('support');
    expect(kinds).toContain('step-unsupported');
  });

  it('is refused when a real, unrelated sentence is given as the answer', async () => {
    const log = 'Log levels are printed as numbers unless a formatter maps them to labels.';
    const runtime = await setup((request) => (request.task.kind === 'research' ? research([{ text: log, quote: log }]) : approveAll(request)));
    const outcome = await runGoal(runtime, { goal: 'What does a lighthouse warn ships about?' });
    expect(outcome.status).toBe('unverified');
    const checker = (await runtime.store.turns(outcome.runId)).filter((turn) => turn.role === 'checker').at(-1)!;
    const objections = (checker.output as { objections: Array<{ kind: string; message: string }> }).objections;
    expect(objections.map((objection) => objection.kind)).toContain('relevance');
    // The checker says what evidence is missing, in words a person can act on.
    expect(objections.find((objection) => objection.kind === 'step-unsupported')?.message).toMatch(/does not address the question/);
  });

  it('is refused when the checker model judges a claim irrelevant, though the checks pass it', async () => {
    const runtime = await setup((request) => {
      if (request.task.kind !== 'check') return undefined;
      const task = request.task as CheckTask;
      return JSON.stringify({ decision: 'approve', claims: task.claims.map((claim) => ({ id: claim.id.toUpperCase(), supported: true, relevant: false, reason: 'it names the danger but not the warning' })) });
    });
    const outcome = await runGoal(runtime, { goal: 'What does a lighthouse warn ships about?' });
    expect(outcome.status).toBe('unverified');
    const checker = (await runtime.store.turns(outcome.runId)).filter((turn) => turn.role === 'checker')[0]!;
    const output = checker.output as { decision: string; evidence: { passed: boolean }; objections: Array<{ kind: string; message: string }> };
    expect(output.evidence.passed).toBe(true);
    expect(output.decision).toBe('reject');
    expect(output.objections.find((objection) => objection.kind === 'relevance')?.message).toMatch(/not an answer.*it names the danger/);
  });

  it('is approved when the claim answers and the checker model agrees', async () => {
    const runtime = await setup(approveAll);
    const outcome = await runGoal(runtime, { goal: 'What does a lighthouse warn ships about?' });
    expect(outcome.status).toBe('approved');
    expect(outcome.result?.answer).toMatch(/dangerous rocks/);
  });

  it('checks a draft an editor rewrote against the quotes it cites: a sentence they do not support is refused', async () => {
    const flow = '[planner, researcher, editor, checker]';
    const edit = (text: string) => (request: ModelRequest): ScriptedReply | undefined => (request.task.kind === 'generic' ? JSON.stringify({ message: 'edited', draft: text }) : undefined);
    const madeUp = await setup(edit('A lighthouse warns ships away from icebergs and pirates, and it never operates at night. [1]'), flow);
    const refused = await runGoal(madeUp, { goal: 'What does a lighthouse warn ships about?' });
    expect(refused.status).toBe('unverified');
    expect(refused.objections.join('\n')).toMatch(/the edited draft says "A lighthouse warns ships away from icebergs.*which its cited quotes do not support/);
    const unmarked = await setup(edit('A lighthouse warns ships away from dangerous rocks at night. [1] It is very old.'), flow);
    expect((await runGoal(unmarked, { goal: 'What does a lighthouse warn ships about?' })).objections.join('\n')).toMatch(/"It is very old\." without a citation/);
    const faithful = await setup(edit('What does a lighthouse warn ships about?\n\nA lighthouse warns ships away from dangerous rocks at night. [1]'), flow);
    expect((await runGoal(faithful, { goal: 'What does a lighthouse warn ships about?' })).status).toBe('approved');
  });

  it('ends unverified, naming what is missing, when the sources cannot answer', async () => {
    const runtime = await setup(() => undefined);
    const outcome = await runGoal(runtime, { goal: 'How tall is the tallest lighthouse in Japan?' });
    expect(outcome.status).toBe('unverified');
    expect(outcome.objections.join('\n')).toMatch(/step s1/);
  });
});
