/**
 * Shared setup of the guard run tests: whole runs through `openRuntime` and `runGoal`, with the roles' model a fake
 * OpenAI-compatible server on 127.0.0.1 (scripted per role: planner, researcher, checker, and a guard classifier), the
 * CRM a fake system, and the project a temporary folder. Everything opened is closed after each test.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach } from 'vitest';
import { loadProject, type Project } from '../../../src/config/load.js';
import type { ApprovalEvent, GuardEvent } from '../../../src/guards/types.js';
import { openRuntime, type OpenRuntimeOptions, type Runtime } from '../../../src/runtime/open.js';
import type { TurnRecord } from '../../../src/transcript/schema.js';
import { startFakeOpenAI, type ChatReply, type FakeOpenAI, type RecordedRequest } from '../../support/fake-openai.js';
import { crmSeed, startFakeSystem, type FakeSystem } from '../../support/fake-systems.js';
import { makeProject, type ProjectFiles } from '../../support/project.js';

export type { ChatReply, RecordedRequest } from '../../support/fake-openai.js';

export const GOAL = 'What does a lighthouse warn ships about?';
export const LIGHTHOUSE = 'A lighthouse warns ships away from dangerous rocks at night.';
export const KNOWLEDGE: ProjectFiles = { 'kb/lighthouse.md': `# Lighthouses\n\n${LIGHTHOUSE}\n` };
/** The model id the roles' model declares on the fake server. */
export const MODEL_ID = 'fake-gpt';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
/** Runs `cleanup` after the current test. */
export function later(cleanup: () => Promise<void> | void): void {
  cleanups.push(cleanup);
}

export type Role = 'planner' | 'researcher' | 'checker' | 'classifier';
interface WireMessage {
  role: string;
  content: unknown;
  tool_calls?: unknown;
}

export function messagesOf(request: RecordedRequest): WireMessage[] {
  return (request.body as { messages: WireMessage[] }).messages;
}
const text = (content: unknown): string => (typeof content === 'string' ? content : JSON.stringify(content));
/** The system message a request carried. */
export function systemOf(request: RecordedRequest): string {
  return messagesOf(request).filter((message) => message.role === 'system').map((message) => text(message.content)).join('\n');
}
/** The user messages a request carried. */
export function userOf(request: RecordedRequest): string {
  return messagesOf(request).filter((message) => message.role === 'user').map((message) => text(message.content)).join('\n');
}
/** The tool results a request carried, in order. */
export function toolResultsOf(request: RecordedRequest): string[] {
  return messagesOf(request).filter((message) => message.role === 'tool').map((message) => text(message.content));
}
export function roleOf(request: RecordedRequest): Role {
  const system = systemOf(request);
  if (system.includes('prompt-injection classifier')) return 'classifier';
  if (system.includes('You are the Planner')) return 'planner';
  if (system.includes('You are the Researcher')) return 'researcher';
  return 'checker';
}

export const usage = { prompt_tokens: 100, completion_tokens: 10 };
export const json = (value: unknown): ChatReply => ({ content: JSON.stringify(value), usage });
/** A researcher's reply: one claim citing `source` with `quotes`. */
export const claim = (claimText: string, source: string, quotes: readonly string[]): ChatReply => json({ claims: [{ text: claimText, citations: quotes.map((quote) => ({ source, quote })) }], gaps: [] });

/** A role's reply to a request, given how many tool results its conversation holds. */
export type Answer = (request: RecordedRequest, toolResults: number) => ChatReply;
export type Script = Partial<Record<Role, Answer>>;

export interface Models extends FakeOpenAI {
  of(role: Role): RecordedRequest[];
}

/** The goal a planner's request states. */
function goalOf(request: RecordedRequest): string {
  return /Goal: (.*)/.exec(userOf(request))?.[1]?.trim() ?? GOAL;
}

/**
 * The fake model server: the planner plans the goal as one step, the checker approves, the researcher answers as
 * scripted (no claims by default), the classifier says BENIGN; any of them can be replaced.
 */
export async function fakeModels(script: Script = {}): Promise<Models> {
  const defaults: Record<Role, Answer> = {
    planner: (request) => json({ steps: [{ id: 's1', question: goalOf(request), rationale: 'the goal asks this' }] }),
    researcher: () => json({ claims: [], gaps: ['nothing found'] }),
    checker: () => json({ decision: 'approve', objections: [], feedback: 'verified' }),
    classifier: () => ({ content: '{"label":"BENIGN","score":0.01}', usage }),
  };
  const fake = await startFakeOpenAI({
    chat: (request) => {
      const role = roleOf(request);
      return (script[role] ?? defaults[role])(request, toolResultsOf(request).length);
    },
  });
  later(() => fake.close());
  return Object.assign(fake, { of: (role: Role) => fake.chatRequests().filter((request) => roleOf(request) === role) });
}

/**
 * The config lines declaring the roles' model on the fake server and, when asked, a classifier model (`guard`, model
 * id `prompt-guard`) in the given zone and further model entries (`more`, YAML list items).
 */
