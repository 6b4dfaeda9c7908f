/**
 * Whether an IAM principal ARN in a policy names an entity that exists. IAM resolves role and user ARNs to
 * unique ids when it stores a trust or resource policy, so ARNs of entities that do not exist are refused
 * (docs/research/wire-facts.md §6). Other principals (accounts, roots, sessions, services) are not checked.
 */
import { nameKey } from '../model/iam.ts';
import { parseArn } from '../model/arn.ts';
import type { IamState } from './iam-state.ts';

export function principalExists(state: IamState, arn: string): boolean | undefined {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== 'iam') return undefined;
  const slash = parsed.resource.indexOf('/');
  const type = parsed.resource.slice(0, slash);
  const name = parsed.resource.slice(parsed.resource.lastIndexOf('/') + 1);
  if (type === 'role') return state.get('iam.role', parsed.account, nameKey(name))?.arn === arn;
  if (type === 'user') return state.get('iam.user', parsed.account, nameKey(name))?.arn === arn;
  return undefined;
}
