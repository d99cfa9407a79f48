/**
 * `baton connectors` lists the declared operations (each a tool with a JSON Schema), and `baton tool
 * <connector.operation> --input '{...}'` calls one by hand: `--dry-run` shows the mapped request and calls nothing. A
 * call by hand is outside any run, so it is not in the ledger; a side effect is still sent with an idempotency key
 * (`--key`, or a fresh one) so a system that honours keys drops the duplicates its retries may make.
 */
import type { Command } from 'commander';
import type { Operation } from '../../connectors/types.js';
import { UsageError } from '../../errors.js';
import { projectRedactor } from '../../runtime/open-store.js';
import { redactDeep } from '../../transcript/redact.js';
import type { CliContext, CommonOptions } from '../context.js';
import { table } from '../format.js';

export interface ToolOptions extends CommonOptions {
  input?: string;
  dryRun?: boolean;
  key?: string;
}

/** The connector modules (ajv, JSONata, the kinds' clients), loaded by the commands that use them only. */
async function connectorModules() {
  const [{ invokeDirect }, { openConnectors }, { toolNameOf }] = await Promise.all([import('../../connectors/invoke.js'), import('../../connectors/open.js'), import('../../connectors/set.js')]);
  return { invokeDirect, openConnectors, toolNameOf };
}

function describe(operation: Operation, toolNameOf: (id: string) => string): Record<string, unknown> {
  return {
    id: operation.id,
    tool: toolNameOf(operation.id),
    description: operation.description,
    sideEffect: operation.sideEffect,
    approval: operation.approval,
    honoursIdempotencyKey: operation.honoursKey,
    inputSchema: operation.inputSchema,
  };
}

function parseInput(text: string | undefined): unknown {
  if (text === undefined) return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--input is not JSON: ${(error as Error).message}`, { hint: `write the input as a JSON object, e.g. --input '{"customerId": "C-1042"}'` });
  }
}

export function registerConnectorCommands(program: Command, context: CliContext): void {
  const { io, common, openProject } = context;

  common(program.command('connectors'))
    .description('list the connectors of connectors/*.yaml and their operations (the tools roles and action stages may call)')
    .action(async (options: CommonOptions) => {
      const project = openProject(options);
      const { openConnectors, toolNameOf } = await connectorModules();
      const set = openConnectors(project, io.env, projectRedactor(project, io.env));
      try {
        const operations = await set.operations();
        if (options.json) io.stdout(`${JSON.stringify(operations.map((operation) => describe(operation, toolNameOf)))}\n`);
        else if (operations.length === 0) io.stdout(`No connectors. Declare one in ${project.config.connectorsDir}/<name>.yaml (kinds: http, sql, slack, teams, mcp).\n`);
        else {
          const rows = operations.map((operation) => [operation.id, operation.sideEffect ? 'side effect' : 'read', operation.approval, operation.sideEffect ? (operation.honoursKey ? 'yes' : 'no') : '-', operation.description.split('\n')[0]!.slice(0, 60)]);
          io.stdout(`${table(['OPERATION', 'KIND', 'APPROVAL', 'IDEMPOTENT', 'DESCRIPTION'], rows)}\n`);
        }
      } finally {
        await set.close();
      }
    });
}

/** `baton tool <connector.operation>`: registered with the built-in tools' `baton tool` (knowledge.ts), which hands dotted names here. */
export async function runOperationTool(context: CliContext, id: string, options: ToolOptions): Promise<void> {
  const { io, openProject } = context;
  const project = openProject(options);
  const redact = projectRedactor(project, io.env);
  const { openConnectors, invokeDirect } = await connectorModules();
  const set = openConnectors(project, io.env, redact);
  try {
    const input = parseInput(options.input);
    const operation = await set.operation(id);
    if (options.dryRun) {
      const call = await operation.prepare(input);
      const shown = redactDeep({ operation: operation.id, sideEffect: operation.sideEffect, approval: operation.approval, target: call.target, request: call.request }, redact);
      io.stdout(options.json ? `${JSON.stringify(shown)}\n` : `Dry run (nothing was sent): ${shown.target}\n${JSON.stringify(shown.request, null, 2)}\n`);
      return;
    }
    const invocation = await invokeDirect(operation, input, options.key ? { key: options.key } : {});
    const shown = redactDeep({ operation: operation.id, target: invocation.call.target, summary: invocation.result.summary, output: invocation.result.output, records: invocation.result.records.map((record) => `${operation.id}#${record.id}`), ...(invocation.key ? { idempotencyKey: invocation.key } : {}) }, redact);
    io.stdout(options.json ? `${JSON.stringify(shown)}\n` : `${shown.target}: ${shown.summary}\n${JSON.stringify(shown.output, null, 2)}\n`);
  } finally {
    await set.close();
  }
}
