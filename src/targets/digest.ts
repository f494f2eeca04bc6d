/** SHA-256 computed while bytes stream through, never holding more than one chunk. */
import { createHash } from 'node:crypto';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A pass-through that hashes and counts what flows through it. Read `digest()` after it ended. */
export class DigestTap extends Transform {
  private readonly hash = createHash('sha256');
  private hex: string | null = null;
  /** Bytes that went through so far. */
  bytes = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }

  /** The SHA-256 (hex) of every byte that went through; call once the stream has ended. */
  digest(): string {
    this.hex ??= this.hash.digest('hex');
    return this.hex;
  }
}

/** The SHA-256 (hex) and length of everything `stream` yields; consumes it. */
export async function hashStream(stream: Readable): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(stream, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      hash.update(chunk);
      size += chunk.length;
    }
  });
  return { digest: hash.digest('hex'), size };
}
