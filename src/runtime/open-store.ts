/**
 * Opens a project's run store with the redactor every record passes through, and nothing else: SQLite under the data
 * directory (default), or PostgreSQL when `store.kind` is `postgres` (its client is only loaded then). What only reads
 * records (`baton runs`, `show`, `stats`) opens this instead of a whole runtime.
 */
import type { Project } from '../config/load.js';
import type { RunStore } from '../stores/port.js';
import { SqliteRunStore } from '../stores/sqlite/store.js';
import { createRedactor, type Redactor } from '../transcript/redact.js';
import { storedSecretValues } from '../secrets/store.js';

/** The API key values configured models read, so the redactor can remove them from every record. */
export function secretValues(project: Project, env: Readonly<Record<string, string | undefined>>): string[] {
  const values = project.models.flatMap((model) => (model.provider === 'openai-compatible' && model.apiKeyEnv ? [env[model.apiKeyEnv] ?? ''] : []));
  // The database password is a secret too: it must never reach a record, a log or an error.
  if (project.store.kind === 'postgres') {
    const password = new URL(project.store.url).password;
    values.push(password);
    try {
      values.push(decodeURIComponent(password));
    } catch {
      // Not valid percent-encoding (`50%off`): the password is used as written.
    }
  }
  return values.filter(Boolean);
}

/**
 * The project's redactor: configured key values, the values sealed in `<dataDir>/secrets.json`, and the detectors.
 * Throws a SecretStoreError when secrets are stored but cannot be decrypted (fail closed: their values could not be
 * redacted).
 */
export function projectRedactor(project: Project, env: Readonly<Record<string, string | undefined>>): Redactor {
  // `redact: { personal: true }`: personal data (e-mail addresses, phone numbers, cards, IBANs) is removed like a credential.
  const detectors = project.config.redact.personal ? project.detectors.map((detector) => (detector.kind === 'personal' ? { ...detector, kind: 'credential' as const } : detector)) : project.detectors;
  return createRedactor([...secretValues(project, env), ...storedSecretValues(project.dataDir, env)], detectors);
}

/** The project's run store, redacting the project's secrets and detected confidential data. */
export async function openRunStore(project: Project, env: Readonly<Record<string, string | undefined>>, redact = projectRedactor(project, env)): Promise<RunStore> {
  if (project.store.kind === 'sqlite') return SqliteRunStore.open({ dataDir: project.dataDir, redact });
  const { PostgresRunStore } = await import('../stores/postgres/store.js');
  return PostgresRunStore.open({ url: project.store.url, redact });
}
