/**
 * A denial in each protocol's form: AccessDenied (403) with AWS's message for IAM and STS; for EC2,
 * UnauthorizedOperation (403) with the message and an encoded authorization failure message that
 * sts:DecodeAuthorizationMessage reads (docs/research/evaluation-logic.md §9).
 */
import { AwsError } from '../protocol/errors.ts';
import type { ProtocolName } from '../protocol/model.ts';
import { decodedMessage, encodeMessage } from './authorization-message.ts';
import type { AuthorizationResult } from './authorize.ts';
import type { Principal } from './principal.ts';

export function denialError(
  key: Buffer,
  protocol: ProtocolName,
  principal: Principal,
  result: Extract<AuthorizationResult, { allowed: false }>,
): AwsError {
  if (protocol === 'ec2') {
    const encoded = encodeMessage(
      key,
      decodedMessage(principal, result.action, result.resource, result.decision, result.context),
    );
    return new AwsError(
      'UnauthorizedOperation',
      403,
      `You are not authorized to perform this operation. ${result.message}. Encoded authorization failure message: ${encoded}`,
    );
  }
  return new AwsError('AccessDenied', 403, result.message);
}
