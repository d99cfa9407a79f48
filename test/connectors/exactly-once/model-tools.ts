/** A project whose researcher is a scripted fake OpenAI model that calls crm.open_ticket as a tool. */
import { startFakeOpenAI, type ChatReply, type RecordedRequest } from '../../support/fake-openai.js';
import { cleanups, GOAL, project } from './helpers.js';

const SOURCE = 'kb/ledger.md';
const QUOTE = 'The Lighthouse project keeps a ledger of every ship that docks at the harbour';
const usage = { prompt_tokens: 100, completion_tokens: 10 };
export const json = (value: unknown): ChatReply => ({ content: JSON.stringify(value), usage });
export const findings = json({ claims: [{ text: 'The project keeps a ledger of every docking ship.', citations: [{ source: SOURCE, quote: QUOTE }] }], gaps: [] });

interface Body {
  messages: Array<{ role: string; content: unknown; tool_call_id?: string }>;
}
export const bodyOf = (request: RecordedRequest): Body => request.body as Body;

export function roleOf(request: RecordedRequest): 'planner' | 'researcher' | 'checker' {
  const system = JSON.stringify(bodyOf(request).messages.find((message) => message.role === 'system')?.content);
  if (system.includes('You are the Planner')) return 'planner';
  if (system.includes('You are the Researcher')) return 'researcher';
  return 'checker';
}

/** Tool results the researcher has seen so far in this request. */
export function toolResults(request: RecordedRequest): string[] {
  return bodyOf(request).messages.filter((message) => message.role === 'tool').map((message) => String(message.content));
}

export const ticket = (id: string, summary: string): ChatReply => ({ toolCalls: [{ id, name: 'crm__open_ticket', arguments: { customerId: 'c-1001', summary } }], usage });

export async function toolProject(crmUrl: string, researcher: (request: RecordedRequest, results: string[]) => ChatReply, ticketOptions: Parameters<typeof project>[1] = {}, tools = 'search_docs, read_source, crm.open_ticket') {
  const fake = await startFakeOpenAI({
    chat: (request) => {
      switch (roleOf(request)) {
        case 'planner':
          return json({ steps: [{ id: 's1', question: GOAL }] });
        case 'researcher':
          return researcher(request, toolResults(request));
        case 'checker':
          return json({ decision: 'approve', objections: [] });
      }
    },
  });
  cleanups.push(() => fake.close());
  const config = ['models:', '  - name: fake', '    provider: openai-compatible', `    baseUrl: ${fake.url}`, '    model: fake-gpt', '    zone: private', 'defaultModel: fake', 'knowledge:', '  paths: [kb]', 'flow: [planner, researcher, checker]', 'runs:', '  leaseMs: 1000', ''];
  const role = `name: researcher\nkind: researcher\ndescription: Answers.\nprompt: researcher\nsearch:\n  limit: 6\ntools: [${tools}]\ntemperature: 0\n`;
  const cwd = project(crmUrl, ticketOptions, '[planner, researcher, checker]', { 'agents/researcher.yaml': role });
  const { writeFileSync } = await import('node:fs');
  const path = await import('node:path');
  writeFileSync(path.join(cwd, 'baton.config.yaml'), config.join('\n'));
  return { fake, cwd };
}
