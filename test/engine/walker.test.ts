import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type WalkRecord, walkTree } from '../../src/engine/fs/walker.js';
import { findFiles } from '../helpers/fs-fixtures.js';
import { giveToNobody, IS_ROOT, NOBODY, runNodeScript } from '../helpers/node-child.js';
import { makeTempDir } from '../helpers/temp-root.js';

/** A deterministic pseudo-random generator (mulberry32), so a failing tree can be rebuilt. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Builds a random-ish tree: nested folders, files, empty folders, links to files and folders, chrome profiles. */
function randomTree(dir: string, seed: number, outside: string): void {
  const rnd = prng(seed);
  const names = ['a', 'b c', 'été', 'x.log', '.hidden', 'chrome_profile', 'chrome_profile_2', 'data-1', 'z'];
  const pick = () => `${names[Math.floor(rnd() * names.length)]}${Math.floor(rnd() * 50)}`;
  const grow = (d: string, depth: number) => {
    const n = Math.floor(rnd() * 8) + (depth === 0 ? 8 : 1);
    for (let i = 0; i < n; i++) {
      const p = path.join(d, pick());
      if (existsSync(p)) continue;
      const r = rnd();
      if (r < 0.55) writeFileSync(p, 'x'.repeat(Math.floor(rnd() * 100)));
      else if (r < 0.85 && depth < 5) {
        mkdirSync(p);
        grow(p, depth + 1);
      } else if (r < 0.92) symlinkSync(outside, p);
      else symlinkSync(path.join(outside, 'secret.txt'), p);
    }
  };
  grow(dir, 0);
  // Always at least one chrome profile with files, to prove it is skipped.
  mkdirSync(path.join(dir, 'chrome_profile_main', 'Default'), { recursive: true });
  writeFileSync(path.join(dir, 'chrome_profile_main', 'Default', 'Cookies'), 'c');
}

async function walkAll(dir: string, opts: Parameters<typeof walkTree>[1] = {}): Promise<WalkRecord[]> {
  const all: WalkRecord[] = [];
  for await (const chunk of walkTree(dir, opts)) all.push(...chunk);
  return all;
}

const files = (records: WalkRecord[]) =>
  records
    .filter((r) => r.kind === 'file')
    .map((r) => r.rel)
    .sort();

const PRUNE_CHROME = ['-type', 'd', '-name', 'chrome_profile*', '-prune', '-o'];

