/**
 * README (Security): a secret never appears in plain text in "every prompt sent to a chat model". The guard
 * classifier is a chat model (an OpenAI-compatible endpoint), but it is called with the raw text of the goal,
 * attachments, tool results and knowledge passages, without the redaction every role's request gets.
 */
import { describe, expect, it } from 'vitest';
import { runGoal } from '../../../src/runtime/run.js';
import { claim, fakeModels, GOAL, LIGHTHOUSE, modelsYaml, openFolder, projectFolder, userOf } from '../runs/helpers.js';

const TOKEN = 'ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
const KB = { 'kb/lighthouse.md': `# Lighthouses\n\n${LIGHTHOUSE}\n\nThe keeper's deploy token is ${TOKEN} for the lamp controller.\n` };

describe('the guard classifier and secrets', () => {
  it('never sends a secret in plain text to the classifier model, as to every other chat model', async () => {
    const models = await fakeModels({ researcher: () => claim(LIGHTHOUSE, 'kb/lighthouse.md', [LIGHTHOUSE]) });
    const cwd = projectFolder(`${modelsYaml(models.url, { classifier: 'private' })}guards:\n  classifier: { model: guard }\n`, KB);
    const { runtime } = await openFolder(cwd);
    const outcome = await runGoal(runtime, { goal: GOAL });
    expect(outcome.status, JSON.stringify(outcome)).toBe('approved');
    // The roles' requests are redacted (sanity: the passage reached the researcher, without the token).
    const researcher = userOf(models.of('researcher')[0]!);
    expect(researcher.replaceAll('\u02C6', ' ')).toContain('lamp controller');
    expect(researcher).not.toContain(TOKEN);
    // The classifier was asked about that passage...
    const classified = models.of('classifier').map(userOf);
    expect(classified.some((text) => text.includes('lamp controller'))).toBe(true);
    // ...and must not have been sent the token either.
    expect(classified.filter((text) => text.includes(TOKEN))).toEqual([]);
  });
});
