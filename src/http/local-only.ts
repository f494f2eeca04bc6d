/**
 * Without CLEANUP_API_TOKEN, the panel (`/ui/`, `/docs`) and the routes it added (config, stats)
 * answer only a browser on this machine (issue 14):
 * - the client address is loopback (127.0.0.0/8, ::1, or ::ffff:127.x);
 * - the Host header names loopback (`localhost`, `127.x.x.x`, `[::1]`, any port): a page on another
 *   site whose name an attacker re-points at 127.0.0.1 (DNS rebinding) sends its own name and is
 *   refused, so it can neither read the panel's API nor change the configuration;
 * - a request that carries an Origin (a browser's cross-site write) must come from the same host.
 * With a token, the token is the guard (auth.ts) and these checks are not installed.
 */
import type { FastifyRequest } from 'fastify';
import { ForbiddenError } from './errors.js';

const LOOPBACK_ADDRESS = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;
const LOOPBACK_HOST = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d{1,5})?$/i;

/** True for a loopback client address as Node reports it. */
export function isLoopbackAddress(address: string | undefined): boolean {
  return typeof address === 'string' && LOOPBACK_ADDRESS.test(address);
}

/** True for a Host header naming this machine's loopback interface. */
export function isLoopbackHost(host: string | undefined): boolean {
  return typeof host === 'string' && LOOPBACK_HOST.test(host);
}

const HOW = 'set CLEANUP_API_TOKEN to use the panel from elsewhere';

/** An `onRequest` hook refusing (403) what is not a loopback browser or client. Installed only when no token is set. */
export async function requireLoopback(request: FastifyRequest): Promise<void> {
  if (!isLoopbackAddress(request.socket.remoteAddress)) {
    throw new ForbiddenError(`without CLEANUP_API_TOKEN the panel answers only on loopback; ${HOW}`);
  }
  const host = request.headers.host;
  if (!isLoopbackHost(host)) {
    throw new ForbiddenError(`Host "${String(host).slice(0, 100)}" is not a loopback name (localhost, 127.0.0.1, [::1]); ${HOW}`);
  }
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${host}` && origin !== `https://${host}`) {
    throw new ForbiddenError(`cross-origin request from ${String(origin).slice(0, 100)} refused`);
  }
}
