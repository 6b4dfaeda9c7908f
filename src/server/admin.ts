/**
 * rolecall's own API under /_rolecall/ (shared/DESIGN.md decision 9): not an AWS API, and its paths say so.
 *   GET  /_rolecall/health  → {"status":"ok","version":…} once ready
 *   GET  /_rolecall/clock   → {"now": ISO time, "offsetSeconds": n}
 *   POST /_rolecall/clock   {"advanceSeconds": n} moves the clock forward; SigV4-signed by an account root only
 *   GET  /_rolecall/instances/i-…  → the instance's account, region, state and metadata endpoint
 *   GET  /_rolecall/findings[?account=ID&requireTag=KEY…&unusedDays=N&keyMaxAgeDays=N]  → `rolecall doctor`'s
 *        findings over the live state; SigV4-signed by an account root only, as it reads every account's IAM
 *   GET  /_rolecall/explain/REQUEST_ID  → `rolecall explain`: the recorded request re-evaluated against today's
 *        policies, traced per statement, with the change that would allow it; root-signed (the trail spans accounts)
 *   GET  /_rolecall/suggest-policy?role=NAME|ARN[&since=24h|ISO][&account=ID]  → `rolecall suggest-policy`: a
 *        least-privilege policy from the role's recorded requests; root-signed, the role in the signer's account
 *        unless an ARN or account says otherwise
 *   GET  /_rolecall/lambda/code/HEX.zip?Expires=…&Signature=…  → a Lambda deployment package, by the URL GetFunction
 *        gave as Code.Location (valid 10 minutes, like AWS's presigned URL)
 *   GET  /_rolecall/audit/events[?since=ISO&principal=ARN&denied=true&limit=N&after=EVENT_ID]  → audit records of
 *        every account, newest first, {"events": […], "next": EVENT_ID}; SigV4-signed by an account root only
 */
import type { KeyResolver } from '../auth/credentials.ts';
import type { AdjustableClock } from '../model/clock.ts';
import { verifySigV4 } from '../protocol/sigv4/verify.ts';
import type { GatewayResponse } from './pipeline.ts';
import type { FindingsQuery, FindingsReport } from './findings.ts';
import type { ExplainReport } from '../audit/explain-types.ts';
import type { SuggestQuery, SuggestReport } from '../audit/suggest-service.ts';
import { SuggestError } from '../audit/suggest-service.ts';
import { parseSince } from '../audit/since.ts';
import type { AuditEvent, AuditFilter } from '../audit/types.ts';

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
  /** The doctor's findings over the live state. */
  readonly findings: (query: FindingsQuery) => Promise<FindingsReport>;
  /** `rolecall explain` over the audit trail; absent when no trail is wired, and the endpoint says so. */
  readonly explain?: (requestId: string) => ExplainReport | undefined;
  /** `rolecall suggest-policy` over the audit trail; absent when no trail is wired. */
  readonly suggestPolicy?: (query: SuggestQuery) => Promise<SuggestReport>;
  /** GetFunction's Code.Location downloads (`/_rolecall/lambda/code/…`), authorized by the URL's own signature. */
  readonly lambdaPackage?: (req: AdminRequest) => Promise<GatewayResponse>;
  /** The audit trail (newest first), for `rolecall audit`; absent when auditing is off. */
  readonly audit?: {
    find(filter: AuditFilter, limit: number, after?: string): readonly AuditEvent[];
    has(eventId: string): boolean;
  };
}

const json = (status: number, value: unknown): GatewayResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});

const methodNotAllowed = (allowed: string[]) => json(405, { error: 'method not allowed', allowed });

/** The account whose root SigV4-signed the request (any service name, any region in the scope), if one did. */
function rootSigner(deps: AdminDeps, req: AdminRequest): string | undefined {
  let account: string | undefined;
  const result = verifySigV4(
    req,
    new Date(),
    (id, token) => {
      const resolved = deps.resolveKey(id, token);
      const root = resolved?.principal.type === 'root' && resolved.principal.session === undefined;
      account = root ? resolved.principal.account : undefined;
      return resolved;
    },
    { sessionNow: deps.clock.now() },
  );
  return result.ok ? account : undefined;
}

