import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/models/types.js';
import { IMAGE_TOKENS, outgoingText, scanMessages } from '../../src/routing/inspect.js';

describe('scanMessages', () => {
  it('finds detectors in every text part, spots images and estimates tokens', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'You are helpful.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in this picture? Reply to ops@example.com' },
          { type: 'image', mimeType: 'image/png', dataBase64: 'iVBORw0KGgo=' },
        ],
      },
      { role: 'assistant', content: '', toolCalls: [{ id: '1', name: 'fetch', arguments: { note: 'password=hunter22!' } }] },
    ];
    const scan = scanMessages(messages);
    expect(scan.hasImage).toBe(true);
    expect(scan.detectedConfidential).toEqual(['secret-assignment', 'email']);
    expect(scan.estimatedInputTokens).toBeGreaterThan(IMAGE_TOKENS);
    expect(outgoingText(messages)).not.toContain('iVBORw0KGgo');
  });

  it('reports nothing for harmless text', () => {
    const scan = scanMessages([{ role: 'user', content: 'Summarise the 2024 annual report.' }]);
    expect(scan).toMatchObject({ detections: [], detectedConfidential: [], hasImage: false });
  });
});
