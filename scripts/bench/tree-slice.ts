/** Child entry: builds one slice of the tree (argv: root total now from to [old-only]) and reports its counts. */
import { buildTreeSlice } from './tree.js';

const [root, total, now, from, to, oldOnly] = process.argv.slice(2);
const summary = buildTreeSlice(root as string, Number(total), Number(now), Number(from), Number(to), oldOnly === 'old-only');
process.send?.(summary, () => process.exit(0));
