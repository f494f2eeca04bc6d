/** `npm run openapi`: writes openapi.yaml (repo root, or the path given) from the route schemas. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderOpenApi } from '../src/http/openapi.js';

const target = path.resolve(process.argv[2] ?? 'openapi.yaml');
writeFileSync(target, await renderOpenApi());
process.stdout.write(`wrote ${target}\n`);
