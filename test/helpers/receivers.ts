/**
 * Real servers on loopback for the notification tests: a webhook receiver that checks the
 * signature and answers as told (200, 500, 410, hang past the timeout, close the connection),
 * an SMTP server (smtp-server) whose messages are read back with mailparser, and a small parser
 * of the Prometheus text format. Everything is closed after each test.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach } from 'vitest';
import { verifySignature } from '../../src/notify/signing.js';

const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

export type Answer = 200 | 500 | 410 | 'hang' | 'close';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
  /** Whether Cleanup-Signature matched the body under the receiver's secret (and its t is recent). */
  signatureOk: boolean;
}

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** What to answer next; the last one given repeats. */
  answers: Answer[];
  close(): Promise<void>;
  /** Listens again on the same port (a receiver that was down comes back). */
  reopen(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1 (port 0, or `port` to come back on a known one). */
export async function startReceiver(secret: string, answers: Answer[] = [200], port = 0): Promise<Receiver> {
  const sockets = new Set<Socket>();
  const r: Receiver = { url: '', port, received: [], answers, close: async () => {}, reopen: async () => {} };
  const make = () => {
    const server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const signatureOk = verifySignature(req.headers['cleanup-signature'] as string | undefined, body, secret, Math.floor(Date.now() / 1000));
        r.received.push({ headers: req.headers, body, json: JSON.parse(body), signatureOk });
        const answer = (r.answers.length > 1 ? r.answers.shift() : r.answers[0]) ?? 200;
        if (answer === 'hang') return;
        if (answer === 'close') return req.socket.destroy();
        res.writeHead(answer).end();
      });
    });
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    return server;
  };
  let server = make();
  const listen = () => new Promise<void>((resolve) => server.listen(r.port, '127.0.0.1', () => resolve()));
  await listen();
  r.port = (server.address() as AddressInfo).port;
  r.url = `http://127.0.0.1:${r.port}/hook`;
  let open = true;
  r.close = async () => {
    if (!open) return;
    open = false;
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  r.reopen = async () => {
    server = make();
    await listen();
    open = true;
  };
  closers.push(() => r.close());
  return r;
}

export interface Mail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  headers: Map<string, unknown>;
  /** Whether the session had TLS when the message came (STARTTLS or implicit). */
  secure: boolean;
  user: string | undefined;
}

/** An SMTP server on 127.0.0.1; `options` as smtp-server takes them (auth, TLS …). */
export async function startSmtp(options: SMTPServerOptions = {}): Promise<{ port: number; mails: Mail[]; server: SMTPServer }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    disabledCommands: options.onAuth ? [] : ['AUTH'],
    authOptional: !options.onAuth,
    logger: false,
    ...options,
    onData(stream, session, callback) {
      simpleParser(stream).then((m) => {
        mails.push({
          from: m.from?.text ?? '',
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: m.subject ?? '',
          text: m.text ?? '',
          html: typeof m.html === 'string' ? m.html : '',
          headers: m.headers as Map<string, unknown>,
          secure: session.secure,
          user: session.user as string | undefined,
        });
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port, mails, server };
}

/** One sample of a scrape: name, labels, value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text exposition format (0.0.4): comments skipped, labels unescaped. */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1] as string] = (l[2] as string).replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    const raw = m[4] as string;
    samples.push({ name: m[1] as string, labels, value: raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw) });
  }
  return samples;
}

/** The value of the one sample named `name` whose labels include `labels`; undefined when none. */
export function sampleValue(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}
