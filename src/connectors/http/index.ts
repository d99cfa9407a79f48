/**
 * The `http` connector kind: a REST/JSON system declared in `connectors/<name>.yaml` (`baseUrl`, `auth`, named
 * operations, each a method and a path with JSONata request and response mappings).
 *
 * Defaults follow what HTTP itself says: GET and HEAD read, every other method is a side effect; side effects need
 * approval when the run has read untrusted content; a side effect honours the idempotency key unless the file says
 * `idempotencyHeader: false`. The request is built in `request.ts` (no I/O, no credentials), sent in `send.ts`
 * (credentials from `auth.ts`, retries, response mapping). Every message goes through the redactor.
 */
import { ConnectorError } from '../errors.js';
import type { OperationKit } from '../kit.js';
import type { ConnectorFactory } from '../load.js';
import type { HttpConnectorConfig, HttpOperation } from '../schema.js';
import type { ConnectorDeps, Operation } from '../types.js';
import { createAuth, type AuthProvider } from './auth.js';
import { redactError } from './failures.js';
import { isRead, prepareRequest, readRequest } from './request.js';
import { send } from './send.js';

export type { HttpRequest } from './request.js';

function buildOperation(config: HttpConnectorConfig, name: string, operation: HttpOperation, auth: AuthProvider, deps: ConnectorDeps, kits: ReadonlyMap<string, OperationKit>): Operation {
  const kit = kits.get(name);
  // The loader builds a kit for every operation of a static kind; a missing one is a bug, not a user's mistake.
  if (!kit) throw new Error(`no compiled operation ${name} in connector ${config.name}`);
  const id = `${config.name}.${name}`;
  const sideEffect = operation.sideEffect ?? !isRead(operation.method);
  const idempotencyHeader = operation.idempotencyHeader ?? config.idempotencyHeader;
  const spec = { config, operation, kit, auth, deps, sideEffect, idempotencyHeader };
  return {
    id,
    connector: config.name,
    name,
    description: operation.description,
    inputSchema: kit.inputSchema,
    sideEffect,
    approval: operation.approval ?? (sideEffect ? 'untrusted' : 'never'),
    honoursKey: sideEffect && idempotencyHeader !== false,
    async prepare(input) {
      try {
        return await prepareRequest({ config, operation, kit, authHeader: auth.header }, input);
      } catch (error) {
        throw redactError(error, deps.redact);
      }
    },
    async execute(call, options) {
      try {
        return await send(spec, readRequest(id, call), options);
      } catch (error) {
        throw redactError(error, deps.redact);
      }
    },
  };
}

export const createHttpConnector: ConnectorFactory = (loaded, deps) => {
  const config = loaded.config;
  if (config.kind !== 'http') throw new ConnectorError('CONNECTOR_INVALID', `${loaded.file}: the http connector cannot run a connector of kind ${config.kind}`, { operation: config.name });
  const auth = createAuth(config.name, config.auth, deps);
  let operations: Operation[] | undefined;
  return {
    name: config.name,
    kind: 'http',
    file: loaded.file,
    async operations() {
      operations ??= Object.entries(config.operations).map(([name, operation]) => buildOperation(config, name, operation, auth, deps, loaded.kits));
      return operations;
    },
    async close() {
      auth.clear();
    },
  };
};
