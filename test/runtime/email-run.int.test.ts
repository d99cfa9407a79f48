/**
 * An e-mail given to a whole run (offline engine, SQLite store): the store keeps the .eml itself while the run waits,
 * the run's start unpacks it, the researcher cites its text, and an e-mail that cannot be read fails the run with a
 * usage error instead of leaving it half-started.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { readAttachments, type Attachment } from '../../src/runtime/attachments.js';
import { openRuntime, type Runtime } from '../../src/runtime/open.js';
import { resumeRun, runGoal, submitRun } from '../../src/runtime/run.js';
import { cli, expectClean } from '../support/cli.js';
import { makeProject } from '../support/project.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'email');

const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.close();
});

async function offlineRuntime(): Promise<Runtime> {
  const cwd = makeProject({ 'baton.config.yaml': 'knowledge:\n  paths: [kb]\n', 'kb/shop.md': '# Shop\n\nThe espresso shop is open on weekdays.\n' });
  const runtime = await openRuntime(loadProject({ cwd, env: {} }), { env: {} });
  runtimes.push(runtime);
  return runtime;
}

describe('an e-mail attached to a run', () => {
  it('waits in the store as the .eml, then is unpacked at the start and cited by the researcher', async () => {
    const runtime = await offlineRuntime();
    const attachments = await readAttachments([path.join(FIXTURES, 'complaint-photo.eml')], FIXTURES);
    const queued = await submitRun(runtime, { goal: 'Who reported the broken lid on the espresso machine?', attachments });
    const stored = await runtime.store.attachments(queued.id);
    expect(stored).toEqual([expect.objectContaining({ name: 'complaint-photo.eml', kind: 'email', mimeType: 'message/rfc822' })]);
    expect(Buffer.from(stored[0]!.bytes).equals(readFileSync(path.join(FIXTURES, 'complaint-photo.eml')))).toBe(true);

    // The photo inside goes to the prompts like an attached one: the offline engine cannot see it, and says so before
    // any call instead of answering as if it had.
    const outcome = await resumeRun(runtime, queued.id);
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ code: 'ROUTING_NO_MODEL', message: expect.stringContaining('vision') });
    const turns = await runtime.store.turns(queued.id);
    const unpacked = turns.find((turn) => turn.role === 'email');
    expect(unpacked).toMatchObject({ kind: 'supervisor', output: { contents: [{ name: 'complaint-photo.eml/broken-lid.jpg', use: 'image' }] } });
    expect((await runtime.store.getRun(queued.id)).labels['attachments']).toEqual([expect.objectContaining({ name: 'complaint-photo.eml', kind: 'email' })]);
  });

  it('without a photo, is read and cited by the offline researcher: headers are evidence', async () => {
    const runtime = await offlineRuntime();
    const attachments = await readAttachments([path.join(FIXTURES, 'alternative-qp.eml')], FIXTURES);
    const outcome = await runGoal(runtime, { goal: 'Who wrote about the broken lid on the espresso machine?', attachments });
    expect(outcome.status).toBe('approved');
    expect(outcome.result?.citations).toContainEqual(expect.objectContaining({ source: 'attachment:alternative-qp.eml' }));
  });

  it('fails the run with a usage error naming the e-mail when it cannot be read', async () => {
    const runtime = await offlineRuntime();
    // As a server or another client could hand it over, past the checks of `--attach`.
    const bytes = Buffer.from('Just a note, saved with the wrong extension.\n');
    const broken: Attachment = { name: 'note.eml', kind: 'email', mimeType: 'message/rfc822', bytes, sha256: '0'.repeat(64) };
    const outcome = await runGoal(runtime, { goal: 'What does the note say?', attachments: [broken] });
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ code: 'USAGE', message: expect.stringMatching(/^attachment note\.eml: not a readable e-mail: it does not begin with e-mail headers/) });
  });

  it('works from the command line, and a broken e-mail is refused before the run is recorded', async () => {
    const cwd = makeProject({ 'baton.config.yaml': 'knowledge:\n  paths: [kb]\n', 'kb/shop.md': '# Shop\n\nThe espresso shop is open on weekdays.\n' });
    copyFileSync(path.join(FIXTURES, 'alternative-qp.eml'), path.join(cwd, 'complaint.eml'));
    const run = await cli(['run', 'Who wrote about the broken lid on the espresso machine?', '--attach', 'complaint.eml', '--json'], cwd);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'approved', citations: expect.arrayContaining([expect.objectContaining({ source: 'attachment:complaint.eml' })]) });

    writeFileSync(path.join(cwd, 'cut.eml'), readFileSync(path.join(FIXTURES, 'complaint-photo.eml')).subarray(0, 900));
    const refused = await cli(['run', 'What broke?', '--attach', 'cut.eml'], cwd);
    expect(refused.code).toBe(64);
    expect(refused.stderr).toContain('--attach cut.eml: not a readable e-mail: it is cut short');
    expect(refused.stderr).not.toContain('Evidence:');
    expectClean(refused.stderr);
  });
});
