/**
 * Webhook signatures (SPEC section 8), in the shape people already verify for other services:
 * `Cleanup-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. Signing the
 * timestamp with the body lets a receiver refuse a replayed request whose `t` is too old.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Cleanup-Signature';
export const EVENT_HEADER = 'Cleanup-Event';
export const DELIVERY_HEADER = 'Cleanup-Delivery';

/** The hex HMAC-SHA256 of `<t>.<body>` under `secret`. */
export function computeSignature(secret: string, timestampSec: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSec}.${body}`, 'utf8').digest('hex');
}

/** The `Cleanup-Signature` header value for `body` sent at `timestampSec`. */
export function signatureHeader(secret: string, timestampSec: number, body: string): string {
  return `t=${timestampSec},v1=${computeSignature(secret, timestampSec, body)}`;
}

/**
 * Checks a `Cleanup-Signature` header the way a receiver should: a `v1` matching the body
 * (constant-time compare) and a `t` within `toleranceSec` of `nowSec`. Returns false on any doubt.
 */
export function verifySignature(header: string | undefined, body: string, secret: string, nowSec: number, toleranceSec = 300): boolean {
  if (!header) return false;
  const parts = new Map(header.split(',').map((p) => [p.slice(0, p.indexOf('=')).trim(), p.slice(p.indexOf('=') + 1).trim()]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || Math.abs(nowSec - t) > toleranceSec || !/^[0-9a-f]{64}$/.test(v1)) return false;
  return timingSafeEqual(Buffer.from(v1, 'hex'), Buffer.from(computeSignature(secret, t, body), 'hex'));
}
