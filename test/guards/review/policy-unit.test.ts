import { describe, expect, it } from 'vitest';
import { OutputPolicyConfig } from '../../../src/guards/config.js';
import { OutputPolicy } from '../../../src/guards/output-policy.js';
import { builtinDetectors } from '../../../src/routing/detectors.js';

const policy = (config: unknown) => new OutputPolicy(OutputPolicyConfig.parse(config), builtinDetectors);

describe('review: output policy', () => {
  it('a redact rule that matched (on the normalised form) actually removes the phrase from what leaves', () => {
    const p = policy({ rules: [{ name: 'no-guarantees', phrase: 'we guarantee', action: 'redact' }] });
    const checked = p.check('Rest assured, we guar\u200Bantee a full refund.', 'answer');
    expect(checked.action).toBe('redact');
    expect(checked.text).toContain('[REDACTED:no-guarantees]');
  });

  it('a full-width variant of a redacted pattern is redacted too', () => {
    const p = policy({ rules: [{ name: 'internal-ids', pattern: 'INT-\\d+', action: 'redact' }] });
    const checked = p.check('Ticket ＩＮＴ-4411 is open.', 'answer');
    expect(checked.action).toBe('redact');
    expect(checked.text).not.toContain('4411');
  });

  it('cutting an answer to maxLength keeps the required disclaimer', () => {
    const p = policy({ disclaimer: { text: 'This answer was prepared with AI assistance.' }, maxLength: { chars: 100, action: 'redact' } });
    const checked = p.check('x'.repeat(300), 'answer');
    expect(checked.text.length).toBeLessThanOrEqual(100);
    expect(checked.text).toContain('This answer was prepared with AI assistance.');
  });

  it('personal data carried as a number in a side-effect payload (SQL parameter) is caught', () => {
    const p = policy({ personal: { action: 'block', applies: ['side-effect'] } });
    const checked = p.checkPayload({ sql: 'insert into cards values ($1)', params: [4111111111111111] });
    expect(checked.action).toBe('block');
  });
});

describe('review: output policy rules that match the empty string', () => {
  it('are refused by the config schema (a redact rule would otherwise rewrite every answer)', () => {
    const parsed = OutputPolicyConfig.safeParse({ rules: [{ name: 'ids', pattern: '(INT-\\d+)?', action: 'redact' }] });
    // Past the schema (a library caller building the policy itself), empty matches are still never replaced:
    const p = new OutputPolicy({ rules: [{ name: 'ids', pattern: '(INT-\\d+)?', action: 'redact', applies: ['answer', 'side-effect'] }] }, builtinDetectors);
    const checked = p.check('Lighthouses warn ships.', 'answer');
    expect({ schemaAccepted: parsed.success, text: checked.text }).toEqual({ schemaAccepted: false, text: 'Lighthouses warn ships.' });
  });
});
