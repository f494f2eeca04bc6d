// A cleanup run in a child process that SIGKILLs itself right after an archived copy is proven
// identical and before the local backup is removed (archiveHooks.afterVerify): the crash window
// of the archive pipeline, hit exactly. argv: <repo> <root> <config file> <now ms>.
const [repo, root, configFile, now] = process.argv.slice(2);
const dist = `${repo}/dist/src`;
const { loadSettings } = await import(`${dist}/config/settings.js`);
const { createEngine } = await import(`${dist}/engine/engine.js`);
const { openStateStore } = await import(`${dist}/store/state-store.js`);
const { archiveHooks } = await import(`${dist}/engine/backup-archive/hooks.js`);

archiveHooks.afterVerify = (key) => {
  process.stdout.write(`verified ${key}\n`, () => process.kill(process.pid, 'SIGKILL'));
  return new Promise(() => {}); // never resumes: the kill comes first
};
const settings = loadSettings({ env: { CLEANUP_SCHEDULE: 'off' }, root, configFile });
const store = openStateStore(settings);
const quiet = { info() {}, warn() {}, error() {}, debug() {} };
await createEngine({ settings, store, logger: quiet }).runOnce({ trigger: 'cli', dryRun: false, now: Number(now) });
process.stdout.write('finished without crashing\n');
