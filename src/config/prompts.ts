/**
 * Prompt templates: `prompts/<name>.md`. Front matter declares the variables the template uses; the body has a
 * `# System` and a `# User` section, and `{{variable}}` placeholders. Every placeholder must be declared, and every
 * declared variable must be one the state provides for the role's kind: both are checked at load time.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PromptError } from '../errors.js';
import type { RoleKind } from './roles.js';
import { readUserFile } from './user-file.js';
import { YamlSource } from './yaml.js';

/** The variables each role kind's state provides to its prompt. */
export const PROMPT_VARIABLES: Record<RoleKind, readonly string[]> = {
  planner: ['goal', 'round', 'maxSteps', 'previousPlan', 'objections', 'role'],
  researcher: ['goal', 'step', 'passages', 'rejected', 'role'],
  checker: ['goal', 'plan', 'claims', 'draft', 'evidence', 'forbid', 'role'],
  generic: ['goal', 'plan', 'findings', 'draft', 'verdicts', 'round', 'role', 'description', 'outputs'],
};

const FrontMatter = z
  .object({
    variables: z.array(z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/, 'a variable name such as goal')).default([]),
    description: z.string().optional(),
  })
  .strict();

export interface PromptTemplate {
  name: string;
  file: string;
  variables: string[];
  system: string;
  user: string;
}

const PLACEHOLDER = /\{\{\s*([a-zA-Z][a-zA-Z0-9]*)\s*\}\}/g;

/**
 * Parses a prompt file's text. A UTF-8 byte order mark before the front matter is ignored, and an empty front matter
 * (`---` then `---`) declares no variables. Lines in messages count from the top of the file.
 */
export function parsePrompt(file: string, fileText: string): PromptTemplate {
  const name = path.basename(file, '.md');
  const text = fileText.startsWith('\uFEFF') ? fileText.slice(1) : fileText;
  const match = /^---\r?\n(?:([\s\S]*?)\r?\n)?---(?:\r?\n|$)([\s\S]*)$/.exec(text);
  if (!match) {
    throw new PromptError('missing front matter: expected a `---` block declaring `variables: [...]` at the top', [{ file, line: 1 }]);
  }
  const frontText = match[1] ?? '';
  const frontLines = match[1] === undefined ? 0 : frontText.split('\n').length;
  const body = match[2] ?? '';
  const parsed = YamlSource.parse(file, frontText);
  // The front matter starts on line 2 of the file: its problems' lines are moved by one.
  if ('problems' in parsed) {
    throw new PromptError(
      parsed.problems.map((problem) => problem.message).join('; '),
      parsed.problems.map((problem) => ({ ...problem.location, line: (problem.location.line ?? 1) + 1 })),
    );
  }
  const validated = parsed.source.validate(FrontMatter);
  if ('problems' in validated) {
    throw new PromptError(
      validated.problems.map((problem) => problem.message).join('; '),
      validated.problems.map((problem) => ({ ...problem.location, line: (problem.location.line ?? 0) + 1 })),
    );
  }
  // Line 1 is `---`, then the front matter's lines, then `---`.
  const bodyStartLine = frontLines + 3;
  const sections = splitSections(body);
  if (sections.system === undefined || sections.user === undefined) {
    throw new PromptError('expected a `# System` section and a `# User` section in the body', [{ file, line: bodyStartLine }]);
  }
  const declared = new Set(validated.value.variables);
  const lines = body.split('\n');
  lines.forEach((line, index) => {
    for (const placeholder of line.matchAll(PLACEHOLDER)) {
      const variable = placeholder[1] ?? '';
      if (!declared.has(variable)) {
        throw new PromptError(
          `placeholder {{${variable}}} is not declared; add it to \`variables\` in the front matter (declared: ${[...declared].join(', ') || 'none'})`,
          [{ file, line: bodyStartLine + index, path: 'variables' }],
        );
      }
    }
  });
  return { name, file, variables: validated.value.variables, system: sections.system.trim(), user: sections.user.trim() };
}

function splitSections(body: string): { system?: string; user?: string } {
  const result: { system?: string; user?: string } = {};
  let current: 'system' | 'user' | undefined;
  const buffers: Record<'system' | 'user', string[]> = { system: [], user: [] };
  for (const line of body.split('\n')) {
    const heading = /^#\s+(system|user)\s*$/i.exec(line.trim());
    if (heading) {
      current = (heading[1] ?? '').toLowerCase() as 'system' | 'user';
      result[current] = '';
      continue;
    }
    if (current) buffers[current].push(line);
  }
  if (result.system !== undefined) result.system = buffers.system.join('\n');
  if (result.user !== undefined) result.user = buffers.user.join('\n');
  return result;
}

/** Finds `<name>.md` in the first folder that has it. */
export function findPromptFile(name: string, folders: readonly string[]): string | undefined {
  for (const folder of folders) {
    const candidate = path.join(folder, `${name}.md`);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Loads a prompt and checks its variables against what a role kind's state provides. */
export function loadPrompt(name: string, folders: readonly string[], kind: RoleKind, roleFile: string): PromptTemplate {
  const file = findPromptFile(name, folders);
  if (!file) {
    throw new PromptError(`prompt "${name}" not found; expected a file ${name}.md in ${folders.join(' or ')}`, [{ file: roleFile, path: 'prompt' }]);
  }
  const read = readUserFile(file);
  if ('problem' in read) throw new PromptError(`${read.problem}; expected a prompt template (a Markdown file)`, [{ file }]);
  const template = parsePrompt(file, read.text);
  const available = PROMPT_VARIABLES[kind];
  for (const variable of template.variables) {
    if (!available.includes(variable)) {
      throw new PromptError(
        `variable "${variable}" is not provided by the state for a ${kind} role; available: ${available.join(', ')}`,
        [{ file, line: 2, path: 'variables' }],
      );
    }
  }
  return template;
}

/** Fills a template's placeholders. Objects are rendered as indented JSON. */
export function renderTemplate(text: string, values: Record<string, unknown>): string {
  return text.replace(PLACEHOLDER, (_whole, variable: string) => renderValue(values[variable]));
}

function renderValue(value: unknown): string {
  if (value === undefined || value === null) return '(none)';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value, null, 2);
}
