/**
 * A real S3-compatible server for the archive tests: s3rver on 127.0.0.1, port 0, its data in a
 * temp folder, closed after each test. Credentials reach the AWS SDK through its own chain (the
 * environment): s3rver's account is S3RVER/S3RVER, and it refuses an unknown access key id (403).
 */
import type { AddressInfo } from 'node:net';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterEach } from 'vitest';
import { makeTempDir } from './temp-root.js';

// The SDK's default chain reads these; the metadata service (instance roles) is never tried in tests.
process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_REGION = 'us-east-1';

export interface S3Fixture {
  endpoint: string;
  port: number;
  bucket: string;
  /** s3rver's data folder. */
  dir: string;
  /** Stops the server (connections refused afterwards). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  restart(): Promise<void>;
  /** A plain client for the test's own checks. */
  client(): S3Client;
}

const running: S3Fixture[] = [];

afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

/** Starts s3rver with one bucket (`archive-test` unless named). */
export async function startS3(opts: { bucket?: string } = {}): Promise<S3Fixture> {
  const dir = makeTempDir('cw-s3rver-');
  const bucket = opts.bucket ?? 'archive-test';
  let server: S3rver | null = null;
  let port = 0;
  const start = async () => {
    server = new S3rver({ address: '127.0.0.1', port, silent: true, directory: dir });
    const addr = (await server.run()) as AddressInfo;
    port = addr.port;
  };
  await start();
  const clients: S3Client[] = [];
  const fixture: S3Fixture = {
    get endpoint() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    bucket,
    dir,
    async stop() {
      for (const c of clients.splice(0)) c.destroy();
      const s = server;
      server = null;
      if (s) await s.close();
    },
    restart: start,
    client() {
      const c = new S3Client({ region: 'us-east-1', endpoint: fixture.endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
      clients.push(c);
      return c;
    },
  };
  running.push(fixture);
  await fixture.client().send(new CreateBucketCommand({ Bucket: bucket }));
  return fixture;
}

/** Runs `fn` with some environment variables set, restoring them after. */
export async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
