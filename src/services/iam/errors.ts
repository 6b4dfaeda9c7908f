/**
 * IAM's error messages for roles and instance profiles, worded as AWS words them (shared/AWS-FACTS.md, "IAM
 * errors"; docs/research/wire-facts.md). One place, so every handler says the same thing the same way.
 */
import {
  DeleteConflictException,
  EntityAlreadyExistsException,
  InvalidInputException,
  LimitExceededException,
  NoSuchEntityException,
} from '../../protocol/generated/iam.ts';

export const roleNotFound = (name: string) => new NoSuchEntityException(`The role with name ${name} cannot be found.`);
export const profileNotFound = (name: string) => new NoSuchEntityException(`Instance Profile ${name} cannot be found.`);
export const roleNotInProfile = (role: string, profile: string) =>
  new NoSuchEntityException(`Role ${role} in Instance Profile ${profile} cannot be found.`);

export const roleExists = (name: string) => new EntityAlreadyExistsException(`Role with name ${name} already exists.`);
export const profileExists = (name: string) =>
  new EntityAlreadyExistsException(`Instance Profile ${name} already exists.`);

export const profileRoleQuota = () =>
  new LimitExceededException('Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1');
export const mustRemoveRolesFromProfile = () =>
  new DeleteConflictException('Cannot delete entity, must remove roles from instance profile first.');

export const invalidArn = (arn: string) => new InvalidInputException(`ARN ${arn} is not valid.`);
export const invalidInput = (message: string) => new InvalidInputException(message);
