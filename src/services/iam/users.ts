/** IAM users: create, read, list, rename, delete, tags, and group membership. */
import type { IamOperations, User } from '../../protocol/generated/iam.ts';
import type { Handlers, OperationContext } from '../service.ts';
import type { IamState } from '../../state/iam-state.ts';
import type { AwsManagedPolicies } from '../../state/aws-managed-policies.ts';
import { nameKey, type UserRecord } from '../../model/iam.ts';
import { iamArn } from '../../model/arn.ts';
import { uniqueId } from '../../model/ids.ts';
import { isoSeconds } from '../../model/time.ts';
import { checkBoundary } from './boundaries.ts';
import { deleteConflict, mustDeletePolicies, mustDetachPolicies, quotaExceeded, userExists } from './errors.ts';
import { GROUP, USER, findHolder, updateHolder } from './holders.ts';
import { groupView, userView, listedUserView } from './encoding.ts';
import { paginate } from './pagination.ts';
import { checkRequestTags, mergeTags, removeTags } from './tags.ts';

type UserOps = Pick<
  IamOperations,
  | 'CreateUser'
  | 'GetUser'
  | 'ListUsers'
  | 'UpdateUser'
  | 'DeleteUser'
  | 'TagUser'
  | 'UntagUser'
  | 'ListUserTags'
  | 'AddUserToGroup'
  | 'RemoveUserFromGroup'
  | 'ListGroupsForUser'
>;

/** Groups a user may belong to (IAM quotas). */
export const GROUPS_PER_USER = 10;

/** The user a call without UserName acts on: the calling user. */
export function callingUserName(ctx: OperationContext, given: string | undefined): string | undefined {
  if (given !== undefined) return given;
  return ctx.principal.type === 'user' ? ctx.principal.userName : undefined;
}

