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
  if (protocol === 'rest-xml') {
    // S3 quotes the resource (docs/research/s3-facts.md §A.3); an anonymous caller learns nothing more than
    // "Access Denied".
    if (principal.type === 'anonymous') return new AwsError('AccessDenied', 403, 'Access Denied');
    const quoted = result.message.replace(` on resource: ${result.resource}`, ` on resource: "${result.resource}"`);
    return new AwsError('AccessDenied', 403, quoted);
  }
  // The JSON protocols (CloudWatch Logs) name it AccessDeniedException, status 400 (botocore logs model: the
  // service answers AccessDeniedException; JSON services send client faults as 400).
  if (protocol === 'json') return new AwsError('AccessDeniedException', 400, result.message);
  // rest-json services (Lambda, Access Analyzer) send it with 403.
  if (protocol === 'rest-json') return new AwsError('AccessDeniedException', 403, result.message);
  return new AwsError('AccessDenied', 403, result.message);
}
