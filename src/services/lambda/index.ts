/** AWS Lambda (rest-json): functions that run as local processes with their execution role's credentials. */
import { lambdaModel, type LambdaOperations } from '../../protocol/generated/lambda.ts';
import { createRestJsonCodec } from '../../protocol/rest/json.ts';
import { defineService, type ServiceDefinition } from '../service.ts';
import { notYet } from '../not-yet.ts';

export function createLambdaService(): ServiceDefinition {
  return defineService<LambdaOperations>(
    lambdaModel,
    notYet('lambda', [
      'CreateFunction',
      'GetFunction',
      'GetFunctionConfiguration',
      'ListFunctions',
      'UpdateFunctionCode',
      'UpdateFunctionConfiguration',
      'DeleteFunction',
      'Invoke',
      'AddPermission',
      'RemovePermission',
      'GetPolicy',
      'TagResource',
      'UntagResource',
      'ListTags',
    ]),
    undefined,
    {
      codec: createRestJsonCodec({
        validationCode: 'InvalidParameterValueException',
        // Lambda's client errors carry "Type": "User" beside the message (botocore's error shapes).
        errorFields: (error) => (error.fault === 'Sender' ? { Type: 'User' } : { Type: 'Service' }),
      }),
    },
  );
}
