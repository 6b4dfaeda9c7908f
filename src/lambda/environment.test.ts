// The function's environment: host variables only from a short list, the function's own variables, then the
// reserved ones, which win; nothing of rolecall's own environment.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { functionEnvironment } from './environment.ts';
import type { FunctionSpec } from './types.ts';

const spec: FunctionSpec = {
  functionName: 'orders',
  functionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:orders',
  version: '$LATEST',
  runtime: 'python3.12',
  handler: 'app.handler',
  codeDir: '/srv/code/orders',
  codeSha256: 'sha',
  revisionId: 'rev',
  timeoutSeconds: 3,
  memorySizeMb: 1024,
  environment: { TABLE: 'orders', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'spoof', TZ: 'Europe/Paris' },
  region: 'eu-central-1',
  logGroupName: '/aws/lambda/orders',
  endpointUrl: 'http://127.0.0.1:4567',
};
const identity = {
  logStreamName: '2026/12/05/[$LATEST]0123456789abcdef0123456789abcdef',
  credentials: { accessKeyId: 'ASIAROLE', secretAccessKey: 'sk', sessionToken: 'st', expiration: new Date() },
};
const host = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/rc',
  AWS_ACCESS_KEY_ID: 'AKIAHOST',
  AWS_PROFILE: 'admin',
  ROLECALL_STORE: 'sqlite',
  NODE_OPTIONS: '--inspect',
  SECRET_THING: 'x',
};

describe('lambda function environment', () => {
  const env = functionEnvironment(spec, 'python', identity, host);

  it('keeps only the host variables a runtime needs', () => {
    assert.equal(env['PATH'], '/usr/bin:/bin');
    assert.equal(env['HOME'], '/home/rc');
    for (const name of ['AWS_PROFILE', 'ROLECALL_STORE', 'NODE_OPTIONS', 'SECRET_THING']) {
      assert.equal(env[name], undefined, name);
    }
  });

  it('lets reserved variables win over the function’s, and the function’s over unreserved defaults', () => {
    assert.equal(env['TABLE'], 'orders');
    assert.equal(env['TZ'], 'Europe/Paris');
    assert.equal(env['AWS_REGION'], 'eu-central-1');
    assert.equal(env['AWS_ACCESS_KEY_ID'], 'ASIAROLE');
    assert.deepEqual(
      {
        _HANDLER: env['_HANDLER'],
        AWS_DEFAULT_REGION: env['AWS_DEFAULT_REGION'],
        AWS_EXECUTION_ENV: env['AWS_EXECUTION_ENV'],
        AWS_LAMBDA_FUNCTION_NAME: env['AWS_LAMBDA_FUNCTION_NAME'],
        AWS_LAMBDA_FUNCTION_VERSION: env['AWS_LAMBDA_FUNCTION_VERSION'],
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: env['AWS_LAMBDA_FUNCTION_MEMORY_SIZE'],
        AWS_LAMBDA_LOG_GROUP_NAME: env['AWS_LAMBDA_LOG_GROUP_NAME'],
        AWS_LAMBDA_LOG_STREAM_NAME: env['AWS_LAMBDA_LOG_STREAM_NAME'],
        AWS_SECRET_ACCESS_KEY: env['AWS_SECRET_ACCESS_KEY'],
        AWS_SESSION_TOKEN: env['AWS_SESSION_TOKEN'],
        AWS_ENDPOINT_URL: env['AWS_ENDPOINT_URL'],
        LAMBDA_TASK_ROOT: env['LAMBDA_TASK_ROOT'],
      },
      {
        _HANDLER: 'app.handler',
        AWS_DEFAULT_REGION: 'eu-central-1',
        AWS_EXECUTION_ENV: 'AWS_Lambda_python3.12',
        AWS_LAMBDA_FUNCTION_NAME: 'orders',
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
        AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/orders',
        AWS_LAMBDA_LOG_STREAM_NAME: identity.logStreamName,
        AWS_SECRET_ACCESS_KEY: 'sk',
        AWS_SESSION_TOKEN: 'st',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:4567',
        LAMBDA_TASK_ROOT: '/srv/code/orders',
      },
    );
  });

  it('defaults TZ to UTC and gives Node functions NODE_PATH only', () => {
    assert.equal(functionEnvironment({ ...spec, environment: {} }, 'python', identity, host)['TZ'], ':UTC');
    assert.equal(env['NODE_PATH'], undefined);
  });
});
