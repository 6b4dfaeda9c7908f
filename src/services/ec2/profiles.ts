/**
 * Finding the instance profile a RunInstances or association names (IamInstanceProfile.Arn or .Name), with
 * AWS's answers when it does not exist (shared/AWS-FACTS.md): `Value (X) for parameter iamInstanceProfile.name
 * is invalid. Invalid IAM Instance Profile name` (`.arn` / `… ARN` for ARNs). A role ARN is not a profile ARN.
 */
import type { IamInstanceProfileSpecification } from '../../protocol/generated/ec2.ts';
import type { IamState } from '../../state/iam-state.ts';
import { nameKey, type InstanceProfileRecord } from '../../model/iam.ts';
import { parseArn } from '../../model/arn.ts';
import { invalidParameter } from './errors.ts';

export function findProfile(
  state: IamState,
  account: string,
  spec: IamInstanceProfileSpecification,
): InstanceProfileRecord {
  if (spec.Arn !== undefined) {
    const parsed = parseArn(spec.Arn);
    const name = parsed?.resource.startsWith('instance-profile/') ? parsed.resource.split('/').pop() : undefined;
    const profile = name === undefined ? undefined : state.get('iam.instance-profile', account, nameKey(name));
    if (!profile || profile.arn !== spec.Arn) {
      throw invalidParameter(
        `Value (${spec.Arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`,
      );
    }
    return profile;
  }
  const profile = spec.Name === undefined ? undefined : state.get('iam.instance-profile', account, nameKey(spec.Name));
  if (!profile) {
    throw invalidParameter(
      `Value (${spec.Name ?? ''}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name`,
    );
  }
  return profile;
}

/** The role a profile holds, as its ARN, for iam:PassRole; undefined for an empty profile. */
export function profileRoleArn(state: IamState, account: string, profile: InstanceProfileRecord): string | undefined {
  const key = profile.roleKeys[0];
  return key === undefined ? undefined : state.get('iam.role', account, key)?.arn;
}
