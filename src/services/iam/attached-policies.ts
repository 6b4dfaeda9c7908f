/**
 * Managed policies attached to roles, users and groups: Attach, Detach and ListAttached{Role,User,Group}Policies,
 * written once for the three kinds (holders.ts). Attaching twice changes nothing; at most ten per holder.
 */
import type { IamOperations } from '../../protocol/generated/iam.ts';
import type { Handlers, OperationContext } from '../service.ts';
import type { IamState } from '../../state/iam-state.ts';
import type { AwsManagedPolicies } from '../../state/aws-managed-policies.ts';
import { findManagedPolicy } from '../../state/policies.ts';
import { parseArn } from '../../model/arn.ts';
import { policyNotAttachable, policyNotFound, quotaExceeded } from './errors.ts';
import { commonErrors } from '../../protocol/errors.ts';

/** Attach and detach answer a malformed ARN with ValidationError (recorded in 2026; docs/research/wire-facts.md §5). */
const invalidArn = (arn: string) => commonErrors.validation(`ARN ${arn} is not valid.`);
import {
  ATTACHED_POLICY_QUOTA,
  GROUP,
  ROLE,
  USER,
  findHolder,
  updateHolder,
  type HolderKind,
  type HolderRecord,
} from './holders.ts';
import { paginate } from './pagination.ts';

type AttachOps = Pick<
  IamOperations,
  | 'AttachRolePolicy'
  | 'DetachRolePolicy'
  | 'ListAttachedRolePolicies'
  | 'AttachUserPolicy'
  | 'DetachUserPolicy'
  | 'ListAttachedUserPolicies'
  | 'AttachGroupPolicy'
  | 'DetachGroupPolicy'
  | 'ListAttachedGroupPolicies'
>;

function operations<R extends HolderRecord>(state: IamState, catalogue: AwsManagedPolicies, holder: HolderKind<R>) {
  return {
    attach: async (ctx: OperationContext, holderName: string, arn: string) => {
      if (!parseArn(arn)) throw invalidArn(arn);
      findHolder(state, holder, ctx.account, holderName);
      if (!findManagedPolicy(state, catalogue, ctx.account, arn)) throw policyNotAttachable(arn);
      await updateHolder(state, holder, ctx.account, holderName, (record) => {
        if (record.attachedPolicyArns.includes(arn)) return record;
        if (record.attachedPolicyArns.length >= ATTACHED_POLICY_QUOTA) {
          throw quotaExceeded(`PoliciesPer${holder.label}`, ATTACHED_POLICY_QUOTA);
        }
        return { ...record, attachedPolicyArns: [...record.attachedPolicyArns, arn] };
      });
    },
    detach: async (ctx: OperationContext, holderName: string, arn: string) => {
      if (!parseArn(arn)) throw invalidArn(arn);
      await updateHolder(state, holder, ctx.account, holderName, (record) => {
        if (!record.attachedPolicyArns.includes(arn)) throw policyNotFound(arn);
        return { ...record, attachedPolicyArns: record.attachedPolicyArns.filter((a) => a !== arn) };
      });
    },
    list: (
      ctx: OperationContext,
      holderName: string,
      pathPrefix: string | undefined,
      marker: string | undefined,
      maxItems: number | undefined,
    ) => {
      const record = findHolder(state, holder, ctx.account, holderName);
      const attached = record.attachedPolicyArns
        .flatMap((arn) => findManagedPolicy(state, catalogue, ctx.account, arn) ?? [])
        .filter((p) => p.path.startsWith(pathPrefix ?? '/'));
      const page = paginate(attached, (p) => p.arn, marker, maxItems);
      return {
        AttachedPolicies: page.items.map((p) => ({ PolicyName: p.name, PolicyArn: p.arn })),
        IsTruncated: page.isTruncated,
        Marker: page.marker,
      };
    },
  };
}

export function attachedPolicyHandlers(state: IamState, catalogue: AwsManagedPolicies): Handlers<AttachOps> {
  const role = operations(state, catalogue, ROLE);
  const user = operations(state, catalogue, USER);
  const group = operations(state, catalogue, GROUP);
  return {
    AttachRolePolicy: (i, ctx) => role.attach(ctx, i.RoleName, i.PolicyArn),
    DetachRolePolicy: (i, ctx) => role.detach(ctx, i.RoleName, i.PolicyArn),
    ListAttachedRolePolicies: (i, ctx) => role.list(ctx, i.RoleName, i.PathPrefix, i.Marker, i.MaxItems),
    AttachUserPolicy: (i, ctx) => user.attach(ctx, i.UserName, i.PolicyArn),
    DetachUserPolicy: (i, ctx) => user.detach(ctx, i.UserName, i.PolicyArn),
    ListAttachedUserPolicies: (i, ctx) => user.list(ctx, i.UserName, i.PathPrefix, i.Marker, i.MaxItems),
    AttachGroupPolicy: (i, ctx) => group.attach(ctx, i.GroupName, i.PolicyArn),
    DetachGroupPolicy: (i, ctx) => group.detach(ctx, i.GroupName, i.PolicyArn),
    ListAttachedGroupPolicies: (i, ctx) => group.list(ctx, i.GroupName, i.PathPrefix, i.Marker, i.MaxItems),
  };
}
