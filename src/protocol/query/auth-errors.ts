/**
 * How each protocol reports an authentication failure. IAM and STS use the SigV4 codes as they are (403);
 * EC2 reports unknown or invalid keys as AuthFailure (401), a wrong signature as SignatureDoesNotMatch (403)
 * and clock skew as RequestExpired
 * (shared/AWS-FACTS.md, "Authentication errors"; docs/research/wire-facts.md).
 */
import { AwsError } from '../errors.ts';
import type { ProtocolName } from '../model.ts';
import type { SigV4Failure } from '../sigv4/verify.ts';

const EC2_AUTH_FAILURE = 'AWS was not able to validate the provided access credentials';

export function authenticationError(protocol: ProtocolName, failure: SigV4Failure): AwsError {
  if (protocol === 'ec2') {
    if (failure.skewed) return new AwsError('RequestExpired', 400, 'Request has expired.');
    switch (failure.code) {
      case 'MissingAuthenticationToken':
        return new AwsError('MissingParameter', 400, 'The request must contain the parameter AWSAccessKeyId');
      case 'IncompleteSignature':
        return new AwsError('IncompleteSignature', 400, failure.message);
      case 'ExpiredToken':
        // EC2 reports expired temporary credentials as an expired request.
        return new AwsError('RequestExpired', 400, 'Request has expired.');
      case 'SignatureDoesNotMatch':
        return new AwsError('SignatureDoesNotMatch', 403, failure.message);
      default:
        return new AwsError('AuthFailure', 401, EC2_AUTH_FAILURE);
    }
  }
  const status = failure.code === 'IncompleteSignature' ? 400 : 403;
  return new AwsError(failure.code, status, failure.message);
}
