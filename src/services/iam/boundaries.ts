/**
 * Permissions boundaries of roles and users: a managed policy (customer or AWS) that caps what identity
 * policies can grant. Setting one checks the ARN's form (InvalidInput) and that the policy exists
 * (`Scope ARN: … does not exist or is not attachable.`; docs/research/wire-facts.md §5).
 */
import type { IamOperations } from '../../protocol/generated/iam.ts';
import type { Handlers } from '../service.ts';
import type { IamState } from '../../state/iam-state.ts';
import type { AwsManagedPolicies } from '../../state/aws-managed-policies.ts';
import { findManagedPolicy } from '../../state/policies.ts';
import { parseArn } from '../../model/arn.ts';
import { boundaryNotAttachable, invalidArn } from './errors.ts';
import { ROLE, USER, updateHolder } from './holders.ts';

type BoundaryOps = Pick<
  IamOperations,
  | 'PutRolePermissionsBoundary'
  | 'DeleteRolePermissionsBoundary'
  | 'PutUserPermissionsBoundary'
  | 'DeleteUserPermissionsBoundary'
>;

/** Refuses a boundary ARN that is malformed or names no policy the account can use. */
export function checkBoundary(state: IamState, catalogue: AwsManagedPolicies, account: string, arn: string): void {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== 'iam' || !parsed.resource.startsWith('policy/')) throw invalidArn(arn);
  if (!findManagedPolicy(state, catalogue, account, arn)) throw boundaryNotAttachable(arn);
}

export function boundaryHandlers(state: IamState, catalogue: AwsManagedPolicies): Handlers<BoundaryOps> {
  return {
    PutRolePermissionsBoundary: async (input, ctx) => {
      checkBoundary(state, catalogue, ctx.account, input.PermissionsBoundary);
      await updateHolder(state, ROLE, ctx.account, input.RoleName, (r) => ({
        ...r,
        permissionsBoundaryArn: input.PermissionsBoundary,
      }));
    },
    DeleteRolePermissionsBoundary: async (input, ctx) => {
      await updateHolder(state, ROLE, ctx.account, input.RoleName, ({ permissionsBoundaryArn: _, ...r }) => r);
    },
    PutUserPermissionsBoundary: async (input, ctx) => {
      checkBoundary(state, catalogue, ctx.account, input.PermissionsBoundary);
      await updateHolder(state, USER, ctx.account, input.UserName, (u) => ({
        ...u,
        permissionsBoundaryArn: input.PermissionsBoundary,
      }));
    },
    DeleteUserPermissionsBoundary: async (input, ctx) => {
      await updateHolder(state, USER, ctx.account, input.UserName, ({ permissionsBoundaryArn: _, ...u }) => u);
    },
  };
}
