/**
 * IAM's error messages, worded as AWS words them (shared/AWS-FACTS.md, "IAM errors";
 * docs/research/wire-facts.md; docs/research/iam-policies-users-facts.md). One place, so every handler says the
 * same thing the same way.
 */
import {
  DeleteConflictException,
  EntityAlreadyExistsException,
  InvalidInputException,
  LimitExceededException,
  NoSuchEntityException,
} from '../../protocol/generated/iam.ts';
import { AwsError } from '../../protocol/errors.ts';

export const roleNotFound = (name: string) => new NoSuchEntityException(`The role with name ${name} cannot be found.`);
export const userNotFound = (name: string) => new NoSuchEntityException(`The user with name ${name} cannot be found.`);
export const groupNotFound = (name: string) =>
  new NoSuchEntityException(`The group with name ${name} cannot be found.`);
export const profileNotFound = (name: string) => new NoSuchEntityException(`Instance Profile ${name} cannot be found.`);
export const roleNotInProfile = (role: string, profile: string) =>
  new NoSuchEntityException(`Role ${role} in Instance Profile ${profile} cannot be found.`);
export const policyNotFound = (arn: string) => new NoSuchEntityException(`Policy ${arn} was not found.`);
export const policyNotAttachable = (arn: string) =>
  new NoSuchEntityException(`Policy ${arn} does not exist or is not attachable.`);
export const boundaryNotAttachable = (arn: string) =>
  new NoSuchEntityException(`Scope ARN: ${arn} does not exist or is not attachable.`);
export const accessKeyNotFound = (id: string) =>
  new NoSuchEntityException(`The Access Key with id ${id} cannot be found.`);

export const roleExists = (name: string) => new EntityAlreadyExistsException(`Role with name ${name} already exists.`);
export const userExists = (name: string) => new EntityAlreadyExistsException(`User with name ${name} already exists.`);
export const groupExists = (name: string) =>
  new EntityAlreadyExistsException(`Group with name ${name} already exists.`);
export const profileExists = (name: string) =>
  new EntityAlreadyExistsException(`Instance Profile ${name} already exists.`);
export const policyExists = (name: string) =>
  new EntityAlreadyExistsException(`A policy called ${name} already exists. Duplicate names are not allowed.`);

export const quotaExceeded = (quota: string, limit: number) =>
  new LimitExceededException(`Cannot exceed quota for ${quota}: ${limit}`);
export const profileRoleQuota = () => quotaExceeded('InstanceSessionsPerInstanceProfile', 1);

export const deleteConflict = (message: string) => new DeleteConflictException(message);
export const mustRemoveRolesFromProfile = () =>
  deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
export const mustDetachPolicies = () => deleteConflict('Cannot delete entity, must detach all policies first.');
export const mustDeletePolicies = () => deleteConflict('Cannot delete entity, must delete policies first.');

export const invalidArn = (arn: string) => new InvalidInputException(`ARN ${arn} is not valid.`);
export const invalidInput = (message: string) => new InvalidInputException(message);
export const accessDenied = (message: string) => new AwsError('AccessDenied', 403, message);
