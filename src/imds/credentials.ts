/**
 * Role credentials for an instance, as EC2 delivers them: issued through the same function as AssumeRole
 * (auth/sessions.ts) for the profile's role, with the instance id as the session name, after the role's trust
 * policy is evaluated for the service principal ec2.amazonaws.com. The session carries ec2:SourceInstanceARN
 * and ec2:RoleDelivery (1.0 for IMDSv1, 2.0 for IMDSv2). Credentials are kept and served until less than an hour
 * is left (botocore refreshes 15 minutes before expiry, SDK v3 5 minutes), then replaced by new ones.
 */
import type { IamState } from '../state/iam-state.ts';
import type { InstanceRecord } from '../model/ec2.ts';
import { nameKey, type RoleRecord } from '../model/iam.ts';
import { compilePolicy, evaluate, type Decision } from '../policy/index.ts';
import { issueRoleSession } from '../auth/sessions.ts';
import type { SessionClaims } from '../auth/session-token.ts';

/** EC2 hands out credentials valid for six hours and replaces them well before they expire. */
const LIFETIME_SECONDS = 6 * 3600;
const REFRESH_BEFORE_MS = 3600_000;

export type CredentialsAnswer =
  | { readonly kind: 'none' }
  | { readonly kind: 'untrusted'; readonly role: RoleRecord }
  | {
      readonly kind: 'issued';
      readonly role: RoleRecord;
      readonly claims: SessionClaims;
      readonly token: string;
      readonly lastUpdated: Date;
    };

/**
 * EC2 obtaining role credentials for an instance (or being refused by the role's trust policy), told to whoever
 * records it (the audit trail): only when credentials are issued, not each time the metadata service serves them.
 */
export interface CredentialsIssue {
  readonly account: string;
  readonly instance: InstanceRecord;
  readonly role: RoleRecord;
  readonly trust: Decision;
  readonly trustPolicy: { readonly id: string; readonly document: string };
  /** Absent when the trust policy refused. */
  readonly claims?: SessionClaims;
  readonly durationSeconds: number;
  readonly now: Date;
}

export class InstanceCredentials {
  private readonly cache = new Map<string, { claims: SessionClaims; token: string; lastUpdated: Date }>();

  /** Untrusted roles already reported, so a workload polling for credentials is recorded once per role. */
  private readonly refused = new Set<string>();

  constructor(
    private readonly state: IamState,
    private readonly tokenKey: Buffer,
    private readonly issued?: (issue: CredentialsIssue) => void,
  ) {}

  /** The role of the instance's current profile, if it has one with a role. */
  role(account: string, instance: InstanceRecord): RoleRecord | undefined {
    const arn = instance.association?.profileArn;
    if (arn === undefined) return undefined;
    const profile = this.state.get('iam.instance-profile', account, nameKey(arn.split('/').pop() ?? ''));
    const roleKey = profile?.roleKeys[0];
    return roleKey === undefined ? undefined : this.state.get('iam.role', account, roleKey);
  }

  credentials(account: string, instance: InstanceRecord, version: '1.0' | '2.0', now: Date): CredentialsAnswer {
    const role = this.role(account, instance);
    if (!role) return { kind: 'none' };
    const trustPolicy = { id: `${role.arn}#trust`, document: role.trustPolicy };
    const trust = compilePolicy(trustPolicy);
    const decision = evaluate(
      {
        principal: { type: 'service', arn: 'ec2.amazonaws.com', account: '', service: 'ec2.amazonaws.com' },
        action: 'sts:AssumeRole',
        resource: role.arn,
      },
      { resource: trust, resourceIsTrustPolicy: true },
    );
    const key = `${account}/${instance.instanceId}/${role.id}/${version}`;
    if (decision.decision !== 'Allowed') {
      const refusal = `${key}/${trustPolicy.document}`;
      if (!this.refused.has(refusal)) {
        this.refused.add(refusal);
        this.issued?.({
          account,
          instance,
          role,
          trust: decision,
          trustPolicy,
          durationSeconds: LIFETIME_SECONDS,
          now,
        });
      }
      return { kind: 'untrusted', role };
    }
    const cached = this.cache.get(key);
    if (cached && cached.claims.expiresAt - now.getTime() > REFRESH_BEFORE_MS)
      return { kind: 'issued', role, ...cached };
    const issued = issueRoleSession(this.tokenKey, {
      role,
      account,
      sessionName: instance.instanceId,
      durationSeconds: LIFETIME_SECONDS,
      now,
      context: {
        'ec2:SourceInstanceARN': `arn:aws:ec2:${instance.region}:${account}:instance/${instance.instanceId}`,
        'ec2:RoleDelivery': version,
      },
    });
    const entry = { claims: issued.claims, token: issued.token, lastUpdated: now };
    this.cache.set(key, entry);
    this.issued?.({
      account,
      instance,
      role,
      trust: decision,
      trustPolicy,
      claims: issued.claims,
      durationSeconds: LIFETIME_SECONDS,
      now,
    });
    return { kind: 'issued', role, ...entry };
  }
}
