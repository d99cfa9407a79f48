/**
 * The dashboard's files: a fixed list read once at startup and served from memory with exact content types and a
 * restrictive Content-Security-Policy. Nothing from the request ever becomes a file path, so no traversal is possible.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../config/load.js';
import { ServerConfigError } from './errors.js';

/** The dashboard's files, by the URL path they are served at. */
const DASHBOARD_FILES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/assets/app.css': 'app.css',
  '/assets/app.js': 'app.js',
  '/assets/api.js': 'api.js',
  '/assets/charts.js': 'charts.js',
  '/assets/transcript.js': 'transcript.js',
  '/assets/dom.js': 'dom.js',
  '/assets/ui.js': 'ui.js',
  '/assets/overview.js': 'overview.js',
  '/assets/run-view.js': 'run-view.js',
  '/assets/decisions.js': 'decisions.js',
  '/assets/guards.js': 'guards.js',
  '/assets/favicon.svg': 'favicon.svg',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * Scripts and styles only from this origin (no inline code, no eval), data only from this API, no frames, no plugins.
 * Charts are SVG built through the DOM, which needs nothing more.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers sent with every response, API included. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export interface DashboardAsset {
  body: Buffer;
  contentType: string;
}

/**
 * Where the dashboard's files are: beside this module when running from source, or in the package's `src` folder when
 * running the compiled code (tsc does not copy non-TypeScript files into `dist`).
 */
export function defaultDashboardDir(): string {
  const here = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dashboard');
  return existsSync(path.join(here, 'index.html')) ? here : path.join(PACKAGE_ROOT, 'src', 'server', 'dashboard');
}

/** Reads every dashboard file; throws a clear error if the installation lacks one. */
export function loadDashboard(directory: string): Map<string, DashboardAsset> {
  const assets = new Map<string, DashboardAsset>();
  for (const [urlPath, file] of Object.entries(DASHBOARD_FILES)) {
    const fullPath = path.join(directory, file);
    let body: Buffer;
    try {
      body = readFileSync(fullPath);
    } catch {
      throw new ServerConfigError(`the dashboard file ${fullPath} is missing`, { hint: 'reinstall Baton, or pass dashboard: false to serve the API only' });
    }
    assets.set(urlPath, { body, contentType: CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' });
  }
  return assets;
}
