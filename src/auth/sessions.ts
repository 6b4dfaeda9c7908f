/**
 * Issuing role sessions: the one place that mints temporary credentials for a role, whoever asks — STS
 * AssumeRole now, the instance metadata service and Lambda later (shared/DESIGN.md: none calls another's
 * handler). It applies AWS's rules for durations, session policies, session tags and source identity
 * (shared/AWS-FACTS.md, "STS") and seals the session into its token. Authorization against the trust policy
 * happens before, in the pipeline (or in the caller, for service principals).
 */
import { randomBytes } from 'node:crypto';
import type { RoleRecord, Tag } from '../model/iam.ts';
import { accessKeyId } from '../model/ids.ts';
import { AwsError, commonErrors } from '../protocol/errors.ts';
import { policySize, validatePolicy } from '../policy/index.ts';
import type { Principal } from './principal.ts';
import { sealToken, type SessionClaims } from './session-token.ts';

export interface RoleSessionRequest {
  readonly role: RoleRecord;
  readonly account: string;
  readonly sessionName: string;
  /** The caller, when a principal (not a service) assumes the role: decides chaining and inherited tags. */
  readonly caller?: Principal;
  readonly durationSeconds?: number;
  readonly policy?: string;
  readonly policyArns?: readonly string[];
  readonly tags?: readonly Tag[];
  readonly transitiveTagKeys?: readonly string[];
  readonly sourceIdentity?: string;
  /** Condition keys to carry into the session's requests (the metadata service's ec2:SourceInstanceARN). */
  readonly context?: Readonly<Record<string, string>>;
  readonly now: Date;
}

export interface IssuedSession {
  readonly claims: SessionClaims;
  readonly token: string;
  /** Percentage of the allowed packed size the session policies and tags use; undefined without either. */
  readonly packedPolicySize?: number;
}

/** Session policies and tags together may hold 2,048 plain characters (STS API reference, AssumeRole). */
const PACKED_LIMIT = 2048;
const ONE_HOUR = 3600;

const invalidParameter = (message: string) => new AwsError('InvalidParameterValue', 400, message);

/** 40 characters of base64, as AWS secret access keys look. */
export const newSecret = (): string => randomBytes(30).toString('base64');

export function issueRoleSession(tokenKey: Buffer, r: RoleSessionRequest): IssuedSession {
  const callerSession = r.caller?.type === 'assumed-role' ? r.caller.session : undefined;
  const chained = callerSession !== undefined;
  const duration = r.durationSeconds ?? ONE_HOUR;
  // MaxSessionDuration bounds what callers ask for; services delivering credentials (EC2) set their own.
  if (r.caller !== undefined && duration > r.role.maxSessionDuration) {
    throw commonErrors.validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }
  if (chained && duration > ONE_HOUR) {
    throw commonErrors.validation(
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
  }

  if (r.policy !== undefined) {
    const problem = validatePolicy(r.policy, 'session');
    if (problem !== undefined) throw new AwsError('MalformedPolicyDocument', 400, problem);
  }

  // Tags: keys are case-insensitive; transitive keys must be among the tags; a chained session keeps its caller's
  // transitive tags and may not set them again (IAM User Guide, "Passing session tags in AWS STS").
  const requested = r.tags ?? [];
  const lower = requested.map((t) => t.Key.toLowerCase());
  if (new Set(lower).size !== lower.length) {
    throw invalidParameter('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
  }
  const transitive = (r.transitiveTagKeys ?? []).map((k) => k.toLowerCase());
  for (const key of transitive) {
    if (!lower.includes(key))
      throw invalidParameter('The specified transitive tag key must be included in the requested tags.');
  }
  const inheritedKeys = callerSession?.transitiveTagKeys ?? [];
  const inherited = (callerSession?.tags ?? []).filter((t) => inheritedKeys.includes(t.Key.toLowerCase()));
  if (inherited.some((t) => lower.includes(t.Key.toLowerCase()))) {
    throw invalidParameter(
      'One of the specified transitive tag keys can not be set because it conflicts with a transitive tag key from the calling session.',
    );
  }
  const tags = [...inherited, ...requested];

  // A source identity, once set, follows the session through chaining and cannot change.
  const inheritedSource = callerSession?.sourceIdentity;
  if (r.sourceIdentity !== undefined) {
    if (r.sourceIdentity.toLowerCase().startsWith('aws:')) {
      throw commonErrors.validation("Invalid source identity: the value can not start with 'aws:'.");
    }
    if (inheritedSource !== undefined && inheritedSource !== r.sourceIdentity) {
      throw commonErrors.accessDenied('Cannot change the source identity of a session that already has one.');
    }
  }
  const sourceIdentity = r.sourceIdentity ?? inheritedSource;

  const plain =
    (r.policy === undefined ? 0 : policySize(r.policy)) +
    (r.policyArns ?? []).reduce((n, arn) => n + arn.length, 0) +
    tags.reduce((n, t) => n + t.Key.length + t.Value.length, 0);
  const packed = Math.ceil((plain * 100) / PACKED_LIMIT);
  if (packed > 100) {
    throw new AwsError(
      'PackedPolicyTooLarge',
      400,
      `Packed policy consumes ${packed}% of allotted space, please use smaller policy.`,
    );
  }

  const issuedAt = r.now.getTime();
  const claims: SessionClaims = {
    kind: 'role',
    account: r.account,
    accessKeyId: accessKeyId('ASIA', r.account),
    secretAccessKey: newSecret(),
    issuedAt,
    expiresAt: issuedAt + duration * 1000,
    roleArn: r.role.arn,
    roleId: r.role.id,
    roleName: r.role.name,
    sessionName: r.sessionName,
    ...(r.policy !== undefined && { policy: r.policy }),
    ...(r.policyArns && r.policyArns.length > 0 && { policyArns: r.policyArns }),
    ...(tags.length > 0 && { tags }),
    ...(transitive.length + inheritedKeys.length > 0 && { transitiveTagKeys: [...inheritedKeys, ...transitive] }),
    ...(sourceIdentity !== undefined && { sourceIdentity }),
    ...(chained && { chained: true }),
    ...(r.context && { context: r.context }),
  };
  const hasSessionData = r.policy !== undefined || (r.policyArns ?? []).length > 0 || tags.length > 0;
  return { claims, token: sealToken(tokenKey, claims), ...(hasSessionData && { packedPolicySize: packed }) };
}
