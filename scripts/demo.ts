/**
 * `npm run demo [DIR]`: writes a realistic Architect root (default ./data) with old and new
 * items in every category, a chrome_profile folder and a sessions folder, so a newcomer's
 * first dry run finds something; and a config file beside them with a GFS retention policy
 * (`backup_policy`) and a local archive target (`backup_archive`, `archive_policy`), so the
 * preview shows backups archived instead of deleted, each with the rules that keep or drop it.
 * Refuses to write into a non-empty folder it did not make.
 */
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MARKER = '.cleanup-demo';
/** The demo's config file, in the demo root (outside every folder the worker cleans). */
const CONFIG = 'cleanup-demo.config.json';

/**
 * Grandfather-father-son for prod (the 3 newest, one a day for a week, one a week for a month),
 * the defaults elsewhere; what no rule keeps is gzipped into archive/backups/<env>/, where the
 * archive keeps one copy a week for two months and one a month for a year.
 */
const DEMO_CONFIG = {
  backup_policy: { prod: { keep_last: 3, keep_daily: 7, keep_weekly: 4 } },
  backup_archive: { compress: true, target: { type: 'local', dir: 'archive/backups' } },
  archive_policy: { prod: { keep_weekly: 8, keep_monthly: 12 }, default: { keep_last: 5 } },
};

function main(): number {
  const root = path.resolve(process.argv[2] ?? 'data');
  if (existsSync(root) && readdirSync(root).some((n) => n !== MARKER && n !== '.cleanup' && n !== 'logs')) {
    if (!existsSync(path.join(root, MARKER))) {
      process.stderr.write(`demo: ${root} is not empty and was not made by the demo; pass another folder: npm run demo -- /tmp/architect-demo\n`);
      return 2;
    }
  }
  const now = Date.now();
  mkdirSync(root, { recursive: true });
  writeFileSync(path.join(root, MARKER), 'made by npm run demo\n');
  writeBackups(root, now);
  writeLogs(root, now);
  writeTemp(root, now);
  writeDatabase(path.join(root, 'architect.db'), now);
  const config = path.join(root, CONFIG);
  writeFileSync(config, `${JSON.stringify(DEMO_CONFIG, null, 2)}\n`);
  process.stdout.write(
    `demo root written to ${root}\n` +
      `config (GFS backup_policy for prod, backups archived to archive/backups): ${config}\n` +
      'preview what a run would archive, delete and keep, with the rules behind each backup (changes nothing):\n' +
      `  node dist/src/cli/bin.js --root ${root} --config ${config} --explain\n` +
      '  (installed: cleanup-worker --root … --config … --explain; add --force to carry it out)\n' +
      `or serve it: CLEANUP_CONFIG=${config} ARCHITECT_HOME=${root} npm start, then\n` +
      "  curl -s -X POST localhost:8080/api/system/cleanup -H 'content-type: application/json' -d '{}'\n",
  );
  return 0;
}

function file(root: string, rel: string, mtime: number, bytes: number): void {
  const abs = path.join(root, rel);
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, Buffer.alloc(bytes, 0x61));
  utimesSync(abs, mtime / 1000, mtime / 1000);
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
}

function writeBackups(root: string, now: number): void {
  // prod: two months of nightly backups, for the GFS policy to thin out.
  const envs: Record<string, number> = { prod: 60, qa: 7, dev: 3, test: 5, staging: 6 };
  for (const [env, count] of Object.entries(envs)) {
    for (let i = 0; i < count; i++) {
      const t = now - i * DAY - HOUR;
      file(root, `backups/${env}/architect_${stamp(t)}.db`, t, 60_000 + i * 500);
    }
  }
  // Name timestamp wins over mtime: this old-named file was touched recently.
  file(root, `backups/prod/architect_${stamp(now - 400 * DAY)}.db`, now, 150_000);
  file(root, 'backups/prod/architect_in_progress.db.partial', now - 30 * DAY, 100_000);
  file(root, 'backups/prod/architect.db-wal', now - 30 * DAY, 50_000);
  file(root, 'backups/prod/.hidden_backup.db', now - 30 * DAY, 50_000);
  for (let i = 0; i < 7; i++) file(root, `backups/manual_${i}.sql.gz`, now - (i + 1) * 10 * DAY, 80_000);
}

function writeLogs(root: string, now: number): void {
  const old = now - 45 * DAY;
  for (const name of ['app.log.1', 'app.log.2.gz', 'worker.log-20250101', 'worker.log-20250102.gz', 'api/requests.log', 'api/requests.log.3']) {
    file(root, `logs/${name}`, old, 120_000);
  }
  file(root, 'logs/app.log', now - HOUR, 40_000);
  file(root, 'logs/api/errors.log', now - 2 * DAY, 10_000);
  file(root, 'logs/README.txt', old, 500);
  file(root, 'logs/keep_me.log', old, 1000);
}

function writeTemp(root: string, now: number): void {
  const old = now - 3 * DAY;
  file(root, 'tmp/upload_1.bin', old, 300_000);
  file(root, 'tmp/export/2025/report.csv', old, 50_000);
  file(root, 'tmp/export/2025/summary.csv', old, 20_000);
  file(root, 'tmp/fresh.bin', now - HOUR, 10_000);
  file(root, 'cache/thumbnails/a.png', old, 30_000);
  file(root, 'cache/thumbnails/b.png', now - HOUR, 30_000);
  file(root, 'tmp/chrome_profile_1/Default/Cookies', old, 40_000);
  file(root, 'cache/chrome_profile/Cache/data_0', old, 40_000);
  file(root, 'sessions/user_42.json', now - 90 * DAY, 2_000);
}

function writeDatabase(file: string, now: number): void {
  if (existsSync(file)) return;
  const db = new Database(file);
  db.exec(`
    CREATE TABLE task_queue (id INTEGER PRIMARY KEY, title TEXT, status TEXT, completed_at TEXT, created_at TEXT);
    CREATE TABLE errors (id INTEGER PRIMARY KEY, message TEXT, resolved INTEGER, resolved_at INTEGER, created_at TEXT);
    CREATE TABLE assigner_prompts (id INTEGER PRIMARY KEY, prompt TEXT, created_at TEXT);
    CREATE TABLE activity_log (id INTEGER PRIMARY KEY, action TEXT, details TEXT, created_at TEXT);
  `);
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const sqlTs = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  const task = db.prepare('INSERT INTO task_queue (title, status, completed_at, created_at) VALUES (?, ?, ?, ?)');
  const statuses = ['completed', 'cancelled', 'COMPLETED', 'running', 'pending', 'failed'];
  for (let i = 0; i < 60; i++) {
    const status = statuses[i % statuses.length] as string;
    const done = now - (i % 20) * DAY;
    task.run(`task ${i}`, status, status === 'running' || status === 'pending' ? null : i % 2 ? iso(done) : sqlTs(done), sqlTs(done - HOUR));
  }
  const err = db.prepare('INSERT INTO errors (message, resolved, resolved_at, created_at) VALUES (?, ?, ?, ?)');
  for (let i = 0; i < 40; i++) {
    const at = now - i * 2 * DAY;
    err.run(`error ${i}`, i % 3 === 0 ? 0 : 1, i % 3 === 0 ? null : Math.floor(at / 1000), iso(at));
  }
  const prompt = db.prepare('INSERT INTO assigner_prompts (prompt, created_at) VALUES (?, ?)');
  for (let i = 0; i < 30; i++) prompt.run(`prompt text ${i}`, iso(now - i * DAY));
  db.close();
}

process.exitCode = main();
