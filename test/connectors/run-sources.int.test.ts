/**
 * What a run reads becomes evidence for the roles after it: an action's records are searched beside the knowledge
 * base (the offline researcher finds and cites `crm.customer#c-1001`), and a generic role's structured findings are a
 * source (`role:inspector`) a claim may quote, checked like any other. A generic role that declares it needs vision
 * sees the run's photo; one that does not stays on a text model.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { openRuntime, type Runtime } from '../../src/runtime/open.js';
import { runGoal } from '../../src/runtime/run.js';
import { crmSeed, startFakeSystem } from '../support/fake-systems.js';
import { startFakeOpenAI, type ChatReply, type RecordedRequest } from '../support/fake-openai.js';
import { makeProject } from '../support/project.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function open(cwd: string): Promise<Runtime> {
  const runtime = await openRuntime(loadProject({ cwd, env: {} }), { env: {} });
  cleanups.push(() => runtime.close());
  return runtime;
}

describe('the run\'s own sources', () => {
  it('an action\'s records are searched and cited by the offline researcher, and checked against the record', async () => {
    const crm = await startFakeSystem({ seed: crmSeed() });
    cleanups.push(() => crm.close());
    const cwd = makeProject({
      'baton.config.yaml': `knowledge:\n  paths: [kb]\nflow: [{ action: customer, call: crm.customer, input: "{ 'id': 'c-1002' }" }, planner, researcher, checker]\n`,
      'kb/shop.md': '# Shop\n\nThe espresso shop is open on weekdays.\n',
      'connectors/crm.yaml': `name: crm\nkind: http\nbaseUrl: ${crm.url}\noperations:\n  customer:\n    path: /customers/{id}\n    input: { type: object, properties: { id: { type: string } }, required: [id] }\n    records: { id: id }\n`,
    });
    const outcome = await runGoal(await open(cwd), { goal: 'What is the email of the customer Grace Hopper?' });
    expect(outcome.status, JSON.stringify(outcome.objections)).toBe('approved');
    expect(outcome.result?.citations.map((citation) => citation.source)).toContain('crm.customer#c-1002');
    expect(outcome.result?.answer).toContain('grace@example.com');
  });

  it('a generic role that needs vision sees the photo; its findings are a source the researcher cites', async () => {
    const seen: Record<string, RecordedRequest[]> = { inspector: [], planner: [], researcher: [], checker: [] };
    const json = (value: unknown): ChatReply => ({ content: JSON.stringify(value), usage: { prompt_tokens: 10, completion_tokens: 10 } });
    const fake = await startFakeOpenAI({
      chat: (request) => {
        const text = JSON.stringify(request.body);
        const role = text.includes('You inspect photos') ? 'inspector' : text.includes('You are the Planner') ? 'planner' : text.includes('You are the Researcher') ? 'researcher' : 'checker';
        seen[role]!.push(request);
        if (role === 'inspector') return json({ part: 'lid', damage: 'a crack across the lid', severity: 'high', matchesComplaint: true });
        if (role === 'planner') return json({ steps: [{ id: 's1', question: 'What damage do the inspector findings show on the lid?' }] });
        if (role === 'researcher') return json({ claims: [{ text: 'The inspector findings show a crack across the lid.', citations: [{ source: 'role:inspector', quote: 'inspector findings' }, { source: 'role:inspector', quote: 'damage: a crack across the lid' }] }], gaps: [] });
        return json({ decision: 'approve', objections: [] });
      },
    });
    cleanups.push(() => fake.close());
    const cwd = makeProject({
      'baton.config.yaml': [
        'models:',
        `  - { name: text, provider: openai-compatible, baseUrl: "${fake.url}", model: text-model, zone: private, capabilities: [text, structured-output] }`,
        `  - { name: eyes, provider: openai-compatible, baseUrl: "${fake.url}", model: vision-model, zone: private, capabilities: [text, vision, structured-output] }`,
        'defaultNeeds: { capabilities: [text] }',
        'knowledge:\n  paths: [kb]',
        'flow: [inspector, planner, researcher, checker]',
        '',
      ].join('\n'),
      'kb/shop.md': '# Shop\n\nThe espresso shop is open on weekdays.\n',
      'agents/inspector.yaml': 'name: inspector\nkind: generic\ndescription: Inspects the defect photo.\nneeds: { capabilities: [vision] }\noutput:\n  type: object\n  properties: { part: { type: string }, damage: { type: string }, severity: { type: string }, matchesComplaint: { type: boolean } }\n  required: [part, damage, severity, matchesComplaint]\n',
      'prompts/inspector.md': '---\nvariables: [goal]\n---\n# System\nYou inspect photos of damaged products and report what you see.\n# User\n{{goal}}\n',
    });
    mkdirSync(path.join(cwd, '.baton'), { recursive: true });
    const photo = { name: 'lid.jpg', kind: 'image' as const, mimeType: 'image/jpeg', bytes: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]), sha256: '0'.repeat(64) };
    const runtime = await open(cwd);
    const outcome = await runGoal(runtime, { goal: 'What damage do the inspector findings show on the lid?', attachments: [photo] });
    expect(outcome.status, JSON.stringify([outcome.error, outcome.objections])).toBe('approved');
    expect(JSON.stringify(seen.inspector![0]!.body)).toContain('image_url');
    expect((seen.inspector![0]!.body as { model: string }).model).toBe('vision-model');
    expect(outcome.result?.citations.map((citation) => citation.source)).toContain('role:inspector');
  });
});
