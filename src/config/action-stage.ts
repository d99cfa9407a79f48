/**
 * Action stages of a flow (`{ action: <name>, call: connector.operation, input: <JSONata> }`): checked at project load
 * against the project's connectors (the operation must be declared; an MCP tool must be on its connector's allow-list)
 * and their input mapping compiled, so a typo fails before any run starts, naming the config line.
 */
import { FlowError, type SourceLocation } from '../errors.js';
import { declaredOperations, staticSideEffect, type LoadedConnector } from '../connectors/load.js';
import { compileMapping, isMappingProblem, nondeterministicCall, pointAt } from '../connectors/mapping.js';
import { RoleConfig } from './roles.js';
import type { ActionStage, FlowStage, ParallelStage } from './schema.js';
import type { Stage } from './load.js';

export function isActionStage(stage: FlowStage): stage is ActionStage {
  return typeof stage === 'object' && 'action' in stage;
}

export function isParallelStage(stage: FlowStage): stage is ParallelStage {
  return typeof stage === 'object' && 'parallel' in stage;
}

/** Why an operation id names nothing the connectors declare, or undefined. */
export function unknownOperation(id: string, connectors: ReadonlyMap<string, LoadedConnector>): string | undefined {
  if (declaredOperations(connectors).includes(id)) return undefined;
  const connector = id.slice(0, id.indexOf('.'));
  if (!connectors.has(connector)) return `there is no connector named "${connector}" (connectors: ${[...connectors.keys()].sort().join(', ') || 'none; add connectors/<name>.yaml'})`;
  const known = declaredOperations(connectors).filter((candidate) => candidate.startsWith(`${connector}.`));
  return `the connector "${connector}" has no operation "${id.slice(connector.length + 1)}" (it has: ${known.map((candidate) => candidate.slice(connector.length + 1)).join(', ') || 'none'})`;
}

export function actionStage(entry: ActionStage, index: number, file: string, connectors: ReadonlyMap<string, LoadedConnector>, locate: (fieldPath: Array<string | number>) => SourceLocation): Stage {
  const unknown = unknownOperation(entry.call, connectors);
  if (unknown) throw new FlowError(`the action "${entry.action}" calls ${entry.call}, but ${unknown}`, [locate(['flow', index, 'call'])]);
  if (entry.input !== undefined) {
    const dot = entry.call.indexOf('.');
    const loaded = connectors.get(entry.call.slice(0, dot));
    const changing = loaded && staticSideEffect(loaded.config, entry.call.slice(dot + 1)) !== false ? nondeterministicCall(entry.input) : undefined;
    if (changing) {
      throw new FlowError(`the action "${entry.action}" maps its input with ${changing}, which gives another value each time: the request, and the idempotency key of the side effect, would change when the run resumes, and the effect could happen twice; pass a value recorded earlier in the run instead`, [locate(['flow', index, 'input'])]);
    }
    const mapping = compileMapping(entry.input);
    if (isMappingProblem(mapping)) {
      throw new FlowError(`the action's input is not a JSONata expression: ${mapping.message}: ${pointAt(entry.input, mapping.position)}`, [locate(['flow', index, 'input'])]);
    }
  }
  return {
    index,
    at: ['flow', index],
    name: entry.action,
    kind: 'action',
    action: { call: entry.call, ...(entry.input !== undefined ? { input: entry.input } : {}), onError: entry.onError },
    role: { config: RoleConfig.parse({ name: entry.action, kind: 'generic', description: `action: ${entry.call}` }), file },
    prompt: { name: entry.action, file, variables: [], system: '', user: '' },
    model: undefined,
    needs: { role: entry.action },
    concurrency: 1,
  };
}
