/**
 * The `notifications` config key (webhooks and email) and `public_url`: their schema, and their
 * resolution into settings. Secrets are never in the file, only the NAMES of environment
 * variables holding them (`secret_env`, `user_env`, `pass_env`); loadSettings passes the
 * environment in and this file reads the values into Secret objects that never print.
 */
import { type Static, Type } from '@sinclair/typebox';
import { NOTIFICATION_EVENTS, type NotificationEvent } from '../domain/notifications.js';
import { ConfigError } from './errors.js';
import { Secret } from './secret.js';

const HttpUrl = Type.String({ minLength: 8, maxLength: 2048, pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^\\s]+$' });
const EnvVarName = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' });
const Address = Type.String({ minLength: 3, maxLength: 320, pattern: '^[^\\s@<>]+@[^\\s@<>]+$' });

export const WebhookSchema = Type.Object(
  {
    url: HttpUrl,
    events: Type.Array(Type.Union(NOTIFICATION_EVENTS.map((e) => Type.Literal(e))), { minItems: 1, uniqueItems: true }),
    secret_env: EnvVarName,
    min_space_freed_mb: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12 })),
    include_dry_runs: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const EmailSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, maxLength: 253 }),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    secure: Type.Optional(Type.Boolean()),
    starttls: Type.Optional(Type.Union([Type.Literal('required'), Type.Literal('opportunistic'), Type.Literal('off')])),
    user_env: Type.Optional(EnvVarName),
    pass_env: Type.Optional(EnvVarName),
    from: Address,
    to: Type.Array(Address, { minItems: 1, maxItems: 50 }),
    on: Type.Union([Type.Literal('failure'), Type.Literal('always'), Type.Literal('freed_over_mb')]),
    freed_over_mb: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12 })),
  },
  { additionalProperties: false },
);

export const NotificationsSchema = Type.Object(
  {
    webhooks: Type.Optional(Type.Array(WebhookSchema, { maxItems: 32 })),
    email: Type.Optional(EmailSchema),
  },
  { additionalProperties: false },
);

export const PublicUrlSchema = HttpUrl;

export interface WebhookSettings {
  url: string;
  events: readonly NotificationEvent[];
  /** Null when the named variable is not set in this process (the server refuses to start then). */
  secret: Secret | null;
  secretEnv: string;
  minSpaceFreedMb: number;
  includeDryRuns: boolean;
}

export interface EmailSettings {
  host: string;
  port: number;
  /** TLS from the first byte (usually port 465). */
  secure: boolean;
  starttls: 'required' | 'opportunistic' | 'off';
  /** Both or neither; null when not configured. */
  auth: { user: Secret | null; pass: Secret | null; userEnv: string; passEnv: string } | null;
  from: string;
  to: readonly string[];
  on: 'failure' | 'always' | 'freed_over_mb';
  freedOverMb: number;
}

export interface NotificationSettings {
  webhooks: readonly WebhookSettings[];
  email: EmailSettings | null;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Resolves the validated `notifications` key: URLs parsed, defaults applied, secrets read from `env`. Throws ConfigError naming the field. */
export function resolveNotifications(raw: Static<typeof NotificationsSchema> | undefined, env: Env): NotificationSettings {
  const webhooks = (raw?.webhooks ?? []).map((w, i) => {
    checkUrl(w.url, `notifications.webhooks.${i}.url`);
    return Object.freeze({
      url: w.url,
      events: Object.freeze([...w.events]),
      secret: readSecret(env, w.secret_env),
      secretEnv: w.secret_env,
      minSpaceFreedMb: w.min_space_freed_mb ?? 0,
      includeDryRuns: w.include_dry_runs ?? false,
    });
  });
  return Object.freeze({ webhooks: Object.freeze(webhooks), email: raw?.email ? resolveEmail(raw.email, env) : null });
}

function resolveEmail(e: Static<typeof EmailSchema>, env: Env): EmailSettings {
  if ((e.user_env === undefined) !== (e.pass_env === undefined)) {
    throw new ConfigError('notifications.email: user_env and pass_env go together (give both, or neither for a relay without login)');
  }
  if (e.on === 'freed_over_mb' && e.freed_over_mb === undefined) {
    throw new ConfigError('notifications.email.freed_over_mb is required when on is "freed_over_mb" (megabytes, e.g. 500)');
  }
  const secure = e.secure ?? false;
  const auth = e.user_env && e.pass_env
    ? { user: readSecret(env, e.user_env), pass: readSecret(env, e.pass_env), userEnv: e.user_env, passEnv: e.pass_env }
    : null;
  return Object.freeze({
    host: e.host,
    port: e.port ?? (secure ? 465 : 587),
    secure,
    starttls: e.starttls ?? 'opportunistic',
    auth,
    from: e.from,
    to: Object.freeze([...e.to]),
    on: e.on,
    freedOverMb: e.freed_over_mb ?? 0,
  });
}

/** Checks `public_url` and strips a trailing slash. */
export function resolvePublicUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  checkUrl(raw, 'public_url');
  return raw.replace(/\/+$/, '');
}

/** The names of environment variables a notification needs but this process does not have. */
export function missingSecrets(n: NotificationSettings): string[] {
  const names = n.webhooks.filter((w) => !w.secret).map((w) => w.secretEnv);
  const a = n.email?.auth;
  if (a && !a.user) names.push(a.userEnv);
  if (a && !a.pass) names.push(a.passEnv);
  return [...new Set(names)];
}

function checkUrl(url: string, field: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`${field} is not a valid URL (got ${JSON.stringify(url)})`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`${field} must be an http:// or https:// URL (got ${JSON.stringify(url)})`);
  }
  if (parsed.username || parsed.password) {
    throw new ConfigError(`${field} must not hold a user or password (secrets go in environment variables: secret_env)`);
  }
}

function readSecret(env: Env, name: string): Secret | null {
  const value = env[name];
  return value === undefined || value === '' ? null : new Secret(name, value);
}
