/**
 * Finding managed policies by ARN, and how each is used in an account. Customer managed policies live in the
 * account's IAM state; AWS managed ones in the shared catalogue. Usage counts are computed from the roles,
 * users and groups that reference a policy rather than stored, so they can never drift.
 */
import { nameKey, type ManagedPolicyRecord } from '../model/iam.ts';
import { parseArn } from '../model/arn.ts';
import type { AwsManagedPolicies } from './aws-managed-policies.ts';
import type { IamState } from './iam-state.ts';

/** The managed policy an ARN names, as the account sees it; undefined when there is none. */
export function findManagedPolicy(
  state: IamState,
  catalogue: AwsManagedPolicies,
  account: string,
  arn: string,
): ManagedPolicyRecord | undefined {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== 'iam' || !parsed.resource.startsWith('policy/')) return undefined;
  if (parsed.account === 'aws') return catalogue.get(arn);
  if (parsed.account !== account) return undefined;
  const name = parsed.resource.slice(parsed.resource.lastIndexOf('/') + 1);
  const policy = state.get('iam.policy', account, nameKey(name));
  return policy?.arn === arn ? policy : undefined;
}

export interface PolicyUsage {
  /** Roles, users and groups the policy is attached to. */
  attachments: number;
  /** Roles and users that use it as their permissions boundary. */
  boundaries: number;
}

/** Usage of every referenced policy in an account, keyed by ARN. */
export function policyUsage(state: IamState, account: string): Map<string, PolicyUsage> {
  const usage = new Map<string, PolicyUsage>();
  const entry = (arn: string) => {
    let u = usage.get(arn);
    if (!u) {
      u = { attachments: 0, boundaries: 0 };
      usage.set(arn, u);
    }
    return u;
  };
  for (const kind of ['iam.role', 'iam.user', 'iam.group'] as const) {
    for (const holder of state.list(kind, account)) {
      for (const arn of holder.attachedPolicyArns) entry(arn).attachments++;
      if ('permissionsBoundaryArn' in holder && holder.permissionsBoundaryArn !== undefined) {
        entry(holder.permissionsBoundaryArn).boundaries++;
      }
    }
  }
  return usage;
}
