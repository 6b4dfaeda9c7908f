/**
 * The vocabulary of `rolecall doctor`: what it reads (one snapshot per account of the live state), what it can
 * be told (the tag policy, how long "unused" and "old" are), and what it reports — each finding names the
 * resource, says what is wrong and why it matters, and gives the AWS CLI command that fixes it.
 */
import type { IamCatalogue, LintFinding, Severity } from '../lint/index.ts';
import type { AccessKeyRecord, GroupRecord, InstanceProfileRecord, RoleRecord, UserRecord } from '../model/iam.ts';
import type { InstanceRecord } from '../model/ec2.ts';

export type DoctorResourceType = 'role' | 'instance-profile' | 'instance' | 'user' | 'access-key';

export interface DoctorFinding {
  /** Stable code (docs/LINT.md, "rolecall doctor"). */
  readonly code: string;
  readonly severity: Severity;
  readonly account: string;
  readonly resource: { readonly type: DoctorResourceType; readonly name: string; readonly arn?: string };
  /** What is wrong, about this resource. */
  readonly message: string;
  /** Why it matters. */
  readonly why: string;
  /** The AWS CLI command (or commands, joined by " && ") that fixes it. */
  readonly fix: string;
  /** For permission findings: the lint finding behind it and the policy it is in. */
  readonly lint?: { readonly issueCode: string; readonly policy: string; readonly findingDetails: string };
}

export interface DoctorOptions {
  /** Tag keys every role and instance profile must carry; empty means "at least one tag". */
  readonly requiredTags: readonly string[];
  /** A role or access key not used for this many days (or never, and older than that) is unused. */
  readonly unusedDays: number;
  /** An active access key older than this many days should be rotated. */
  readonly keyMaxAgeDays: number;
}

/**
 * Security Hub's IAM controls set the defaults: IAM.3 rotates access keys every 90 days; unused access is judged
 * over 90 days, IAM Access Analyzer's default unused-access window (AWS Security Hub User Guide, "IAM controls";
 * IAM User Guide, "IAM Access Analyzer unused access findings").
 */
export const DEFAULT_OPTIONS: DoctorOptions = { requiredTags: [], unusedDays: 90, keyMaxAgeDays: 90 };

/** One account's live state, as the doctor reads it. */
export interface AccountSnapshot {
  readonly account: string;
  readonly roles: readonly RoleRecord[];
  readonly profiles: readonly InstanceProfileRecord[];
  readonly instances: readonly InstanceRecord[];
  readonly users: readonly UserRecord[];
  readonly groups: readonly GroupRecord[];
  readonly accessKeys: readonly AccessKeyRecord[];
  /** The default version's document of a managed policy the account can attach; undefined when there is none. */
  readonly managedPolicy: (arn: string) => string | undefined;
}

export interface DoctorEnvironment {
  readonly now: Date;
  /** Loaded for the services the accounts' policies name (see policyServices in src/lint). */
  readonly catalogue: IamCatalogue;
  /** When a workload on an instance last asked the metadata service for credentials while it had no profile. */
  readonly askedWithoutProfileAt: (instanceId: string) => string | undefined;
}

export type { LintFinding };
