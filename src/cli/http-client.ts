/**
 * A tiny GET client on node:http for talking to the local daemon. Not fetch: on Node 20,
 * fetch() against a peer that resets the connection can leave a promise that never settles
 * and holds no handle, so the CLI would silently exit 0 mid-command.
 */
import http from 'node:http';

export interface HttpAnswer {
  status: number;
  body: string;
}

/** GETs `url`; rejects on a network error or after `timeoutMs` without an answer. */
export function httpGet(url: string, opts: { timeoutMs: number; headers?: Record<string, string> }): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: opts.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 1_000_000) body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.setTimeout(opts.timeoutMs, () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** True when `GET <url>/health` answers 200 within `timeoutMs`. */
export async function healthOk(url: string, timeoutMs = 1000): Promise<boolean> {
  try {
    return (await httpGet(`${url}/health`, { timeoutMs })).status === 200;
  } catch {
    return false;
  }
}
