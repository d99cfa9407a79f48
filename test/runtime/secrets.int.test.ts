/**
 * Secrets planted in every input (the goal, documents, model replies, request URLs) never reach any store, log or
 * response in plain text, every record stays readable, and a transformation cannot launder a secret past redaction.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { loadProject } from '../../src/config/load.js';
import { createLogger } from '../../src/logging.js';
import { OfflineModel } from '../../src/models/offline/index.js';
import { ScriptedModel } from '../../src/models/scripted.js';
import { openRuntime, type Runtime } from '../../src/runtime/open.js';
import { runGoal } from '../../src/runtime/run.js';
import { createServer } from '../../src/server/app.js';
import { computeStats } from '../../src/transcript/stats.js';
import type { DamagedRecord } from '../../src/stores/port.js';
import { makeProject } from '../support/project.js';

// Credentials are assembled at run time so that no token-shaped literal sits in the repository.
const mixed = (length: number): string => 'q7W3e9R1t5Y2u8I4o6P0'.repeat(6).slice(0, length);

/** Every credential shape the detectors know: the text planted, and the secret part that must never be stored. */
const PLANTED: ReadonlyArray<{ name: string; text: string; secret: string }> = [
  { name: 'openai key', text: `sk-proj-${mixed(40)}`, secret: `sk-proj-${mixed(40)}` },
  { name: 'anthropic key', text: `sk-ant-api03-${mixed(40)}`, secret: `sk-ant-api03-${mixed(40)}` },
  { name: 'aws key id', text: ['AKIA', 'Q7W3E9R1T5Y2U8I4'].join(''), secret: ['AKIA', 'Q7W3E9R1T5Y2U8I4'].join('') },
  { name: 'aws secret', text: `aws_secret_access_key=${mixed(40)}`, secret: mixed(40) },
  { name: 'github token', text: `ghp_${mixed(36)}`, secret: `ghp_${mixed(36)}` },
  { name: 'slack token', text: ['xoxb', '123456789012', mixed(24)].join('-'), secret: ['xoxb', '123456789012', mixed(24)].join('-') },
  { name: 'google key', text: `AIza${mixed(35)}`, secret: `AIza${mixed(35)}` },
  {
    name: 'jwt',
    text: ['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiJrZWVwZXIiLCJyb2xlIjoiYWRtaW4ifQ', mixed(43)].join('.'),
    secret: ['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiJrZWVwZXIiLCJyb2xlIjoiYWRtaW4ifQ', mixed(43)].join('.'),
  },
  { name: 'private key', text: `-----BEGIN PRIVATE KEY-----\n${mixed(48)}\n-----END PRIVATE KEY-----`, secret: mixed(48) },
  { name: 'password=', text: 'password=hunter22', secret: 'hunter22' },
  { name: 'pwd=', text: 'pwd=Tr0ub4dor3x', secret: 'Tr0ub4dor3x' },
  { name: 'secret=', text: 'secret=s3cr3tV4lue9', secret: 's3cr3tV4lue9' },
  { name: 'api_key=', text: 'api_key=9f8e7d6c5b4a3210', secret: '9f8e7d6c5b4a3210' },
  { name: 'password:', text: 'password: CorrectHorse9', secret: 'CorrectHorse9' },
  { name: 'quoted password', text: 'password="Wh1sperQuiet"', secret: 'Wh1sperQuiet' },
  { name: 'url user-info', text: 'https://admin:Pa55w0rdXyz@db.example.com/x', secret: 'Pa55w0rdXyz' },
  { name: 'url token', text: 'https://api.example.com/v1?token=tok9abcdef123456', secret: 'tok9abcdef123456' },
  { name: 'prefixed password', text: 'dbPassword=CamelPw12345', secret: 'CamelPw12345' },
  { name: 'quoted password with spaces', text: 'password: "correct horse battery staple"', secret: 'correct horse battery staple' },
  { name: 'bearer header', text: 'Authorization: Bearer BearerTok3nAbcdef123456', secret: 'BearerTok3nAbcdef123456' },
  { name: 'url with empty user', text: 'redis://:R3disPassw0rd@cache:6379', secret: 'R3disPassw0rd' },
  { name: 'slack webhook', text: 'https://hooks.slack.com/services/T00000000/B00000000/SlackHookXXXXXXXXXXXXXXXX', secret: 'SlackHookXXXXXXXXXXXXXXXX' },
];

/** The secret and the forms a transformation makes of it (lower case, punctuation stripped). */
function forms(secret: string): string[] {
  const lower = secret.toLowerCase();
  const spaced = lower.replace(/[^a-z0-9]+/g, ' ').trim();
  return [...new Set([secret, lower, spaced].filter((form) => form.length >= 8))];
}

