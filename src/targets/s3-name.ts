/** How an S3 target names itself (`s3://bucket/prefix/`), without loading the AWS SDK. */

/** The prefix with no leading slash and, unless empty, one trailing slash. */
export function normalisePrefix(prefix: string | undefined): string {
  const p = (prefix ?? '').replace(/^\/+/, '');
  return p === '' || p.endsWith('/') ? p : `${p}/`;
}

/** `s3://<bucket>/<prefix>`: the target's name in reasons and messages (never a credential). */
export function s3TargetName(cfg: { bucket: string; prefix?: string }): string {
  return `s3://${cfg.bucket}/${normalisePrefix(cfg.prefix)}`;
}
