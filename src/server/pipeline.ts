/**
 * The path of every AWS API request, as one ordered chain (shared/DESIGN.md, "One request, end to end"):
 *   1 route  2 authenticate  3 decode  4 validate  5 authorize  6 handle  7 encode  8 record
 * Authentication comes before decoding, so an unauthenticated caller learns nothing about the API: not
 * whether an action exists, not what its constraints are. (S3 names its operation from the method and path,
 * which the caller already knows, so it is chosen before authentication to pick the body's handling.)
 * Each step either passes the request on or ends it with an AwsError, which is encoded in the service's own
 * wire format; an unexpected exception becomes InternalFailure and is logged, never a dropped connection.
 */
import type { Logger } from 'pino';
import type { Clock } from '../model/clock.ts';
import { requestId as newRequestId } from '../model/ids.ts';
import { AwsError, commonErrors, isAwsError } from '../protocol/errors.ts';
import type { Codec, WireResponse } from '../protocol/codec.ts';
import type { ServiceModel } from '../protocol/model.ts';
import { queryCodec } from '../protocol/query/codec.ts';
import { jsonCodec } from '../protocol/json/codec.ts';
import { validationProblems } from '../protocol/query/validate.ts';
import type { KeyResolver } from '../auth/credentials.ts';
import type { AuthorizationPlan, AuthorizationRequest, AuthorizationResult } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import type { ProtocolName } from '../protocol/model.ts';
import type { EnforceMode } from './config.ts';
import type { OperationContext, ServiceDefinition } from '../services/service.ts';
import type { RequestCapture } from '../audit/record.ts';
import { authenticate, collect, MAX_DOCUMENT_BODY_BYTES, type RequestBody } from './authenticate.ts';
import { routeRequest, type Services } from './router.ts';

/** A request as the HTTP layer hands it over: the body is read only when and as the service needs it. */
export interface GatewayRequest {
  readonly method: string;
  /** The raw path, without the query string. */
  readonly path: string;
  /** The raw query string, without '?'. */
  readonly query: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: RequestBody;
  readonly sourceIp: string;
}

export type GatewayResponse = WireResponse;

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
  /**
   * Step 8: handed every routed request once it is answered (the audit trail). Must return at once: the capture
   * holds references only, and the record is built later.
   */
  readonly audit?: (capture: RequestCapture) => void;
}

/** The access key id of a request whose authentication failed, from its Authorization header or query. */
/** A header's (first) value: the HTTP layer hands headers over as arrays (headersDistinct). */
const headerValue = (req: Pick<GatewayRequest, 'headers'>, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : v?.[0];
};

export function signedKeyId(req: Pick<GatewayRequest, 'headers' | 'query'>): string | undefined {
  const text = headerValue(req, 'authorization') ?? '';
  const m = /Credential=([^/,\s]+)\//.exec(text) ?? /(?:^|&)X-Amz-Credential=([^%&/]+)(?:%2F|\/)/i.exec(req.query);
  return m?.[1];
}

const userAgentOf = (req: GatewayRequest): string | undefined => headerValue(req, 'user-agent');

const safeDecode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

function failedAccount(resolveKey: KeyResolver, req: GatewayRequest, keyId: string): string | undefined {
  const token =
    headerValue(req, 'x-amz-security-token') ?? new URLSearchParams(req.query).get('X-Amz-Security-Token') ?? undefined;
  const principal = resolveKey(keyId, token)?.principal;
  return principal && principal.type !== 'anonymous' ? principal.account : undefined;
}

/**
 * The operation a request whose authentication failed asked for, where it can be told without reading the body:
 * the JSON protocols' X-Amz-Target, or an Action in the query string.
 */
function unauthenticatedOperation(req: GatewayRequest, model: ServiceModel): string {
  const target = headerValue(req, 'x-amz-target');
  const named = target?.slice(target.lastIndexOf('.') + 1) ?? new URLSearchParams(req.query).get('Action') ?? '';
  return model.operations[named] ? named : '';
}

/** The region of a request's credential scope, when authentication failed before it was known. */
function scopeRegion(req: Pick<GatewayRequest, 'headers' | 'query'>): string | undefined {
  const text = headerValue(req, 'authorization') ?? safeDecode(req.query);
  return /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\//.exec(text)?.[1];
}

const EMPTY = Buffer.alloc(0);
const ALLOWED_UNEVALUATED: AuthorizationResult = { allowed: true };

export function codecOf(service: ServiceDefinition): Codec {
  if (service.codec) return service.codec;
  return service.model.protocol === 'json' ? jsonCodec : queryCodec;
}

