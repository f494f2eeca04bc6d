/**
 * One webhook POST: JSON body, signed headers, a hard deadline. No redirects are followed
 * (a 3xx is a failed attempt: the signed body is for the configured URL only), no connection is
 * kept alive (a CLI about to exit must not hold a socket), and the response body is not read.
 */
import http from 'node:http';
import https from 'node:https';

export interface WebhookResponse {
  statusCode: number;
}

/**
 * POSTs `body` to `url` with `headers`; resolves with the status code once the response head
 * arrives, rejects with a one-line Error when the connection fails, is closed, or nothing
 * answers within `timeoutMs`.
 */
export function postWebhook(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<WebhookResponse> {
  const target = new URL(url);
  const lib = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(target, {
      method: 'POST',
      agent: false,
      headers: {
        ...headers,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'cleanup-worker-webhook',
        connection: 'close',
      },
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    req.on('response', (res) => {
      clearTimeout(timer);
      res.resume();
      res.on('error', () => {});
      resolve({ statusCode: res.statusCode ?? 0 });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(err.code ? `${err.code}: ${err.message}` : err.message));
    });
    req.end(body);
  });
}
