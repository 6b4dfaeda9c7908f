/**
 * Reads the doctor's snapshots from the live state: every account that holds roles, profiles, instances, users
 * or access keys (or the one asked for), and managed policies as the account sees them (its own, and AWS's
 * catalogue). Also names the services their policies use, so the catalogue can be loaded before diagnosing.
 */
import { policyServices } from '../lint/index.ts';
import type { IamState } from '../state/iam-state.ts';
import type { AwsManagedPolicies } from '../state/aws-managed-policies.ts';
import { findManagedPolicy } from '../state/policies.ts';
import type { AccountSnapshot } from './types.ts';

const KINDS = ['iam.role', 'iam.instance-profile', 'ec2.instance', 'iam.user', 'iam.access-key'] as const;

/** The accounts that hold anything the doctor looks at, in order. */
export function knownAccounts(state: IamState): string[] {
  return [...new Set(KINDS.flatMap((k) => state.accounts(k)))].sort();
}

export function accountSnapshot(state: IamState, awsManaged: AwsManagedPolicies, account: string): AccountSnapshot {
  return {
    account,
    roles: state.list('iam.role', account),
    profiles: state.list('iam.instance-profile', account),
    instances: state.list('ec2.instance', account),
    users: state.list('iam.user', account),
    groups: state.list('iam.group', account),
    accessKeys: state.list('iam.access-key', account),
    managedPolicy: (arn) => {
      const policy = findManagedPolicy(state, awsManaged, account, arn);
      return policy?.versions.find((v) => v.versionId === policy.defaultVersionId)?.document;
    },
  };
}

/** The service prefixes the snapshots' role policies name (see policyServices). */
export function snapshotServices(snapshots: readonly AccountSnapshot[]): string[] {
  const out = new Set<string>();
  for (const snap of snapshots) {
    for (const role of snap.roles) {
      const texts = [
        role.trustPolicy,
        ...role.inlinePolicies.map((p) => p.document),
        ...[...role.attachedPolicyArns, ...(role.permissionsBoundaryArn ? [role.permissionsBoundaryArn] : [])].flatMap(
          (arn) => snap.managedPolicy(arn) ?? [],
        ),
      ];
      for (const text of texts) for (const s of policyServices(text)) out.add(s);
    }
  }
  return [...out];
}