export function createPipeline(deps: PipelineDeps): (req: GatewayRequest) => Promise<GatewayResponse> {
  return async function handle(req: GatewayRequest): Promise<GatewayResponse> {
    const requestId = newRequestId();
    const started = performance.now();
    let model: ServiceModel | undefined;
    let codec: Codec | undefined;
    let operation = '';
    let caller = '';
    // What step 8 records: references only, gathered as the request goes.
    let time: Date | undefined;
    let principal: Principal | undefined;
    let region = '';
    let input: Readonly<Record<string, unknown>> | undefined;
    let authorization: AuthorizationResult | undefined;
    let authenticated = false;
    try {
      // 1 route
      const route = await routeRequest(deps.services, req);
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
      codec = codecOf(service);

      // 2 authenticate
      const now = deps.clock.now();
      time = now;
      const auth = await authenticate(req, model, codec, now, deps.resolveKey);
      authenticated = true;
      principal = auth.principal;
      region = auth.region;
      caller = principal.arn;
      if (principal.type !== 'anonymous') deps.keyUsed?.(principal, model.service, auth.region, now);

      // 3 decode
      operation = codec.operation(model, { ...req, body: auth.body ?? EMPTY });
      const handler = service.handlers[operation];
      if (!handler) throw commonErrors.notImplemented(`rolecall does not implement ${operation}`);
      const streams = codec.streams(model, operation);
      const body = auth.body ?? (streams ? EMPTY : await collect(auth.stream(), MAX_DOCUMENT_BODY_BYTES));
      const decoded = codec.decode(model, operation, { ...req, body }, streams ? auth.stream() : undefined);
      input = decoded.input;

      // 4 validate
      const inputShape = model.operations[operation]?.input;
      const problems = [
        ...decoded.problems,
        ...(inputShape === undefined ? [] : validationProblems(model, inputShape, input)),
      ];
      if (problems.length > 0) {
        const custom = service.describeInvalid?.(problems);
        throw isAwsError(custom) ? custom : codec.validationError(model, problems, custom);
      }

      // 5 authorize
      const signed = principal;
      const decodedInput = input;
      const decide = (plan: AuthorizationPlan | undefined): AuthorizationResult => {
        if (deps.enforce === 'off') return ALLOWED_UNEVALUATED;
        const result = deps.authorize({
          principal: signed,
          service: model?.service ?? '',
          operation,
          input: decodedInput,
          now,
          sourceIp: req.sourceIp,
          region: auth.region,
          ...(plan && { plan }),
        });
        // The request's own decision is recorded as the engine made it: in audit mode, the denial waived.
        authorization ??= result;
        if (result.allowed || deps.enforce === 'on') return result;
        deps.log.warn(
          { requestId, caller, action: result.action, resource: result.resource },
          `audit: would deny: ${result.message}`,
        );
        return ALLOWED_UNEVALUATED;
      };
      const result = decide(service.authorization?.(operation, input, principal, auth.region));
      authorization ??= result;
      if (!result.allowed) throw deps.denial(model.protocol, principal, result);

      // EC2's DryRun: authorized requests stop here with AWS's "would have succeeded" answer.
      if (model.protocol === 'ec2' && input['DryRun'] === true) {
        throw new AwsError('DryRunOperation', 412, 'Request would have succeeded, but DryRun flag is set.');
      }

      // 6 handle
      const ctx: OperationContext = {
        requestId,
        service: model.service,
        operation,
        principal,
        account: principal.account,
        region: auth.region,
        now,
        headers: req.headers,
        sourceIp: req.sourceIp,
        allows: (plan) => decide(plan).allowed,
      };
      const output = await handler(input as never, ctx);

      // 7 encode
      const response = codec.encodeResult(model, operation, output, requestId);
      record(deps.log, requestId, model, operation, caller, response.status, started);
      deps.audit?.({
        time: now,
        requestId,
        model,
        operation,
        principal,
        input,
        output,
        error: undefined,
        region,
        sourceIp: req.sourceIp,
        userAgent: userAgentOf(req),
        mode: deps.enforce,
        authorization,
        authenticationFailed: false,
      });
      return response;
    } catch (err) {
      const error = isAwsError(err) ? err : commonErrors.internal();
      if (!isAwsError(err)) deps.log.error({ err, requestId, operation }, 'unexpected failure');
      const response =
        model === undefined || codec === undefined
          ? unroutedError(req, error, requestId)
          : codec.encodeError(model, error, requestId);
      record(deps.log, requestId, model, operation, caller, error.status, started, error.code);
      if (deps.audit && model !== undefined) {
        const failedKey = authenticated ? undefined : signedKeyId(req);
        deps.audit({
          time: time ?? deps.clock.now(),
          requestId,
          model,
          operation: operation || (authenticated ? '' : unauthenticatedOperation(req, model)),
          principal,
          failedAccessKeyId: failedKey,
          // A known key whose signature failed still names the account whose trail the attempt belongs in.
          failedAccount: failedKey === undefined ? undefined : failedAccount(deps.resolveKey, req, failedKey),
          input,
          output: undefined,
          error,
          region: region || (scopeRegion(req) ?? 'us-east-1'),
          sourceIp: req.sourceIp,
          userAgent: userAgentOf(req),
          mode: deps.enforce,
          authorization,
          authenticationFailed: !authenticated,
        });
      }
      return response;
    }
  };
}

/**
 * An error before the service is known: a client of a JSON protocol (it names an X-Amz-Target) gets the JSON
 * form, everyone else the query protocols' XML.
 */
function unroutedError(req: GatewayRequest, error: AwsError, requestId: string): GatewayResponse {
  if (req.headers['x-amz-target'] !== undefined) {
    return {
      status: error.status,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
      body: JSON.stringify({ __type: error.code, message: error.message }),
    };
  }
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return {
    status: error.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body:
      `<ErrorResponse><Error><Type>${error.fault}</Type><Code>${escape(error.code)}</Code>` +
      `<Message>${escape(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
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
