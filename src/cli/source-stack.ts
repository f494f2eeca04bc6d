/**
 * Stack traces of the bundled CLI (dist/src/cli/bin.js, scripts/bundle-cli.ts) pointed back at
 * src/, from the source map beside each .js file. Only bin.ts's internal-error path calls this:
 * `--enable-source-maps` would do it for every error but costs every start ~15 ms (Node reads the
 * bundle's map and measures each of its lines at load), for traces printed only on a crash.
 * With that flag (or NODE_OPTIONS) the stack already names .ts files and is left as it is.
 */
import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** `file:///…/x.js:12:5` or `/…/x.js:12:5` inside a stack frame. */
const FRAME = /(file:\/\/\/[^\s()]+?\.js|\/[^\s()]+?\.js):(\d+):(\d+)/g;

/**
 * `stack` with each position in a built .js file that has a `.js.map` replaced by the source
 * file's path, line and column; positions without a map, or that the map does not cover, are
 * kept. Never throws (a trace is printed whatever happens).
 */
export function withSourcePositions(stack: string): string {
  const maps = new Map<string, SourceMap | null>();
  try {
    return stack.replace(FRAME, (whole, file: string, line: string, column: string) => {
      const js = file.startsWith('file:') ? fileURLToPath(file) : file;
      if (!maps.has(js)) maps.set(js, mapOf(js));
      const entry = maps.get(js)?.findEntry(Number(line) - 1, Number(column) - 1);
      if (!entry || !('originalSource' in entry) || !entry.originalSource) return whole;
      const source = entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : path.resolve(path.dirname(js), entry.originalSource);
      return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
    });
  } catch {
    return stack;
  }
}

function mapOf(js: string): SourceMap | null {
  try {
    return new SourceMap(JSON.parse(readFileSync(`${js}.map`, 'utf8')) as SourceMapPayload);
  } catch {
    return null;
  }
}
