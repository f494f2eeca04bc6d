/**
 * The one error catalog of the HTTP API and the handlers that turn every failure into the one
 * JSON error shape `{ success: false, error: { code, message } }` (409 adds `run_id`).
 * 500s are logged with their stack and masked; no stack trace ever leaves the process.
 */
import createError from '@fastify/error';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type BusyError, catalogEntryOf } from '../domain/errors.js';
import { DURATION_HINT } from '../domain/retention/index.js';

export const BadRequestError = createError<'ERR_CLEANUP_BAD_REQUEST', 400, [string]>('ERR_CLEANUP_BAD_REQUEST', '%s', 400);
export const UnauthorizedError = createError<'ERR_CLEANUP_UNAUTHORIZED', 401, [string]>(
  'ERR_CLEANUP_UNAUTHORIZED',
  '%s',
  401,
);
export const ForbiddenError = createError<'ERR_CLEANUP_FORBIDDEN', 403, [string]>('ERR_CLEANUP_FORBIDDEN', '%s', 403);
export const NotFoundError = createError<'ERR_CLEANUP_NOT_FOUND', 404, [string]>('ERR_CLEANUP_NOT_FOUND', '%s', 404);
export const BusyHttpError = createError<'ERR_CLEANUP_BUSY', 409, [string]>(
  'ERR_CLEANUP_BUSY',
  'another cleanup is running (run %s); try again when it has finished',
  409,
);
export const BodyTooLargeError = createError<'ERR_CLEANUP_BODY_TOO_LARGE', 413, []>(
  'ERR_CLEANUP_BODY_TOO_LARGE',
  'request body is too large: send at most 16 KiB of JSON',
  413,
);
export const UnsupportedMediaTypeError = createError<'ERR_CLEANUP_UNSUPPORTED_MEDIA_TYPE', 415, [string]>(
  'ERR_CLEANUP_UNSUPPORTED_MEDIA_TYPE',
  '%s',
  415,
);
export const InternalError = createError<'ERR_CLEANUP_INTERNAL', 500>('ERR_CLEANUP_INTERNAL', 'internal error', 500);

export interface ErrorBody {
  success: false;
  error: { code: string; message: string };
  run_id?: string;
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** One line naming the field: `body.log_age_days must be <= 10000`, `body: unknown field "foo"`. */
export function describeValidation(errors: readonly AjvError[], part: string): string {
  // In a union (anyOf), the deepest error is the most specific: `backup_retention.prod must be >= 1`.
  const candidates = errors.filter((x) => x.keyword !== 'anyOf');
  const depth = (x: AjvError) => x.instancePath.split('/').length;
  const e = candidates.reduce<AjvError | undefined>((best, x) => (!best || depth(x) > depth(best) ? x : best), undefined) ?? errors[0];
  if (!e) return `${part} is invalid`;
  const field = [part, ...e.instancePath.split('/').filter(Boolean)].join('.');
  switch (e.keyword) {
    case 'additionalProperties':
      return `${field}: unknown field "${String(e.params.additionalProperty)}"`;
    case 'required':
      return `${field}.${String(e.params.missingProperty)} is required`;
    case 'const': {
      const allowed = errors.filter((x) => x.keyword === 'const' && x.instancePath === e.instancePath).map((x) => String(x.params.allowedValue));
      return `${field} must be one of ${allowed.join(', ')}`;
    }
    case 'pattern':
      if (part === 'querystring') return `${field} must be a whole number written in digits`;
      return e.instancePath.endsWith('/keep_within') ? `${field} must be ${DURATION_HINT}` : `${field} has an invalid format`;
    case 'type':
      return field === 'body' ? 'body must be a JSON object' : `${field} must be ${String(e.params.type)}`;
    default:
      return `${field} ${e.message ?? 'is invalid'}`;
  }
}

/** Maps any error to a status and the error body. Unknown errors become a masked 500. */
export function toErrorResponse(err: FastifyError | Error): { status: number; body: ErrorBody } {
  const fail = (status: number, code: string, message: string, extra: Partial<ErrorBody> = {}) => ({
    status,
    body: { success: false as const, error: { code, message }, ...extra },
  });
  const fe = err as FastifyError & { validationContext?: string };
  if (fe.validation) {
    return fail(400, 'ERR_CLEANUP_BAD_REQUEST', describeValidation(fe.validation as AjvError[], fe.validationContext ?? 'request'));
  }
  // Our own errors map by code through the one catalog (domain/errors.ts).
  const known = catalogEntryOf(err);
  if (known?.code === 'ERR_CLEANUP_BUSY') {
    const { runId } = err as BusyError;
    return fail(known.status, known.apiCode, new BusyHttpError(runId).message, { run_id: runId });
  }
  // 502: the archive target failed; the message names the target and the failure, never a credential.
  if (known && (known.status < 500 || known.status === 502)) return fail(known.status, known.apiCode, err.message);
  const status = fe.statusCode ?? 500;
  // Fastify's own client errors (bad JSON, body too large, wrong media type): same shape, our codes.
  const client =
    status === 413
      ? new BodyTooLargeError()
      : status === 415
        ? new UnsupportedMediaTypeError('unsupported media type: send application/json')
        : status >= 400 && status < 500
          ? new BadRequestError(bodyParseMessage(fe))
          : null;
  if (client) return fail(status, client.code, client.message);
  const internal = new InternalError();
  return fail(500, internal.code, internal.message);
}

function bodyParseMessage(err: FastifyError): string {
  if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return 'body is not valid JSON (or holds a __proto__/constructor key)';
  if (err.code?.startsWith('FST_ERR_CTP_')) return `body: ${err.message}`;
  return err.message;
}

/** Installs the error and not-found handlers on the root instance. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toErrorResponse(err);
    if (status >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code: body.error.code, status }, body.error.message);
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const { body } = toErrorResponse(new NotFoundError(`no route ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}`));
    return reply.code(404).send(body);
  });
}
