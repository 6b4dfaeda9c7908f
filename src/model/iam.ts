/**
 * IAM entities as rolecall keeps them. Timestamps are ISO-8601 strings so records round-trip through the
 * store's JSON unchanged; names keep the caller's case while keys are lower-cased, because IAM names are unique
 * case-insensitively (botocore's model: "Names are not distinguished by case").
 */

import type { InstanceRecord } from './ec2.ts';

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

/** An inline policy embedded in a role, user or group: its name and the document as the caller sent it. */
export interface InlinePolicy {
  readonly name: string;
  readonly document: string;
}

/** What roles, users and groups share: inline and attached managed policies. */
export interface PolicyHolderRecord {
  readonly name: string;
  readonly id: string;
  readonly path: string;
  readonly arn: string;
  readonly createDate: string;
  readonly inlinePolicies: readonly InlinePolicy[];
  /** ARNs of attached managed policies, in attachment order. */
  readonly attachedPolicyArns: readonly string[];
}

export interface RoleRecord extends PolicyHolderRecord {
  /** The trust policy exactly as the caller sent it; IAM returns it URL-encoded. */
  readonly trustPolicy: string;
  readonly description?: string;
  readonly maxSessionDuration: number;
  readonly permissionsBoundaryArn?: string;
  readonly tags: readonly Tag[];
  readonly lastUsed?: { readonly date: string; readonly region: string };
}

export interface UserRecord extends PolicyHolderRecord {
  readonly permissionsBoundaryArn?: string;
  readonly tags: readonly Tag[];
  /** Keys (lower-cased names) of the groups the user is in, in the order they were joined. */
  readonly groupKeys: readonly string[];
  readonly passwordLastUsed?: string;
}

export type GroupRecord = PolicyHolderRecord;

export interface PolicyVersionRecord {
  readonly versionId: string;
  readonly document: string;
  readonly createDate: string;
}

export interface ManagedPolicyRecord {
  readonly name: string;
  readonly id: string;
  readonly path: string;
  readonly arn: string;
  readonly description?: string;
  readonly createDate: string;
  readonly updateDate: string;
  readonly defaultVersionId: string;
  /** At most five, oldest first. */
  readonly versions: readonly PolicyVersionRecord[];
  /** The number the next version gets (v1, v2, …): numbers are never reused. */
  readonly nextVersion: number;
  readonly tags: readonly Tag[];
}

export interface InstanceProfileRecord {
  readonly name: string;
  readonly id: string;
  readonly path: string;
  readonly arn: string;
  readonly createDate: string;
  /** Keys (lower-cased names) of the roles in the profile: at most one, as AWS allows. */
  readonly roleKeys: readonly string[];
  readonly tags: readonly Tag[];
}

export interface AccessKeyRecord {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Key of the owning user; undefined for the account root's own keys. */
  readonly userKey?: string;
  readonly status: 'Active' | 'Inactive';
  readonly createDate: string;
  readonly lastUsed?: { readonly date: string; readonly service: string; readonly region: string };
}

/**
 * The entity kinds of the domain state and the record each holds. The state began with IAM and keeps its name;
 * EC2's instances live in it too, so one write lock and one transaction cover changes that span both.
 */
export interface IamEntities {
  'ec2.instance': InstanceRecord;
  'iam.role': RoleRecord;
  'iam.instance-profile': InstanceProfileRecord;
  'iam.user': UserRecord;
  'iam.group': GroupRecord;
  'iam.policy': ManagedPolicyRecord;
  'iam.access-key': AccessKeyRecord;
}

export type IamKind = keyof IamEntities;

export const IAM_KINDS: readonly IamKind[] = [
  'ec2.instance',
  'iam.role',
  'iam.instance-profile',
  'iam.user',
  'iam.group',
  'iam.policy',
  'iam.access-key',
];

/** The key of a named IAM entity. */
export const nameKey = (name: string): string => name.toLowerCase();
