/**
 * The policies that apply to a principal's request, read from the IAM state at request time — so a policy change
 * applies to existing sessions at once — and compiled through the engine's cache. Users: their own and their
 * groups' inline and attached policies, and their boundary. Role sessions: the role's policies and boundary, and
 * the session policies given to AssumeRole. Roots: none (a root may do anything in its own account).
 */
import type { IamState } from '../state/iam-state.ts';
import type { AwsManagedPolicies } from '../state/aws-managed-policies.ts';
import { findManagedPolicy } from '../state/policies.ts';
import { nameKey, type PolicyHolderRecord } from '../model/iam.ts';
import { compilePolicy, type CompiledPolicy } from '../policy/index.ts';
import type { Principal } from './principal.ts';

export interface PrincipalPolicies {
  readonly identity: CompiledPolicy[];
  readonly boundaries: CompiledPolicy[];
  readonly session: CompiledPolicy[];
  /** Tags of the user or role, for aws:PrincipalTag (session tags are added on top). */
  readonly tags: readonly { readonly Key: string; readonly Value: string }[];
}

const NONE: PrincipalPolicies = { identity: [], boundaries: [], session: [], tags: [] };

export function principalPolicies(
  state: IamState,
  catalogue: AwsManagedPolicies,
  principal: Principal,
): PrincipalPolicies {
  const account = principal.account;
  const managed = (arn: string): CompiledPolicy[] => {
    const policy = findManagedPolicy(state, catalogue, account, arn);
    const version = policy?.versions.find((v) => v.versionId === policy.defaultVersionId);
    return policy && version
      ? [compilePolicy({ id: `${policy.arn}#${version.versionId}`, document: version.document })]
      : [];
  };
  const holderPolicies = (holder: PolicyHolderRecord): CompiledPolicy[] => [
    ...holder.inlinePolicies.map((p) => compilePolicy({ id: `${holder.arn}#${p.name}`, document: p.document })),
    ...holder.attachedPolicyArns.flatMap(managed),
  ];

  switch (principal.type) {
    case 'root':
    case 'anonymous':
      return NONE;
    case 'user': {
      const user = state.get('iam.user', account, nameKey(principal.userName));
      if (!user) return NONE;
      const groups = user.groupKeys.flatMap((k) => state.get('iam.group', account, k) ?? []);
      return {
        identity: [...holderPolicies(user), ...groups.flatMap(holderPolicies)],
        boundaries: user.permissionsBoundaryArn === undefined ? [] : managed(user.permissionsBoundaryArn),
        session: [],
        tags: user.tags,
      };
    }
    case 'assumed-role': {
      const claims = principal.session;
      const role = state.get('iam.role', account, nameKey(claims.roleName ?? ''));
      // A deleted (or deleted and recreated) role gives its old sessions nothing.
      if (!role || role.id !== claims.roleId) return { ...NONE, session: [] };
      const session = [
        ...(claims.policy !== undefined
          ? [compilePolicy({ id: `${principal.arn}#session-policy`, document: claims.policy })]
          : []),
        ...(claims.policyArns ?? []).flatMap(managed),
      ];
      // A session given PolicyArns that no longer exist still has session policies: they just allow nothing.
      const hasSessionPolicies = claims.policy !== undefined || (claims.policyArns ?? []).length > 0;
      return {
        identity: holderPolicies(role),
        boundaries: role.permissionsBoundaryArn === undefined ? [] : managed(role.permissionsBoundaryArn),
        session:
          hasSessionPolicies && session.length === 0
            ? [
                compilePolicy({
                  id: 'no-session-policy',
                  document:
                    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"none:none","Resource":"*"}]}',
                }),
              ]
            : session,
        tags: role.tags,
      };
    }
  }
}
