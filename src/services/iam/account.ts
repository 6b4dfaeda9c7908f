/**
 * Account-wide views: GetAccountSummary (entity counts and quotas) and GetAccountAuthorizationDetails (every
 * user, group, role and policy with their policies — the JSON people export from real accounts to review IAM).
 */
import type { IamOperations, ManagedPolicyDetail, RoleDetail } from '../../protocol/generated/iam.ts';
import type { Handlers } from '../service.ts';
import type { IamState } from '../../state/iam-state.ts';
import type { AwsManagedPolicies } from '../../state/aws-managed-policies.ts';
import { findManagedPolicy, policyUsage } from '../../state/policies.ts';
import { nameKey, type InlinePolicy, type ManagedPolicyRecord } from '../../model/iam.ts';
import { ACCESS_KEYS_PER_USER } from './access-keys.ts';
import { encodePolicyDocument, fullRoleView, groupView, instanceProfileView, userView } from './encoding.ts';
import { ATTACHED_POLICY_QUOTA, GROUP, ROLE, USER } from './holders.ts';
import { MANAGED_POLICY_QUOTA, MAX_POLICY_VERSIONS } from './managed-policies.ts';
import { paginate } from './pagination.ts';

type AccountOps = Pick<IamOperations, 'GetAccountSummary' | 'GetAccountAuthorizationDetails'>;

/** Default IAM quotas as GetAccountSummary reports them (IAM quotas page; docs/research/iam-policies-users-facts.md). */
const QUOTAS = {
  UsersQuota: 5000,
  GroupsQuota: 300,
  RolesQuota: 1000,
  PoliciesQuota: 1500,
  InstanceProfilesQuota: 1000,
  ServerCertificatesQuota: 20,
  UserPolicySizeQuota: USER.inlineQuota,
  GroupPolicySizeQuota: GROUP.inlineQuota,
  RolePolicySizeQuota: ROLE.inlineQuota,
  GroupsPerUserQuota: 10,
  SigningCertificatesPerUserQuota: 2,
  AccessKeysPerUserQuota: ACCESS_KEYS_PER_USER,
  AttachedPoliciesPerGroupQuota: ATTACHED_POLICY_QUOTA,
  AttachedPoliciesPerRoleQuota: ATTACHED_POLICY_QUOTA,
  AttachedPoliciesPerUserQuota: ATTACHED_POLICY_QUOTA,
  PolicySizeQuota: MANAGED_POLICY_QUOTA,
  PolicyVersionsInUseQuota: 10000,
  VersionsPerPolicyQuota: MAX_POLICY_VERSIONS,
  AssumeRolePolicySizeQuota: 2048,
  GlobalEndpointTokenVersion: 1,
};

const inlineList = (policies: readonly InlinePolicy[]) =>
  policies.map((p) => ({ PolicyName: p.name, PolicyDocument: encodePolicyDocument(p.document) }));

