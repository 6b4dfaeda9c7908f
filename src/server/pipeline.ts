/**
 * The path of every AWS API request, as one ordered chain (shared/DESIGN.md, "One request, end to end"):
 *   1 route  2 authenticate  3 decode  4 validate  5 authorize  6 handle  7 encode  8 record
 * Authentication comes before decoding, so an unauthenticated caller learns nothing about the API: not
 * whether an action exists, not what its constraints are.
 * Each step either passes the request on or ends it with an AwsError, which is encoded in the service's own
 * wire format; an unexpected exception becomes InternalFailure and is logged, never a dropped connection.
 */
import type { Logger } from 'pino';
import type { Clock } from '../model/clock.ts';
import { requestId as newRequestId } from '../model/ids.ts';
import { AwsError, commonErrors, isAwsError } from '../protocol/errors.ts';
import type { ServiceModel } from '../protocol/model.ts';
import { authenticationError } from '../protocol/query/auth-errors.ts';
import { decodeParams, parseForm, type TypeProblem } from '../protocol/query/decode.ts';
import { ec2ValidationError } from '../protocol/query/ec2-validation.ts';
import { encodeError, encodeResult } from '../protocol/query/encode.ts';
import { validationMessage, validationProblems, type ValidationProblem } from '../protocol/query/validate.ts';
import { verifySigV4 } from '../protocol/sigv4/verify.ts';
import type { KeyResolver, ResolvedKey } from '../auth/credentials.ts';
import type { AuthorizationRequest, AuthorizationResult } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import type { ProtocolName } from '../protocol/model.ts';
import type { EnforceMode } from './config.ts';
import type { OperationContext } from '../services/service.ts';
import { routeRequest, type Services } from './router.ts';

export interface GatewayRequest {
  readonly method: string;
  /** The raw path, without the query string. */
  readonly path: string;
  /** The raw query string, without '?'. */
  readonly query: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
  readonly sourceIp: string;
}

export interface GatewayResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface PipelineDeps {
  readonly services: Services;
  readonly clock: Clock;
  readonly enforce: EnforceMode;
  readonly log: Logger;
  readonly resolveKey: KeyResolver;
  readonly authorize: (request: AuthorizationRequest) => AuthorizationResult;
  /** The protocol's error for a denial (AccessDenied; EC2's UnauthorizedOperation with an encoded message). */
  readonly denial: (
    protocol: ProtocolName,
    principal: Principal,
    result: Extract<AuthorizationResult, { allowed: false }>,
  ) => AwsError;
  /** Told of every authenticated request, for access key last use. */
  readonly keyUsed?: (principal: Principal, service: string, region: string, now: Date) => void;
}

const XML = 'text/xml';

/** A key the verifier accepted but no principal holds (it cannot happen while lookup and resolution agree). */
const UNKNOWN_KEY = {
  ok: false,
  code: 'InvalidClientTokenId',
  message: 'The security token included in the request is invalid.',
} as const;

const typeProblem = (p: TypeProblem): ValidationProblem => ({
  path: p.path,
  shown: `'${p.value}'`,
  constraint: `Member must be ${p.expected}`,
});

