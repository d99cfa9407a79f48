/**
 * A role's output can raise the run's priority for the calls after it (`priorityFrom`): an intent role that finds the
 * inquiry urgent makes the next roles prefer the fastest eligible model over the cheapest.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { openRuntime } from '../../src/runtime/open.js';
import { runGoal } from '../../src/runtime/run.js';
import { startFakeOpenAI, type ChatReply } from '../support/fake-openai.js';
import { makeProject } from '../support/project.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const json = (value: unknown): ChatReply => ({ content: JSON.stringify(value), usage: { prompt_tokens: 10, completion_tokens: 10 } });
const QUOTE = 'The espresso shop is open on weekdays';

async function modelsUsed(urgency: string): Promise<Record<string, string[]>> {
  const used: Record<string, string[]> = {};
  const fake = await startFakeOpenAI({
    chat: (request) => {
      const body = request.body as { model: string };
      const text = JSON.stringify(request.body);
      const role = text.includes('You extract the intent') ? 'intent' : text.includes('You are the Planner') ? 'planner' : text.includes('You are the Researcher') ? 'researcher' : 'checker';
      (used[role] ??= []).push(body.model);
      if (role === 'intent') return json({ urgency, summary: 'opening hours' });
      if (role === 'planner') return json({ steps: [{ id: 's1', question: 'When is the espresso shop open?' }] });
      if (role === 'researcher') return json({ claims: [{ text: 'The espresso shop is open on weekdays.', citations: [{ source: 'kb/shop.md', quote: QUOTE }] }], gaps: [] });
      return json({ decision: 'approve', objections: [] });
    },
  });
  cleanups.push(() => fake.close());
  const cwd = makeProject({
    'baton.config.yaml': [
      'models:',
      `  - { name: fast, provider: openai-compatible, baseUrl: "${fake.url}", model: fast-model, latencyMs: 200, pricing: { inputPerMillion: 10, outputPerMillion: 30 } }`,
      `  - { name: cheap, provider: openai-compatible, baseUrl: "${fake.url}", model: cheap-model, latencyMs: 6000, pricing: { inputPerMillion: 0.1, outputPerMillion: 0.2 } }`,
      'defaultNeeds: { capabilities: [text] }',
      'knowledge:\n  paths: [kb]',
      'flow: [intent, planner, researcher, checker]',
      '',
    ].join('\n'),
    'kb/shop.md': `# Shop\n\n${QUOTE}.\n`,
    'agents/intent.yaml': 'name: intent\nkind: generic\ndescription: Reads what the customer wants.\npriorityFrom: urgency\noutput:\n  type: object\n  properties: { urgency: { type: string }, summary: { type: string } }\n  required: [urgency, summary]\n',
    'prompts/intent.md': '---\nvariables: [goal]\n---\n# System\nYou extract the intent of a customer message.\n# User\n{{goal}}\n',
  });
  const runtime = await openRuntime(loadProject({ cwd, env: {} }), { env: {} });
  cleanups.push(() => runtime.close());
  const outcome = await runGoal(runtime, { goal: 'When is the espresso shop open?' });
  expect(outcome.status, JSON.stringify(outcome.objections)).toBe('approved');
  return used;
}

describe('priorityFrom', () => {
  it('sends the calls after an urgent intent to the fastest model, and leaves a normal run on the cheapest', async () => {
    const urgent = await modelsUsed('urgent');
    expect(urgent['intent']).toEqual(['cheap-model']);
    expect([...urgent['planner']!, ...urgent['researcher']!, ...urgent['checker']!].every((model) => model === 'fast-model')).toBe(true);
    const normal = await modelsUsed('normal');
    expect([...normal['intent']!, ...normal['planner']!, ...normal['checker']!].every((model) => model === 'cheap-model')).toBe(true);
  });
});
