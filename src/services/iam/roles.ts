/** IAM role operations: create, read, list, update, delete, and tags. */
import type { IamOperations } from '../../protocol/generated/iam.ts';
import { LimitExceededException, MalformedPolicyDocumentException } from '../../protocol/generated/iam.ts';
import type { Handlers } from '../service.ts';
import type { IamState } from '../../state/iam-state.ts';
import { nameKey, type RoleRecord } from '../../model/iam.ts';
import { iamArn, parseArn } from '../../model/arn.ts';
import { uniqueId } from '../../model/ids.ts';
import { isoSeconds } from '../../model/time.ts';
import { validateTrustPolicy } from '../../policy/trust-policy.ts';
import { createdRoleView, describedRoleView, fullRoleView, listedRoleView } from './encoding.ts';
import { invalidArn, roleExists, roleNotFound, mustRemoveRolesFromProfile } from './errors.ts';
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

/** Default session length of a role (CreateRole: "the default value of one hour is applied"). */
const DEFAULT_MAX_SESSION_DURATION = 3600;

/** A permissions boundary must be a managed policy ARN: `arn:aws:iam::<account|aws>:policy/…`. */
function checkBoundaryArn(arn: string): void {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== 'iam' || !parsed.resource.startsWith('policy/')) throw invalidArn(arn);
}

export function roleHandlers(state: IamState): Handlers<RoleOps> {
  /** Role principals must exist; other principal kinds are checked as their entities arrive. */
  const principalExists = (arn: string): boolean | undefined => {
    const parsed = parseArn(arn);
    if (!parsed || parsed.service !== 'iam' || !parsed.resource.startsWith('role/')) return undefined;
    const name = parsed.resource.slice(parsed.resource.lastIndexOf('/') + 1);
    return state.get('iam.role', parsed.account, nameKey(name))?.arn === arn;
  };
  const checkTrustPolicy = (document: string): void => {
    const problem = validateTrustPolicy(document, principalExists);
    if (problem === undefined) return;
    throw problem.code === 'LimitExceeded'
      ? new LimitExceededException(problem.message)
      : new MalformedPolicyDocumentException(problem.message);
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
      if (input.PermissionsBoundary !== undefined) checkBoundaryArn(input.PermissionsBoundary);
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