const KNOWLEDGE = `# Lighthouses

A lighthouse warns ships away from dangerous rocks at night.

${PLANTED.map((planted, index) => `Keeper note ${index + 1}: the lighthouse console uses ${planted.text} for its remote panel.`).join('\n\n')}
`;

const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.close();
});

async function setup(script?: ConstructorParameters<typeof ScriptedModel>[0]) {
  const cwd = makeProject({ 'baton.config.yaml': 'knowledge:\n  paths: [kb]\n', 'kb/lighthouse.md': KNOWLEDGE });
  const project = loadProject({ cwd, env: {} });
  const runtime = await openRuntime(project, { env: {}, ...(script ? { modelOverrides: { offline: new ScriptedModel(script, 'offline') } } : {}), sleep: async () => undefined });
  runtimes.push(runtime);
  return { cwd, project, runtime };
}

/** Every file under a folder, as bytes decoded leniently, with its path. */
function filesUnder(directory: string): Array<{ file: string; text: string }> {
  const found: Array<{ file: string; text: string }> = [];
  for (const name of readdirSync(directory)) {
    const file = path.join(directory, name);
    if (statSync(file).isDirectory()) found.push(...filesUnder(file));
    else found.push({ file, text: readFileSync(file).toString('latin1') });
  }
  return found;
}

function expectNoSecret(where: string, text: string): void {
  for (const planted of PLANTED) {
    for (const form of forms(planted.secret)) {
      expect(text.includes(form), `${planted.name} (${form}) found in ${where}`).toBe(false);
    }
  }
}

/** Reads every record of the store back through its schema; nothing may be damaged. */
async function readBack(runtime: Runtime, runId: string): Promise<void> {
  const damaged: DamagedRecord[] = [];
  const runs = await runtime.store.listRuns({ limit: 1000, onDamaged: (record) => damaged.push(record) });
  expect(runs.map((run) => run.id)).toContain(runId);
  await runtime.store.getRun(runId);
  const turns = await runtime.store.turns(runId, (record) => damaged.push(record));
  expect(turns.length).toBeGreaterThan(2);
  // computeStats reads turns synchronously: every run's turns are read first.
  const turnsByRun = new Map<string, Awaited<ReturnType<Runtime['store']['turns']>>>();
  for (const run of runs) turnsByRun.set(run.id, await runtime.store.turns(run.id, (record) => damaged.push(record)));
  const stats = computeStats({ runs, turnsOf: (id) => turnsByRun.get(id) ?? [], damaged });
  expect(stats.damaged.count).toBe(0);
  expect(damaged).toEqual([]);
}

