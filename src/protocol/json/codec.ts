/**
 * The JSON protocol (CloudWatch Logs, CloudTrail): `POST /` with `X-Amz-Target: <targetPrefix>.<Operation>` and
 * an `application/x-amz-json-1.1` body; errors are `{"__type": code, "message": …}` (botocore parsers.py,
 * JSONParser; AWS's JSON services return the same form).
 */
import { AwsError } from '../errors.ts';
import type { Codec } from '../codec.ts';
import type { ServiceModel } from '../model.ts';
import { validationMessage } from '../query/validate.ts';
import type { SigV4Failure } from '../sigv4/failure.ts';
import { JsonReader, writeJson } from './values.ts';

const contentType = (model: ServiceModel) => `application/x-amz-json-${model.jsonVersion ?? '1.1'}`;

/** The error code each JSON service uses for constraint violations. CloudWatch Logs answers them as
 * InvalidParameterException ("1 validation error detected: Value '' at 'logStreamName' failed to satisfy
 * constraint: …", aws-cli issue threads quoting the service); the others use ValidationException. */
const VALIDATION_CODES: Readonly<Record<string, string>> = { logs: 'InvalidParameterException' };

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Authentication failures in the JSON protocols' own codes, status 400 except for AccessDenied-like ones
 * (architect/dynalite records DynamoDB's: UnrecognizedClientException, InvalidSignatureException,
 * MissingAuthenticationTokenException, IncompleteSignatureException, ExpiredTokenException).
 */
export function jsonAuthenticationError(failure: SigV4Failure): AwsError {
  switch (failure.code) {
    case 'InvalidClientTokenId':
      return new AwsError('UnrecognizedClientException', 400, failure.message);
    case 'SignatureDoesNotMatch':
      return new AwsError('InvalidSignatureException', 400, failure.message);
    case 'MissingAuthenticationToken':
      return new AwsError('MissingAuthenticationTokenException', 400, failure.message);
    case 'ExpiredToken':
      return new AwsError('ExpiredTokenException', 400, failure.message);
    default:
      return new AwsError('IncompleteSignatureException', 400, failure.message);
  }
}

/**
 * Whether an X-Amz-Target prefix names the model's service. botocore sends the model's full targetPrefix
 * (`com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101`); SDK v3 sends only its last segment
 * (`CloudTrail_20131101`), which AWS accepts as well.
 */
export function targetPrefixMatches(targetPrefix: string | undefined, prefix: string): boolean {
  if (targetPrefix === undefined) return false;
  return prefix === targetPrefix || (prefix !== '' && prefix === targetPrefix.slice(targetPrefix.lastIndexOf('.') + 1));
}

export const jsonCodec: Codec = {
  operation(model, req) {
    const target = header(req.headers['x-amz-target']) ?? '';
    const dot = target.lastIndexOf('.');
    const prefix = target.slice(0, dot);
    const name = target.slice(dot + 1);
    if (dot < 0 || !targetPrefixMatches(model.targetPrefix, prefix) || !model.operations[name]) {
      throw new AwsError('UnknownOperationException', 400, '');
    }
    return name;
  },
  streams: () => false,
  decode(model, operation, req) {
    const inputShape = model.operations[operation]?.input;
    const text = req.body.toString('utf8');
    let parsed: unknown = {};
    if (text.trim() !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new AwsError('SerializationException', 400, 'Start of structure or map found where not expected.');
      }
    }
    if (inputShape === undefined) return { input: {}, problems: [] };
    const reader = new JsonReader(model);
    const input = (reader.read(inputShape, parsed, '') ?? {}) as Record<string, unknown>;
    if (reader.problems.length > 0) {
      throw new AwsError('SerializationException', 400, reader.problems.map((p) => p.message).join('; '));
    }
    return { input, problems: [] };
  },
  validationError: (model, problems, custom) =>
    new AwsError(VALIDATION_CODES[model.service] ?? 'ValidationException', 400, custom ?? validationMessage(problems)),
  authenticationError: (_model, failure) => jsonAuthenticationError(failure),
  encodeResult(model, operation, output, requestId) {
    const shape = model.operations[operation]?.output;
    const body = shape === undefined ? {} : (writeJson(model, shape, output) ?? {});
    return {
      status: 200,
      headers: { 'content-type': contentType(model), 'x-amzn-requestid': requestId },
      body: JSON.stringify(body),
    };
  },
  encodeError: (model, error, requestId) => ({
    status: error.status,
    headers: { 'content-type': contentType(model), 'x-amzn-requestid': requestId },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  }),
};
