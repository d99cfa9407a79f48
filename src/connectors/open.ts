/**
 * The project's connectors, ready to call: the checked files of `connectorsDir`, the kinds' factories, and what every
 * connector is given (the sealed secret store, read only when a request needs a value; the project's redactor).
 */
import path from 'node:path';
import type { Project } from '../config/load.js';
import { SecretStore } from '../secrets/store.js';
import type { Redactor } from '../transcript/redact.js';
import { CONNECTOR_FACTORIES } from './factories.js';
import { ConnectorSet } from './set.js';
import type { SecretReader } from './types.js';

export function openConnectors(project: Pick<Project, 'connectors' | 'dataDir'>, env: Readonly<Record<string, string | undefined>>, redact: Redactor, options: { fetch?: typeof fetch } = {}): ConnectorSet {
  let secrets: SecretStore | undefined;
  const store = (): SecretStore => (secrets ??= SecretStore.open({ dataDir: project.dataDir, env }));
  const reader: SecretReader = { reveal: (name) => store().reveal(name), names: () => store().list().map((entry) => entry.name) };
  return new ConnectorSet(project.connectors, CONNECTOR_FACTORIES, (loaded) => ({
    secrets: reader,
    redact,
    baseDir: path.dirname(loaded.file),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  }));
}