const signedByRoot = (deps: AdminDeps, req: AdminRequest): boolean => rootSigner(deps, req) !== undefined;

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

const FINDINGS_PARAMS = new Set(['account', 'requireTag', 'unusedDays', 'keyMaxAgeDays']);

/** The findings query, or the 400 answer that says what is wrong with it. */
function findingsQuery(raw: string): FindingsQuery | GatewayResponse {
  const params = new URLSearchParams(raw);
  const bad = (error: string) => json(400, { error });
  for (const key of params.keys()) {
    if (!FINDINGS_PARAMS.has(key)) return bad(`unknown parameter '${key}' (known: ${[...FINDINGS_PARAMS].join(', ')})`);
  }
  for (const key of ['account', 'unusedDays', 'keyMaxAgeDays']) {
    if (params.getAll(key).length > 1) return bad(`parameter '${key}' given twice`);
  }
  const account = params.get('account') ?? undefined;
  if (account !== undefined && !/^\d{12}$/.test(account)) return bad('account must be a 12-digit account id');
  const days = (key: string): number | undefined | GatewayResponse => {
    const v = params.get(key);
    if (v === null) return undefined;
    return /^\d{1,5}$/.test(v) ? Number(v) : bad(`${key} must be a whole number of days`);
  };
  const unusedDays = days('unusedDays');
  const keyMaxAgeDays = days('keyMaxAgeDays');
  if (typeof unusedDays === 'object') return unusedDays;
  if (typeof keyMaxAgeDays === 'object') return keyMaxAgeDays;
  const requiredTags = params.getAll('requireTag');
  if (requiredTags.some((t) => t === '' || t.length > 128))
    return bad('requireTag must be a tag key of 1 to 128 characters');
  return {
    requiredTags,
    ...(account !== undefined && { account }),
    ...(unusedDays !== undefined && { unusedDays }),
    ...(keyMaxAgeDays !== undefined && { keyMaxAgeDays }),
  };
}

async function findings(deps: AdminDeps, req: AdminRequest): Promise<GatewayResponse> {
  if (req.method !== 'GET') return methodNotAllowed(['GET']);
  if (!signedByRoot(deps, req)) {
    return json(403, { error: 'findings need a request signed (SigV4) with account root credentials' });
  }
  const query = findingsQuery(req.query);
  if ('status' in query) return query;
  return json(200, await deps.findings(query));
}

const NO_TRAIL = json(501, { error: 'this rolecall records no audit trail, so there is nothing to explain' });

function explain(deps: AdminDeps, req: AdminRequest, requestId: string): GatewayResponse {
  if (req.method !== 'GET') return methodNotAllowed(['GET']);
  if (!signedByRoot(deps, req)) {
    return json(403, { error: 'explain needs a request signed (SigV4) with account root credentials' });
  }
  if (!deps.explain) return NO_TRAIL;
  const report = deps.explain(requestId);
  return report
    ? json(200, report)
    : json(404, {
        error: `no recorded request with id '${requestId}' (the trail keeps the most recent requests only)`,
      });
}

const SUGGEST_PARAMS = new Set(['role', 'since', 'account']);

