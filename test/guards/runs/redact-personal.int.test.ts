/**
 * `redact: { personal: true }` in whole runs: the e-mail addresses of a goal and of an attached file reach no file of
 * the data directory (the run store, the checkpoints, their journals), as someone with the disk would read them; without
 * it they are stored as given (the baseline that shows the search finds them).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAttachments } from '../../../src/runtime/attachments.js';
import { runGoal } from '../../../src/runtime/run.js';
import { temporaryDirectories } from '../../support/project.js';
import { claim, fakeModels, filesUnder, LIGHTHOUSE, openProject, userOf } from './helpers.js';

const folder = temporaryDirectories('baton-guard-redact-');
const GOAL_ADDRESS = 'ada.lovelace@example.com';
const FILE_ADDRESS = 'grace.hopper@example.org';
const GOAL = `What does a lighthouse warn ships about? Reply to ${GOAL_ADDRESS} please.`;
const NOTE = `Visitor note from ${FILE_ADDRESS}: a lighthouse warns ships of rocks.\n`;

async function personalRun(config: string) {
  const models = await fakeModels({ researcher: () => claim(LIGHTHOUSE, 'kb/lighthouse.md', [LIGHTHOUSE]) });
  const { project, runtime } = await openProject(models, config);
  const directory = folder();
  writeFileSync(path.join(directory, 'visitor.txt'), NOTE);
  const outcome = await runGoal(runtime, { goal: GOAL, attachments: await readAttachments(['visitor.txt'], directory) });
  const record = await runtime.store.getRun(outcome.runId);
  const turns = await runtime.store.turns(outcome.runId);
  await runtime.close();
  return { outcome, models, record, turns, files: filesUnder(project.dataDir) };
}

describe('redact: { personal: true }', () => {
  it('stores the addresses when personal data is not redacted (the baseline)', async () => {
    const { outcome, files } = await personalRun('');
    expect(outcome.status, JSON.stringify(outcome)).toBe('approved');
    const all = files.map((entry) => entry.text).join('\n');
    expect(all).toContain(GOAL_ADDRESS);
  });

  it('keeps the goal\'s and the attachment\'s addresses out of the records and the models\' prompts', async () => {
    const { outcome, models, record, turns } = await personalRun('redact: { personal: true }\n');
    expect(outcome.status, JSON.stringify(outcome)).toBe('approved');
    expect(record.goal).not.toContain(GOAL_ADDRESS);
    expect(record.goal).toMatch(/\[REDACTED:[a-z-]+\]/);
    const stored = JSON.stringify({ record, turns, outcome });
    expect(stored).not.toContain(GOAL_ADDRESS);
    expect(stored).not.toContain(FILE_ADDRESS);
    const sent = models.chatRequests().map((request) => userOf(request)).join('\n');
    expect(sent).not.toContain(GOAL_ADDRESS);
    expect(sent).not.toContain(FILE_ADDRESS);
  });

  it('keeps the goal\'s address out of every file of the data directory', async () => {
    const { files } = await personalRun('redact: { personal: true }\n');
    expect(files.map((entry) => path.basename(entry.file))).toEqual(expect.arrayContaining(['baton.db', 'checkpoints.db']));
    for (const entry of files) expect(entry.text.includes(GOAL_ADDRESS), entry.file).toBe(false);
  });

  // Was a bug, fixed (kept as a regression test): with `redact: { personal: true }`, an attached file's e-mail address should reach no file of the data
  // directory, as the goal's does not. Actual: baton.db holds it. The attachment's raw bytes are stored unredacted in
  // the `attachments` table for the run's life (for resumes; readable there while the run runs or waits for a
  // person), and deleting them when the run ends leaves them in SQLite's free pages (no secure_delete/VACUUM).
  it('keeps the attachment\'s address out of every file of the data directory once the run ended', async () => {
    const { files } = await personalRun('redact: { personal: true }\n');
    for (const entry of files) expect(entry.text.includes(FILE_ADDRESS), entry.file).toBe(false);
  });
});