describe('walkTree', () => {
  for (const seed of [1, 7, 42]) {
    it(`finds exactly the regular files GNU find finds (chrome profiles pruned), seed ${seed}`, async () => {
      const dir = realpathSync(makeTempDir());
      const outside = makeTempDir('cw-outside-');
      writeFileSync(path.join(outside, 'secret.txt'), 'do not follow');
      randomTree(dir, seed, outside);
      const expected = findFiles(dir, PRUNE_CHROME);
      expect(expected.length).toBeGreaterThan(0);
      expect(files(await walkAll(dir))).toEqual(expected);
      // Tiny chunks exercise the back-pressure path with many messages.
      expect(files(await walkAll(dir, { chunkSize: 3 }))).toEqual(expected);
    });
  }

  it('finds every file and folder exactly once whatever the number of threads sharing the walk', async () => {
    const dir = realpathSync(makeTempDir());
    const outside = makeTempDir('cw-outside-');
    writeFileSync(path.join(outside, 'secret.txt'), 'do not follow');
    randomTree(dir, 99, outside);
    // A wide and deep part so that idle threads are handed folders again and again.
    for (let a = 0; a < 12; a++) {
      for (let b = 0; b < 6; b++) {
        mkdirSync(path.join(dir, `w${a}`, `d${b}`, 'e'), { recursive: true });
        for (let f = 0; f < 4; f++) writeFileSync(path.join(dir, `w${a}`, `d${b}`, f % 2 ? 'e' : '', `f${f}`), '');
      }
    }
    const expected = findFiles(dir, PRUNE_CHROME);
    const dirs = (records: WalkRecord[]) => records.filter((r) => r.kind === 'dir').map((r) => r.rel).sort();
    const one = await walkAll(dir, { threads: 1 });
    expect(files(one)).toEqual(expected);
    for (const threads of [2, 3, 4]) {
      for (const chunkSize of [3, 1024]) {
        const all = await walkAll(dir, { threads, chunkSize });
        expect(files(all), `${threads} threads`).toEqual(expected);
        expect(dirs(all), `${threads} threads`).toEqual(dirs(one));
      }
    }
  });

  it('gives each walk its own options when threads are reused, also after a walk stopped early', async () => {
    const a = realpathSync(makeTempDir());
    const b = realpathSync(makeTempDir());
    for (let i = 0; i < 40; i++) {
      mkdirSync(path.join(a, `d${i % 4}`), { recursive: true });
      writeFileSync(path.join(a, `d${i % 4}`, i % 2 ? `f${i}.log` : `f${i}.txt`), '');
      writeFileSync(path.join(b, `g${i}`), '');
    }
    const logsOfA = findFiles(a, ['-name', '*.log']);
    const allOfB = findFiles(b, []);
    expect(files(await walkAll(a, { fileName: /\.log$/ }))).toEqual(logsOfA);
    expect(files(await walkAll(b))).toEqual(allOfB); // no name filter left over from the walk before
    for await (const _ of walkTree(a, { chunkSize: 1 })) break;
    expect(files(await walkAll(a, { maxDepth: 0 }))).toEqual([]);
    expect(files(await walkAll(b, { filesOlderThan: 0 }))).toEqual([]);
    expect(files(await walkAll(b))).toEqual(allOfB);
    // A folder one walk must never enter stays out of that walk only, and the next walk's own
    // neverEnter holds even on threads that walked without one.
    expect(files(await walkAll(a, { neverEnter: [path.join(a, 'd1')] }))).toEqual(findFiles(a, ['-path', './d1', '-prune', '-o']));
    expect(files(await walkAll(a))).toEqual(findFiles(a, []));
    expect(files(await walkAll(a, { neverEnter: [path.join(a, 'd2')] }))).toEqual(findFiles(a, ['-path', './d2', '-prune', '-o']));
  });

  it('walks at below-normal priority in its own threads, leaving the calling thread as it was', async () => {
    const dir = makeTempDir();
    for (let i = 0; i < 20; i++) writeFileSync(path.join(dir, `f${i}`), '');
    const nice = () =>
      readdirSync('/proc/self/task').map((t) => {
        const stat = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      });
    const walk = walkTree(dir, { threads: 2, chunkSize: 1 });
    await walk.next(); // both threads are up and walking
    const during = nice();
    await walk.return(undefined);
    // The two walking threads (fresh, or kept from an earlier walk) run at nice 10.
    expect(during.filter((n) => n === 10).length).toBeGreaterThanOrEqual(2);
    expect(readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1]?.split(' ')[16]).toBe('0');
  });

  it('reports size, mtime, dev and ino of each file as lstat sees them', async () => {
    const dir = makeTempDir();
    writeFileSync(path.join(dir, 'f.bin'), Buffer.alloc(1234));
    const [rec] = (await walkAll(dir)).filter((r) => r.kind === 'file');
    const st = (await import('node:fs')).lstatSync(path.join(dir, 'f.bin'));
    expect(rec).toEqual({ kind: 'file', rel: 'f.bin', dev: st.dev, ino: st.ino, size: 1234, mtimeMs: st.mtimeMs });
  });

  it('never follows a symbolic link to a folder and never reports links as files', async () => {
    const dir = makeTempDir();
    const outside = makeTempDir('cw-outside-');
    writeFileSync(path.join(outside, 'o.log'), 'outside');
    symlinkSync(outside, path.join(dir, 'linked'));
    symlinkSync(path.join(outside, 'o.log'), path.join(dir, 'file-link.log'));
    writeFileSync(path.join(dir, 'real.log'), 'in');
    expect(files(await walkAll(dir))).toEqual(['real.log']);
  });

  it('reports folders with how many entries they hold, links and skipped folders included', async () => {
    const dir = makeTempDir();
    mkdirSync(path.join(dir, 'a/chrome_profile'), { recursive: true });
    writeFileSync(path.join(dir, 'a/f'), '');
    symlinkSync('/nonexistent', path.join(dir, 'a/dangling'));
    mkdirSync(path.join(dir, 'empty'));
    const dirs = (await walkAll(dir)).filter((r) => r.kind === 'dir').map((r) => [r.rel, r.kind === 'dir' && r.entries]);
    expect(dirs.sort()).toEqual([
      ['a', 3],
      ['empty', 0],
    ]);
  });

  it('does not enter folders deeper than maxDepth or listed in neverEnter', async () => {
    const dir = realpathSync(makeTempDir());
    for (const f of ['top', 'env/b1', 'env/deep/b2', 'sessions/s1']) {
      mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      writeFileSync(path.join(dir, f), '');
    }
    for (const threads of [1, 2, 3]) {
      expect(files(await walkAll(dir, { threads, maxDepth: 1, neverEnter: [path.join(dir, 'sessions')] }))).toEqual(['env/b1', 'top']);
    }
  });

  it('does not cross into another filesystem', async (t) => {
    const dir = realpathSync(makeTempDir());
    const mnt = path.join(dir, 'mnt');
    mkdirSync(mnt);
    writeFileSync(path.join(dir, 'here'), '');
    if (spawnSync('mount', ['-t', 'tmpfs', 'none', mnt]).status !== 0) return t.skip('needs permission to mount a tmpfs');
    try {
      writeFileSync(path.join(mnt, 'there'), '');
      expect(files(await walkAll(dir))).toEqual(['here']);
    } finally {
      spawnSync('umount', [mnt]);
    }
  });

  it('stops the worker when the consumer breaks out early or the signal aborts', () => {
    const dir = makeTempDir();
    for (let i = 0; i < 50; i++) writeFileSync(path.join(dir, `f${i}`), '');
    // In a process of its own, so no thread kept idle by an earlier walk blurs the count. The
    // walking threads are the ones at nice 10 (the worker lowers its own priority when it starts);
    // once every one of them is up, the walk is stopped, and none of those threads may be left.
    const code = `
      import { readdirSync, readFileSync } from 'node:fs';
      const { walkTree } = await import(dist('src/engine/fs/walker.js'));
      const nice10 = () => readdirSync('/proc/self/task').filter((t) => {
        try { const s = readFileSync('/proc/self/task/' + t + '/stat', 'utf8'); return s.slice(s.lastIndexOf(')') + 2).split(' ')[16] === '10'; }
        catch { return false; }
      });
      const waitFor = async (n) => { for (const end = Date.now() + 10000; nice10().length < n && Date.now() < end; ) await new Promise((r) => setTimeout(r, 5)); };
      const out = [];
      for (const [how, threads] of [['break', 1], ['break', 2], ['break', 3], ['abort', 2]]) {
        const ac = new AbortController();
        let chunks = 0;
        let walking = [];
        for await (const _ of walkTree(${JSON.stringify(dir)}, { chunkSize: 2, threads, signal: ac.signal })) {
          if (++chunks === 1) { await waitFor(threads); walking = nice10(); }
          if (chunks === 2) { if (how === 'break') break; ac.abort(); }
        }
        // A terminated thread can linger in /proc for a moment on a busy machine: give it up to 1 s,
        // well under the 2 s an idle (not stopped) walker thread would stay.
        const left = () => { const live = new Set(readdirSync('/proc/self/task')); return walking.filter((t) => live.has(t)).length; };
        for (const end = Date.now() + 1000; left() > 0 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 10));
        out.push({ how, threads, chunks, walking: walking.length, left: left() });
      }
      console.log(JSON.stringify(out));`;
    const cases = runNodeScript<{ how: string; threads: number; chunks: number; walking: number; left: number }[]>(code);
    expect(cases).toEqual(
      [1, 2, 3, 2].map((threads, i) => ({ how: i === 3 ? 'abort' : 'break', threads, chunks: 2, walking: threads, left: 0 })),
    );
    // Aborted before it starts: nothing is walked at all.
    const ac = new AbortController();
    ac.abort();
    return walkAll(dir, { signal: ac.signal }).then((all) => expect(all).toEqual([]));
  });

  // Root reads any folder, so as root (CI) the walk runs in a child as uid 65534 on a tree handed to it.
  it('reports an unreadable folder as a problem and goes on', async () => {
    const dir = makeTempDir();
    mkdirSync(path.join(dir, 'locked'));
    writeFileSync(path.join(dir, 'locked', 'secret'), '');
    writeFileSync(path.join(dir, 'ok'), '');
    let all: WalkRecord[];
    if (IS_ROOT) {
      giveToNobody(dir);
      chmodSync(path.join(dir, 'locked'), 0);
      const code = `const { walkTree } = await import(dist('src/engine/fs/walker.js'));
        const all = []; for await (const c of walkTree(${JSON.stringify(dir)})) all.push(...c);
        console.log(JSON.stringify({ uid: process.getuid(), all }));`;
      const r = runNodeScript<{ uid: number; all: WalkRecord[] }>(code, { uid: NOBODY });
      expect(r.uid).toBe(NOBODY);
      all = r.all;
    } else {
      chmodSync(path.join(dir, 'locked'), 0);
      all = await walkAll(dir);
    }
    chmodSync(path.join(dir, 'locked'), 0o755);
    expect(all).toContainEqual({ kind: 'problem', rel: 'locked', code: 'EACCES' });
    expect(files(all)).toEqual(['ok']);
  });

  // vitest's global setup (test/helpers/build-once.ts) builds dist/ before any test runs.
  it('loads its worker from the built dist/ too', () => {
    const dir = makeTempDir();
    writeFileSync(path.join(dir, 'a'), '');
    const code = `import('./dist/src/engine/fs/walker.js').then(async ({ walkTree }) => {
      for await (const c of walkTree(${JSON.stringify(dir)})) for (const r of c) console.log(r.kind, r.rel);
    });`;
    const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('file a');
  });
});
