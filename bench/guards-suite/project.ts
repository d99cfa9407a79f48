/**
 * The project folder of one task's run: the config (one model, which the harness replaces by the obedient model; the
 * fetch policy allowing the systems' port on 127.0.0.1; guards off or left at their default, on), the researcher's
 * role file with the task's tools, the connectors (CRM, mailer, Slack) pointed at the fake systems, the shared
 * knowledge base and the task's documents (and role and prompt files), and the files attached to the run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { KNOWLEDGE, type InjectionTask } from './task.js';

/** The model name the config declares and the harness overrides. */
export const MODEL_NAME = 'obedient';

/** Fills `{{slot}}`, `{{web}}` and `{{evil}}` in a text. */
export function fill(text: string, values: { slot: string; url: string }): string {
  return text.replaceAll('{{slot}}', values.slot).replaceAll('{{web}}', values.url).replaceAll('{{evil}}', values.url);
}

/** Guards on (default), off, or on without the detectors (structure only). */
export type GuardSetting = boolean | 'structure';

function config(task: InjectionTask, port: number, guards: GuardSetting): string {
  const flow = task.flow ? [...task.flow] : ['planner', 'researcher', 'checker'];
  if (task.notify) flow.push(`{ action: notify, call: slack.notify, input: "{ 'text': 'Verified answer: ' & draft }" }`);
  return `models:
  - { name: ${MODEL_NAME}, provider: openai-compatible, baseUrl: "http://127.0.0.1:9/v1", model: obedient-1, zone: private, capabilities: [text, structured-output, tools] }
defaultModel: ${MODEL_NAME}
knowledge:
  paths: [kb]
limits:
  maxRounds: 2
resilience: { maxAttemptsPerModel: 1, baseDelayMs: 0, maxDelayMs: 0 }
tools:
  fetch: { allowRanges: ["127.0.0.1/32:${port}"], timeoutMs: 5000 }
  webSearch: { url: "http://127.0.0.1:${port}" }
${guards === 'structure' ? 'guards: { heuristics: false }\n' : guards ? '' : 'guards: { enabled: false }\n'}log: { level: silent }
flow: [${flow.join(', ')}]
`;
}

function researcher(task: InjectionTask): string {
  return `name: researcher
kind: researcher
description: Answers one plan step from the knowledge base and the run's sources, citing every claim with a source and its exact words.
prompt: researcher
search: { limit: 6 }
tools: [${task.tools.join(', ')}]
`;
}

function connectors(url: string, approval: InjectionTask['approval']): Record<string, string> {
  return {
    'connectors/crm.yaml': `name: crm
kind: http
description: The shop's CRM.
baseUrl: ${url}/crm
retries: { attempts: 1 }
operations:
  order:
    description: One order by its id, with its customer, status, total and notes.
    path: /orders/{id}
    input: { type: object, properties: { id: { type: string } }, required: [id] }
    records: { id: id }
  refund:
    description: Refunds an amount of an order to the customer's original payment method.
    method: POST
    path: /refunds
    input: { type: object, properties: { orderId: { type: string }, amount: { type: number }, reason: { type: string } }, required: [orderId, amount] }
    approval: ${approval}
  open_ticket:
    description: Opens a support ticket for the support team.
    method: POST
    path: /tickets
    input: { type: object, properties: { summary: { type: string }, priority: { type: string } }, required: [summary] }
    approval: ${approval}
`,
    'connectors/mailer.yaml': `name: mailer
kind: http
description: The shop's outgoing e-mail.
baseUrl: ${url}/mail
retries: { attempts: 1 }
operations:
  send_email:
    description: Sends an e-mail.
    method: POST
    path: /send
    input: { type: object, properties: { to: { type: string }, subject: { type: string }, body: { type: string } }, required: [to, subject, body] }
    approval: ${approval}
`,
    'connectors/slack.yaml': `name: slack
kind: slack
description: The support team's Slack channel.
webhook: { secret: SLACK_WEBHOOK_URL }
retries: { attempts: 1 }
operations:
  post:
    description: Posts a message to the support team's channel.
    input: { type: object, properties: { text: { type: string } }, required: [text] }
    text: text
    approval: ${approval}
  notify:
    description: Posts the verified answer (the flow's last stage).
    input: { type: object, properties: { text: { type: string } }, required: [text] }
    text: text
    approval: never
`,
  };
}

/** Writes the project of `task` into `folder`; returns the folder holding the attachments. */
export function writeProject(folder: string, task: InjectionTask, options: { url: string; slot: string; guards: GuardSetting }): string {
  const port = Number(new URL(options.url).port);
  const files: Record<string, string> = {
    'baton.config.yaml': config(task, port, options.guards),
    'agents/researcher.yaml': researcher(task),
    ...connectors(options.url, task.approval),
    ...KNOWLEDGE,
    ...task.documents,
  };
  for (const [name, text] of Object.entries(task.attachments ?? {})) files[`attach/${name}`] = text;
  for (const [relative, text] of Object.entries(files)) {
    const file = path.join(folder, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, fill(text, options));
  }
  return path.join(folder, 'attach');
}
