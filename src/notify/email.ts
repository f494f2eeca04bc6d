/**
 * The email channel: one nodemailer transport from `notifications.email`. `starttls` maps to
 * nodemailer's requireTLS (refuse a server without STARTTLS) / ignoreTLS (never upgrade); the
 * credentials come from the environment variables the config names. Short socket timeouts keep a
 * server that never answers from holding a delivery past the sender's deadline.
 */
import type { Transporter } from 'nodemailer';
import type { EmailSettings } from '../config/settings.js';
import type { RenderedEmail } from './email-render.js';

export interface EmailTransport {
  /** Sends one message to the configured recipients; rejects with a one-line Error. */
  send(message: RenderedEmail, headers: Record<string, string>): Promise<void>;
  close(): void;
}

export interface EmailTransportOptions {
  /** Deadline of one send (connect, greeting, every socket read), ms. */
  timeoutMs: number;
  /** Tests only: accept the test SMTP server's self-signed certificate. */
  tlsRejectUnauthorized?: boolean;
}

/** Builds the transport; nothing connects, and nodemailer is not even loaded, until `send`. */
export function createEmailTransport(email: EmailSettings, opts: EmailTransportOptions): EmailTransport {
  let transport: Transporter | null = null;
  let loading: Promise<Transporter> | null = null;
  let closed = false;
  const load = () => {
    loading ??= import('nodemailer').then((m) => {
      transport = m.default.createTransport(options(email, opts));
      // Closed while loading: what was closed stays closed (sendMail then fails like before).
      if (closed) transport.close();
      return transport;
    });
    return loading;
  };
  return {
    async send(message, headers) {
      try {
        await (await load()).sendMail({ from: email.from, to: [...email.to], subject: message.subject, text: message.text, html: message.html, headers });
      } catch (err) {
        const e = err as Error & { responseCode?: number; code?: string };
        throw new Error([e.code, e.responseCode, e.message.split('\n')[0]].filter(Boolean).join(': '));
      }
    },
    close: () => {
      closed = true;
      transport?.close();
    },
  };
}

function options(email: EmailSettings, opts: EmailTransportOptions) {
  return {
    host: email.host,
    port: email.port,
    secure: email.secure,
    requireTLS: email.starttls === 'required',
    ignoreTLS: email.starttls === 'off',
    auth: email.auth?.user && email.auth.pass ? { user: email.auth.user.reveal(), pass: email.auth.pass.reveal() } : undefined,
    connectionTimeout: opts.timeoutMs,
    greetingTimeout: opts.timeoutMs,
    socketTimeout: opts.timeoutMs,
    tls: { rejectUnauthorized: opts.tlsRejectUnauthorized ?? true },
  };
}