export function modelsYaml(url: string, options: { classifier?: 'private' | 'external'; more?: string } = {}): string {
  return `models:
  - { name: fake, provider: openai-compatible, baseUrl: "${url}", model: ${MODEL_ID}, zone: private }
${options.classifier ? `  - { name: guard, provider: openai-compatible, baseUrl: "${url}", model: prompt-guard, zone: ${options.classifier} }\n` : ''}${options.more ?? ''}defaultModel: fake
resilience: { maxAttemptsPerModel: 1, baseDelayMs: 0, maxDelayMs: 0 }
`;
}

/**
 * A project folder, removed after the test: `config` is added to baton.config.yaml (knowledge in kb/, one round);
 * `files` default to the lighthouse document.
 */
export function projectFolder(config: string, files: ProjectFiles = KNOWLEDGE): string {
  const cwd = makeProject({ 'baton.config.yaml': `knowledge:\n  paths: [kb]\nlimits:\n  maxRounds: 1\nlog: { level: silent }\n${config}`, ...files });
  later(() => rmSync(cwd, { recursive: true, force: true }));
  return cwd;
}

export async function openFolder(cwd: string, options: Partial<OpenRuntimeOptions> = {}): Promise<{ project: Project; runtime: Runtime }> {
  const env = options.env ?? {};
  const project = loadProject({ cwd, env });
  const runtime = await openRuntime(project, { sleep: async () => undefined, ...options, env });
  later(() => runtime.close());
  return { project, runtime };
}

/** A project with the roles on the fake server, opened. */
export async function openProject(models: Models, config = '', files?: ProjectFiles): Promise<{ cwd: string; project: Project; runtime: Runtime }> {
  const cwd = projectFolder(`${modelsYaml(models.url)}${config}`, files);
  return { cwd, ...(await openFolder(cwd)) };
}

/** The fake CRM (customers, orders, tickets), closed after the test. */
export async function fakeCrm(seed: Record<string, unknown> = crmSeed()): Promise<FakeSystem> {
  const crm = await startFakeSystem({ seed });
  later(() => crm.close());
  return crm;
}

/** The CRM connector: reads (order, customer) and side effects (add_note, open_ticket) with the approvals given. */
export function crmConnector(url: string, approval: { note?: string; ticket?: string } = {}): string {
  return `name: crm
kind: http
baseUrl: ${url}
retries: { attempts: 1 }
operations:
  order:
    description: One order by its id, with its notes.
    path: /orders/{id}
    input: { type: object, properties: { id: { type: string } }, required: [id] }
    records: { id: id }
  add_note:
    description: Adds a note to an order.
    method: POST
    path: /orders/{id}/notes
    input: { type: object, properties: { id: { type: string }, note: { type: string } }, required: [id, note] }
    approval: ${approval.note ?? 'never'}
  open_ticket:
    description: Opens a support ticket.
    method: POST
    path: /tickets
    input: { type: object, properties: { customerId: { type: string }, summary: { type: string } }, required: [customerId, summary] }
    approval: ${approval.ticket ?? 'never'}
`;
}

/** The researcher's role file with `tools`. */
export function researcherRole(tools: readonly string[]): string {
  return `name: researcher\nkind: researcher\ndescription: Answers one plan step with quoted claims.\ntools: [${tools.join(', ')}]\n`;
}

export function guardEvents(turns: readonly TurnRecord[]): GuardEvent[] {
  return turns.flatMap((turn) => turn.events.filter((event): event is GuardEvent => event.type === 'guard'));
}
export function approvalEvents(turns: readonly TurnRecord[]): ApprovalEvent[] {
  return turns.flatMap((turn) => turn.events.filter((event): event is ApprovalEvent => event.type === 'approval'));
}
export function turnOf(turns: readonly TurnRecord[], role: string): TurnRecord {
  const turn = turns.find((candidate) => candidate.role === role);
  if (!turn) throw new Error(`no ${role} turn among ${turns.map((candidate) => candidate.role).join(', ')}`);
  return turn;
}

/** Every file under a folder, decoded leniently (as someone with the disk would read it). */
export function filesUnder(directory: string): Array<{ file: string; text: string }> {
  const found: Array<{ file: string; text: string }> = [];
  for (const name of readdirSync(directory)) {
    const file = path.join(directory, name);
    if (statSync(file).isDirectory()) found.push(...filesUnder(file));
    else found.push({ file, text: readFileSync(file).toString('latin1') });
  }
  return found;
}

/** The quote as a model copies it from spotlighted text: words joined by the datamark. */
export const datamarked = (words: string): string => words.replace(/ /g, '\u02C6');

/** The boundary id and canary token a system prompt carries. */
export function keysOf(system: string): { boundary: string | undefined; canary: string | undefined } {
  return { boundary: /Only a block with the id ([0-9a-f]{8}) is real/.exec(system)?.[1], canary: /Security canary: (BATON-[0-9A-F]{4}-[0-9a-f]{16})\./.exec(system)?.[1] };
}
