/**
 * rolecall's own API under /_rolecall/ (shared/DESIGN.md decision 9): not an AWS API, and its paths say so.
 * Health now; the clock, instance endpoints, audit events and reset join it as their issues land.
 */
import type { GatewayResponse } from './pipeline.ts';

export const ADMIN_PREFIX = '/_rolecall/';

export interface AdminDeps {
  readonly version: string;
  readonly ready: () => boolean;
}

const json = (status: number, value: unknown): GatewayResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});

export function handleAdmin(deps: AdminDeps, method: string, path: string): GatewayResponse {
  if (path === '/_rolecall/health') {
    if (method !== 'GET' && method !== 'HEAD') return json(405, { error: 'method not allowed', allowed: ['GET'] });
    return deps.ready()
      ? json(200, { status: 'ok', version: deps.version })
      : json(503, { status: 'starting', version: deps.version });
  }
  return json(404, { error: `no admin resource at ${path}` });
}
