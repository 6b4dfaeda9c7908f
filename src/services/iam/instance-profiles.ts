/** IAM instance profile operations: a profile holds at most one role, which EC2 instances then use. */
import type { IamOperations } from '../../protocol/generated/iam.ts';
import type { Handlers } from '../service.ts';
import type { IamState } from '../../state/iam-state.ts';
import { nameKey, type InstanceProfileRecord, type RoleRecord } from '../../model/iam.ts';
import { iamArn } from '../../model/arn.ts';
import { uniqueId } from '../../model/ids.ts';
import { isoSeconds } from '../../model/time.ts';
import { instanceProfileView } from './encoding.ts';
import {
  mustRemoveRolesFromProfile,
  profileExists,
  profileNotFound,
  profileRoleQuota,
  roleNotFound,
  roleNotInProfile,
} from './errors.ts';
import { paginate } from './pagination.ts';
import { checkRequestTags, mergeTags, removeTags } from './tags.ts';

type ProfileOps = Pick<
  IamOperations,
  | 'CreateInstanceProfile'
  | 'GetInstanceProfile'
  | 'ListInstanceProfiles'
  | 'ListInstanceProfilesForRole'
  | 'AddRoleToInstanceProfile'
  | 'RemoveRoleFromInstanceProfile'
  | 'DeleteInstanceProfile'
  | 'TagInstanceProfile'
  | 'UntagInstanceProfile'
  | 'ListInstanceProfileTags'
>;

export function instanceProfileHandlers(state: IamState): Handlers<ProfileOps> {
  const find = (account: string, name: string): InstanceProfileRecord => {
    const profile = state.get('iam.instance-profile', account, nameKey(name));
    if (!profile) throw profileNotFound(name);
    return profile;
  };
  const findRole = (account: string, name: string): RoleRecord => {
    const role = state.get('iam.role', account, nameKey(name));
    if (!role) throw roleNotFound(name);
    return role;
  };
  const rolesOf = (account: string, profile: InstanceProfileRecord): RoleRecord[] =>
    profile.roleKeys.flatMap((key) => state.get('iam.role', account, key) ?? []);
  const view = (account: string, profile: InstanceProfileRecord, withTags: boolean) =>
    instanceProfileView(profile, rolesOf(account, profile), withTags);

  const updateProfile = (
    account: string,
    name: string,
    change: (profile: InstanceProfileRecord) => InstanceProfileRecord,
  ) =>
    state.write(async (w) => {
      const updated = change(find(account, name));
      await w.update('iam.instance-profile', account, nameKey(name), updated);
    });

  return {
    CreateInstanceProfile: (input, ctx) => {
      checkRequestTags(input.Tags ?? []);
      const path = input.Path ?? '/';
      const profile: InstanceProfileRecord = {
        name: input.InstanceProfileName,
        id: uniqueId('AIPA'),
        path,
        arn: iamArn(ctx.account, 'instance-profile', path, input.InstanceProfileName),
        createDate: isoSeconds(ctx.now),
        roleKeys: [],
        tags: input.Tags ?? [],
      };
      return state.write(async (w) => {
        const key = nameKey(profile.name);
        if (state.get('iam.instance-profile', ctx.account, key)) throw profileExists(profile.name);
        await w.insert('iam.instance-profile', ctx.account, key, profile);
        return { InstanceProfile: view(ctx.account, profile, profile.tags.length > 0) };
      });
    },

    // GetInstanceProfile always carries Tags, even empty (shared/AWS-FACTS.md).
    GetInstanceProfile: (input, ctx) => ({
      InstanceProfile: view(ctx.account, find(ctx.account, input.InstanceProfileName), true),
    }),

    ListInstanceProfiles: (input, ctx) => {
      const prefix = input.PathPrefix ?? '/';
      const profiles = state.list('iam.instance-profile', ctx.account).filter((p) => p.path.startsWith(prefix));
      const page = paginate(profiles, (p) => nameKey(p.name), input.Marker, input.MaxItems);
      return {
        InstanceProfiles: page.items.map((p) => view(ctx.account, p, false)),
        IsTruncated: page.isTruncated,
        Marker: page.marker,
      };
    },

    ListInstanceProfilesForRole: (input, ctx) => {
      const key = nameKey(findRole(ctx.account, input.RoleName).name);
      const profiles = state.list('iam.instance-profile', ctx.account).filter((p) => p.roleKeys.includes(key));
      const page = paginate(profiles, (p) => nameKey(p.name), input.Marker, input.MaxItems);
      return {
        InstanceProfiles: page.items.map((p) => view(ctx.account, p, false)),
        IsTruncated: page.isTruncated,
        Marker: page.marker,
      };
    },

    AddRoleToInstanceProfile: (input, ctx) =>
      state.write(async (w) => {
        const profile = find(ctx.account, input.InstanceProfileName);
        const role = findRole(ctx.account, input.RoleName);
        if (profile.roleKeys.length >= 1) throw profileRoleQuota();
        const updated = { ...profile, roleKeys: [nameKey(role.name)] };
        await w.update('iam.instance-profile', ctx.account, nameKey(profile.name), updated);
      }),

    RemoveRoleFromInstanceProfile: (input, ctx) =>
      state.write(async (w) => {
        const profile = find(ctx.account, input.InstanceProfileName);
        const key = nameKey(input.RoleName);
        if (!profile.roleKeys.includes(key)) throw roleNotInProfile(input.RoleName, input.InstanceProfileName);
        const updated = { ...profile, roleKeys: profile.roleKeys.filter((k) => k !== key) };
        await w.update('iam.instance-profile', ctx.account, nameKey(profile.name), updated);
      }),

    DeleteInstanceProfile: (input, ctx) =>
      state.write(async (w) => {
        const profile = find(ctx.account, input.InstanceProfileName);
        if (profile.roleKeys.length > 0) throw mustRemoveRolesFromProfile();
        await w.delete('iam.instance-profile', ctx.account, nameKey(profile.name));
      }),

    TagInstanceProfile: (input, ctx) =>
      updateProfile(ctx.account, input.InstanceProfileName, (p) => ({ ...p, tags: mergeTags(p.tags, input.Tags) })),

    UntagInstanceProfile: (input, ctx) =>
      updateProfile(ctx.account, input.InstanceProfileName, (p) => ({ ...p, tags: removeTags(p.tags, input.TagKeys) })),

    ListInstanceProfileTags: (input, ctx) => {
      const profile = find(ctx.account, input.InstanceProfileName);
      const page = paginate(profile.tags, (t) => t.Key, input.Marker, input.MaxItems);
      return { Tags: page.items, IsTruncated: page.isTruncated, Marker: page.marker };
    },
  };
}
