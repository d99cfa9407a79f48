/**
 * What leaves Baton for a model holds no detected secret: every text part, tool result and tool-call argument of a
 * request is passed through the run's redactor just before it is sent. Routing looks at the request before this, so
 * a prompt that held a secret is still treated as confidential.
 */
import { redactDeep, type Redactor } from '../transcript/redact.js';
import type { ChatMessage, ContentPart, ModelRequest } from './types.js';

function redactParts(parts: ContentPart[], redact: Redactor): ContentPart[] {
  let changed = false;
  const redacted = parts.map((part) => {
    if (part.type !== 'text') return part;
    const text = redact(part.text);
    if (text === part.text) return part;
    changed = true;
    return { ...part, text };
  });
  return changed ? redacted : parts;
}

function redactMessage(message: ChatMessage, redact: Redactor): ChatMessage {
  switch (message.role) {
    case 'system':
    case 'tool': {
      const content = redact(message.content);
      return content === message.content ? message : { ...message, content };
    }
    case 'user': {
      const content = typeof message.content === 'string' ? redact(message.content) : redactParts(message.content, redact);
      return content === message.content ? message : { ...message, content };
    }
    case 'assistant': {
      const content = redact(message.content);
      const toolCalls = message.toolCalls ? redactDeep(message.toolCalls.map((call) => ({ ...call })), redact) : undefined;
      const callsChanged = toolCalls !== undefined && toolCalls.some((call, index) => call.arguments !== message.toolCalls?.[index]?.arguments);
      if (content === message.content && !callsChanged) return message;
      return { ...message, content, ...(toolCalls ? { toolCalls } : {}) };
    }
  }
}

/** The request with its messages redacted; the same object when nothing changed. */
export function redactRequest(request: ModelRequest, redact: Redactor): ModelRequest {
  const messages = request.messages.map((message) => redactMessage(message, redact));
  return messages.some((message, index) => message !== request.messages[index]) ? { ...request, messages } : request;
}
