/**
 * The bundled CLI's internal-error trace points at src/ (src/cli/source-stack.ts), through the
 * source map the build writes beside dist/src/cli/bin.js.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { withSourcePositions } from '../../src/cli/source-stack.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BUNDLE = path.join(REPO, 'dist/src/cli/bin.js');

/** 1-based line of the first line of `file` starting with `start`. */
function lineOf(file: string, start: string): number {
  const i = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.startsWith(start));
  expect(i).toBeGreaterThanOrEqual(0);
  return i + 1;
}

describe('withSourcePositions', () => {
  it("maps a frame in the bundle to the function's line in src/, and leaves frames without a map as they are", () => {
    const bundled = lineOf(BUNDLE, 'function readVersion(');
    const source = lineOf(path.join(REPO, 'src/cli/main.ts'), 'export function readVersion(');
    const stack = [
      'Error: boom',
      `    at readVersion (${pathToFileURL(BUNDLE).href}:${bundled}:1)`,
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      '    at /nowhere/no-map.js:3:4',
    ].join('\n');

    const mapped = withSourcePositions(stack).split('\n');

    expect(mapped[1]).toMatch(new RegExp(`^    at readVersion \\(${path.join(REPO, 'src/cli/main.ts')}:${source}:\\d+\\)$`));
    expect(mapped.slice(2)).toEqual(stack.split('\n').slice(2));
  });
});
