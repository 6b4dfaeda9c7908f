/** The IAM service: its generated model and the handlers of each resource it serves. */
import { iamModel, type IamOperations } from '../../protocol/generated/iam.ts';
import type { IamState } from '../../state/iam-state.ts';
import { defineService, type ServiceDefinition } from '../service.ts';
import { instanceProfileHandlers } from './instance-profiles.ts';
import { roleHandlers } from './roles.ts';
import { describeIamInvalid } from './validation.ts';

export function iamService(state: IamState): ServiceDefinition {
  return defineService<IamOperations>(
    iamModel,
    { ...roleHandlers(state), ...instanceProfileHandlers(state) },
    describeIamInvalid,
  );
}
