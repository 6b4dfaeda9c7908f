/** Service last accessed details for roles and users, from the audit trail. */
import type { IamOperations } from '../../protocol/generated/iam.ts';
import { notYet } from '../not-yet.ts';
import type { Handlers } from '../service.ts';

type LastAccessedOperations = Pick<
  IamOperations,
  'GenerateServiceLastAccessedDetails' | 'GetServiceLastAccessedDetails'
>;

export function lastAccessedHandlers(): Handlers<LastAccessedOperations> {
  return notYet('iam', ['GenerateServiceLastAccessedDetails', 'GetServiceLastAccessedDetails']);
}
