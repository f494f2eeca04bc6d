/**
 * Child: the pieces of goals 4 and 5 that are not a whole engine run.
 * - `prepare`: the archive pipeline's first step on one backup, as the engine runs it
 *   (engine/backup-archive/prepare-source.ts: read, SHA-256 of the original, gzip at zlib's
 *   default level 6, SHA-256 of the compressed bytes, write the spool file);
 * - `s3-upload`: the reference of goal 5, a plain SDK upload (lib-storage Upload, as the S3
 *   target uses) of an already compressed file, no checksum, no verification.
 */
import { lstatSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { serveChild } from '../protocol.js';

export type ArchiveJob =
  | { kind: 'prepare'; file: string; spoolDir: string }
  | { kind: 's3-upload'; file: string; endpoint: string; bucket: string; key: string };

export interface ArchiveResult {
  wallMs: number;
  bytesIn: number;
  bytesOut: number;
  cpuMs: number;
}

serveChild<ArchiveJob, ArchiveResult>({
  async start(job) {
    const cpu0 = process.cpuUsage();
    let out = 0;
    if (job.kind === 'prepare') {
      const { prepareSource } = await import('../../../src/engine/backup-archive/prepare-source.js');
      mkdirSync(job.spoolDir, { recursive: true });
      const st = lstatSync(job.file);
      const t1 = performance.now();
      const r = await prepareSource(
        { kind: 'file', category: 'backups', target: path.basename(job.file), path: job.file, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, timestampMs: st.mtimeMs, timestampSource: 'mtime' },
        job.spoolDir,
        'gzip',
      );
      if ('reason' in r) throw new Error(`prepareSource refused: ${r.reason}`);
      out = r.size;
      const wallMs = performance.now() - t1;
      rmSync(r.path, { force: true });
      return { info: { wallMs, bytesIn: st.size, bytesOut: out, cpuMs: cpuOf(cpu0) }, calls: { stop: () => null } };
    }
    const { S3Client } = await import('@aws-sdk/client-s3');
    const { Upload } = await import('@aws-sdk/lib-storage');
    const { createReadStream } = await import('node:fs');
    const client = new S3Client({ region: 'us-east-1', endpoint: job.endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
    const t1 = performance.now();
    await new Upload({ client, params: { Bucket: job.bucket, Key: job.key, Body: createReadStream(job.file) } }).done();
    const wallMs = performance.now() - t1;
    client.destroy();
    return { info: { wallMs, bytesIn: lstatSync(job.file).size, bytesOut: 0, cpuMs: cpuOf(cpu0) }, calls: { stop: () => null } };
  },
});

function cpuOf(from: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(from);
  return (c.user + c.system) / 1000;
}