export function accountHandlers(state: IamState, catalogue: AwsManagedPolicies): Handlers<AccountOps> {
  const attachedList = (account: string, arns: readonly string[]) =>
    arns.flatMap((arn) => {
      const policy = findManagedPolicy(state, catalogue, account, arn);
      return policy ? [{ PolicyName: policy.name, PolicyArn: policy.arn }] : [];
    });

  return {
    GetAccountSummary: (_input, ctx) => {
      const usage = policyUsage(state, ctx.account);
      const count = (kind: 'iam.user' | 'iam.group' | 'iam.role' | 'iam.policy' | 'iam.instance-profile') =>
        state.list(kind, ctx.account).length;
      const rootKeys = state.list('iam.access-key', ctx.account).some((k) => k.userKey === undefined);
      return {
        SummaryMap: {
          Users: count('iam.user'),
          Groups: count('iam.group'),
          Roles: count('iam.role'),
          Policies: count('iam.policy'),
          InstanceProfiles: count('iam.instance-profile'),
          PolicyVersionsInUse: [...usage.values()].reduce((n, u) => n + u.attachments + u.boundaries, 0),
          ServerCertificates: 0,
          MFADevices: 0,
          MFADevicesInUse: 0,
          AccountMFAEnabled: 0,
          AccountAccessKeysPresent: rootKeys ? 1 : 0,
          AccountPasswordPresent: 0,
          AccountSigningCertificatesPresent: 0,
          Providers: 0,
          ...QUOTAS,
        },
      };
    },

    GetAccountAuthorizationDetails: (input, ctx) => {
      const account = ctx.account;
      const wanted = (f: string) => !input.Filter || input.Filter.length === 0 || input.Filter.includes(f as never);
      const usage = policyUsage(state, account);
      const profiles = state.list('iam.instance-profile', account);
      type Entry = { key: string; kind: 'user' | 'group' | 'role' | 'policy'; build: () => unknown };
      const entries: Entry[] = [];
      if (wanted('User')) {
        for (const u of state.list('iam.user', account)) {
          entries.push({
            key: `1/${nameKey(u.name)}`,
            kind: 'user',
            build: () => {
              const view = userView(u);
              return {
                Path: view.Path,
                UserName: view.UserName,
                UserId: view.UserId,
                Arn: view.Arn,
                CreateDate: view.CreateDate,
                // Left out when empty, unlike the group and role lists (recorded AWS responses).
                ...(u.inlinePolicies.length > 0 && { UserPolicyList: inlineList(u.inlinePolicies) }),
                GroupList: u.groupKeys.flatMap((k) => state.get('iam.group', account, k)?.name ?? []),
                AttachedManagedPolicies: attachedList(account, u.attachedPolicyArns),
                PermissionsBoundary: view.PermissionsBoundary,
                Tags: [...u.tags],
              };
            },
          });
        }
      }
      if (wanted('Group')) {
        for (const g of state.list('iam.group', account)) {
          entries.push({
            key: `2/${nameKey(g.name)}`,
            kind: 'group',
            build: () => ({
              ...groupView(g),
              GroupPolicyList: inlineList(g.inlinePolicies),
              AttachedManagedPolicies: attachedList(account, g.attachedPolicyArns),
            }),
          });
        }
      }
      if (wanted('Role')) {
        for (const r of state.list('iam.role', account)) {
          entries.push({
            key: `3/${nameKey(r.name)}`,
            kind: 'role',
            build: (): RoleDetail => {
              const view = fullRoleView(r);
              const inProfiles = profiles.filter((p) => p.roleKeys.includes(nameKey(r.name)));
              return {
                Path: view.Path,
                RoleName: view.RoleName,
                RoleId: view.RoleId,
                Arn: view.Arn,
                CreateDate: view.CreateDate,
                AssumeRolePolicyDocument: view.AssumeRolePolicyDocument,
                InstanceProfileList: inProfiles.map((p) =>
                  instanceProfileView(
                    p,
                    p.roleKeys.flatMap((k) => state.get('iam.role', account, k) ?? []),
                    false,
                  ),
                ),
                RolePolicyList: inlineList(r.inlinePolicies),
                AttachedManagedPolicies: attachedList(account, r.attachedPolicyArns),
                PermissionsBoundary: view.PermissionsBoundary,
                Tags: [...r.tags],
                RoleLastUsed: view.RoleLastUsed,
              };
            },
          });
        }
      }
      const policyDetail = (p: ManagedPolicyRecord): ManagedPolicyDetail => ({
        PolicyName: p.name,
        PolicyId: p.id,
        Arn: p.arn,
        Path: p.path,
        DefaultVersionId: p.defaultVersionId,
        AttachmentCount: usage.get(p.arn)?.attachments ?? 0,
        PermissionsBoundaryUsageCount: usage.get(p.arn)?.boundaries ?? 0,
        IsAttachable: true,
        Description: p.description,
        CreateDate: new Date(p.createDate),
        UpdateDate: new Date(p.updateDate),
        PolicyVersionList: [...p.versions].reverse().map((v) => ({
          Document: encodePolicyDocument(v.document),
          VersionId: v.versionId,
          IsDefaultVersion: v.versionId === p.defaultVersionId,
          CreateDate: new Date(v.createDate),
        })),
      });
      if (wanted('LocalManagedPolicy')) {
        for (const p of state.list('iam.policy', account)) {
          entries.push({ key: `4/${p.arn}`, kind: 'policy', build: () => policyDetail(p) });
        }
      }
      if (wanted('AWSManagedPolicy')) {
        // Only the AWS managed policies the account uses are listed, as AWS does.
        for (const p of catalogue.list().filter((c) => usage.has(c.arn))) {
          entries.push({ key: `5/${p.arn}`, kind: 'policy', build: () => policyDetail(p) });
        }
      }
      const page = paginate(entries, (e) => e.key, input.Marker, input.MaxItems);
      const of = (kind: Entry['kind']) => page.items.filter((e) => e.kind === kind).map((e) => e.build());
      return {
        UserDetailList: of('user') as never,
        GroupDetailList: of('group') as never,
        RoleDetailList: of('role') as never,
        Policies: of('policy') as never,
        IsTruncated: page.isTruncated,
        Marker: page.marker,
      };
    },
  };
}
