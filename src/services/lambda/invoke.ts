/**
 * Invoke: RequestResponse runs the function and answers with its result (200; X-Amz-Function-Error `Unhandled`
 * when it failed, X-Amz-Log-Result with LogType Tail, X-Amz-Executed-Version `$LATEST`); Event answers 202 at once
 * and runs in the background; DryRun only checks that the caller may invoke (204). The caller's permission
 * (lambda:InvokeFunction, under the function's resource policy) was decided by the pipeline. Limits (Lambda
 * quotas): 6 MB request payload for synchronous invocations, 1 MB for asynchronous ones (raised from 256 KB in
 * 2025), answered with 413 and X-Amzn-Errortype RequestEntityTooLargeException — not the model's
 * RequestTooLargeException — `Request must be smaller than 6291456 bytes for the InvokeFunction operation`, and for
 * Event `<n> byte payload is too large for the Event invocation type (limit 1048576 bytes)` (recorded responses,
 * find_string of either text; docs/research/lambda-facts.md §3). A synchronous response past 6291556 bytes becomes
 * the error document `Function.ResponseSizeTooLarge` (FunctionError Unhandled). A payload that is not JSON is InvalidRequestContentException `Could not parse
 * request body into json: …`; an empty one is the event `{}`.
 *
 * The execution itself is the FunctionRunner's (src/lambda/); this file hands it the function as a FunctionSpec
 * and the execution role's credentials, then delivers the log lines it reports (function-logs.ts).
 */
import { AwsError } from '../../protocol/errors.ts';
import { InvalidRuntimeException, type LambdaOperations } from '../../protocol/generated/lambda.ts';
import { isUnsupportedRuntime } from '../../lambda/runtimes.ts';
import type { FunctionSpec, InvocationResult } from '../../lambda/types.ts';
import type { Handlers } from '../service.ts';
import { findFunction } from './common.ts';
import type { LambdaDeps } from './deps.ts';
import { deliverLogs, logTail } from './function-logs.ts';
import { LATEST } from './names.ts';
import type { FunctionRecord } from './state.ts';
import { logGroupOf } from './views.ts';

type InvokeOps = Pick<LambdaOperations, 'Invoke'>;

export const MAX_SYNC_PAYLOAD = 6_291_456;
export const MAX_ASYNC_PAYLOAD = 1_048_576;
export const MAX_SYNC_RESPONSE = 6_291_556;

const RESPONSE_TOO_LARGE = Buffer.from(
  JSON.stringify({
    errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_SYNC_RESPONSE} bytes).`,
    errorType: 'Function.ResponseSizeTooLarge',
  }),
);

function checkPayload(payload: Buffer, event: boolean): Buffer {
  const limit = event ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD;
  if (payload.length > limit) {
    throw new AwsError(
      'RequestEntityTooLargeException',
      413,
      event
        ? `${payload.length} byte payload is too large for the Event invocation type (limit ${limit} bytes)`
        : `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
    );
  }
  if (payload.length === 0) return Buffer.from('{}');
  try {
    JSON.parse(payload.toString('utf8'));
  } catch (err) {
    throw new AwsError(
      'InvalidRequestContentException',
      400,
      `Could not parse request body into json: Could not parse payload into json: ${(err as Error).message}`,
    );
  }
  return payload;
}

export async function specOf(deps: LambdaDeps, f: FunctionRecord): Promise<FunctionSpec> {
  return {
    functionName: f.name,
    functionArn: f.arn,
    version: LATEST,
    runtime: f.runtime,
    handler: f.handler,
    codeDir: await deps.code.dir(f.codeSha256),
    codeSha256: f.codeSha256,
    revisionId: f.revisionId,
    timeoutSeconds: f.timeout,
    memorySizeMb: f.memorySize,
    environment: f.environment ?? {},
    region: f.region,
    logGroupName: logGroupOf(f.name),
    endpointUrl: deps.endpointUrl(),
  };
}

/** Runs one invocation and delivers its logs; a failure to deliver logs never fails the invocation. */
export async function execute(
  deps: LambdaDeps,
  account: string,
  f: FunctionRecord,
  payload: Buffer,
  requestId: string,
): Promise<InvocationResult> {
  // The role must still exist and trust Lambda: AWS's error, before any process starts.
  deps.credentials.session(account, f.arn, f.name, f.role);
  const result = await deps.runner
    .invoke({
      spec: await specOf(deps, f),
      // async: a role deleted since is a rejection the runner sees, never a synchronous throw.
      credentials: async () => deps.credentials.credentials(account, f.arn, f.name, f.role),
      payload,
      requestId,
    })
    .catch((err: unknown) => {
      // A runtime this machine cannot start (python3 missing): Lambda's own error for a runtime it cannot run.
      if (isUnsupportedRuntime(err)) throw new InvalidRuntimeException(err.message);
      throw err;
    });
  try {
    const delivery = await deliverLogs(deps, account, f, result);
    if (delivery === 'denied') {
      deps.log.debug({ functionArn: f.arn, requestId }, 'function logs dropped: the execution role may not write them');
    }
  } catch (err) {
    deps.log.warn({ err, functionArn: f.arn, requestId }, 'function logs could not be delivered');
  }
  return result;
}

export function invokeHandlers(deps: LambdaDeps): Handlers<InvokeOps> {
  return {
    Invoke: async (input, ctx) => {
      const { address, record } = findFunction(deps, input.FunctionName, ctx, input.Qualifier);
      const type = input.InvocationType ?? 'RequestResponse';
      const payload = checkPayload(Buffer.from(input.Payload ?? new Uint8Array()), type === 'Event');
      if (type === 'DryRun') return { StatusCode: 204 };
      if (type === 'Event') {
        const run = execute(deps, address.account, record, payload, ctx.requestId)
          .then((result) => {
            if (result.functionError !== undefined) {
              deps.log.info(
                { functionArn: record.arn, requestId: ctx.requestId, error: result.payload.toString('utf8') },
                'event invocation failed (rolecall does not retry it)',
              );
            }
          })
          .catch((err: unknown) =>
            deps.log.warn({ err, functionArn: record.arn, requestId: ctx.requestId }, 'event invocation failed'),
          );
        deps.background.add(run);
        void run.finally(() => deps.background.delete(run));
        return { StatusCode: 202 };
      }
      const result = await execute(deps, address.account, record, payload, ctx.requestId);
      const tooLarge = result.payload.length > MAX_SYNC_RESPONSE;
      const functionError = tooLarge ? 'Unhandled' : result.functionError;
      return {
        StatusCode: 200,
        Payload: tooLarge ? RESPONSE_TOO_LARGE : result.payload,
        ExecutedVersion: LATEST,
        ...(functionError !== undefined && { FunctionError: functionError }),
        ...(input.LogType === 'Tail' && { LogResult: logTail(result) }),
      };
    },
  };
}
