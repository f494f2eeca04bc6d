/**
 * The email channel: one nodemailer transport from `notifications.email`. `starttls` maps to
 * nodemailer's requireTLS (refuse a server without STARTTLS) / ignoreTLS (never upgrade); the
 * credentials come from the environment variables the config names. Short socket timeouts keep a
 * server that never answers from holding a delivery past the sender's deadline.
 */
import nodemailer from 'nodemailer';
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

/** Builds the transport; nothing connects until `send`. */
export function createEmailTransport(email: EmailSettings, opts: EmailTransportOptions): EmailTransport {
  const transport = nodemailer.createTransport({
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
  });
  return {
    async send(message, headers) {
      try {
        await transport.sendMail({ from: email.from, to: [...email.to], subject: message.subject, text: message.text, html: message.html, headers });
      } catch (err) {
        const e = err as Error & { responseCode?: number; code?: string };
        throw new Error([e.code, e.responseCode, e.message.split('\n')[0]].filter(Boolean).join(': '));
      }
    },
    close: () => transport.close(),
  };
}
