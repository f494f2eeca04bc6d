/**
 * Bearer-token authentication for the `/api/` routes (SPEC section 4): when a token is
 * configured, `Authorization: Bearer <token>` must match it exactly. The scheme is matched
 * case-insensitively (RFC 7235); the token is compared in constant time through SHA-256
 * digests, so neither its content nor its length leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UnauthorizedError } from './errors.js';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** True when the header carries exactly `Bearer <token>` (one space, no padding). */
export function checkBearer(header: string | undefined, token: string): boolean {
  if (typeof header !== 'string') return false;
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space).toLowerCase() !== 'bearer') return false;
  const given = header.slice(space + 1);
  return timingSafeEqual(digest(given), digest(token));
}

/** An `onRequest` hook refusing (401) any request without the token. Installed only when a token is set. */
export function createAuthHook(token: string) {
  return async function requireToken(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!checkBearer(request.headers.authorization, token)) {
      reply.header('www-authenticate', 'Bearer realm="cleanup-worker"');
      throw new UnauthorizedError(
        request.headers.authorization === undefined
          ? 'missing Authorization header: send "Authorization: Bearer <CLEANUP_API_TOKEN>"'
          : 'invalid bearer token',
      );
    }
  };
}
