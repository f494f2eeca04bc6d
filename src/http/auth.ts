/**
 * Bearer-token authentication for the `/api/` routes (SPEC section 4): when a token is
 * configured, `Authorization: Bearer <token>` must match it exactly. The scheme is matched
 * case-insensitively (RFC 7235); the token is compared in constant time through SHA-256
 * digests, so neither its content nor its length leaks through timing.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UnauthorizedError } from './errors.js';

const digest = (s: string): Buffer => hash('sha256', Buffer.from(s, 'utf8'), 'buffer');

/** True when the header carries exactly `Bearer <token>` (one space, no padding). */
export function checkBearer(header: string | undefined, token: string): boolean {
  return matchesBearer(header, digest(token));
}

/** checkBearer against the token's digest, worked out once by the caller. */
function matchesBearer(header: string | undefined, expected: Buffer): boolean {
  if (typeof header !== 'string') return false;
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space).toLowerCase() !== 'bearer') return false;
  return timingSafeEqual(digest(header.slice(space + 1)), expected);
}

/** An `onRequest` hook refusing (401) any request without the token. Installed only when a token is set. */
export function createAuthHook(token: string) {
  // The token's digest once, not on every request (/status is polled).
  const expected = digest(token);
  return async function requireToken(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!matchesBearer(request.headers.authorization, expected)) {
      reply.header('www-authenticate', 'Bearer realm="cleanup-worker"');
      throw new UnauthorizedError(
        request.headers.authorization === undefined
          ? 'missing Authorization header: send "Authorization: Bearer <CLEANUP_API_TOKEN>"'
          : 'invalid bearer token',
      );
    }
  };
}
