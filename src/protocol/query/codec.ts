/**
 * The query protocol (IAM, STS) and its EC2 dialect as a Codec: parameters come from the query string and the
 * form-encoded body, the operation from `Action`.
 */
import { AwsError, commonErrors } from '../errors.ts';
import type { Codec, WireRequest } from '../codec.ts';
import type { ServiceModel } from '../model.ts';
import { authenticationError } from './auth-errors.ts';
import { decodeParams, parseForm, type TypeProblem } from './decode.ts';
import { ec2ValidationError } from './ec2-validation.ts';
import { encodeError, encodeResult } from './encode.ts';
import { validationMessage, type ValidationProblem } from './validate.ts';

const paramsOf = new WeakMap<WireRequest, Map<string, string>>();

/** The request's parameters: the query string's, then the form body's (parsed once per request). */
export function requestParams(req: WireRequest): Map<string, string> {
  let params = paramsOf.get(req);
  if (!params) {
    params = parseForm(req.query);
    if (req.body.length > 0) for (const [k, v] of parseForm(req.body.toString('utf8'))) params.set(k, v);
    paramsOf.set(req, params);
  }
  return params;
}

const typeProblem = (p: TypeProblem): ValidationProblem => ({
  path: p.path,
  shown: `'${p.value}'`,
  constraint: `Member must be ${p.expected}`,
});

const contentType = (model: ServiceModel) => (model.protocol === 'ec2' ? 'text/xml;charset=UTF-8' : 'text/xml');

export const queryCodec: Codec = {
  operation(model, req) {
    const action = requestParams(req).get('Action');
    if (action === undefined || action === '') throw commonErrors.missingAction();
    if (!model.operations[action]) {
      throw model.protocol === 'ec2'
        ? new AwsError('InvalidAction', 400, `The action ${action} is not valid for this web service.`)
        : commonErrors.invalidAction(`Could not find operation ${action} for version ${model.apiVersion}`);
    }
    return action;
  },
  streams: () => false,
  decode(model, operation, req) {
    const decoded = decodeParams(model, model.operations[operation]?.input, requestParams(req));
    return { input: decoded.input, problems: decoded.problems.map(typeProblem) };
  },
  validationError(model, problems, custom) {
    if (model.protocol === 'ec2') return ec2ValidationError(problems);
    return commonErrors.validation(custom ?? validationMessage(problems));
  },
  authenticationError: (model, failure) => authenticationError(model.protocol, failure),
  encodeResult: (model, operation, output, requestId) => ({
    status: 200,
    headers: { 'content-type': contentType(model), 'x-amzn-requestid': requestId },
    body: encodeResult(model, operation, output, requestId),
  }),
  encodeError: (model, error, requestId) => ({
    status: error.status,
    headers: { 'content-type': contentType(model), 'x-amzn-requestid': requestId },
    body: encodeError(model, error, requestId),
  }),
};
