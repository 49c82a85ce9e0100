import { errorCodeInfo, isSentryError, type Logger, type Redactor } from '@sentry-git/core';
import type { FastifyError, FastifyInstance } from 'fastify';
import { errorBody, HttpError } from './http-error.js';

const ENDPOINTS =
  'Endpoints: GET /healthz, GET /readyz, GET /metrics, GET /api/v1/whoami, GET /api/v1/status, GET /api/v1/runs, GET /api/v1/runs/:id, GET /api/v1/runs/:id/jobs/:job/log, GET /api/v1/events, GET /api/v1/pauses, GET /api/v1/plan, POST /api/v1/trigger, POST /api/v1/runs/:id/cancel, POST /api/v1/runs/:id/rerun, POST /api/v1/deploy, POST /api/v1/pause, POST /api/v1/resume, POST /webhooks/:provider.';

/** Fastify's own request errors, with the code and message a client can act on. */
function fastifyError(error: FastifyError, bodyLimit: number): HttpError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError(413, 'BODY_TOO_LARGE', `The request body is larger than ${bodyLimit} bytes.`, {
        fix: 'Send a smaller body, or raise server.body_limit.',
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', error.message, {
        fix: 'Send the body as application/json.',
      });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new HttpError(400, 'INVALID_JSON', `The request body is not valid JSON: ${error.message}`);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new HttpError(400, 'INVALID_CONTENT_LENGTH', error.message);
    default:
      break;
  }
  // A JSON.parse failure inside fastify's parser carries statusCode 400 and no FST code.
  if (error instanceof SyntaxError && error.statusCode === 400) {
    return new HttpError(400, 'INVALID_JSON', `The request body is not valid JSON: ${error.message}`);
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new HttpError(error.statusCode, 'BAD_REQUEST', error.message);
  }
  return undefined;
}

/** The answer an error gets, when it is one a client caused (or the engine names); undefined for a 500. */
export function toHttpError(error: unknown, bodyLimit: number): HttpError | undefined {
  if (error instanceof HttpError) return error;
  // The catalogue gives each code its status; a 500 stays "the server failed" (logged, no details).
  if (isSentryError(error)) {
    const { status } = errorCodeInfo(error.code);
    if (status !== 500) return new HttpError(status, error.code, error.message);
  }
  if (error instanceof Error && 'code' in error) return fastifyError(error as FastifyError, bodyLimit);
  return undefined;
}

/**
 * Every error becomes `{ error: { code, message } }` with its status, fastify's own included
 * (unknown route, body too large, bad JSON). Messages pass through the redactor; an unexpected
 * error is logged and answered 500 without its stack.
 */
export function installErrorHandlers(
  app: FastifyInstance,
  input: { redactor: Redactor; logger: Logger; bodyLimit: number },
): void {
  const { redactor, logger, bodyLimit } = input;
  app.setErrorHandler((error, request, reply) => {
    const known = toHttpError(error, bodyLimit);
    if (known) {
      if (known.code === 'UNAUTHORIZED') reply.header('www-authenticate', 'Bearer');
      return reply.status(known.status).send(errorBody(known.code, redactor.redact(known.message)));
    }
    const message = redactor.redact(error instanceof Error ? error.message : String(error));
    logger.error(
      { method: request.method, url: request.url },
      `server: ${request.method} ${request.url} failed: ${message}`,
    );
    return reply.status(500).send(errorBody('INTERNAL_ERROR', `The server failed to answer: ${message}`));
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send(
        errorBody('NOT_FOUND', `No endpoint ${request.method} ${request.url.split('?')[0]}. ${ENDPOINTS}`),
      ),
  );
}
