/**
 * rolecall's own API under /_rolecall/ (shared/DESIGN.md decision 9): not an AWS API, and its paths say so.
 *   GET  /_rolecall/health  → {"status":"ok","version":…} once ready
 *   GET  /_rolecall/clock   → {"now": ISO time, "offsetSeconds": n}
 *   POST /_rolecall/clock   {"advanceSeconds": n} moves the clock forward; SigV4-signed by an account root only
 *   GET  /_rolecall/instances/i-…  → the instance's account, region, state and metadata endpoint
 */
import type { KeyResolver } from '../auth/credentials.ts';
import type { AdjustableClock } from '../model/clock.ts';
import { verifySigV4 } from '../protocol/sigv4/verify.ts';
import type { GatewayResponse } from './pipeline.ts';

/** An admin request, with its (small) body read whole. */
export interface AdminRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export const ADMIN_PREFIX = '/_rolecall/';

export interface AdminDeps {
  readonly version: string;
  readonly ready: () => boolean;
  readonly clock: AdjustableClock;
  readonly resolveKey: KeyResolver;
  /** An instance's account, region, state and metadata endpoint, for `rolecall env` and `rolecall run`. */
  readonly instance: (id: string) => Readonly<Record<string, string>> | undefined;
}

const json = (status: number, value: unknown): GatewayResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});

const methodNotAllowed = (allowed: string[]) => json(405, { error: 'method not allowed', allowed });

/** Whether the request is SigV4-signed by an account root (any service name, any region in the scope). */
function signedByRoot(deps: AdminDeps, req: AdminRequest): boolean {
  let root = false;
  const result = verifySigV4(
    req,
    new Date(),
    (id, token) => {
      const resolved = deps.resolveKey(id, token);
      root = resolved?.principal.type === 'root' && resolved.principal.session === undefined;
      return resolved;
    },
    { sessionNow: deps.clock.now() },
  );
  return result.ok && root;
}

function clock(deps: AdminDeps, req: AdminRequest): GatewayResponse {
  const state = () => ({ now: deps.clock.now().toISOString(), offsetSeconds: deps.clock.offsetSeconds });
  if (req.method === 'GET') return json(200, state());
  if (req.method !== 'POST') return methodNotAllowed(['GET', 'POST']);
  if (!signedByRoot(deps, req)) {
    return json(403, { error: 'moving the clock needs a request signed (SigV4) with account root credentials' });
  }
  let body: unknown;
  try {
    body = JSON.parse(req.body.toString('utf8'));
  } catch {
    return json(400, { error: 'the body must be JSON: {"advanceSeconds": n}' });
  }
  const keys = typeof body === 'object' && body !== null ? Object.keys(body) : [];
  const seconds = (body as { advanceSeconds?: unknown } | null)?.advanceSeconds;
  if (keys.length !== 1 || typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
    return json(400, { error: 'the body must be {"advanceSeconds": n} with n ≥ 0; the clock only moves forward' });
  }
  deps.clock.advance(seconds);
  return json(200, state());
}

export function handleAdmin(deps: AdminDeps, req: AdminRequest): GatewayResponse {
  switch (req.path) {
    case '/_rolecall/health':
      if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(['GET']);
      return deps.ready()
        ? json(200, { status: 'ok', version: deps.version })
        : json(503, { status: 'starting', version: deps.version });
    case '/_rolecall/clock':
      return clock(deps, req);
    default: {
      const m = /^\/_rolecall\/instances\/(i-[0-9a-f]+)$/.exec(req.path);
      if (m) {
        if (req.method !== 'GET') return methodNotAllowed(['GET']);
        const info = deps.instance(m[1] ?? '');
        return info ? json(200, info) : json(404, { error: `no instance ${m[1] ?? ''}` });
      }
      return json(404, { error: `no admin resource at ${req.path}` });
    }
  }
}
