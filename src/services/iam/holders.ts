/**
 * Roles, users and groups all hold inline policies and attached managed policies, with the same rules and
 * differently worded errors and quotas. A HolderKind describes one of them, so the policy operations are
 * written once (inline-policies.ts, attached-policies.ts) for all three.
 */
import type { IamState } from '../../state/iam-state.ts';
import { nameKey, type GroupRecord, type RoleRecord, type UserRecord } from '../../model/iam.ts';
import type { AwsError } from '../../protocol/errors.ts';
import { groupNotFound, roleNotFound, userNotFound } from './errors.ts';

export type HolderRecord = RoleRecord | UserRecord | GroupRecord;

export interface HolderKind<R extends HolderRecord> {
  readonly kind: 'iam.role' | 'iam.user' | 'iam.group';
  /** As AWS names it in messages and quotas: Role, User, Group. */
  readonly label: 'Role' | 'User' | 'Group';
  readonly notFound: (name: string) => AwsError;
  /** Inline policies may total this many characters, whitespace not counted (IAM quotas). */
  readonly inlineQuota: number;
  /** Never set: ties the kind to its record type for the helpers below. */
  readonly record?: R;
}

export const ROLE: HolderKind<RoleRecord> = {
  kind: 'iam.role',
  label: 'Role',
  notFound: roleNotFound,
  inlineQuota: 10240,
};
export const USER: HolderKind<UserRecord> = {
  kind: 'iam.user',
  label: 'User',
  notFound: userNotFound,
  inlineQuota: 2048,
};
export const GROUP: HolderKind<GroupRecord> = {
  kind: 'iam.group',
  label: 'Group',
  notFound: groupNotFound,
  inlineQuota: 5120,
};

/** Managed policies per role, user or group (IAM quotas: "Managed policies attached to an IAM role/user/group"). */
export const ATTACHED_POLICY_QUOTA = 10;

export function findHolder<R extends HolderRecord>(
  state: IamState,
  holder: HolderKind<R>,
  account: string,
  name: string,
): R {
  const record = state.get(holder.kind, account, nameKey(name)) as R | undefined;
  if (!record) throw holder.notFound(name);
  return record;
}

/** Replaces a holder's record under the write lock, re-reading it there so concurrent changes are not lost. */
export function updateHolder<R extends HolderRecord>(
  state: IamState,
  holder: HolderKind<R>,
  account: string,
  name: string,
  change: (record: R) => R,
): Promise<R> {
  return state.write(async (w) => {
    const updated = change(findHolder(state, holder, account, name));
    await w.update(holder.kind, account, nameKey(name), updated as never);
    return updated;
  });
}
