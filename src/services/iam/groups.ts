/** IAM groups: create, read (with members), list, rename, delete. */
import type { IamOperations } from '../../protocol/generated/iam.ts';
import type { Handlers } from '../service.ts';
import type { IamState } from '../../state/iam-state.ts';
import { nameKey, type GroupRecord } from '../../model/iam.ts';
import { iamArn } from '../../model/arn.ts';
import { uniqueId } from '../../model/ids.ts';
import { isoSeconds } from '../../model/time.ts';
import { deleteConflict, groupExists, mustDeletePolicies, mustDetachPolicies } from './errors.ts';
import { GROUP, findHolder } from './holders.ts';
import { paginate } from './pagination.ts';
import { groupView, listedUserView } from './encoding.ts';

type GroupOps = Pick<IamOperations, 'CreateGroup' | 'GetGroup' | 'ListGroups' | 'UpdateGroup' | 'DeleteGroup'>;

export function groupHandlers(state: IamState): Handlers<GroupOps> {
  const find = (account: string, name: string) => findHolder(state, GROUP, account, name);
  const members = (account: string, group: GroupRecord) =>
    state.list('iam.user', account).filter((u) => u.groupKeys.includes(nameKey(group.name)));

  return {
    CreateGroup: (input, ctx) => {
      const path = input.Path ?? '/';
      const group: GroupRecord = {
        name: input.GroupName,
        id: uniqueId('AGPA'),
        path,
        arn: iamArn(ctx.account, 'group', path, input.GroupName),
        createDate: isoSeconds(ctx.now),
        inlinePolicies: [],
        attachedPolicyArns: [],
      };
      return state.write(async (w) => {
        if (state.get('iam.group', ctx.account, nameKey(group.name))) throw groupExists(group.name);
        await w.insert('iam.group', ctx.account, nameKey(group.name), group);
        return { Group: groupView(group) };
      });
    },

    GetGroup: (input, ctx) => {
      const group = find(ctx.account, input.GroupName);
      const page = paginate(members(ctx.account, group), (u) => nameKey(u.name), input.Marker, input.MaxItems);
      return {
        Group: groupView(group),
        Users: page.items.map(listedUserView),
        IsTruncated: page.isTruncated,
        Marker: page.marker,
      };
    },

    ListGroups: (input, ctx) => {
      const prefix = input.PathPrefix ?? '/';
      const groups = state.list('iam.group', ctx.account).filter((g) => g.path.startsWith(prefix));
      const page = paginate(groups, (g) => nameKey(g.name), input.Marker, input.MaxItems);
      return { Groups: page.items.map(groupView), IsTruncated: page.isTruncated, Marker: page.marker };
    },

    UpdateGroup: (input, ctx) =>
      state.write(async (w) => {
        const group = find(ctx.account, input.GroupName);
        const name = input.NewGroupName ?? group.name;
        const path = input.NewPath ?? group.path;
        const oldKey = nameKey(group.name);
        const newKey = nameKey(name);
        if (newKey !== oldKey && state.get('iam.group', ctx.account, newKey)) throw groupExists(name);
        const updated: GroupRecord = { ...group, name, path, arn: iamArn(ctx.account, 'group', path, name) };
        if (newKey === oldKey) {
          await w.update('iam.group', ctx.account, oldKey, updated);
          return;
        }
        await w.delete('iam.group', ctx.account, oldKey);
        await w.insert('iam.group', ctx.account, newKey, updated);
        for (const user of members(ctx.account, group)) {
          const groupKeys = user.groupKeys.map((k) => (k === oldKey ? newKey : k));
          await w.update('iam.user', ctx.account, nameKey(user.name), { ...user, groupKeys });
        }
      }),

    DeleteGroup: (input, ctx) =>
      state.write(async (w) => {
        const group = find(ctx.account, input.GroupName);
        if (members(ctx.account, group).length > 0) {
          throw deleteConflict('Cannot delete entity, must remove users from group first.');
        }
        if (group.inlinePolicies.length > 0) throw mustDeletePolicies();
        if (group.attachedPolicyArns.length > 0) throw mustDetachPolicies();
        await w.delete('iam.group', ctx.account, nameKey(group.name));
      }),
  };
}
