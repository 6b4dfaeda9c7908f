/**
 * IAM entities as rolecall keeps them. Timestamps are ISO-8601 strings so records round-trip through the
 * store's JSON unchanged; names keep the caller's case while keys are lower-cased, because IAM names are unique
 * case-insensitively (botocore's model: "Names are not distinguished by case").
 */

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export interface RoleRecord {
  readonly name: string;
  readonly id: string;
  readonly path: string;
  readonly arn: string;
  readonly createDate: string;
  /** The trust policy exactly as the caller sent it; IAM returns it URL-encoded. */
  readonly trustPolicy: string;
  readonly description?: string;
  readonly maxSessionDuration: number;
  readonly permissionsBoundaryArn?: string;
  readonly tags: readonly Tag[];
  readonly lastUsed?: { readonly date: string; readonly region: string };
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

/** The entity kinds of the IAM state and the record each holds. */
export interface IamEntities {
  'iam.role': RoleRecord;
  'iam.instance-profile': InstanceProfileRecord;
}

export type IamKind = keyof IamEntities;

export const IAM_KINDS: readonly IamKind[] = ['iam.role', 'iam.instance-profile'];

/** The key of a named IAM entity. */
export const nameKey = (name: string): string => name.toLowerCase();
