/**
 * Chooses the run's evidence: the HNSW + BM25 knowledge base once `baton ingest` has built one in the data directory,
 * else a keyword search straight over the configured knowledge folders, so a first run needs no setup.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Project } from '../config/load.js';
import { ConfigError, UnknownModelError } from '../errors.js';
import { LocalHashEmbedder, type Embedder } from '../knowledge/embedder.js';
import { FolderEvidence } from '../knowledge/folder.js';
import { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { OpenAIEmbedder } from '../knowledge/openai-embedder.js';
import type { EvidenceSource } from '../knowledge/types.js';

/** The embedder the config asks for: a registered embeddings model, or the local default. */
export function embedderFor(project: Project, env: Readonly<Record<string, string | undefined>>): Embedder {
  const name = project.config.knowledge.embeddingModel;
  if (name === undefined) return new LocalHashEmbedder();
  const spec = project.models.find((model) => model.name === name);
  if (!spec) throw new UnknownModelError(name, project.models.map((model) => model.name), 'knowledge.embeddingModel');
  if (spec.provider !== 'openai-compatible' || !spec.capabilities.includes('embeddings')) {
    throw new ConfigError(`model "${name}" cannot embed: it needs provider openai-compatible and the "embeddings" capability`, [
      { file: project.configFile ?? '(config)', path: 'knowledge.embeddingModel' },
    ]);
  }
  const apiKey = spec.apiKeyEnv ? env[spec.apiKeyEnv] : undefined;
  return new OpenAIEmbedder({ baseUrl: spec.baseUrl, model: spec.model, dimensions: project.config.knowledge.embeddingDimensions, ...(apiKey ? { apiKey } : {}) });
}

/** Whether `baton ingest` has built a knowledge base in the data directory. */
export function hasKnowledgeBase(dataDir: string): boolean {
  return existsSync(path.join(dataDir, 'kb', 'kb.sqlite'));
}

export interface EvidenceChoice {
  evidence: EvidenceSource;
  /** What a person is told: which evidence the run searches. */
  description: string;
  close: () => void;
}

export function chooseEvidence(project: Project, env: Readonly<Record<string, string | undefined>>): EvidenceChoice {
  if (hasKnowledgeBase(project.dataDir)) {
    const knowledgeBase = new KnowledgeBase({ dataDir: project.dataDir, embedder: embedderFor(project, env), displayRoot: project.baseDir });
    const stats = knowledgeBase.stats();
    if (stats.chunks > 0) {
      return {
        evidence: knowledgeBase,
        description: `knowledge base in ${path.join(project.dataDir, 'kb')} (${stats.sources} sources, ${stats.chunks} chunks, hybrid HNSW + BM25)`,
        close: () => knowledgeBase.close(),
      };
    }
    knowledgeBase.close();
  }
  const folders = new FolderEvidence(project.knowledgePaths, {
    displayRoot: project.baseDir,
    ...(project.config.knowledge.allowOutsideRoots ? { allowOutsideRoots: true } : {}),
  });
  // No logger here: what was left out is said where the evidence is described (printed by `baton run` and `serve`).
  const skipped = folders.skipped.length
    ? `; skipped ${folders.skipped.length}: ${folders.skipped.map((entry) => `${entry.path} (${entry.reason})`).join('; ')}`
    : '';
  return {
    evidence: folders,
    description: `keyword search over ${project.knowledgePaths.join(', ')} (${folders.size.sources} files; run \`baton ingest\` for the hybrid index${skipped})`,
    close: () => undefined,
  };
}
