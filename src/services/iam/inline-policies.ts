/**
 * Inline policies of roles, users and groups: Put, Get, Delete and List{Role,User,Group}Policy, written once for
 * the three kinds (holders.ts). A holder's inline policies share one size quota, whitespace not counted.
 */
import type { IamOperations } from '../../protocol/generated/iam.ts';
import { MalformedPolicyDocumentException, NoSuchEntityException } from '../../protocol/generated/iam.ts';
import type { Handlers, OperationContext } from '../service.ts';
import type { IamState } from '../../state/iam-state.ts';
import { policySize, validatePolicy } from '../../policy/validate.ts';
import { LimitExceededException } from '../../protocol/generated/iam.ts';
import { encodePolicyDocument } from './encoding.ts';
import { GROUP, ROLE, USER, findHolder, updateHolder, type HolderKind, type HolderRecord } from './holders.ts';
import { paginate } from './pagination.ts';

type InlineOps = Pick<
  IamOperations,
  | 'PutRolePolicy'
  | 'GetRolePolicy'
  | 'DeleteRolePolicy'
  | 'ListRolePolicies'
  | 'PutUserPolicy'
  | 'GetUserPolicy'
  | 'DeleteUserPolicy'
  | 'ListUserPolicies'
  | 'PutGroupPolicy'
  | 'GetGroupPolicy'
  | 'DeleteGroupPolicy'
  | 'ListGroupPolicies'
>;

const policyNotFound = (label: string, name: string) =>
  new NoSuchEntityException(`The ${label.toLowerCase()} policy with name ${name} cannot be found.`);

function operations<R extends HolderRecord>(state: IamState, holder: HolderKind<R>) {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  return {
    put: async (ctx: OperationContext, holderName: string, policyName: string, document: string) => {
      const problem = validatePolicy(document, 'identity');
      if (problem !== undefined) throw new MalformedPolicyDocumentException(problem);
      await updateHolder(state, holder, ctx.account, holderName, (record) => {
        const others = record.inlinePolicies.filter((p) => !same(p.name, policyName));
        const total = others.reduce((sum, p) => sum + policySize(p.document), policySize(document));
        if (total > holder.inlineQuota) {
          throw new LimitExceededException(
            `Maximum policy size of ${holder.inlineQuota} bytes exceeded for ${holder.label.toLowerCase()} ${record.name}`,
          );
        }
        const index = record.inlinePolicies.findIndex((p) => same(p.name, policyName));
        const inlinePolicies = [...record.inlinePolicies];
        if (index >= 0) inlinePolicies[index] = { name: policyName, document };
        else inlinePolicies.push({ name: policyName, document });
        return { ...record, inlinePolicies };
      });
    },
    get: (ctx: OperationContext, holderName: string, policyName: string) => {
      const record = findHolder(state, holder, ctx.account, holderName);
      const policy = record.inlinePolicies.find((p) => same(p.name, policyName));
      if (!policy) throw policyNotFound(holder.label, policyName);
      return { holderName: record.name, policyName: policy.name, document: encodePolicyDocument(policy.document) };
    },
    delete: async (ctx: OperationContext, holderName: string, policyName: string) => {
      await updateHolder(state, holder, ctx.account, holderName, (record) => {
        if (!record.inlinePolicies.some((p) => same(p.name, policyName)))
          throw policyNotFound(holder.label, policyName);
        return { ...record, inlinePolicies: record.inlinePolicies.filter((p) => !same(p.name, policyName)) };
      });
    },
    list: (ctx: OperationContext, holderName: string, marker: string | undefined, maxItems: number | undefined) => {
      const record = findHolder(state, holder, ctx.account, holderName);
      const names = record.inlinePolicies
        .map((p) => p.name)
        .sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
      const page = paginate(names, (n) => n.toLowerCase(), marker, maxItems);
      return { PolicyNames: page.items, IsTruncated: page.isTruncated, Marker: page.marker };
    },
  };
}

export function inlinePolicyHandlers(state: IamState): Handlers<InlineOps> {
  const role = operations(state, ROLE);
  const user = operations(state, USER);
  const group = operations(state, GROUP);
  return {
    PutRolePolicy: (i, ctx) => role.put(ctx, i.RoleName, i.PolicyName, i.PolicyDocument),
    GetRolePolicy: (i, ctx) => {
      const p = role.get(ctx, i.RoleName, i.PolicyName);
      return { RoleName: p.holderName, PolicyName: p.policyName, PolicyDocument: p.document };
    },
    DeleteRolePolicy: (i, ctx) => role.delete(ctx, i.RoleName, i.PolicyName),
    ListRolePolicies: (i, ctx) => role.list(ctx, i.RoleName, i.Marker, i.MaxItems),
    PutUserPolicy: (i, ctx) => user.put(ctx, i.UserName, i.PolicyName, i.PolicyDocument),
    GetUserPolicy: (i, ctx) => {
      const p = user.get(ctx, i.UserName, i.PolicyName);
      return { UserName: p.holderName, PolicyName: p.policyName, PolicyDocument: p.document };
    },
    DeleteUserPolicy: (i, ctx) => user.delete(ctx, i.UserName, i.PolicyName),
    ListUserPolicies: (i, ctx) => user.list(ctx, i.UserName, i.Marker, i.MaxItems),
    PutGroupPolicy: (i, ctx) => group.put(ctx, i.GroupName, i.PolicyName, i.PolicyDocument),
    GetGroupPolicy: (i, ctx) => {
      const p = group.get(ctx, i.GroupName, i.PolicyName);
      return { GroupName: p.holderName, PolicyName: p.policyName, PolicyDocument: p.document };
    },
    DeleteGroupPolicy: (i, ctx) => group.delete(ctx, i.GroupName, i.PolicyName),
    ListGroupPolicies: (i, ctx) => group.list(ctx, i.GroupName, i.Marker, i.MaxItems),
  };
}
