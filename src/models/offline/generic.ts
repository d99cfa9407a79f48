/**
 * Offline strategy for config-added roles. A role that writes the draft gets a deterministic tidy-up (whitespace,
 * repeated sentences, a final full stop); any other role reports what it was given. It never invents content.
 */
import type { GenericOutput } from '../../roles/schemas.js';
import type { GenericTask } from '../../roles/tasks.js';

/** Collapses runs of spaces, drops a line repeated verbatim, and ends list items and paragraphs with a full stop. */
export function tidyDraft(text: string): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[ \t]+/g, ' ').replace(/\s+$/, '');
    const key = line.trim().toLowerCase();
    if (key && !key.startsWith('#') && seen.has(key)) continue;
    if (key) seen.add(key);
    lines.push(/^(?:- |\d+\. )?[^#\s].*[\p{L}\p{N})]$/u.test(line) && !/\]$/.test(line) ? `${line}.` : line);
  }
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

export function offlineGeneric(task: GenericTask): GenericOutput {
  if (task.writesDraft && task.draft) {
    const draft = tidyDraft(task.draft.text);
    const changed = draft !== task.draft.text;
    return {
      message: changed
        ? `offline engine: ${task.role} tidied the draft (whitespace, repeated lines, full stops); no words were added`
        : `offline engine: ${task.role} found nothing to tidy in the draft`,
      draft,
    };
  }
  const claims = task.findings.reduce((sum, finding) => sum + finding.claims.length, 0);
  return {
    message: `offline engine: ${task.role} has no language model, so it only reports what it received: a plan of ${task.plan?.steps.length ?? 0} step(s), ${claims} claim(s), ${task.verdicts.length} verdict(s)`,
  };
}
