/** Types of systems.mjs, for the TypeScript tests that start the fakes. */
import type { IncomingHttpHeaders } from 'node:http';

export declare const FAKES_DIR: string;
export declare const EXAMPLE_DIR: string;
export declare const DEFAULT_CRM_TOKEN: string;
export declare const DEFAULT_ERP_KEY: string;

export interface FakeRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  receivedAt: string;
}

export interface FakeServer {
  /** `http://<host>:<port>`. */
  url: string;
  port: number;
  requests: FakeRequest[];
  close(): Promise<void>;
}

export interface ChatMessage {
  channel: 'slack' | 'teams';
  /** Slack: the message text; Teams: the card's text blocks and facts, one per line. */
  text: string;
  blocks?: unknown[];
  card?: Record<string, unknown>;
  body: Record<string, unknown>;
  receivedAt: string;
}

export interface Webhooks extends FakeServer {
  slackUrl: string;
  teamsUrl: string;
  messages: ChatMessage[];
}

export interface Customer {
  id: string;
  name: string;
  email: string;
  tier: string;
  phone?: string | null;
}

export declare function readSeed(name: 'customers' | 'crm' | 'erp'): Record<string, unknown>;
export declare function buildCustomerDb(file?: string, customers?: Customer[]): string;
export declare function startCrm(options?: { delayMs?: number; port?: number; host?: string; token?: string; seed?: unknown; log?: (line: string) => void }): Promise<FakeServer>;
export declare function startErp(options?: { delayMs?: number; port?: number; host?: string; key?: string; seed?: unknown; log?: (line: string) => void }): Promise<FakeServer>;
export declare function startWebhooks(options?: { delayMs?: number; port?: number; host?: string; log?: (message: ChatMessage) => void }): Promise<Webhooks>;
