/**
 * AWS Lambda (rest-json): functions that run as local processes with their execution role's credentials.
 * Wiring (server.ts):
 *
 *   const state = await LambdaState.load(store);                       // every function's configuration
 *   const code = await CodeStore.open(join(dataDir, 'lambda'));        // packages, by CodeSha256
 *   const service = createLambdaService({ state, code, iam, s3, blobs, logs, clock, credentials, runner, … });
 *
 * The API keeps functions and decides who may do what with them (authorization.ts); running an invocation is
 * the FunctionRunner's (src/lambda/types.ts), whose log lines go to CloudWatch Logs when the role allows it
 * (function-logs.ts).
 */
import { lambdaModel, type LambdaOperations } from '../../protocol/generated/lambda.ts';
import { createRestJsonCodec } from '../../protocol/rest/json.ts';
import { defineService, type ServiceDefinition } from '../service.ts';
import { lambdaPlan } from './authorization.ts';
import type { LambdaDeps } from './deps.ts';
import { functionHandlers } from './functions.ts';
import { invokeHandlers } from './invoke.ts';
import { permissionHandlers } from './permissions.ts';
import { tagHandlers } from './tags.ts';

export function createLambdaService(deps: LambdaDeps): ServiceDefinition {
  return defineService<LambdaOperations>(
    lambdaModel,
    {
      ...functionHandlers(deps),
      ...invokeHandlers(deps),
      ...permissionHandlers(deps),
      ...tagHandlers(deps),
    },
    undefined,
    {
      codec: createRestJsonCodec({
        validationCode: 'InvalidParameterValueException',
        // Lambda's client errors carry "Type": "User" beside the message (botocore's error shapes).
        errorFields: (error) => (error.fault === 'Sender' ? { Type: 'User' } : { Type: 'Service' }),
        // Recorded responses: {"Message":"Function not found: arn:…","Type":"User"} (aarondfrancis/sidecar#23).
        messageField: 'Message',
      }),
      authorization: (operation, input, principal, region) => lambdaPlan(deps, operation, input, principal, region),
    },
  );
}

export type { LambdaDeps } from './deps.ts';
export { LambdaState, LAMBDA_FUNCTION_KIND, type FunctionRecord } from './state.ts';
export { CodeStore } from './code.ts';
export { ExecutionCredentials } from './roles.ts';
