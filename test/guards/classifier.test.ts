import { describe, expect, it } from 'vitest';
import { ClassifierDetector, windowsOf } from '../../src/guards/classifier.js';
import { ScriptedModel } from '../../src/models/scripted.js';

describe('the classifier detector', () => {
  it('reads a long text in overlapping windows, and says when a text is longer than it reads', () => {
    const { windows, cut } = windowsOf('x'.repeat(13_000));
    expect(windows.length).toBe(3);
    expect(cut).toBe(false);
    expect(windows.join('').length).toBeGreaterThan(13_000); // the overlaps
    expect(windowsOf('y'.repeat(100_000)).cut).toBe(true);
  });

  it('keeps the highest score of the windows and stops at the first over the threshold', async () => {
    const model = new ScriptedModel((request) => (JSON.stringify(request.messages).includes('INJECT') ? '{"label":"INJECTION","score":0.9}' : '{"label":"BENIGN","score":0.9}'));
    const detector = new ClassifierDetector({ name: 'pg', model, threshold: 0.5, timeoutMs: 1000 });
    const text = `${'a '.repeat(5000)}INJECT${' b'.repeat(5000)}`;
    const found = await detector.detect(text);
    expect(found).toEqual([expect.objectContaining({ detector: 'classifier', rule: 'pg', score: 0.9 })]);
    expect(model.requests.length).toBeLessThanOrEqual(3);
  });

  it('redacts what it sends, and stops asking after two failures in a row', async () => {
    const model = new ScriptedModel(() => ({ error: new Error('down') }));
    const detector = new ClassifierDetector({ name: 'pg', model, threshold: 0.5, timeoutMs: 1000, redact: (text) => text.replace('s3cret', '[REDACTED:secret]') });
    await expect(detector.detect('password s3cret')).rejects.toThrow('down');
    await expect(detector.detect('again')).rejects.toThrow('down');
    expect(await detector.detect('third')).toEqual([expect.objectContaining({ rule: 'unavailable' })]);
    expect(model.requests).toHaveLength(2);
    expect(JSON.stringify(model.requests[0]!.messages)).not.toContain('s3cret');
  });
});