describe('secrets planted in inputs', () => {
  it.each(PLANTED)('a goal holding a $name runs, stays readable and is stored redacted', async (planted) => {
    const { runtime } = await setup();
    const outcome = await runGoal(runtime, { goal: `What does a lighthouse warn ships about? Our console login is ${planted.text} ok` });
    expect(outcome.error?.code).not.toBe('INTERNAL');
    expect(['approved', 'unverified']).toContain(outcome.status);
    await readBack(runtime, outcome.runId);
    expectNoSecret('the outcome', JSON.stringify(outcome));
    expectNoSecret('the transcript', JSON.stringify([await runtime.store.getRun(outcome.runId), await runtime.store.turns(outcome.runId)]));
  });

  it('keeps every secret of the goal, the documents and the model replies out of every file, output and API answer', async () => {
    const offline = new OfflineModel();
    const all = PLANTED.map((planted) => planted.text).join(' and ');
    const { cwd, project, runtime } = await setup(async (request) => {
      const reply = await offline.generate(request);
      if (request.task.kind !== 'research') return { text: reply.text, usage: { inputTokens: 10, outputTokens: 10 } };
      // A model reply that repeats secrets in its claim text and quotes a document line that holds one.
      const parsed = JSON.parse(reply.text) as { claims: Array<{ text: string; citations: unknown[] }>; gaps: string[] };
      parsed.claims.push({
        text: `The console uses ${PLANTED[0]!.text}, also written ${PLANTED[0]!.text.toLowerCase().replace(/-/g, ' ')}`,
        citations: [{ source: 'kb/lighthouse.md', quote: `the lighthouse console uses ${PLANTED[0]!.text} for its remote panel` }],
      });
      parsed.gaps.push(`could not verify ${PLANTED[9]!.text}`);
      return { text: JSON.stringify(parsed), usage: { inputTokens: 10, outputTokens: 10 } };
    });
    const outcome = await runGoal(runtime, { goal: `What does a lighthouse warn ships about? Credentials: ${all}` });
    expect(outcome.error?.code).not.toBe('INTERNAL');
    await readBack(runtime, outcome.runId);
    expectNoSecret('the outcome', JSON.stringify(outcome));

    // Over the API, including a request whose query string holds secrets (logged by the server).
    const logger = createLogger({ dataDir: project.dataDir, level: 'info', redact: runtime.store.redact });
    const app = await createServer({ runtime, logger, dashboard: false });
    const answers = await Promise.all(
      [`/api/runs/${outcome.runId}`, `/api/runs/${outcome.runId}/transcript`, '/api/stats', '/api/runs', `/api/runs?x=password=hunter22&api_key=9f8e7d6c5b4a3210&token=tok9abcdef123456`].map((url) =>
        app.inject({ url }),
      ),
    );
    answers.slice(0, 4).forEach((answer, index) => {
      expect(answer.statusCode).toBe(200);
      expectNoSecret(`API answer ${index + 1}`, answer.body);
    });
    // A goal submitted over the API: neither the queue, the answers nor the record hold its secret.
    const posted = await app.inject({ method: 'POST', url: '/api/runs', payload: { goal: `What does a lighthouse warn ships about? ${all}` } });
    expect(posted.statusCode).toBe(202);
    const postedId = (posted.json() as { runId: string }).runId;
    const seen = [posted.body, (await app.inject({ url: '/api/runs' })).body, (await app.inject({ url: `/api/runs/${postedId}` })).body];
    // Errors quote what was sent (an unknown field, a path): redacted too.
    const refused = [
      await app.inject({ method: 'POST', url: '/api/runs', payload: { goal: 'What is Baton?', labels: { [PLANTED[0]!.text]: 1 } } }),
      await app.inject({ url: `/api/no-such/${PLANTED[9]!.text}` }),
      await app.inject({ url: `/api/runs/${PLANTED[4]!.text}` }),
    ];
    for (const answer of refused) expect(answer.statusCode).toBeGreaterThanOrEqual(400);
    seen.push(...refused.map((answer) => answer.body));
    // Stopping the server ends (and records) the run wherever it was.
    await app.close();
    seen.push(JSON.stringify(await runtime.store.getRun(postedId)), JSON.stringify(await runtime.store.turns(postedId)));
    expectNoSecret('answers about a run submitted over the API', seen.join('\n'));
    logger.flush();

    // On the command line.
    const printed: string[] = [];
    const io = { stdout: (text: string) => printed.push(text), stderr: (text: string) => printed.push(text), env: {}, cwd, onInterrupt: () => () => undefined };
    for (const argv of [['show', outcome.runId], ['show', outcome.runId, '--json', '--verbose'], ['runs', '--json'], ['stats', '--json']]) {
      expect(await runCli(argv, io)).toBe(0);
    }
    expectNoSecret('CLI output', printed.join(''));

    await runtime.close();
    const files = filesUnder(project.dataDir);
    expect(files.map((entry) => path.basename(entry.file))).toEqual(expect.arrayContaining(['baton.db', 'checkpoints.db', 'baton.log']));
    for (const entry of files) expectNoSecret(entry.file, entry.text);
  });

  it('resumes from a checkpoint that holds the redacted state', async () => {
    const { runtime } = await setup();
    const outcome = await runGoal(runtime, { goal: `What does a lighthouse warn ships about? key ${PLANTED[0]!.text}` });
    const saver = await runtime.checkpointer;
    const graphState = await saver!.getTuple({ configurable: { thread_id: outcome.runId } });
    const values = graphState?.checkpoint.channel_values as { goal?: string; plan?: unknown } | undefined;
    expect(values?.goal).toContain('[REDACTED:openai-api-key]');
    expect(values?.plan).toBeDefined();
    expectNoSecret('the checkpoint', JSON.stringify(graphState));
  });
});

describe('secrets typed on the command line', () => {
  it('are not repeated by error messages', async () => {
    const { cwd } = await setup();
    const printed: string[] = [];
    const io = { stdout: (text: string) => printed.push(text), stderr: (text: string) => printed.push(text), env: {}, cwd, onInterrupt: () => () => undefined };
    expect(await runCli(['show', PLANTED[0]!.text], io)).toBe(64);
    expect(await runCli(['runs', '--status', PLANTED[4]!.text], io)).toBe(64);
    expect(await runCli(['stats', '--since', PLANTED[9]!.text], io)).toBe(64);
    expect(printed.join('')).toContain('[REDACTED:');
    expectNoSecret('CLI error messages', printed.join(''));
  });
});

describe('a secret name with nothing after it', () => {
  it.each(['password=', 'password= ', 'password:\nWhat is a lighthouse?', 'password=\u00ad\u00ad\u00ad\u00ad', 'token:\n\nquestion'])(
    'goal %j runs, and the runs after it are unaffected',
    async (goal) => {
      const { runtime } = await setup();
      const first = await runGoal(runtime, { goal });
      expect(first.error?.code).not.toBe('INTERNAL');
      const next = await runGoal(runtime, { goal: 'What does a lighthouse warn ships about?' });
      expect(next.status).toBe('approved');
      await readBack(runtime, next.runId);
    },
  );
});
