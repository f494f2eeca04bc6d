/**
 * The import rules of src/, checked by `npm run lint:deps` (part of `npm test`).
 *
 * Layers, lowest first. A file may import its own layer and any layer below it, never one above;
 * peers on one floor do not import each other.
 *
 *   0  domain/      the vocabulary every layer shares: categories (one descriptor each, one list),
 *                   Policy, Stats, Item, Decision, run events, reason codes, the error catalog.
 *                   Ground floor: imports nothing of src/ outside domain/, and no npm package.
 *   1  safety/      path checks (resolveUnderRoot, openNoFollow …): domain only.
 *   2  config/      settings schema (derived from the descriptors), defaults, loadSettings.
 *   3  engine/      collectors -> pure planner -> executors; runOnce. Declares the store port it
 *      store/       needs (engine/run-store.ts); store/ implements it structurally. The two are
 *                   peers: neither imports the other. The engine never imports Fastify.
 *      targets/     where archived backups go (local folder, S3): below the engine, which uses
 *                   them; they know domain, safety and config only.
 *   4  scheduler/   node-cron around engine.runOnce; notify/: listeners on run events.
 *      notify/
 *   5  http/        buildApp(deps), routes, schemas, error mapping; cli/: main(argv, io).
 *      cli/         Peers. logging.ts (the pino logger the processes build) sits here too.
 *      logging.ts
 *   6  server.ts    the process: wires everything.
 *
 * Inside the engine, planner.ts is pure: it imports domain/ only (no fs, no database, no clock).
 * No import circles anywhere.
 */
const above = {
  domain: '^src/(safety|config|engine|store|scheduler|notify|http|cli|logging|server)',
  safety: '^src/(config|engine|store|scheduler|notify|http|cli|logging|server)',
  config: '^src/(engine|store|scheduler|notify|http|cli|logging|server)',
  engineOrStore: '^src/(scheduler|notify|http|cli|logging|server)',
  schedulerOrNotify: '^src/(http|cli|logging|server)',
};

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle makes load order matter and layers meaningless.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-the-ground-floor',
      severity: 'error',
      comment: 'domain/ imports nothing of src/ outside domain/ and no npm package.',
      from: { path: '^src/domain/' },
      to: { pathNot: '^src/domain/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'safety-below-config',
      severity: 'error',
      from: { path: '^src/safety/' },
      to: { path: above.safety },
    },
    {
      name: 'config-below-engine-and-store',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: above.config },
    },
    {
      name: 'engine-does-not-import-store',
      severity: 'error',
      comment: 'The engine declares the port it needs (engine/run-store.ts); the store implements it.',
      from: { path: '^src/engine/' },
      to: { path: '^src/store/' },
    },
    {
      name: 'store-does-not-import-engine',
      severity: 'error',
      comment: 'Shared vocabulary lives in domain/.',
      from: { path: '^src/store/' },
      to: { path: '^src/engine/' },
    },
    {
      name: 'targets-below-the-engine',
      severity: 'error',
      comment: 'Archive targets are adapters the engine, http and cli use; they import domain, safety and config only.',
      from: { path: '^src/targets/' },
      to: { path: '^src/(engine|store|scheduler|notify|http|cli|logging|server)' },
    },
    {
      name: 'engine-and-store-below-the-edges',
      severity: 'error',
      from: { path: '^src/(engine|store)/' },
      to: { path: above.engineOrStore },
    },
    {
      name: 'scheduler-and-notify-below-the-edges',
      severity: 'error',
      from: { path: '^src/(scheduler|notify)/' },
      to: { path: above.schedulerOrNotify },
    },
    {
      name: 'http-and-cli-are-peers',
      severity: 'error',
      from: { path: '^src/(http|cli)/' },
      to: { path: '^src/server' },
    },
    {
      name: 'http-does-not-import-cli',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'cli-does-not-import-http',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^src/http/' },
    },
    {
      name: 'planner-is-pure',
      severity: 'error',
      comment: 'The planner decides from its arguments alone: domain/ only, no fs, no database, no clock.',
      from: { path: '^src/engine/planner\\.ts$' },
      to: { pathNot: '^src/domain/' },
    },
    {
      name: 'engine-never-imports-fastify',
      severity: 'error',
      comment: 'Only http/ and server.ts know the web framework.',
      from: { path: '^src/(domain|safety|config|engine|store|scheduler|notify)/' },
      to: { path: 'node_modules/(fastify|@fastify)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    parser: 'swc',
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.cjs', '.mjs', '.json'],
    },
  },
};
