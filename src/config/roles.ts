/**
 * Role declarations: `agents/<role>.yaml`. A user adds a role by writing one of these and a prompt, and naming the
 * role in the flow; no TypeScript change.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { RoleError } from '../errors.js';
import { RoleModelNeeds } from '../routing/needs.js';
import { BUILT_IN_TOOL_NAMES } from '../tools/names.js';
import { forbidProblem } from '../roles/policy.js';
import { describeFileFailure } from './user-file.js';
import { readYamlFile } from './yaml.js';

/**
 * A tool name a role may list: one of the built-in tools, or a connector operation `connector.operation` (checked
 * against the project's connectors when the project loads). Anything else is refused here, listing the built-in tools.
 */
const ToolName = z.string().superRefine((name, context) => {
  if (/^[a-z][a-z0-9_]*\.[A-Za-z0-9_.-]+$/.test(name)) return;
  if (!BUILT_IN_TOOL_NAMES.includes(name)) context.addIssue({ code: 'custom', message: `unknown tool "${name}"; available tools: ${BUILT_IN_TOOL_NAMES.join(', ')}, or a connector operation such as crm.purchase_history` });
});

/** A forbid entry whose `/regex/flags` form compiles, so a bad pattern fails at load and not in the middle of a run. */
const ForbidEntry = z.string().superRefine((entry, context) => {
  const problem = forbidProblem(entry);
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
});

export const RoleKind = z.enum(['planner', 'researcher', 'checker', 'generic']);
export type RoleKind = z.infer<typeof RoleKind>;

export const RoleConfig = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'a lower-case name such as "editor"'),
    kind: RoleKind,
    description: z.string().default(''),
    /** Prompt template name under the prompts folder (without `.md`); defaults to the role's name. */
    prompt: z.string().optional(),
    /** A model name from the registry. Without it (and without `needs`), the config's default model. */
    model: z.string().optional(),
    /** What the role needs instead of one model: capabilities, a minimum tier, a preference order. */
    needs: RoleModelNeeds.optional(),
    temperature: z.number().min(0).max(2).optional(),
    /** How many times a reply that fails validation is asked again. */
    maxOutputRetries: z.number().int().min(0).max(5).optional(),
    /** Researcher: passages retrieved per plan step, and tools the model may call. */
    search: z.object({ limit: z.number().int().min(1).max(50).default(6) }).strict().optional(),
    tools: z.array(ToolName).optional(),
    /** Checker: phrases (or `/regex/flags`) the answer must not contain. */
    policy: z.object({ forbid: z.array(ForbidEntry).default([]) }).strict().optional(),
    /** Generic: `draft` when the role's output replaces the draft answer. */
    writes: z.literal('draft').optional(),
    /**
     * Generic: a field of the role's output that raises the run's priority for the calls after it (`urgent`, `normal`,
     * `batch`; e.g. an intent role's `urgency`). It only raises: a run started `--priority urgent` stays urgent.
     */
    priorityFrom: z.string().min(1).optional(),
    /** Generic: a JSON Schema for the role's output; default `{ message, draft? }`. */
    output: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type RoleConfig = z.infer<typeof RoleConfig>;

/** A role declaration and the file it came from. */
export interface LoadedRole {
  config: RoleConfig;
  file: string;
}

/** Reads and validates one role file. */
export function loadRoleFile(file: string): LoadedRole {
  const parsed = readYamlFile(file);
  if ('problems' in parsed) throw roleError(parsed.problems);
  const validated = parsed.source.validate(RoleConfig);
  if ('problems' in validated) throw roleError(validated.problems);
  const expectedName = path.basename(file).replace(/\.ya?ml$/, '');
  if (validated.value.name !== expectedName) {
    throw new RoleError(`role name "${validated.value.name}" does not match its file name; expected "${expectedName}"`, [
      parsed.source.locate(['name']),
    ]);
  }
  const problem = priorityFromProblem(validated.value);
  if (problem) throw new RoleError(problem, [parsed.source.locate(['priorityFrom'])]);
  return { config: validated.value, file };
}

/**
 * A `priorityFrom` must name a field of the role's output that can hold a run priority: a typo would otherwise be
 * ignored in silence and an urgent inquiry never raise the priority.
 */
function priorityFromProblem(config: RoleConfig): string | undefined {
  const field = config.priorityFrom;
  if (field === undefined) return undefined;
  if (config.kind !== 'generic' || !config.output) return 'priorityFrom reads a field of a generic role\'s output: the role needs kind: generic and an output schema';
  const properties = (config.output['properties'] ?? {}) as Record<string, { enum?: unknown[] } | undefined>;
  const declared = properties[field];
  if (!declared) return `priorityFrom names "${field}", which is not a field of the role's output (fields: ${Object.keys(properties).join(', ') || 'none'})`;
  if (Array.isArray(declared.enum) && !declared.enum.some((value) => value === 'urgent' || value === 'normal' || value === 'batch')) {
    return `priorityFrom names "${field}", whose values (${declared.enum.join(', ')}) hold no run priority; expected urgent, normal or batch among them`;
  }
  return undefined;
}

function roleError(problems: Array<{ message: string; location: import('../errors.js').SourceLocation }>): RoleError {
  return new RoleError(problems.map((problem) => problem.message).join('; '), problems.map((problem) => problem.location));
}

/**
 * Loads every role visible from the given folders. Earlier folders win: a project's `agents/planner.yaml`
 * replaces the built-in planner.
 */
export function loadRoles(folders: readonly string[]): Map<string, LoadedRole> {
  const roles = new Map<string, LoadedRole>();
  for (const folder of folders) {
    for (const entry of roleFileNames(folder)) {
      if (!/\.ya?ml$/.test(entry)) continue;
      const name = entry.replace(/\.ya?ml$/, '');
      if (roles.has(name)) continue;
      roles.set(name, loadRoleFile(path.join(folder, entry)));
    }
  }
  return roles;
}

/** The YAML file names in a roles folder, sorted; none when it does not exist. A file or unreadable folder is a RoleError. */
function roleFileNames(folder: string): string[] {
  try {
    if (!statSync(folder).isDirectory()) throw new RoleError('expected a folder of role files (agents/<role>.yaml), found a file', [{ file: folder }]);
    return readdirSync(folder).sort();
  } catch (error) {
    if (error instanceof RoleError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new RoleError(`cannot read the roles folder: ${describeFileFailure(error)}`, [{ file: folder }], { cause: error });
  }
}
