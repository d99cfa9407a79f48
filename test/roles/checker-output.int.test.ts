/**
 * What is shown is what happened: a checker whose model approves a fabricated quote rejects the draft (the evidence
 * check cannot be overruled), and every view of that turn (the record, `baton show`, the live progress line, the
 * dashboard card, the stats) says reject, with the evidence objection, and that the model had approved.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { progressLine } from '../../src/cli/format.js';
import { formatTranscript } from '../../src/cli/transcript-view.js';
import { loadProject } from '../../src/config/load.js';
import { OfflineModel } from '../../src/models/offline/index.js';
import { ScriptedModel } from '../../src/models/scripted.js';
import { readCheckerTurnOutput } from '../../src/roles/checker-output.js';
import { openRuntime, type Runtime } from '../../src/runtime/open.js';
import { runGoal } from '../../src/runtime/run.js';
import { computeStats } from '../../src/transcript/stats.js';
import type { TurnRecord } from '../../src/transcript/schema.js';
import { makeProject } from '../support/project.js';

const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.close();
});

/** A run whose researcher cites a quote the source does not hold, and whose checker model approves anyway. */
async function fabricatedRun(): Promise<{ runtime: Runtime; runId: string; checker: TurnRecord }> {
  const cwd = makeProject({
    'baton.config.yaml': 'knowledge:\n  paths: [kb]\nlimits:\n  maxRounds: 1\n',
    'kb/lighthouse.md': '# Lighthouses\n\nA lighthouse warns ships away from dangerous rocks at night.\n',
  });
  const offline = new OfflineModel();
  const model = new ScriptedModel(async (request) => {
    if (request.task.kind === 'research') {
      return JSON.stringify({ claims: [{ text: 'Lighthouses are painted blue.', citations: [{ source: 'kb/lighthouse.md', quote: 'Lighthouses are always painted blue.' }] }], gaps: [] });
    }
    if (request.task.kind === 'check') return JSON.stringify({ decision: 'approve', objections: [], feedback: 'looks fine to me' });
    const reply = await offline.generate(request);
    return { text: reply.text, usage: { inputTokens: reply.usage.inputTokens, outputTokens: reply.usage.outputTokens } };
  });
  const runtime = await openRuntime(loadProject({ cwd, env: {} }), { env: {}, modelOverrides: { offline: model }, sleep: async () => undefined });
  runtimes.push(runtime);
  const outcome = await runGoal(runtime, { goal: 'What colour are lighthouses?' });
  expect(outcome.status).toBe('unverified');
  const checker = (await runtime.store.turns(outcome.runId)).find((turn) => turn.kind === 'checker');
  expect(checker).toBeDefined();
  return { runtime, runId: outcome.runId, checker: checker! };
}

describe('a checker turn overruled by the evidence check', () => {
  it('records the effective verdict, the model verdict and the evidence result', async () => {
    const { checker } = await fabricatedRun();
    expect(checker.output).toMatchObject({
      decision: 'reject',
      objections: expect.arrayContaining([expect.objectContaining({ kind: 'quote-not-in-source' })]),
      feedback: 'looks fine to me',
      model: { decision: 'approve', objections: [] },
      evidence: { passed: false, objections: expect.arrayContaining([expect.objectContaining({ kind: 'quote-not-in-source' })]) },
    });
    // The effective objections are the evidence check's (the model raised none).
    const output = readCheckerTurnOutput(checker.output);
    expect(output?.objections).toEqual(output?.evidence.objections);
  });

  it('is shown as a rejection by `baton show` and the live progress line, with the evidence objection', async () => {
    const { runtime, runId, checker } = await fabricatedRun();
    const shown = formatTranscript(await runtime.store.getRun(runId), await runtime.store.turns(runId));
    expect(shown).toContain('verdict: reject (the model approved; the evidence check overruled it)');
    expect(shown).toContain('decision: reject (looks fine to me)');
    expect(shown).toContain("model's verdict: approve, overruled by the evidence check");
    expect(shown).toMatch(/evidence objection \[quote-not-in-source\]: .*does not occur in kb\/lighthouse\.md/);
    expect(shown).not.toContain('decision: approve');
    expect(progressLine(checker)).toContain('verdict: reject');
  });

  it('counts as a rejection in the stats', async () => {
    const { runtime, runId } = await fabricatedRun();
    const turns = await runtime.store.turns(runId);
    const report = computeStats({ runs: [await runtime.store.getRun(runId)], turnsOf: (id) => (id === runId ? turns : []) });
    expect(report.checkerApprovalRate).toBe(0);
  });

  describe('on the dashboard', () => {
    let renderTurn: (turn: TurnRecord) => FakeNode;
    beforeAll(async () => {
      installFakeDom();
      const file = pathToFileURL(path.resolve('src/server/dashboard/transcript.js')).href;
      ({ renderTurn } = (await import(file)) as { renderTurn: typeof renderTurn });
    });

    it('shows the effective decision, the overruling and the evidence objection', async () => {
      const { checker } = await fabricatedRun();
      const card = renderTurn(checker);
      const gist = card.find((node) => node.className === 'gist');
      expect(gist?.text()).toBe('Rejected (the model approved; the evidence check overruled it): looks fine to me');
      const badge = card.find((node) => node.className.startsWith('badge verdict-'));
      expect(badge?.text()).toBe('reject');
      expect(card.text()).toContain('The model approved; the evidence check overruled it.');
      expect(card.text()).toContain('Evidence check: failed with 3 objection(s)');
      expect(card.text()).toContain('quote-not-in-source');
    });

    it('does not show a custom role\'s `decision` field as a verdict the run acted on', () => {
      const generic: TurnRecord = {
        version: 1, runId: 'run_1', seq: 3, round: 1, from: 'reviewer', to: ['checker'], role: 'reviewer', kind: 'generic', model: 'scripted', startedAt: '2026-01-01T00:00:00.000Z',
        latencyMs: 1, messages: [], output: { decision: 'approve', message: 'reviewed' }, toolCalls: [], usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2, estimated: false }, costUsd: 0, attempts: 1, events: [],
      };
      const card = renderTurn(generic);
      expect(card.find((node) => node.className === 'gist')?.text()).toBe('reviewed');
      expect(card.find((node) => node.className.startsWith('badge verdict-'))).toBeUndefined();
    });
  });
});

/** Just enough of the DOM for the dashboard's `el` helper: elements with attributes and children, and text nodes. */
class FakeNode {
  className = '';
  readonly dataset: Record<string, string> = {};
  readonly children: FakeNode[] = [];
  constructor(
    readonly tag: string,
    readonly textContent = '',
  ) {}
  setAttribute(): void {}
  addEventListener(): void {}
  append(...nodes: FakeNode[]): void {
    this.children.push(...nodes);
  }
  text(): string {
    return this.textContent + this.children.map((child) => child.text()).join('');
  }
  find(predicate: (node: FakeNode) => boolean): FakeNode | undefined {
    if (predicate(this)) return this;
    for (const child of this.children) {
      const found = child.find(predicate);
      if (found) return found;
    }
    return undefined;
  }
}

function installFakeDom(): void {
  Object.assign(globalThis, {
    Node: FakeNode,
    document: { createElement: (tag: string) => new FakeNode(tag), createTextNode: (text: string) => new FakeNode('#text', text) },
  });
}