export function createPipeline(deps: PipelineDeps): (req: GatewayRequest) => Promise<GatewayResponse> {
  const respond = (model: ServiceModel | undefined, requestId: string, status: number, body: string) => ({
    status,
    headers: {
      'content-type': model?.protocol === 'ec2' ? 'text/xml;charset=UTF-8' : XML,
      'x-amzn-requestid': requestId,
    },
    body,
  });

  return async function handle(req: GatewayRequest): Promise<GatewayResponse> {
    const requestId = newRequestId();
    const started = performance.now();
    let model: ServiceModel | undefined;
    let operation = '';
    let caller = '';
    try {
      // 1 route
      const params = parseForm(req.query);
      if (req.body.length > 0) for (const [k, v] of parseForm(req.body.toString('utf8'))) params.set(k, v);
      const route = routeRequest(deps.services, req.headers, params);
      if (!route.ok) {
        const served = [...deps.services.keys()].join(', ');
        throw new AwsError(
          'UnknownService',
          400,
          route.named === undefined
            ? `rolecall could not tell which service this request is for (it serves ${served})`
            : `rolecall does not serve the service '${route.named}' (it serves ${served})`,
        );
      }
      const service = route.service;
      model = service.model;

      // 2 authenticate
      const now = deps.clock.now();
      let resolved: ResolvedKey | undefined;
      // Signatures are checked against real time (clients sign with theirs); expiry against rolecall's clock.
      const auth = verifySigV4(
        req,
        new Date(),
        (keyId, token) => {
          resolved = deps.resolveKey(keyId, token);
          return resolved;
        },
        { sessionNow: now },
      );
      if (!auth.ok || !resolved) {
        throw authenticationError(model.protocol, auth.ok ? UNKNOWN_KEY : auth);
      }
      const principal = resolved.principal;
      caller = principal.arn;
      deps.keyUsed?.(principal, model.service, auth.region, now);

      // 3 decode
      const action = params.get('Action');
      if (action === undefined || action === '') throw commonErrors.missingAction();
      const op = model.operations[action];
      const handler = service.handlers[action];
      if (!op || !handler) {
        throw model.protocol === 'ec2'
          ? new AwsError('InvalidAction', 400, `The action ${action} is not valid for this web service.`)
          : commonErrors.invalidAction(`Could not find operation ${action} for version ${model.apiVersion}`);
      }
      operation = action;
      const decoded = decodeParams(model, op.input, params);
      const input = decoded.input;

      // 4 validate
      const problems = [
        ...decoded.problems.map(typeProblem),
        ...(op.input === undefined ? [] : validationProblems(model, op.input, input)),
      ];
      if (problems.length > 0) {
        if (model.protocol === 'ec2') throw ec2ValidationError(problems);
        throw commonErrors.validation(service.describeInvalid?.(problems) ?? validationMessage(problems));
      }

      // 5 authorize
      if (deps.enforce !== 'off') {
        const result = deps.authorize({
          principal,
          service: model.service,
          operation: action,
          input,
          now,
          sourceIp: req.sourceIp,
          region: auth.region,
        });
        if (!result.allowed) {
          if (deps.enforce === 'on') throw deps.denial(model.protocol, principal, result);
          deps.log.warn(
            { requestId, caller, action: result.action, resource: result.resource },
            `audit: would deny: ${result.message}`,
          );
        }
      }

      // EC2's DryRun: authorized requests stop here with AWS's "would have succeeded" answer.
      if (model.protocol === 'ec2' && input['DryRun'] === true) {
        throw new AwsError('DryRunOperation', 412, 'Request would have succeeded, but DryRun flag is set.');
      }

      // 6 handle
      const ctx: OperationContext = {
        requestId,
        service: model.service,
        operation: action,
        principal,
        account: principal.account,
        region: auth.region,
        now,
      };
      const output = await handler(input as never, ctx);

      // 7 encode
      const response = respond(model, requestId, 200, encodeResult(model, action, output, requestId));
      record(deps.log, requestId, model, operation, caller, 200, started);
      return response;
    } catch (err) {
      const error = isAwsError(err) ? err : commonErrors.internal();
      if (!isAwsError(err)) deps.log.error({ err, requestId, operation }, 'unexpected failure');
      const response =
        model === undefined && req.headers['x-amz-target'] !== undefined
          ? jsonError(error, requestId)
          : respond(model, requestId, error.status, encodeError(model, error, requestId));
      record(deps.log, requestId, model, operation, caller, error.status, started, error.code);
      return response;
    }
  };
}

/**
 * A request for a service rolecall does not serve, sent by a JSON-protocol client (it names an X-Amz-Target),
 * gets its error in the JSON protocols' form so the client can read it.
 */
function jsonError(error: AwsError, requestId: string): GatewayResponse {
  return {
    status: error.status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  };
}

// 8 record: one log line per request now; the audit trail (CloudTrail records) builds on this step.
function record(
  log: Logger,
  requestId: string,
  model: ServiceModel | undefined,
  operation: string,
  caller: string,
  status: number,
  started: number,
  error?: string,
): void {
  if (!log.isLevelEnabled('info')) return;
  const ms = Math.round((performance.now() - started) * 10) / 10;
  log.info(
    { requestId, service: model?.service, operation, caller, status, ms, ...(error && { error }) },
    `${model?.service ?? '?'} ${operation || '?'} ${status}${error ? ` ${error}` : ''}`,
  );
}
