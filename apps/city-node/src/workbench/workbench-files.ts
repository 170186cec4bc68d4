import { existsSync, readdirSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

/**
 * Where `npm run build` puts the workbench (vite's outDir): beside the built
 * node in dist/, or, when the node runs from its TypeScript sources (the
 * tests), in the repository's dist/.
 */
export function workbenchDir(): string {
  const candidates = [
    // dist/apps/city-node/apps/city-node/src/workbench → dist/apps/city-node/workbench
    join(__dirname, '../../../../workbench'),
    // apps/city-node/src/workbench → dist/apps/city-node/workbench
    join(__dirname, '../../../../dist/apps/city-node/workbench'),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0];
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export interface WorkbenchFile {
  file: string;
  contentType: string;
  /** vite names these by content hash: a changed file is a new name */
  immutable: boolean;
}

/**
 * The built files by their path under /workbench ('assets/index-1a2b.js').
 * Only these are served: a request names an entry of this map, never a path
 * on disk. Files of a type not listed above are left out.
 */
export function workbenchFiles(dir: string): Map<string, WorkbenchFile> {
  const files = new Map<string, WorkbenchFile>();
  if (!existsSync(dir)) return files;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const contentType = CONTENT_TYPES[extname(entry.name)];
    if (!contentType) continue;
    const file = join(entry.parentPath, entry.name);
    const name = relative(dir, file).split(sep).join('/');
    files.set(name, { file, contentType, immutable: name.startsWith('assets/') });
  }
  return files;
}

/** Paths the single-page app routes itself (`inbox`, `tasks`): one lower-case word or words joined by dashes. */
export const APP_ROUTE = /^[a-z]+(-[a-z]+)*$/;

/**
 * The workbench holds a bearer token in memory, so it runs only its own
 * scripts and talks only to its own node. Element Plus positions popups and
 * sizes tables through the style property (CSSOM), which style-src does not
 * govern, so styles too come only from the node's own stylesheet. Vue writes
 * HTML only through its Trusted Types policy named 'vue'.
 */
export const WORKBENCH_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "require-trusted-types-for 'script'",
  'trusted-types vue',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
