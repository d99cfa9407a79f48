/**
 * The project's connectors: loaded and checked from `connectors/*.yaml` at project load, built into live clients only
 * when an operation is first used (a run that calls none opens no pool, no child process). Operations are found by
 * `connector.operation`; the model-facing tool name (`connector__operation`, since OpenAI-style tool names allow no
 * dot) maps back here too, liberally.
 */
import { ConnectorError } from './errors.js';
import { declaredOperations, type ConnectorFactory, type LoadedConnector } from './load.js';
import type { Connector, ConnectorDeps, ConnectorKind, Operation } from './types.js';

/** The model-facing name of an operation: `crm__purchase_history` (tool names may hold no dot). */
export function toolNameOf(operationId: string): string {
  return operationId.replace('.', '__');
}

/** `connector.operation` from a model's tool name: `crm__purchase_history`, `crm.purchase_history`, `crm-purchase_history`. */
export function operationIdOf(toolName: string, known: readonly string[]): string | undefined {
  const trimmed = toolName.trim();
  if (known.includes(trimmed)) return trimmed;
  const dotted = trimmed.replace(/__|[-:/]/, '.');
  if (known.includes(dotted)) return dotted;
  return known.find((id) => toolNameOf(id).toLowerCase() === trimmed.toLowerCase());
}

export class ConnectorSet {
  private readonly live = new Map<string, Promise<Connector>>();
  private readonly loaded: ReadonlyMap<string, LoadedConnector>;
  private readonly factories: Readonly<Record<ConnectorKind, () => Promise<ConnectorFactory>>>;
  private readonly deps: (loaded: LoadedConnector) => ConnectorDeps;

  constructor(loaded: ReadonlyMap<string, LoadedConnector>, factories: Readonly<Record<ConnectorKind, () => Promise<ConnectorFactory>>>, deps: (loaded: LoadedConnector) => ConnectorDeps) {
    this.loaded = loaded;
    this.factories = factories;
    this.deps = deps;
  }

  /** Connector names, sorted. */
  get names(): string[] {
    return [...this.loaded.keys()].sort();
  }

  get size(): number {
    return this.loaded.size;
  }

  declared(name: string): LoadedConnector | undefined {
    return this.loaded.get(name);
  }

  /** The live connector, built on first use (its kind's module is imported then, so unused kinds cost nothing). */
  connector(name: string): Promise<Connector> {
    const existing = this.live.get(name);
    if (existing) return existing;
    const loaded = this.loaded.get(name);
    if (!loaded) return Promise.reject(new ConnectorError('CONNECTOR_UNKNOWN', `no connector named "${name}"; connectors: ${this.names.join(', ') || '(none: add connectors/<name>.yaml)'}`));
    const connector = this.factories[loaded.config.kind]().then((factory) => factory(loaded, this.deps(loaded)));
    this.live.set(name, connector);
    connector.catch(() => this.live.delete(name));
    return connector;
  }

  /** The operation `connector.operation`; CONNECTOR_UNKNOWN naming what exists. */
  async operation(id: string): Promise<Operation> {
    const dot = id.indexOf('.');
    if (dot <= 0) throw new ConnectorError('CONNECTOR_UNKNOWN', `"${id}" is not connector.operation; operations: ${declaredOperations(this.loaded).join(', ') || '(none)'}`);
    const connector = await this.connector(id.slice(0, dot));
    const operations = await connector.operations();
    const found = operations.find((operation) => operation.id === id);
    if (!found) throw new ConnectorError('CONNECTOR_UNKNOWN', `connector "${connector.name}" has no operation "${id.slice(dot + 1)}"; it has: ${operations.map((operation) => operation.name).join(', ') || '(none)'}`);
    return found;
  }

  /** Every operation of every connector (MCP servers are asked for their tools). */
  async operations(): Promise<Operation[]> {
    const all: Operation[] = [];
    for (const name of this.names) all.push(...(await (await this.connector(name)).operations()));
    return all;
  }

  async close(): Promise<void> {
    const open = [...this.live.values()];
    this.live.clear();
    await Promise.allSettled(open.map(async (connector) => (await connector).close()));
  }
}
