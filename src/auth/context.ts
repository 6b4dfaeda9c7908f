/**
 * The request context: the global condition keys AWS sets from the real request (IAM User Guide, "AWS global
 * condition context keys") and the service keys of the operations served. Keys that do not apply are absent,
 * as on AWS (aws:MultiFactorAuthPresent for long-term keys, aws:username for roles).
 */
import type { ContextValue } from '../policy/index.ts';
import type { Principal } from './principal.ts';

export interface ContextInput {
  readonly principal: Principal;
  readonly principalTags: readonly { readonly Key: string; readonly Value: string }[];
  readonly now: Date;
  readonly sourceIp: string;
  readonly secure: boolean;
  readonly region: string;
  /** The operation's decoded input, for request tags and service keys. */
  readonly input: Readonly<Record<string, unknown>>;
  /** Tags of the resource acted on, if it has any. */
  readonly resourceTags?: readonly { readonly Key: string; readonly Value: string }[];
  /** Extra service keys (iam:PassedToService, sts:ExternalId, …). */
  readonly extra?: Readonly<Record<string, ContextValue>>;
}

const PRINCIPAL_TYPES = {
  anonymous: 'Anonymous',
  root: 'Account',
  user: 'User',
  'assumed-role': 'AssumedRole',
} as const;

/** Node reports IPv4 peers of dual-stack sockets as `::ffff:a.b.c.d`; AWS shows the IPv4 address. */
const plainIp = (ip: string): string => (ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip);

export function buildContext(c: ContextInput): Record<string, ContextValue> {
  const p = c.principal;
  const ctx: Record<string, ContextValue> = {
    'aws:SourceIp': plainIp(c.sourceIp),
    'aws:CurrentTime': c.now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(c.now.getTime() / 1000)),
    'aws:SecureTransport': String(c.secure),
    'aws:RequestedRegion': c.region,
    'aws:PrincipalType': PRINCIPAL_TYPES[p.type],
    'aws:userid': p.userId,
    'aws:PrincipalIsAWSService': 'false',
    'aws:ViaAWSService': 'false',
  };
  // An anonymous caller has no account and no ARN (IAM User Guide, global condition keys: "This key is not
  // included in the request context for anonymous requests").
  if (p.type === 'anonymous') {
    delete ctx['aws:PrincipalIsAWSService'];
    return withRequest(ctx, c);
  }
  ctx['aws:PrincipalAccount'] = p.account;
  // For role sessions aws:PrincipalArn is the role's ARN, not the session's (IAM User Guide).
  ctx['aws:PrincipalArn'] = p.type === 'assumed-role' ? (p.session.roleArn ?? p.arn) : p.arn;
  if (p.type === 'user') ctx['aws:username'] = p.userName;
  const session = p.session;
  if (session) {
    ctx['aws:TokenIssueTime'] = new Date(session.issuedAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
    ctx['aws:MultiFactorAuthPresent'] = String(session.mfa === true);
    if (session.sourceIdentity !== undefined) ctx['aws:SourceIdentity'] = session.sourceIdentity;
    for (const [key, value] of Object.entries(session.context ?? {})) ctx[key] = value;
  }
  // Session tags override the role's or user's own tags of the same key.
  const principalTags = new Map<string, { Key: string; Value: string }>();
  for (const t of c.principalTags) principalTags.set(t.Key.toLowerCase(), t);
  for (const t of session?.tags ?? []) principalTags.set(t.Key.toLowerCase(), t);
  for (const t of principalTags.values()) ctx[`aws:PrincipalTag/${t.Key}`] = t.Value;

  return withRequest(ctx, c);
}

/** Keys from the request itself (tags it sets) and from the resource, then the caller's extra keys. */
function withRequest(ctx: Record<string, ContextValue>, c: ContextInput): Record<string, ContextValue> {
  const tags = c.input['Tags'];
  if (Array.isArray(tags)) {
    const list = tags as { Key?: string; Value?: string }[];
    for (const t of list) if (t.Key !== undefined) ctx[`aws:RequestTag/${t.Key}`] = t.Value ?? '';
    ctx['aws:TagKeys'] = list.flatMap((t) => (t.Key === undefined ? [] : [t.Key]));
  }
  const tagKeys = c.input['TagKeys'];
  if (Array.isArray(tagKeys)) ctx['aws:TagKeys'] = tagKeys as string[];
  for (const t of c.resourceTags ?? []) ctx[`aws:ResourceTag/${t.Key}`] = t.Value;
  return { ...ctx, ...c.extra };
}
