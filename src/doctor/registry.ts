/**
 * Every check `rolecall doctor` runs, with its severity and why it matters; docs/LINT.md's doctor table is
 * generated from this list (scripts/lint-table.ts).
 */
import type { Severity } from '../lint/index.ts';
import type { DoctorResourceType } from './types.ts';

export interface DoctorCheck {
  readonly code: string;
  readonly severity: Severity;
  readonly resource: DoctorResourceType;
  readonly what: string;
  readonly why: string;
  /** The fix, as a template of the AWS CLI command. */
  readonly fix: string;
}

export const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  {
    code: 'ROLE_TRUSTS_EC2_WITHOUT_INSTANCE_PROFILE',
    severity: 'WARNING',
    resource: 'role',
    what: 'a role whose trust policy lets ec2.amazonaws.com assume it, in no instance profile',
    why: 'EC2 hands a role to an instance only through an instance profile: the role was meant for instances and no instance can get it, so workloads fall back to long-lived keys',
    fix: 'aws iam create-instance-profile --instance-profile-name ROLE && aws iam add-role-to-instance-profile --instance-profile-name ROLE --role-name ROLE',
  },
  {
    code: 'INSTANCE_PROFILE_WITHOUT_ROLE',
    severity: 'WARNING',
    resource: 'instance-profile',
    what: 'an instance profile with no role',
    why: 'an instance launched with it has no credentials to give its workloads; the metadata service answers 404',
    fix: 'aws iam add-role-to-instance-profile --instance-profile-name PROFILE --role-name ROLE (or aws iam delete-instance-profile --instance-profile-name PROFILE)',
  },
  {
    code: 'INSTANCE_WITHOUT_PROFILE_ASKED_FOR_CREDENTIALS',
    severity: 'ERROR',
    resource: 'instance',
    what: 'an instance with no instance profile whose workload asked the metadata service for credentials',
    why: 'the workload expects a role and gets none: its AWS calls fail, or it goes looking for keys elsewhere',
    fix: 'aws ec2 associate-iam-instance-profile --instance-id INSTANCE --iam-instance-profile Name=PROFILE',
  },
  {
    code: 'INSTANCE_IMDSV1_ALLOWED',
    severity: 'SECURITY_WARNING',
    resource: 'instance',
    what: 'an instance whose metadata service still answers IMDSv1 (HttpTokens optional)',
    why: "IMDSv1 answers any GET: a server-side request forgery in the workload can read the role's credentials; IMDSv2 needs a PUT for a session token first",
    fix: 'aws ec2 modify-instance-metadata-options --instance-id INSTANCE --http-tokens required --http-endpoint enabled',
  },
  {
    code: 'ROLE_MISSING_TAGS',
    severity: 'WARNING',
    resource: 'role',
    what: 'a role without the tags the tag policy requires (by default: without any tag)',
    why: 'nobody can tell whose the role is or whether it is still needed; tag-based access control (ABAC) cannot cover it',
    fix: 'aws iam tag-role --role-name ROLE --tags Key=KEY,Value=VALUE',
  },
  {
    code: 'INSTANCE_PROFILE_MISSING_TAGS',
    severity: 'WARNING',
    resource: 'instance-profile',
    what: 'an instance profile without the tags the tag policy requires (by default: without any tag)',
    why: 'nobody can tell whose the profile is or whether it is still needed',
    fix: 'aws iam tag-instance-profile --instance-profile-name PROFILE --tags Key=KEY,Value=VALUE',
  },
  {
    code: 'ROLE_OVER_PERMISSIVE',
    severity: 'SECURITY_WARNING',
    resource: 'role',
    what: "a security warning of `rolecall lint` in the role's permissions (its inline and attached policies, within its permissions boundary), or a privilege escalation that only their combination allows",
    why: "whoever runs as the role (an instance, a function, a person) can do far more than the role's job needs",
    fix: 'aws iam put-role-policy --role-name ROLE --policy-name POLICY --policy-document file://narrower.json (inline) or aws iam detach-role-policy --role-name ROLE --policy-arn ARN (attached)',
  },
  {
    code: 'ROLE_TRUST_OVER_PERMISSIVE',
    severity: 'SECURITY_WARNING',
    resource: 'role',
    what: "a security warning of `rolecall lint` in the role's trust policy (open to everyone, other accounts without ExternalId or organization condition)",
    why: 'principals the role was not meant for can assume it',
    fix: 'aws iam update-assume-role-policy --role-name ROLE --policy-document file://trust.json',
  },
  {
    code: 'ROLE_NEVER_USED',
    severity: 'WARNING',
    resource: 'role',
    what: 'a role created longer ago than the unused window that has never been used',
    why: 'unused roles are standing permissions nobody watches: remove what is not needed',
    fix: 'aws iam delete-role --role-name ROLE (after removing it from instance profiles and deleting its policies)',
  },
  {
    code: 'ROLE_UNUSED',
    severity: 'WARNING',
    resource: 'role',
    what: 'a role last used longer ago than the unused window',
    why: 'unused roles are standing permissions nobody watches: remove what is not needed',
    fix: 'aws iam delete-role --role-name ROLE (after removing it from instance profiles and deleting its policies)',
  },
  {
    code: 'ACCESS_KEY_OLD',
    severity: 'SECURITY_WARNING',
    resource: 'access-key',
    what: 'an active access key older than the rotation period',
    why: 'the older a long-lived key, the more places it may have leaked to',
    fix: 'aws iam create-access-key --user-name USER && aws iam update-access-key --user-name USER --access-key-id KEY --status Inactive',
  },
  {
    code: 'ACCESS_KEY_UNUSED',
    severity: 'SECURITY_WARNING',
    resource: 'access-key',
    what: 'an active access key not used within the unused window (or never, and older than it)',
    why: 'a key nobody uses can only be used by someone who should not',
    fix: 'aws iam update-access-key --user-name USER --access-key-id KEY --status Inactive',
  },
];

const BY_CODE = new Map(DOCTOR_CHECKS.map((c) => [c.code, c]));

export function doctorCheck(code: string): DoctorCheck {
  const c = BY_CODE.get(code);
  if (!c) throw new Error(`unknown doctor check ${code}`);
  return c;
}
