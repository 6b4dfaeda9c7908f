/**
 * Who made a recorded request, read back from its CloudTrail userIdentity: the engine's principal, the caller as
 * authorization knows it (so the policies that apply now can be gathered the same way as for a live request), and
 * the IAM entity behind it (a role for its sessions, a user, a root) — the unit explain, suggest-policy and
 * last-accessed reports are about.
 */
import type { Principal } from '../auth/principal.ts';
import type { SessionClaims } from '../auth/session-token.ts';
import type { RequestPrincipal } from '../policy/index.ts';
import type { AuditUserIdentity } from './types.ts';

export interface EventPrincipal {
  readonly engine: RequestPrincipal;
  /** The caller for principalPolicies; undefined for principals that have no IAM policies (services, unknown). */
  readonly caller?: Principal;
  /** The IAM entity whose policies apply: the role of a session, the user, the root. */
  readonly entityArn?: string;
  readonly entityType?: 'role' | 'user' | 'root';
}

/** The IAM entity a recorded request acted as: a role's sessions all count for the role. */
export function entityArnOf(identity: AuditUserIdentity): string | undefined {
  if (identity.type === 'AssumedRole') return identity.sessionContext?.sessionIssuer?.arn;
  if (identity.type === 'IAMUser' || identity.type === 'Root') return identity.arn;
  return undefined;
}

export function eventPrincipal(identity: AuditUserIdentity): EventPrincipal | undefined {
  const account = identity.accountId ?? '';
  const arn = identity.arn ?? '';
  switch (identity.type) {
    case 'Root':
      return {
        engine: { type: 'root', arn, account },
        caller: { type: 'root', account, arn, userId: account, accessKeyId: identity.accessKeyId ?? '' },
        entityArn: arn,
        entityType: 'root',
      };
    case 'IAMUser': {
      const userName = identity.userName ?? arn.slice(arn.lastIndexOf('/') + 1);
      return {
        engine: { type: 'user', arn, account },
        caller: {
          type: 'user',
          account,
          arn,
          userId: identity.principalId ?? '',
          userName,
          accessKeyId: identity.accessKeyId ?? '',
        },
        entityArn: arn,
        entityType: 'user',
      };
    }
    case 'AssumedRole': {
      const issuer = identity.sessionContext?.sessionIssuer;
      if (!issuer) return undefined;
      const sessionName = arn.slice(arn.lastIndexOf('/') + 1);
      // The claims authorization needs to find the role's policies now. Session policies are not part of the
      // record (CloudTrail does not keep them either), so a re-evaluation sees the role's own policies only.
      const session: SessionClaims = {
        kind: 'role',
        account,
        accessKeyId: identity.accessKeyId ?? '',
        secretAccessKey: '',
        issuedAt: Date.parse(identity.sessionContext?.attributes.creationDate ?? '') || 0,
        expiresAt: 0,
        roleArn: issuer.arn,
        roleId: issuer.principalId,
        roleName: issuer.userName,
        sessionName,
      };
      return {
        engine: { type: 'assumed-role', arn, account, roleArn: issuer.arn },
        caller: {
          type: 'assumed-role',
          account,
          arn,
          userId: identity.principalId ?? '',
          accessKeyId: identity.accessKeyId ?? '',
          session,
        },
        entityArn: issuer.arn,
        entityType: 'role',
      };
    }
    case 'AWSService':
      // A service acting for the account (the metadata service's AssumeRole): only the resource policy decides.
      return identity.invokedBy === undefined
        ? undefined
        : {
            engine: { type: 'service', arn: identity.invokedBy, account: '', service: identity.invokedBy },
          };
    default:
      return undefined;
  }
}
