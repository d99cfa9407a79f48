/**
 * `baton secrets set|list|rm`: the sealed credential store on the command line. A value is only ever read from
 * standard input (an argument would be kept in shell history and visible in the process list) and is never printed.
 */
import type { Command } from 'commander';
import { SecretStoreError } from '../../secrets/errors.js';
import { checkSecretName, SecretStore } from '../../secrets/store.js';
import type { CliContext, CommonOptions } from '../context.js';
import { table } from '../format.js';

/** Reads the value to store; `prompt` is shown when a person types it. */
export type ReadSecretValue = (prompt: string) => Promise<string>;

/** Types a value at a terminal without echoing it; Ctrl-C or Ctrl-D on an empty line gives up. */
function readHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error): void => {
      input.setRawMode(false);
      input.pause();
      input.removeListener('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer): void => {
      for (const character of chunk.toString('utf8')) {
        if (character === '\r' || character === '\n') return finish();
        if (character === '\u0003' || (character === '\u0004' && value === '')) return finish(new SecretStoreError('SECRET_VALUE_INVALID', 'cancelled: nothing was stored'));
        if (character === '\u007f' || character === '\b') value = value.slice(0, -1);
        else value += character;
      }
    };
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}

/** Standard input: typed without echo at a terminal, else read to its end with one trailing line break removed. */
export const readStandardInput: ReadSecretValue = async (prompt) => {
  if (process.stdin.isTTY) return readHidden(prompt);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
};

/** Registers `baton secrets`. `readValue` is injected by in-process tests. */
export function registerSecretsCommands(program: Command, context: CliContext, readValue: ReadSecretValue = readStandardInput): void {
  const { io, common, openProject } = context;
  const secrets = program
    .command('secrets')
    .description('store credentials sealed (AES-256-GCM) for connectors; values are read from standard input and never shown');

  common(secrets.command('set'))
    .description('store or replace a secret; the value is read from standard input, e.g. printf %s "$TOKEN" | baton secrets set CRM_TOKEN')
    .argument('<name>', 'upper-case letters, digits and _, starting with a letter, e.g. CRM_TOKEN')
    .action(async (name: string, options: CommonOptions) => {
      const project = openProject(options);
      const store = SecretStore.open({ dataDir: project.dataDir, env: io.env });
      // The name is checked before the value is asked for.
      checkSecretName(name);
      const value = await readValue(`Value for ${name} (not shown): `);
      const { created, entry } = store.set(name, value);
      if (options.json) io.stdout(`${JSON.stringify({ ...entry, created })}\n`);
      else io.stdout(`${created ? 'Stored' : 'Replaced'} secret ${name} (sealed in ${store.file}).\n`);
    });

  common(secrets.command('list'))
    .description('list stored secrets: names and dates, never values')
    .action((options: CommonOptions) => {
      const project = openProject(options);
      const entries = SecretStore.open({ dataDir: project.dataDir, env: io.env }).list();
      if (options.json) io.stdout(`${JSON.stringify(entries)}\n`);
      else if (entries.length === 0) io.stdout('No secrets stored. Store one with: printf %s "$TOKEN" | baton secrets set NAME\n');
      else io.stdout(`${table(['NAME', 'CREATED', 'UPDATED'], entries.map((entry) => [entry.name, entry.createdAt.replace('T', ' ').slice(0, 19), entry.updatedAt.replace('T', ' ').slice(0, 19)]))}\n`);
    });

  common(secrets.command('rm'))
    .description('remove a stored secret')
    .argument('<name>', 'a name from `baton secrets list`')
    .action((name: string, options: CommonOptions) => {
      const project = openProject(options);
      SecretStore.open({ dataDir: project.dataDir, env: io.env }).remove(name);
      io.stdout(options.json ? `${JSON.stringify({ name, removed: true })}\n` : `Removed secret ${name}.\n`);
    });
}
