/** The IAM service: its generated model and the handlers of each resource it serves. */
import { iamModel, type IamOperations } from '../../protocol/generated/iam.ts';
import type { IamState } from '../../state/iam-state.ts';
import type { AwsManagedPolicies } from '../../state/aws-managed-policies.ts';
import { defineService, type ServiceDefinition } from '../service.ts';
import { accessKeyHandlers } from './access-keys.ts';
import { accountHandlers } from './account.ts';
import { attachedPolicyHandlers } from './attached-policies.ts';
import { boundaryHandlers } from './boundaries.ts';
import { groupHandlers } from './groups.ts';
import { inlinePolicyHandlers } from './inline-policies.ts';
import { instanceProfileHandlers } from './instance-profiles.ts';
import { managedPolicyHandlers } from './managed-policies.ts';
import { roleHandlers } from './roles.ts';
import { simulateHandlers } from './simulate.ts';
import { lastAccessedHandlers } from './last-accessed.ts';
import { userHandlers } from './users.ts';
import { describeIamInvalid } from './validation.ts';
import type { AuditTrail } from '../../audit/types.ts';

/** `trail` feeds the service last accessed reports; without one they list services but no access. */
export function iamService(state: IamState, catalogue: AwsManagedPolicies, trail?: AuditTrail): ServiceDefinition {
  return defineService<IamOperations>(
    iamModel,
    {
      ...roleHandlers(state, catalogue),
      ...instanceProfileHandlers(state),
      ...managedPolicyHandlers(state, catalogue),
      ...inlinePolicyHandlers(state),
      ...attachedPolicyHandlers(state, catalogue),
      ...boundaryHandlers(state, catalogue),
      ...userHandlers(state, catalogue),
      ...groupHandlers(state),
      ...accessKeyHandlers(state),
      ...accountHandlers(state, catalogue),
      ...simulateHandlers(state, catalogue),
      ...lastAccessedHandlers(state, catalogue, trail),
    },
    describeIamInvalid,
  );
}