export function userHandlers(state: IamState, catalogue: AwsManagedPolicies): Handlers<UserOps> {
  const find = (account: string, name: string) => findHolder(state, USER, account, name);
  const update = (account: string, name: string, change: (u: UserRecord) => UserRecord) =>
    updateHolder(state, USER, account, name, change);

  return {
    CreateUser: (input, ctx) => {
      checkRequestTags(input.Tags ?? []);
      if (input.PermissionsBoundary !== undefined)
        checkBoundary(state, catalogue, ctx.account, input.PermissionsBoundary);
      const path = input.Path ?? '/';
      const user: UserRecord = {
        name: input.UserName,
        id: uniqueId('AIDA'),
        path,
        arn: iamArn(ctx.account, 'user', path, input.UserName),
        createDate: isoSeconds(ctx.now),
        inlinePolicies: [],
        attachedPolicyArns: [],
        groupKeys: [],
        tags: input.Tags ?? [],
        ...(input.PermissionsBoundary !== undefined && { permissionsBoundaryArn: input.PermissionsBoundary }),
      };
      return state.write(async (w) => {
        if (state.get('iam.user', ctx.account, nameKey(user.name))) throw userExists(user.name);
        await w.insert('iam.user', ctx.account, nameKey(user.name), user);
        return { User: userView(user) };
      });
    },

    GetUser: (input, ctx) => {
      const name = callingUserName(ctx, input.UserName);
      if (name === undefined) {
        // The account root asking about itself: IAM answers with the root "user" (UserId = account id).
        return { User: { UserId: ctx.account, Arn: ctx.principal.arn, CreateDate: new Date(0) } as User };
      }
      return { User: userView(find(ctx.account, name)) };
    },

    ListUsers: (input, ctx) => {
      const prefix = input.PathPrefix ?? '/';
      const users = state.list('iam.user', ctx.account).filter((u) => u.path.startsWith(prefix));
      const page = paginate(users, (u) => nameKey(u.name), input.Marker, input.MaxItems);
      return { Users: page.items.map(listedUserView), IsTruncated: page.isTruncated, Marker: page.marker };
    },

    UpdateUser: (input, ctx) =>
      state.write(async (w) => {
        const user = find(ctx.account, input.UserName);
        const name = input.NewUserName ?? user.name;
        const path = input.NewPath ?? user.path;
        const renamed = nameKey(name) !== nameKey(user.name);
        if (renamed && state.get('iam.user', ctx.account, nameKey(name))) throw userExists(name);
        const updated: UserRecord = { ...user, name, path, arn: iamArn(ctx.account, 'user', path, name) };
        if (renamed) {
          await w.delete('iam.user', ctx.account, nameKey(user.name));
          await w.insert('iam.user', ctx.account, nameKey(name), updated);
          for (const key of state.list('iam.access-key', ctx.account)) {
            if (key.userKey === nameKey(user.name)) {
              await w.update('iam.access-key', ctx.account, key.accessKeyId, { ...key, userKey: nameKey(name) });
            }
          }
        } else {
          await w.update('iam.user', ctx.account, nameKey(name), updated);
        }
      }),

    DeleteUser: (input, ctx) =>
      state.write(async (w) => {
        const user = find(ctx.account, input.UserName);
        const key = nameKey(user.name);
        if (state.list('iam.access-key', ctx.account).some((k) => k.userKey === key)) {
          throw deleteConflict('Cannot delete entity, must delete access keys first.');
        }
        if (user.inlinePolicies.length > 0) throw mustDeletePolicies();
        if (user.attachedPolicyArns.length > 0) throw mustDetachPolicies();
        // The same text as DeleteGroup with members (recorded AWS responses).
        if (user.groupKeys.length > 0)
          throw deleteConflict('Cannot delete entity, must remove users from group first.');
        await w.delete('iam.user', ctx.account, key);
      }),

    TagUser: async (input, ctx) => {
      await update(ctx.account, input.UserName, (u) => ({ ...u, tags: mergeTags(u.tags, input.Tags) }));
    },

    UntagUser: async (input, ctx) => {
      await update(ctx.account, input.UserName, (u) => ({ ...u, tags: removeTags(u.tags, input.TagKeys) }));
    },

    ListUserTags: (input, ctx) => {
      const user = find(ctx.account, input.UserName);
      const page = paginate(user.tags, (t) => t.Key, input.Marker, input.MaxItems);
      return { Tags: page.items, IsTruncated: page.isTruncated, Marker: page.marker };
    },

    // Adding a member twice changes nothing (recorded AWS responses).
    AddUserToGroup: async (input, ctx) => {
      find(ctx.account, input.UserName);
      const group = findHolder(state, GROUP, ctx.account, input.GroupName);
      await update(ctx.account, input.UserName, (u) => {
        if (u.groupKeys.includes(nameKey(group.name))) return u;
        if (u.groupKeys.length >= GROUPS_PER_USER) throw quotaExceeded('GroupsPerUser', GROUPS_PER_USER);
        return { ...u, groupKeys: [...u.groupKeys, nameKey(group.name)] };
      });
    },

    // Removing a user who is not a member succeeds; the user is looked up before the group (recorded AWS responses).
    RemoveUserFromGroup: async (input, ctx) => {
      find(ctx.account, input.UserName);
      const group = findHolder(state, GROUP, ctx.account, input.GroupName);
      await update(ctx.account, input.UserName, (u) => ({
        ...u,
        groupKeys: u.groupKeys.filter((k) => k !== nameKey(group.name)),
      }));
    },

    ListGroupsForUser: (input, ctx) => {
      const user = find(ctx.account, input.UserName);
      const groups = user.groupKeys
        .flatMap((k) => state.get('iam.group', ctx.account, k) ?? [])
        .sort((a, b) => (nameKey(a.name) < nameKey(b.name) ? -1 : 1));
      const page = paginate(groups, (g) => nameKey(g.name), input.Marker, input.MaxItems);
      return { Groups: page.items.map(groupView), IsTruncated: page.isTruncated, Marker: page.marker };
    },
  };
}
