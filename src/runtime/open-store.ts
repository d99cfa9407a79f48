/**
 * Opens a project's transcript store with the redactor every record passes through, and nothing else. What only
 * reads records (`baton runs`, `show`, `stats`) opens this instead of a whole runtime, so it loads no model client,
 * tool, evidence source or LangGraph.
 */
import type { Project } from '../config/load.js';
import { createRedactor } from '../transcript/redact.js';
import { TranscriptStore } from '../transcript/store.js';

/** The API key values configured models read, so the redactor can remove them from every record. */
export function secretValues(project: Project, env: Readonly<Record<string, string | undefined>>): string[] {
  return project.models.flatMap((model) => (model.provider === 'openai-compatible' && model.apiKeyEnv ? [env[model.apiKeyEnv] ?? ''] : [])).filter(Boolean);
}

/** The transcript store of `<dataDir>/baton.db`, redacting the project's secrets and detected confidential data. */
export function openTranscriptStore(project: Project, env: Readonly<Record<string, string | undefined>>): TranscriptStore {
  return new TranscriptStore({ dataDir: project.dataDir, redact: createRedactor(secretValues(project, env), project.detectors) });
}