async function suggestPolicy(deps: AdminDeps, req: AdminRequest): Promise<GatewayResponse> {
  if (req.method !== 'GET') return methodNotAllowed(['GET']);
  const signer = rootSigner(deps, req);
  if (signer === undefined) {
    return json(403, { error: 'suggest-policy needs a request signed (SigV4) with account root credentials' });
  }
  if (!deps.suggestPolicy) return NO_TRAIL;
  const params = new URLSearchParams(req.query);
  const bad = (error: string) => json(400, { error });
  for (const key of params.keys()) {
    if (!SUGGEST_PARAMS.has(key)) return bad(`unknown parameter '${key}' (known: ${[...SUGGEST_PARAMS].join(', ')})`);
    if (params.getAll(key).length > 1) return bad(`parameter '${key}' given twice`);
  }
  const role = params.get('role');
  if (role === null || role === '') return bad('role is required: a role name or ARN');
  const account = params.get('account') ?? signer;
  if (!/^\d{12}$/.test(account)) return bad('account must be a 12-digit account id');
  const sinceText = params.get('since');
  const since = sinceText === null ? undefined : parseSince(sinceText, deps.clock.now());
  if (sinceText !== null && since === undefined) {
    return bad('since must be a duration (90s, 30m, 24h, 7d, 2w) or an ISO-8601 time');
  }
  try {
    return json(200, await deps.suggestPolicy({ account, role, ...(since && { since }) }));
  } catch (err) {
    if (err instanceof SuggestError) return json(err.status, { error: err.message });
    throw err;
  }
}

const AUDIT_PARAMS = new Set(['since', 'principal', 'denied', 'limit', 'after']);
const MAX_AUDIT_PAGE = 1000;

function auditEvents(deps: AdminDeps, req: AdminRequest): GatewayResponse {
  if (req.method !== 'GET') return methodNotAllowed(['GET']);
  if (!signedByRoot(deps, req)) {
    return json(403, { error: 'audit events need a request signed (SigV4) with account root credentials' });
  }
  const params = new URLSearchParams(req.query);
  const bad = (error: string) => json(400, { error });
  for (const key of params.keys()) {
    if (!AUDIT_PARAMS.has(key)) return bad(`unknown parameter '${key}' (known: ${[...AUDIT_PARAMS].join(', ')})`);
    if (params.getAll(key).length > 1) return bad(`parameter '${key}' given twice`);
  }
  const since = params.get('since');
  const sinceDate = since === null ? undefined : new Date(since);
  if (sinceDate && Number.isNaN(sinceDate.getTime())) return bad('since must be an ISO 8601 time');
  const denied = params.get('denied');
  if (denied !== null && denied !== 'true' && denied !== 'false') return bad('denied must be true or false');
  const limitText = params.get('limit') ?? '100';
  const limit = Number(limitText);
  if (!/^\d{1,4}$/.test(limitText) || limit < 1 || limit > MAX_AUDIT_PAGE) {
    return bad(`limit must be a whole number from 1 to ${MAX_AUDIT_PAGE}`);
  }
  const principal = params.get('principal');
  const after = params.get('after') ?? undefined;
  if (!deps.audit) return json(200, { events: [], auditing: 'off' });
  if (after !== undefined && !deps.audit.has(after)) return bad(`after: no kept event has the id '${after}'`);
  const page = deps.audit.find(
    {
      ...(sinceDate && { since: sinceDate }),
      ...(principal !== null && { principalArn: principal }),
      ...(denied === 'true' && { deniedOnly: true }),
    },
    limit + 1,
    after,
  );
  const events = page.slice(0, limit);
  const last = events[events.length - 1];
  return json(200, { events, ...(page.length > limit && last && { next: last.eventID }) });
}

export function handleAdmin(deps: AdminDeps, req: AdminRequest): GatewayResponse | Promise<GatewayResponse> {
  switch (req.path) {
    case '/_rolecall/health':
      if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(['GET']);
      return deps.ready()
        ? json(200, { status: 'ok', version: deps.version })
        : json(503, { status: 'starting', version: deps.version });
    case '/_rolecall/clock':
      return clock(deps, req);
    case '/_rolecall/findings':
      return findings(deps, req);
    case '/_rolecall/suggest-policy':
      return suggestPolicy(deps, req);
    case '/_rolecall/audit/events':
      return auditEvents(deps, req);
    default: {
      if (req.path.startsWith('/_rolecall/lambda/code/') && deps.lambdaPackage) return deps.lambdaPackage(req);
      const explained = /^\/_rolecall\/explain\/([A-Za-z0-9_.:-]{1,128})$/.exec(req.path);
      if (explained) return explain(deps, req, explained[1] ?? '');
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
