/**
 * How IAM shows stored entities on the wire. IAM returns policy documents URL-encoded (RFC 3986) inside the XML;
 * botocore and the CLI decode them, SDK v3 does not (shared/AWS-FACTS.md). Each call returns its own subset of
 * a role's attributes, so the views are named after the calls that use them.
 */
import type { Group, InstanceProfile, Role, User } from '../../protocol/generated/iam.ts';
import type { GroupRecord, InstanceProfileRecord, RoleRecord, UserRecord } from '../../model/iam.ts';

const encoded = new Map<string, string>();
const ENCODED_CACHE_LIMIT = 1000;

/**
 * A policy document as IAM sends it. encodeURIComponent leaves !'()* alone; RFC 3986 reserves them. Documents
 * are read far more often than written, so recent encodings are kept.
 */
export function encodePolicyDocument(doc: string): string {
  let out = encoded.get(doc);
  if (out === undefined) {
    out = encodeURIComponent(doc).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    if (encoded.size >= ENCODED_CACHE_LIMIT) encoded.clear();
    encoded.set(doc, out);
  }
  return out;
}

function baseRole(role: RoleRecord): Role {
  return {
    Path: role.path,
    RoleName: role.name,
    RoleId: role.id,
    Arn: role.arn,
    CreateDate: new Date(role.createDate),
    AssumeRolePolicyDocument: encodePolicyDocument(role.trustPolicy),
  };
}

const boundary = (role: { readonly permissionsBoundaryArn?: string }) =>
  role.permissionsBoundaryArn === undefined
    ? undefined
    : {
        // AWS sends `Policy` although the model's enum says `PermissionsBoundaryPolicy` (aws iam get-role output
        // quoted in many public write-ups; recorded responses in docs/research/wire-facts.md §5).
        PermissionsBoundaryType: 'Policy' as 'PermissionsBoundaryPolicy',
        PermissionsBoundaryArn: role.permissionsBoundaryArn,
      };

const tagsOrNone = (role: RoleRecord) => (role.tags.length > 0 ? [...role.tags] : undefined);

/**
 * CreateRole: no Description (even when one was given), MaxSessionDuration or RoleLastUsed; Tags and
 * PermissionsBoundary only when set (docs/research/wire-facts.md §5, recorded from AWS).
 */
export const createdRoleView = (role: RoleRecord): Role => ({
  ...baseRole(role),
  PermissionsBoundary: boundary(role),
  Tags: tagsOrNone(role),
});

/** UpdateRoleDescription: what CreateRole shows, plus the Description. */
export const describedRoleView = (role: RoleRecord): Role => ({
  ...createdRoleView(role),
  Description: role.description,
});

/** GetRole: everything, with RoleLastUsed (empty until STS uses the role). */
export const fullRoleView = (role: RoleRecord): Role => ({
  ...baseRole(role),
  Description: role.description,
  MaxSessionDuration: role.maxSessionDuration,
  PermissionsBoundary: boundary(role),
  Tags: tagsOrNone(role),
  RoleLastUsed: role.lastUsed ? { LastUsedDate: new Date(role.lastUsed.date), Region: role.lastUsed.region } : {},
});

/** ListRoles: "does not return PermissionsBoundary, RoleLastUsed, Tags" (IAM API reference, ListRoles). */
export const listedRoleView = (role: RoleRecord): Role => ({
  ...baseRole(role),
  Description: role.description,
  MaxSessionDuration: role.maxSessionDuration,
});

/** The roles inside an instance profile carry the basic attributes only. */
export const profileRoleView = (role: RoleRecord): Role => baseRole(role);

export function instanceProfileView(
  profile: InstanceProfileRecord,
  roles: readonly RoleRecord[],
  withTags: boolean,
): InstanceProfile {
  return {
    Path: profile.path,
    InstanceProfileName: profile.name,
    InstanceProfileId: profile.id,
    Arn: profile.arn,
    CreateDate: new Date(profile.createDate),
    Roles: roles.map(profileRoleView),
    Tags: withTags ? [...profile.tags] : undefined,
  };
}

/** ListUsers and GetGroup: the basic attributes only (IAM API reference: no PermissionsBoundary or Tags). */
export const listedUserView = (user: UserRecord): User => ({
  Path: user.path,
  UserName: user.name,
  UserId: user.id,
  Arn: user.arn,
  CreateDate: new Date(user.createDate),
  ...(user.passwordLastUsed !== undefined && { PasswordLastUsed: new Date(user.passwordLastUsed) }),
});

/** CreateUser and GetUser: with PermissionsBoundary and Tags when set. */
export const userView = (user: UserRecord): User => ({
  ...listedUserView(user),
  PermissionsBoundary: boundary(user),
  ...(user.tags.length > 0 && { Tags: [...user.tags] }),
});

export const groupView = (group: GroupRecord): Group => ({
  Path: group.path,
  GroupName: group.name,
  GroupId: group.id,
  Arn: group.arn,
  CreateDate: new Date(group.createDate),
});
