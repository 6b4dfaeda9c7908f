/** EC2's error messages for instances and profile associations (shared/AWS-FACTS.md, "EC2 and instance profiles"). */
import { AwsError } from '../../protocol/errors.ts';

export const instanceNotFound = (ids: readonly string[]) =>
  new AwsError(
    'InvalidInstanceID.NotFound',
    400,
    ids.length === 1
      ? `The instance ID '${ids[0]}' does not exist`
      : `The instance IDs '${ids.join(', ')}' do not exist`,
  );
export const instanceIdMalformed = (id: string) =>
  new AwsError('InvalidInstanceID.Malformed', 400, `Invalid id: "${id}"`);
export const invalidParameter = (message: string) => new AwsError('InvalidParameterValue', 400, message);
export const missingParameter = (name: string) =>
  new AwsError('MissingParameter', 400, `The request must contain the parameter ${name}`);
export const incorrectState = (message: string) => new AwsError('IncorrectState', 400, message);
export const associationNotFound = (id: string) =>
  new AwsError('InvalidAssociationID.NotFound', 400, `An association ID ${id} does not exist.`);
