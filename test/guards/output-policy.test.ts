import { describe, expect, it } from 'vitest';
import { OutputPolicyConfig } from '../../src/guards/config.js';
import { OutputPolicy } from '../../src/guards/output-policy.js';
import { builtinDetectors } from '../../src/routing/detectors.js';

const policy = (config: unknown) => new OutputPolicy(OutputPolicyConfig.parse(config), builtinDetectors);

describe('the output policy', () => {
  it('does nothing by default, and says so', () => {
    const none = policy({});
    expect(none.appliesTo('answer')).toBe(false);
    expect(none.appliesTo('side-effect')).toBe(false);
    expect(none.check('mail jane@example.com', 'answer')).toEqual({ text: 'mail jane@example.com', action: 'allow', detections: [] });
  });

  it('redacts personal data, naming only what kind it was', () => {
    const checked = policy({ personal: { action: 'redact' } }).check('Write to jane.doe@example.com or call +44 20 7946 0958.', 'answer');
    expect(checked.action).toBe('redact');
    expect(checked.text).not.toContain('jane.doe@example.com');
    expect(checked.text).toContain('[REDACTED:email]');
    expect(JSON.stringify(checked.detections)).not.toContain('jane');
  });

  it('blocks on a forbidden phrase, keeping the text unchanged for the record', () => {
    const checked = policy({ rules: [{ name: 'no-guarantee', phrase: 'we  guarantee' }] }).check('We GUARANTEE a refund.', 'answer');
    expect(checked.action).toBe('block');
    expect(checked.text).toBe('We GUARANTEE a refund.');
    expect(checked.detections[0]).toMatchObject({ detector: 'policy', rule: 'no-guarantee' });
  });

  it('redacts a pattern and flags a topic by whole words only', () => {
    const rules = [
      { name: 'ticket-ids', pattern: 'INT-\\d+', action: 'redact' },
      { name: 'legal', topic: ['lawsuit', 'sue'], action: 'flag' },
    ];
    const checked = policy({ rules }).check('See INT-4411; customers may sue.', 'answer');
    expect(checked.text).toBe('See [REDACTED:ticket-ids]; customers may sue.');
    expect(checked.action).toBe('redact');
    expect(policy({ rules }).check('Pursue the issue.', 'answer').action).toBe('allow');
  });

  it('appends a missing disclaimer once, or blocks without it', () => {
    const appended = policy({ disclaimer: { text: 'This is not legal advice.' } }).check('Answer.', 'answer');
    expect(appended.text).toBe('Answer.\n\nThis is not legal advice.');
    expect(policy({ disclaimer: { text: 'This is not legal advice.' } }).check(appended.text, 'answer').text).toBe(appended.text);
    expect(policy({ disclaimer: { text: 'Not advice.', action: 'block' } }).check('Answer.', 'answer').action).toBe('block');
  });

  it('cuts or blocks an answer past the maximum length', () => {
    expect(policy({ maxLength: { chars: 10, action: 'redact' } }).check('a'.repeat(30), 'answer').text).toHaveLength(10);
    expect(policy({ maxLength: { chars: 10 } }).check('a'.repeat(30), 'answer').action).toBe('block');
  });

  it('applies rules to side-effect payloads only where they say so, string by string', () => {
    const both = policy({ personal: { action: 'redact', applies: ['answer', 'side-effect'] }, rules: [{ name: 'answers-only', phrase: 'secret plan', applies: ['answer'] }] });
    expect(both.appliesTo('side-effect')).toBe(true);
    const payload = both.checkPayload({ body: { text: 'mail bob@example.org about the secret plan', count: 2 } });
    expect(payload.action).toBe('redact');
    expect(payload.value).toEqual({ body: { text: 'mail [REDACTED:email] about the secret plan', count: 2 } });
  });

  it('refuses a rule with two matchers or a bad pattern, naming the rule', () => {
    expect(() => OutputPolicyConfig.parse({ rules: [{ name: 'x', phrase: 'a', pattern: 'b' }] })).toThrow(/rule \\"x\\": give exactly one/);
    expect(() => OutputPolicyConfig.parse({ rules: [{ name: 'y', pattern: '(' }] })).toThrow(/rule \\"y\\": not a valid regular expression/);
  });
});
