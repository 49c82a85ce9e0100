import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './http-error.js';
import { type Actor, ANONYMOUS, READ_TOKEN_ENV, TOKEN_ENV, type TokenBook } from './tokens.js';

/** Who may call a route: anyone, a read or admin token, or an admin token only. */
export type Access = 'open' | 'read' | 'admin';

/** A route's `config` may declare its access; see `accessOf` for the default. */
export interface AccessConfig {
  access?: Access;
}

/** What routes ask of the guard: who the (already admitted) request is. */
export interface Guard {
  actorOf(request: FastifyRequest): Actor;
}

const TOKEN_FIX = `Send one of the configured tokens (server.token or ${TOKEN_ENV}, server.read_token or ${READ_TOKEN_ENV}, server.tokens) as "Authorization: Bearer <token>"; never in the URL.`;

/**
 * A route's declared access, else by path: the API (`/api/...`, an unknown path there too) and
 * `/metrics` are reads, anything else (probes, webhooks, the console's files) is open. So a
 * route added without a declaration under `/api` is protected, not public.
 */
function accessOf(request: FastifyRequest): Access {
  const declared = (request.routeOptions.config as AccessConfig | undefined)?.access;
  if (declared) return declared;
  const path = request.routeOptions.url ?? request.url.split('?')[0] ?? '';
  return path === '/api' || path.startsWith('/api/') || path === '/metrics' ? 'read' : 'open';
}

function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '')?.[1];
}

function admit(access: Exclude<Access, 'open'>, header: string | undefined, tokens: TokenBook): Actor {
  if (!tokens.configured) {
    if (access === 'read') return ANONYMOUS;
    throw new HttpError(
      403,
      'ACTIONS_DISABLED',
      'Actions over HTTP are disabled: no API token is configured.',
      {
        fix: `Set server.token in the configuration or the ${TOKEN_ENV} environment variable, and send it as "Authorization: Bearer <token>".`,
      },
    );
  }
  const token = bearerToken(header);
  if (token === undefined) {
    throw new HttpError(401, 'UNAUTHORIZED', 'Missing bearer token.', { fix: TOKEN_FIX });
  }
  const actor = tokens.identify(token);
  if (!actor) {
    throw new HttpError(401, 'UNAUTHORIZED', 'The bearer token is not one of the configured API tokens.', {
      fix: TOKEN_FIX,
    });
  }
  if (access === 'admin' && actor.role !== 'admin') {
    throw new HttpError(403, 'FORBIDDEN', `The token "${actor.name}" may only read; this is an action.`, {
      fix: tokens.hasAdmin
        ? 'Send an admin token.'
        : `Configure an admin token (server.token, ${TOKEN_ENV}, or a server.tokens entry with role admin) and send it.`,
    });
  }
  return actor;
}

/**
 * Checks every request's bearer token in `onRequest`, before its body is read: a refused request
 * (401, 403) does nothing and costs no parsing. Tokens are compared in constant time.
 */
export function installGuard(app: FastifyInstance, tokens: TokenBook): Guard {
  const actors = new WeakMap<FastifyRequest, Actor>();
  app.addHook('onRequest', async (request) => {
    const access = accessOf(request);
    if (access === 'open') return;
    actors.set(request, admit(access, request.headers.authorization, tokens));
  });
  return { actorOf: (request) => actors.get(request) ?? ANONYMOUS };
}
