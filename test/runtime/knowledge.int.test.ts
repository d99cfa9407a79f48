/**
 * The researcher's evidence end to end: `baton ingest` builds the hybrid knowledge base, `baton run` answers from it
 * with citations that pass the evidence check, and each kind of bad citation is rejected by name.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { ScriptedModel, type ScriptedReply } from '../../src/models/scripted.js';
import { OfflineModel } from '../../src/models/offline/index.js';
import type { ModelRequest } from '../../src/models/types.js';
import { openRuntime, type Runtime } from '../../src/runtime/open.js';
import { runGoal } from '../../src/runtime/run.js';
import { cli } from '../support/cli.js';
import { makeProject } from '../support/project.js';

const DOCS = {
  'docs/tides.md': '# Tides\n\nSpring tides happen when the sun and the moon line up.\n\nNeap tides happen when the sun and the moon are at right angles.\n',
  'docs/ships.html': '<html><head><title>Ships</title><script>ignore()</script></head><body><nav>menu</nav><p>A clipper ship was built for speed and carried tea from China.</p></body></html>',
};

const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.close();
});

describe('knowledge base in runs', () => {
  it('ingests a folder, searches it, and answers offline with citations that pass the evidence check', async () => {
    const cwd = makeProject({ 'baton.config.yaml': 'knowledge:\n  paths: [docs]\n', ...DOCS });
    const ingest = await cli(['ingest', '--json'], cwd);
    expect(ingest.code).toBe(0);
    expect(JSON.parse(ingest.stdout)).toMatchObject({ files: 2, embedded: expect.any(Number) });
    const again = await cli(['ingest', '--json'], cwd);
    expect(JSON.parse(again.stdout)).toMatchObject({ embedded: 0, chunksAdded: 0 });

    const kb = await cli(['kb', '--json'], cwd);
    expect(JSON.parse(kb.stdout)).toMatchObject({ sources: expect.arrayContaining([expect.objectContaining({ source: 'docs/tides.md' })]), embedder: 'local-hash-v1-512' });

    const search = await cli(['tool', 'search_docs', '--input', '{"query":"clipper ship tea"}', '--json'], cwd);
    expect(JSON.parse(search.stdout).output[0]).toMatchObject({ source: 'docs/ships.html' });

    const run = await cli(['run', 'When do spring tides happen? What did a clipper ship carry?', '--json'], cwd);
    const outcome = JSON.parse(run.stdout);
    expect(outcome).toMatchObject({ status: 'approved', verified: true });
    expect([...new Set(outcome.citations.map((citation: { source: string }) => citation.source))].sort()).toEqual(['docs/ships.html', 'docs/tides.md']);
    const shown = await cli(['show', outcome.runId], cwd);
    expect(shown.stdout).toMatch(/Sources read:\n(?:.*\n)*\s+docs\/tides\.md: r1:s1\.c1/);
  });

  async function runtimeWith(script: (request: ModelRequest) => ScriptedReply | undefined): Promise<Runtime> {
    const cwd = makeProject({ 'baton.config.yaml': 'knowledge:\n  paths: [docs]\nlimits:\n  maxRounds: 1\n', ...DOCS, 'secret/notes.md': 'Neap tides are caused by sea monsters.\n' });
    const offline = new OfflineModel();
    const model = new ScriptedModel(async (request) => script(request) ?? (await offline.generate(request)).text);
    const runtime = await openRuntime(loadProject({ cwd, env: {} }), { env: {}, modelOverrides: { offline: model } });
    runtimes.push(runtime);
    return runtime;
  }

  const research = (claims: Array<{ text: string; source: string; quote: string }>) =>
    JSON.stringify({ claims: claims.map((claim) => ({ text: claim.text, citations: [{ source: claim.source, quote: claim.quote }] })), gaps: [] });

  it('rejects a fabricated quote, naming the claim', async () => {
    const runtime = await runtimeWith((request) =>
      request.task.kind === 'research' ? research([{ text: 'Spring tides need a full moon.', source: 'docs/tides.md', quote: 'Spring tides only happen at full moon.' }]) : undefined,
    );
    const outcome = await runGoal(runtime, { goal: 'When do spring tides happen?' });
    expect(outcome.status).toBe('unverified');
    expect(outcome.objections).toEqual(expect.arrayContaining([expect.stringMatching(/claim s1\.c1\b.*does not occur in docs\/tides\.md/)]));
  });

  it('rejects a quote from a source the run never read, even when the quote is real', async () => {
    const runtime = await runtimeWith((request) =>
      request.task.kind === 'research' ? research([{ text: 'Neap tides have a cause.', source: 'secret/notes.md', quote: 'Neap tides are caused by sea monsters.' }]) : undefined,
    );
    const outcome = await runGoal(runtime, { goal: 'What causes neap tides?' });
    expect(outcome.status).toBe('unverified');
    expect(outcome.objections).toEqual(expect.arrayContaining([expect.stringMatching(/claim s1\.c1 cites secret\/notes\.md, which no role read/)]));
  });

  it('rejects a plan step with no support, naming the step', async () => {
    const runtime = await runtimeWith((request) => {
      if (request.task.kind === 'plan') return JSON.stringify({ steps: [{ id: 's1', question: 'When do spring tides happen?' }, { id: 's2', question: 'Who invented the lighthouse?' }] });
      if (request.task.kind === 'research' && request.task.step.id === 's2') return JSON.stringify({ claims: [], gaps: ['nothing on lighthouses'] });
      return undefined;
    });
    const outcome = await runGoal(runtime, { goal: 'When do spring tides happen, and who invented the lighthouse?' });
    expect(outcome.status).toBe('unverified');
    expect(outcome.objections).toEqual([expect.stringMatching(/plan step s2 \("Who invented the lighthouse\?"\) has no claim that is quoted, supported and relevant/)]);
  });
});
