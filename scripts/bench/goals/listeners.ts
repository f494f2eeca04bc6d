/**
 * Goal 6: listeners cost nothing. A real run of logs + temp on a 100k-file tree, with the run
 * listeners src/server.ts wires (metrics; notifications through the outbox and a started sender)
 * and a webhook that accepts the connection and never answers plus an SMTP server that never
 * greets, against the same run with no notifications configured. Both sides get the same tree
 * (the old half is built again after each run); pairs alternate which side goes first.
 */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { syncDisks } from '../commands.js';
import { buildTrees } from '../fixtures.js';
import { type GoalResult, ratioCheck, say } from '../results.js';
import { median } from '../stats.js';
import { removeTree } from '../workdir.js';
import { engineSummary, runEngine } from './files.js';
import { type ScaleContext, treeOf } from './scale.js';

const SECRET = 'BENCH_HOOK_SECRET';

export async function benchListeners(c: Pick<ScaleContext, 'work' | 'repeat' | 'now' | 'master'>): Promise<GoalResult> {
  const sockets = new Set<net.Socket>();
  const hook = http.createServer(() => {});
  const smtp = net.createServer((s) => sockets.add(s));
  hook.on('connection', (s) => sockets.add(s));
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  const config = path.join(c.work, 'notify.json');
  writeFileSync(
    config,
    JSON.stringify({
      notifications: {
        webhooks: [{ url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`, events: ['run.finished', 'run.failed'], secret_env: SECRET }],
        email: { host: '127.0.0.1', port: (smtp.address() as AddressInfo).port, starttls: 'off', from: 'cleanup@bench.local', to: ['ops@bench.local'], on: 'always' },
      },
    }),
  );
  const tree = await treeOf(c, 100_000);
  const runs: { rep: number; order: string; plain: Record<string, unknown>; notify: Record<string, unknown> }[] = [];
  try {
    for (let rep = 0; rep < c.repeat; rep++) {
      const out: Partial<(typeof runs)[number]> = { rep, order: rep % 2 ? 'notify,plain' : 'plain,notify' };
      for (const side of rep % 2 ? ['notify', 'plain'] : ['plain', 'notify']) {
        removeTree(path.join(tree.root, '.cleanup'));
        syncDisks();
        const r = await runEngine({
          root: tree.root,
          categories: ['logs', 'temp'],
          dryRun: false,
          now: Date.now(),
          ...(side === 'notify' ? { configFile: config, env: { [SECRET]: 'bench-secret-0123456789abcdef' }, notify: true } : {}),
        });
        if (side === 'notify') out.notify = engineSummary(r);
        else out.plain = engineSummary(r);
        await buildTrees([tree.root], 100_000, c.now, { oldOnly: true });
      }
      const r = out as (typeof runs)[number];
      say(`listeners rep ${rep + 1}: plain ${Math.round(r.plain.wallMs as number)} ms, with webhook + email that never answer ${Math.round(r.notify.wallMs as number)} ms`);
      runs.push(r);
    }
  } finally {
    for (const s of sockets) s.destroy();
    hook.close();
    smtp.close();
    if (tree.built) removeTree(tree.root);
  }
  const plain = median(runs.map((r) => r.plain.wallMs as number));
  const notify = median(runs.map((r) => r.notify.wallMs as number));
  return {
    goal: '6',
    title: 'listeners cost nothing: a 100k-file real run with a hanging webhook and a silent SMTP server',
    checks: [ratioCheck('run time with notifications vs without', notify, plain, '<=', 1.05)],
    runs,
    notes: [`${runs[0]?.plain.itemsTotal ?? '?'} files removed per run; the deliveries wait on their own (sender loop, 10 s deadline), after the run`],
  };
}
