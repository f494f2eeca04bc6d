/**
 * A loopback HTTP proxy in front of the test S3 server that injects faults: answer a status
 * (500, 503, 403 …) with an S3 error body, hang without answering, or cut the connection.
 * It records every request (method and URL) so tests can see, e.g., that a multipart upload
 * was aborted. Closed after each test.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Transform } from 'node:stream';
import { afterEach } from 'vitest';

/** `corrupt` forwards the request with one byte of its body flipped (a store that silently damages data). */
export type Fault = 'pass' | 'hang' | 'reset' | 'corrupt' | { status: number; code: string };

export interface SeenRequest {
  method: string;
  url: string;
}

export interface FaultProxy {
  endpoint: string;
  seen: SeenRequest[];
  /** Decides each request's fate; `pass` forwards it. */
  rule: (req: SeenRequest, index: number) => Fault;
  close(): Promise<void>;
}

const open: FaultProxy[] = [];

afterEach(async () => {
  for (const p of open.splice(0)) await p.close();
});

/** Starts a proxy to `upstreamPort` (0: no upstream, every `pass` is cut). */
export async function startFaultProxy(upstreamPort: number, rule: FaultProxy['rule'] = () => 'pass'): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  const seen: SeenRequest[] = [];
  const proxy: FaultProxy = { endpoint: '', seen, rule, close: async () => {} };
  const server = http.createServer((req, res) => {
    const r = { method: req.method ?? '', url: req.url ?? '' };
    const fault = proxy.rule(r, seen.length);
    seen.push(r);
    if (fault === 'hang') return; // never answers; the client's timeout must fire
    if (fault === 'reset') return req.socket.destroy();
    if (fault !== 'pass' && fault !== 'corrupt') {
      req.resume();
      const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.code}</Code><Message>injected ${fault.status}</Message></Error>`;
      res.writeHead(fault.status, { 'content-type': 'application/xml', connection: 'close' });
      return res.end(body);
    }
    const up = http.request({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers, agent: false }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => req.socket.destroy());
    if (fault === 'corrupt') req.pipe(flipFirstByte()).pipe(up);
    else req.pipe(up);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  open.push(proxy);
  return proxy;
}

function flipFirstByte(): Transform {
  let done = false;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (!done && chunk.length > 0) {
        done = true;
        const copy = Buffer.from(chunk);
        copy[0] = (copy[0] ?? 0) ^ 0xff;
        return cb(null, copy);
      }
      cb(null, chunk);
    },
  });
}
