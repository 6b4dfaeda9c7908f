/** IAM role operations: create, read, list, update, delete, and tags. */
import type { IamOperations } from '../../protocol/generated/iam.ts';
import { MalformedPolicyDocumentException } from '../../protocol/generated/iam.ts';
import type { Handlers } from '../service.ts';
import type { IamState } from '../../state/iam-state.ts';
import type { AwsManagedPolicies } from '../../state/aws-managed-policies.ts';
import { checkBoundary } from './boundaries.ts';
import { nameKey, type RoleRecord } from '../../model/iam.ts';
import { iamArn } from '../../model/arn.ts';
import { uniqueId } from '../../model/ids.ts';
import { isoSeconds } from '../../model/time.ts';
import { policySize, validatePolicy } from '../../policy/validate.ts';
import { principalExists } from '../../state/principals.ts';
import { createdRoleView, describedRoleView, fullRoleView, listedRoleView } from './encoding.ts';
import {
  mustDeletePolicies,
  mustDetachPolicies,
  mustRemoveRolesFromProfile,
  quotaExceeded,
  roleExists,
  roleNotFound,
} from './errors.ts';
import { paginate } from './pagination.ts';
import { checkRequestTags, mergeTags, removeTags } from './tags.ts';

type RoleOps = Pick<
  IamOperations,
  | 'CreateRole'
  | 'GetRole'
  | 'ListRoles'
  | 'UpdateRole'
  | 'UpdateRoleDescription'
  | 'UpdateAssumeRolePolicy'
  | 'DeleteRole'
  | 'TagRole'
  | 'UntagRole'
  | 'ListRoleTags'
>;

/** Trust policies may hold 2,048 characters, whitespace not counted (IAM quotas, default). */
const TRUST_POLICY_QUOTA = 2048;

/** Default session length of a role (CreateRole: "the default value of one hour is applied"). */
const DEFAULT_MAX_SESSION_DURATION = 3600;

export function roleHandlers(state: IamState, catalogue: AwsManagedPolicies): Handlers<RoleOps> {
  const checkTrustPolicy = (document: string): void => {
    const problem = validatePolicy(document, 'trust', { principalExists: (arn) => principalExists(state, arn) });
    if (problem !== undefined) throw new MalformedPolicyDocumentException(problem);
    // Over the quota is LimitExceeded (409), not MalformedPolicyDocument (docs/research/wire-facts.md §6).
    if (policySize(document) > TRUST_POLICY_QUOTA) throw quotaExceeded('ACLSizePerRole', TRUST_POLICY_QUOTA);
  };

  const find = (account: string, name: string): RoleRecord => {
    const role = state.get('iam.role', account, nameKey(name));
    if (!role) throw roleNotFound(name);
    return role;
  };

  const updateRole = (account: string, name: string, change: (role: RoleRecord) => RoleRecord) =>
    state.write(async (w) => {
      const updated = change(find(account, name));
      await w.update('iam.role', account, nameKey(name), updated);
      return updated;
    });

  return {
    CreateRole: (input, ctx) => {
      checkTrustPolicy(input.AssumeRolePolicyDocument);
      if (input.PermissionsBoundary !== undefined)
        checkBoundary(state, catalogue, ctx.account, input.PermissionsBoundary);
      checkRequestTags(input.Tags ?? []);
      const path = input.Path ?? '/';
      const role: RoleRecord = {
        name: input.RoleName,
        id: uniqueId('AROA'),
        path,
        arn: iamArn(ctx.account, 'role', path, input.RoleName),
        createDate: isoSeconds(ctx.now),
        trustPolicy: input.AssumeRolePolicyDocument,
        maxSessionDuration: input.MaxSessionDuration ?? DEFAULT_MAX_SESSION_DURATION,
        tags: input.Tags ?? [],
        inlinePolicies: [],
        attachedPolicyArns: [],
        ...(input.Description !== undefined && { description: input.Description }),
        ...(input.PermissionsBoundary !== undefined && { permissionsBoundaryArn: input.PermissionsBoundary }),
      };
      return state.write(async (w) => {
        if (state.get('iam.role', ctx.account, nameKey(role.name))) throw roleExists(role.name);
        await w.insert('iam.role', ctx.account, nameKey(role.name), role);
        return { Role: createdRoleView(role) };
      });
    },

    GetRole: (input, ctx) => ({ Role: fullRoleView(find(ctx.account, input.RoleName)) }),

    ListRoles: (input, ctx) => {
      const prefix = input.PathPrefix ?? '/';
      const roles = state.list('iam.role', ctx.account).filter((r) => r.path.startsWith(prefix));
      const page = paginate(roles, (r) => nameKey(r.name), input.Marker, input.MaxItems);
      return { Roles: page.items.map(listedRoleView), IsTruncated: page.isTruncated, Marker: page.marker };
    },

    UpdateRole: async (input, ctx) => {
      await updateRole(ctx.account, input.RoleName, (role) => ({
        ...role,
        ...(input.Description !== undefined && { description: input.Description }),
        ...(input.MaxSessionDuration !== undefined && { maxSessionDuration: input.MaxSessionDuration }),
      }));
      return {};
    },

    UpdateRoleDescription: async (input, ctx) => {
      const role = await updateRole(ctx.account, input.RoleName, (r) => ({ ...r, description: input.Description }));
      return { Role: describedRoleView(role) };
    },

    UpdateAssumeRolePolicy: async (input, ctx) => {
      find(ctx.account, input.RoleName);
      checkTrustPolicy(input.PolicyDocument);
      await updateRole(ctx.account, input.RoleName, (role) => ({ ...role, trustPolicy: input.PolicyDocument }));
    },

    DeleteRole: (input, ctx) =>
      state.write(async (w) => {
        const role = find(ctx.account, input.RoleName);
        const key = nameKey(role.name);
        const inProfile = state.list('iam.instance-profile', ctx.account).some((p) => p.roleKeys.includes(key));
        if (inProfile) throw mustRemoveRolesFromProfile();
        if (role.attachedPolicyArns.length > 0) throw mustDetachPolicies();
        if (role.inlinePolicies.length > 0) throw mustDeletePolicies();
        await w.delete('iam.role', ctx.account, key);
      }),

    TagRole: async (input, ctx) => {
      await updateRole(ctx.account, input.RoleName, (role) => ({ ...role, tags: mergeTags(role.tags, input.Tags) }));
    },

    UntagRole: async (input, ctx) => {
      await updateRole(ctx.account, input.RoleName, (role) => ({
        ...role,
        tags: removeTags(role.tags, input.TagKeys),
      }));
    },

    ListRoleTags: (input, ctx) => {
      const role = find(ctx.account, input.RoleName);
      const page = paginate(role.tags, (t) => t.Key, input.Marker, input.MaxItems);
      return { Tags: page.items, IsTruncated: page.isTruncated, Marker: page.marker };
    },
  };
}
