/**
 * The panel (issue 14): `/ui/` serves the files of `src/http/ui/` (copied to dist by the build)
 * and `/ui/vendor/` the few library files it imports (preact, its hooks, htm, uPlot) straight
 * from node_modules: no CDN, no network, no bundler. `/` redirects to `/ui/`. `/docs` shows
 * openapi.yaml with swagger-ui. Every response carries a strict Content-Security-Policy.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';

const UI_DIR = fileURLToPath(new URL('./ui/', import.meta.url));
const require = createRequire(import.meta.url);

/** The folder of an installed package (its package.json's), found from its main file. */
function packageDir(name: string): string {
  let dir = path.dirname(require.resolve(name));
  while (!existsSync(path.join(dir, 'package.json')) || JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).name !== name) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`package ${name} not found`);
    dir = up;
  }
  return dir;
}

/** The only files served under /ui/vendor/: name -> [package, path inside it]. */
export const VENDOR: Readonly<Record<string, readonly [string, string]>> = {
  'preact.mjs': ['preact', 'dist/preact.mjs'],
  'hooks.mjs': ['preact', 'hooks/dist/hooks.mjs'],
  'htm.mjs': ['htm', 'dist/htm.mjs'],
  'uPlot.iife.min.js': ['uplot', 'dist/uPlot.iife.min.js'],
  'uPlot.min.css': ['uplot', 'dist/uPlot.min.css'],
};

/** The Content-Security-Policy of the panel: its own files only, plus the import map's hash. */
function panelCsp(): string {
  const html = readFileSync(path.join(UI_DIR, 'index.html'), 'utf8');
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
  const hash = createHash('sha256').update(importMap).digest('base64');
  return [
    "default-src 'none'",
    `script-src 'self' 'sha256-${hash}'`,
    "style-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Whether the panel's files are there (`npm run build` copies them; a bare `tsc` build has none). */
export function panelAvailable(): boolean {
  return existsSync(path.join(UI_DIR, 'index.html'));
}

/** Registers /, /ui/ and /ui/vendor/ in `app` (an encapsulated context: the caller adds the guards). */
export const panelRoutes: FastifyPluginAsync = async (app) => {
  const csp = panelCsp();
  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', csp);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/ui/'));
  app.get('/ui', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/ui/'));
  await app.register(fastifyStatic, { root: UI_DIR, prefix: '/ui/', index: ['index.html'], decorateReply: true });
  for (const [name, [pkg, file]] of Object.entries(VENDOR)) {
    const full = path.join(packageDir(pkg), file);
    app.get(`/ui/vendor/${name}`, { schema: { hide: true } }, async (_request, reply) => reply.sendFile(path.basename(full), path.dirname(full)));
  }
};

/**
 * Registers `/docs` (swagger-ui) over openapi.yaml, the generated file shipped with the package.
 * When the app already has @fastify/swagger (scripts/openapi.ts), swagger-ui uses it; otherwise
 * a stand-in named like it serves the file (swagger is a dev dependency; the server never loads it).
 * Returns false (and registers nothing) when openapi.yaml is missing.
 */
export async function registerDocs(app: FastifyInstance): Promise<boolean> {
  const file = findOpenApiFile();
  if (!app.hasDecorator('swagger')) {
    if (!file) return false;
    await app.register(openApiFromFile(file));
  }
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // swagger-ui's own policy adds upgrade-insecure-requests, which breaks it on http://127.0.0.1.
    staticCSP: "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
    uiConfig: { deepLinking: true },
  });
  return true;
}

/** openapi.yaml at the package root (two folders above src/http in the sources, three in dist). */
function findOpenApiFile(): string | null {
  for (const up of ['../..', '../../..']) {
    const candidate = fileURLToPath(new URL(`${up}/openapi.yaml`, import.meta.url));
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/**
 * A plugin that stands in for @fastify/swagger (swagger-ui declares it as a dependency by name):
 * `app.swagger()` returns the file, parsed on first use. The plugin-meta and skip-override
 * symbols are what fastify-plugin would set: name it, and decorate the parent context.
 */
function openApiFromFile(file: string) {
  let parsed: Record<string, unknown> | null = null;
  const swagger = (opts?: { yaml?: boolean }) => {
    const text = readFileSync(file, 'utf8');
    if (opts?.yaml) return text;
    parsed ??= require('yaml').parse(text) as Record<string, unknown>;
    return parsed;
  };
  const plugin = async (app: FastifyInstance) => {
    // Typed by swagger-ui as @fastify/swagger's decorator; this one returns the same two shapes.
    app.decorate('swagger', swagger as never);
  };
  Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('plugin-meta')]: { name: '@fastify/swagger', fastify: '5.x' } });
  return plugin;
}
