/**
 * The Lambda API in process: SDK v3 clients (@aws-sdk/client-lambda, -iam, -s3, -cloudwatch-logs) against
 * startServer() with a fake FunctionRunner, so no process runs and nothing here waits on time. What the fake
 * receives (the FunctionSpec, the credentials callback, the payload) is checked as the contract with the
 * execution layer (src/lambda/types.ts). Expected texts are AWS's, cited in src/services/lambda/*.ts.
 *
 * Groups work in accounts of their own (any 12-digit key id is that account's root, secret `test`). The restart
 * group uses the SQLite store in a folder of its own and starts the server twice.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { strToU8, zipSync } from 'fflate';
import { pino } from 'pino';
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetPolicyCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  ListTagsCommand,
  RemovePermissionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type CreateFunctionCommandInput,
} from '@aws-sdk/client-lambda';
import {
  AttachRolePolicyCommand,
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CloudWatchLogsClient, DescribeLogGroupsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DEFAULTS, type ServerConfig } from '../../src/server/config.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import type { FunctionRunner, InvocationResult, InvokeRequest, RoleCredentials } from '../../src/lambda/types.ts';

// ---------------------------------------------------------------------------------------------------------------
// A fake execution layer

interface Seen {
  readonly request: InvokeRequest;
  readonly credentials: RoleCredentials;
  readonly handlerSource: string | undefined;
}

class FakeRunner implements FunctionRunner {
  readonly seen: Seen[] = [];
  readonly retired: string[] = [];
  /** What the next invocations answer; the default echoes the event. */
  answer: (
    request: InvokeRequest,
  ) => Omit<InvocationResult, 'logStreamName' | 'logLines' | 'durationMs' | 'coldStart'> = (request) => ({
    payload: Buffer.from(JSON.stringify({ echo: JSON.parse(request.payload.toString('utf8')) })),
  });
  private pending: (() => void) | undefined;

  /** Resolves with the next invocation (Event invocations run after Invoke has answered). */
  next(): Promise<void> {
    return new Promise((resolve) => (this.pending = resolve));
  }

  async invoke(request: InvokeRequest): Promise<InvocationResult> {
    const credentials = await request.credentials();
    const file = join(request.spec.codeDir, 'index.js');
    this.seen.push({
      request,
      credentials,
      handlerSource: existsSync(file) ? readFileSync(file, 'utf8') : undefined,
    });
    const answer = this.answer(request);
    const at = Date.now();
    const id = request.requestId;
    const result: InvocationResult = {
      ...answer,
      logStreamName: `2026/12/05/[$LATEST]${'ab'.repeat(16)}`,
      logLines: [
        { timestamp: at, message: `START RequestId: ${id} Version: $LATEST\n` },
        { timestamp: at, message: 'hello from the function\n' },
        { timestamp: at, message: `END RequestId: ${id}\n` },
        {
          timestamp: at,
          message: `REPORT RequestId: ${id}\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 1 MB\n`,
        },
      ],
      durationMs: 1,
      coldStart: true,
    };
    this.pending?.();
    this.pending = undefined;
    return result;
  }

  retire(functionArn: string): Promise<void> {
    this.retired.push(functionArn);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Servers and clients

const REGION = 'us-east-1';
const rootOf = (account: string) => ({ accessKeyId: account, secretAccessKey: 'test' });
type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

function clients(endpoint: string, credentials: Creds) {
  const options = { endpoint, region: REGION, credentials, maxAttempts: 1 };
  return {
    lambda: new LambdaClient(options),
    iam: new IAMClient(options),
    s3: new S3Client({ ...options, forcePathStyle: true }),
    logs: new CloudWatchLogsClient(options),
  };
}

function testServer(overrides: Partial<ServerConfig> = {}) {
  const runner = new FakeRunner();
  let server: RunningServer | undefined;
  let dataDir = '';
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'rolecall-lambda-test-'));
    server = await startServer(
      { ...DEFAULTS, port: 0, store: 'memory', logLevel: 'silent', readyFile: undefined, dataDir, ...overrides },
      pino({ level: 'silent' }),
      { lambdaRunner: runner },
    );
  });
  after(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    runner,
    endpoint: () => {
      if (!server) throw new Error('server not started');
      return server.endpoint;
    },
  };
}

const LAMBDA_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const EC2_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const BASIC_EXECUTION = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';

const SOURCE = 'exports.handler = async (event) => ({ ok: true, event });\n';
const zipOf = (files: Record<string, string> = { 'index.js': SOURCE }): Uint8Array =>
  zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)])));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');

async function role(iam: IAMClient, name: string, trust = LAMBDA_TRUST, managed: string[] = []): Promise<string> {
  const created = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
  for (const arn of managed) await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: arn }));
  return created.Role?.Arn ?? '';
}

function createInput(name: string, roleArn: string, extra: Partial<CreateFunctionCommandInput> = {}) {
  return {
    FunctionName: name,
    Runtime: 'nodejs20.x' as const,
    Handler: 'index.handler',
    Role: roleArn,
    Code: { ZipFile: zipOf() },
    ...extra,
  };
}

/** The error a promise rejects with: its name (AWS's code), HTTP status and message. */
async function failure(p: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  assert.fail('expected the call to fail');
}

const text = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');

// ---------------------------------------------------------------------------------------------------------------

describe('functions: create, read, list, update, delete', () => {
  const rc = testServer();
  const account = '210000000001';
  const c = () => clients(rc.endpoint(), rootOf(account));

  it('CreateFunction answers Pending with the CodeSha256 and CodeSize of the zip; later reads are Active', async () => {
    const roleArn = await role(c().iam, 'fn-role');
    const zip = zipOf();
    const created = await c().lambda.send(
      new CreateFunctionCommand(
        createInput('first', roleArn, {
          Code: { ZipFile: zip },
          Description: 'the first',
          Timeout: 10,
          MemorySize: 256,
          Environment: { Variables: { STAGE: 'test' } },
          Tags: { team: 'core' },
        }),
      ),
    );
    assert.equal(created.$metadata.httpStatusCode, 201);
    assert.equal(created.FunctionName, 'first');
    assert.equal(created.FunctionArn, `arn:aws:lambda:${REGION}:${account}:function:first`);
    assert.equal(created.CodeSha256, sha256(zip));
    assert.equal(created.CodeSize, zip.byteLength);
    assert.equal(created.State, 'Pending');
    assert.equal(created.StateReasonCode, 'Creating');
    assert.equal(created.Version, '$LATEST');
    assert.equal(created.Timeout, 10);
    assert.equal(created.MemorySize, 256);
    assert.equal(created.Description, 'the first');
    assert.deepEqual(created.Environment?.Variables, { STAGE: 'test' });
    assert.match(created.LastModified ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    assert.match(created.RevisionId ?? '', /^[0-9a-f-]{36}$/);

    const got = await c().lambda.send(new GetFunctionCommand({ FunctionName: 'first' }));
    assert.equal(got.Configuration?.State, 'Active');
    assert.equal(got.Configuration?.LastUpdateStatus, 'Successful');
    assert.deepEqual(got.Tags, { team: 'core' });
    const config = await c().lambda.send(new GetFunctionConfigurationCommand({ FunctionName: created.FunctionArn }));
    assert.equal(config.CodeSha256, sha256(zip));
    assert.equal(config.Handler, 'index.handler');
    assert.equal(config.Runtime, 'nodejs20.x');
    assert.equal(config.Role, roleArn);
    assert.equal(config.LoggingConfig?.LogGroup, '/aws/lambda/first');
  });

  it('a second function of the same name is ResourceConflictException', async () => {
    const roleArn = `arn:aws:iam::${account}:role/fn-role`;
    const e = await failure(c().lambda.send(new CreateFunctionCommand(createInput('first', roleArn))));
    assert.deepEqual(e, { name: 'ResourceConflictException', status: 409, message: 'Function already exist: first' });
  });

  it('a missing function is ResourceNotFoundException naming its ARN', async () => {
    const e = await failure(c().lambda.send(new GetFunctionCommand({ FunctionName: 'nope' })));
    assert.deepEqual(e, {
      name: 'ResourceNotFoundException',
      status: 404,
      message: `Function not found: arn:aws:lambda:${REGION}:${account}:function:nope`,
    });
    const q = await failure(c().lambda.send(new InvokeCommand({ FunctionName: 'first', Qualifier: '7' })));
    assert.equal(q.message, `Function not found: arn:aws:lambda:${REGION}:${account}:function:first:7`);
  });

  it('refuses runtimes rolecall cannot run, deprecated runtimes, bad handlers and bad zips, storing nothing', async () => {
    const roleArn = `arn:aws:iam::${account}:role/fn-role`;
    const java = await failure(
      c().lambda.send(new CreateFunctionCommand(createInput('j', roleArn, { Runtime: 'java21' }))),
    );
    assert.equal(java.name, 'InvalidParameterValueException');
    assert.match(java.message, /^rolecall cannot run the runtime java21/);
    const old = await failure(
      c().lambda.send(new CreateFunctionCommand(createInput('o', roleArn, { Runtime: 'nodejs12.x' }))),
    );
    assert.equal(
      old.message,
      'The runtime parameter of nodejs12.x is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (nodejs22.x) while creating or updating functions.',
    );
    const handler = await failure(
      c().lambda.send(new CreateFunctionCommand(createInput('h', roleArn, { Handler: 'nodot' }))),
    );
    assert.equal(handler.name, 'InvalidParameterValueException');
    const zip = await failure(
      c().lambda.send(
        new CreateFunctionCommand(createInput('z', roleArn, { Code: { ZipFile: strToU8('not a zip') } })),
      ),
    );
    assert.deepEqual(zip, {
      name: 'InvalidParameterValueException',
      status: 400,
      message: 'Could not unzip uploaded file. Please check your file, then try to upload again.',
    });
    const slip = await failure(
      c().lambda.send(
        new CreateFunctionCommand(createInput('s', roleArn, { Code: { ZipFile: zipOf({ '../escape.js': 'x' }) } })),
      ),
    );
    assert.equal(slip.name, 'InvalidParameterValueException');
    const reserved = await failure(
      c().lambda.send(
        new CreateFunctionCommand(createInput('r', roleArn, { Environment: { Variables: { AWS_REGION: 'x' } } })),
      ),
    );
    assert.match(reserved.message, /Reserved keys used in this request: AWS_REGION$/);
    const listed = await c().lambda.send(new ListFunctionsCommand({}));
    assert.deepEqual(
      listed.Functions?.map((f) => f.FunctionName),
      ['first'],
    );
  });

  it('lists in name order, a page at a time', async () => {
    const roleArn = `arn:aws:iam::${account}:role/fn-role`;
    for (const name of ['b-fn', 'a-fn']) await c().lambda.send(new CreateFunctionCommand(createInput(name, roleArn)));
    const page1 = await c().lambda.send(new ListFunctionsCommand({ MaxItems: 2 }));
    assert.deepEqual(
      page1.Functions?.map((f) => f.FunctionName),
      ['a-fn', 'b-fn'],
    );
    assert.ok(page1.NextMarker);
    const page2 = await c().lambda.send(new ListFunctionsCommand({ MaxItems: 2, Marker: page1.NextMarker }));
    assert.deepEqual(
      page2.Functions?.map((f) => f.FunctionName),
      ['first'],
    );
    assert.equal(page2.NextMarker, undefined);
  });

  it('updates code and configuration, retiring warm processes, and checks RevisionId', async () => {
    const before = await c().lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'first' }));
    const zip = zipOf({ 'index.js': 'exports.handler = async () => 2;\n' });
    const code = await c().lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'first', ZipFile: zip }));
    assert.equal(code.CodeSha256, sha256(zip));
    assert.equal(code.LastUpdateStatus, 'InProgress');
    assert.notEqual(code.RevisionId, before.RevisionId);
    assert.ok(rc.runner.retired.includes(before.FunctionArn ?? ''));
    const stale = await failure(
      c().lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: 'first', Timeout: 5, RevisionId: before.RevisionId }),
      ),
    );
    assert.equal(stale.name, 'PreconditionFailedException');
    assert.equal(stale.status, 412);
    const updated = await c().lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'first',
        Timeout: 5,
        Environment: { Variables: {} },
        RevisionId: code.RevisionId,
      }),
    );
    assert.equal(updated.Timeout, 5);
    assert.equal(updated.Environment, undefined);
    assert.equal(updated.MemorySize, 256);
    const tooLong = await failure(
      c().lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'first', Timeout: 901 })),
    );
    assert.equal(tooLong.name, 'InvalidParameterValueException');
  });

  it('UpdateFunctionCode with DryRun checks the package and changes nothing', async () => {
    const before = await c().lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'first' }));
    const zip = zipOf({ 'index.js': 'exports.handler = async () => 3;\n' });
    const dry = await c().lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'first', ZipFile: zip, DryRun: true }),
    );
    assert.equal(dry.CodeSha256, sha256(zip));
    const after = await c().lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'first' }));
    assert.equal(after.CodeSha256, before.CodeSha256);
    assert.equal(after.RevisionId, before.RevisionId);
  });

  it('CreateFunction takes an ARN of the caller account as the name', async () => {
    const roleArn = `arn:aws:iam::${account}:role/fn-role`;
    const arn = `arn:aws:lambda:${REGION}:${account}:function:by-arn`;
    const created = await c().lambda.send(new CreateFunctionCommand(createInput(arn, roleArn)));
    assert.equal(created.FunctionName, 'by-arn');
    assert.equal(created.FunctionArn, arn);
    await c().lambda.send(new DeleteFunctionCommand({ FunctionName: arn }));
  });

  it('takes bodies up to 69,905,067 bytes (50 MB base64) and refuses larger ones as Lambda does', async () => {
    // Refused before the signature is checked, so a made-up signature with Lambda's scope is enough.
    const res = await fetch(new URL('/2015-03-31/functions', rc.endpoint()), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-amz-date': '20260101T000000Z',
        authorization: `AWS4-HMAC-SHA256 Credential=${account}/20260101/${REGION}/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
      },
      body: Buffer.alloc(69_905_068, 0x20),
    });
    assert.equal(res.status, 413);
    assert.equal(res.headers.get('x-amzn-errortype'), 'RequestEntityTooLargeException');
    assert.equal(
      ((await res.json()) as { Message: string }).Message,
      'Request must be smaller than 69905067 bytes for the CreateFunction operation',
    );
  });

  it('tags a function by ARN', async () => {
    const arn = `arn:aws:lambda:${REGION}:${account}:function:first`;
    await c().lambda.send(new TagResourceCommand({ Resource: arn, Tags: { env: 'dev' } }));
    await c().lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: ['team'] }));
    const tags = await c().lambda.send(new ListTagsCommand({ Resource: arn }));
    assert.deepEqual(tags.Tags, { env: 'dev' });
  });

  it('deletes a function, after which it is not found', async () => {
    const deleted = await c().lambda.send(new DeleteFunctionCommand({ FunctionName: 'a-fn' }));
    assert.equal(deleted.$metadata.httpStatusCode, 204);
    const e = await failure(c().lambda.send(new GetFunctionCommand({ FunctionName: 'a-fn' })));
    assert.equal(e.name, 'ResourceNotFoundException');
  });

  it('reads a package from rolecall S3 with the caller permission', async () => {
    const zip = zipOf({ 'index.js': 'exports.handler = async () => "s3";\n' });
    await c().s3.send(new CreateBucketCommand({ Bucket: 'lambda-packages-210000000001' }));
    await c().s3.send(new PutObjectCommand({ Bucket: 'lambda-packages-210000000001', Key: 'fn.zip', Body: zip }));
    const roleArn = `arn:aws:iam::${account}:role/fn-role`;
    const created = await c().lambda.send(
      new CreateFunctionCommand(
        createInput('from-s3', roleArn, { Code: { S3Bucket: 'lambda-packages-210000000001', S3Key: 'fn.zip' } }),
      ),
    );
    assert.equal(created.CodeSha256, sha256(zip));
    const missing = await failure(
      c().lambda.send(
        new CreateFunctionCommand(
          createInput('from-s3-missing', roleArn, {
            Code: { S3Bucket: 'lambda-packages-210000000001', S3Key: 'none.zip' },
          }),
        ),
      ),
    );
    assert.equal(
      missing.message,
      'Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.',
    );
  });
});

describe('role checks', () => {
  const rc = testServer();
  const account = '210000000002';
  const root = () => clients(rc.endpoint(), rootOf(account));

  /** A user allowed lambda:* plus the statements given, with its own keys. */
  async function user(name: string, statements: object[]): Promise<Creds> {
    const iam = root().iam;
    await iam.send(new CreateUserCommand({ UserName: name }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: name,
        PolicyName: 'p',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'lambda:*', Resource: '*' }, ...statements],
        }),
      }),
    );
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    return { accessKeyId: key.AccessKey?.AccessKeyId ?? '', secretAccessKey: key.AccessKey?.SecretAccessKey ?? '' };
  }

  it('a role that does not trust Lambda, or does not exist, cannot be given to a function', async () => {
    const ec2Role = await role(root().iam, 'ec2-only', EC2_TRUST);
    const untrusted = await failure(root().lambda.send(new CreateFunctionCommand(createInput('f', ec2Role))));
    assert.deepEqual(untrusted, {
      name: 'InvalidParameterValueException',
      status: 400,
      message: 'The role defined for the function cannot be assumed by Lambda.',
    });
    const missing = await failure(
      root().lambda.send(new CreateFunctionCommand(createInput('f', `arn:aws:iam::${account}:role/ghost`))),
    );
    assert.equal(missing.message, 'The role defined for the function cannot be assumed by Lambda.');
    const good = await role(root().iam, 'lambda-ok');
    await root().lambda.send(new CreateFunctionCommand(createInput('f', good)));
    const swap = await failure(
      root().lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'f', Role: ec2Role })),
    );
    assert.equal(swap.message, 'The role defined for the function cannot be assumed by Lambda.');
  });

  it('CreateFunction needs iam:PassRole with iam:PassedToService lambda.amazonaws.com', async () => {
    const roleArn = `arn:aws:iam::${account}:role/lambda-ok`;
    const noPass = await user('no-pass', []);
    const denied = await failure(
      clients(rc.endpoint(), noPass).lambda.send(new CreateFunctionCommand(createInput('by-user', roleArn))),
    );
    assert.equal(denied.name, 'AccessDeniedException');
    assert.equal(denied.status, 403);
    assert.match(
      denied.message,
      /is not authorized to perform: iam:PassRole on resource: arn:aws:iam::\d+:role\/lambda-ok/,
    );

    const ec2Only = await user('pass-to-ec2', [
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: '*',
        Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      },
    ]);
    const wrongService = await failure(
      clients(rc.endpoint(), ec2Only).lambda.send(new CreateFunctionCommand(createInput('by-user', roleArn))),
    );
    assert.equal(wrongService.name, 'AccessDeniedException');

    const lambdaPass = await user('pass-to-lambda', [
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: roleArn,
        Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
      },
    ]);
    const created = await clients(rc.endpoint(), lambdaPass).lambda.send(
      new CreateFunctionCommand(createInput('by-user', roleArn)),
    );
    assert.equal(created.FunctionName, 'by-user');
  });

  it('UpdateFunctionConfiguration with a Role needs iam:PassRole too', async () => {
    const other = await role(root().iam, 'lambda-other');
    const noPass = await user('no-pass-2', []);
    const e = await failure(
      clients(rc.endpoint(), noPass).lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: 'by-user', Role: other }),
      ),
    );
    assert.equal(e.name, 'AccessDeniedException');
    assert.match(e.message, /iam:PassRole/);
  });
});

describe('Invoke', () => {
  const rc = testServer();
  const account = '210000000003';
  const other = '210000000004';
  const c = () => clients(rc.endpoint(), rootOf(account));
  let roleArn = '';

  before(async () => {
    roleArn = await role(c().iam, 'invoke-role');
    await c().lambda.send(
      new CreateFunctionCommand(
        createInput('echo', roleArn, { Timeout: 7, MemorySize: 512, Environment: { Variables: { A: '1' } } }),
      ),
    );
  });

  it('hands the runner the function, the payload and the role credentials, and answers with its result', async () => {
    const reply = await c().lambda.send(
      new InvokeCommand({ FunctionName: 'echo', Payload: strToU8('{"x":1}'), LogType: 'Tail' }),
    );
    assert.equal(reply.StatusCode, 200);
    assert.equal(reply.ExecutedVersion, '$LATEST');
    assert.equal(reply.FunctionError, undefined);
    assert.deepEqual(JSON.parse(text(reply.Payload)), { echo: { x: 1 } });
    const tail = Buffer.from(reply.LogResult ?? '', 'base64').toString('utf8');
    assert.match(tail, /^START RequestId: \S+ Version: \$LATEST\n[\s\S]*REPORT RequestId: /);

    const seen = rc.runner.seen.at(-1);
    assert.ok(seen);
    const { spec } = seen.request;
    assert.equal(spec.functionName, 'echo');
    assert.equal(spec.functionArn, `arn:aws:lambda:${REGION}:${account}:function:echo`);
    assert.equal(spec.version, '$LATEST');
    assert.equal(spec.runtime, 'nodejs20.x');
    assert.equal(spec.handler, 'index.handler');
    assert.equal(spec.timeoutSeconds, 7);
    assert.equal(spec.memorySizeMb, 512);
    assert.deepEqual(spec.environment, { A: '1' });
    assert.equal(spec.region, REGION);
    assert.equal(spec.logGroupName, '/aws/lambda/echo');
    assert.equal(spec.endpointUrl, rc.endpoint());
    assert.equal(seen.handlerSource, SOURCE);
    assert.match(seen.credentials.accessKeyId, /^ASIA/);
    assert.ok(seen.credentials.expiration.getTime() > Date.now());

    // The credentials are the role's, with the function name as the session name.
    const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    const who = await new STSClient({
      endpoint: rc.endpoint(),
      region: REGION,
      credentials: seen.credentials,
    }).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:sts::${account}:assumed-role/invoke-role/echo`);
  });

  it('an empty payload is the event {}; a payload that is not JSON is refused', async () => {
    await c().lambda.send(new InvokeCommand({ FunctionName: 'echo' }));
    assert.equal(rc.runner.seen.at(-1)?.request.payload.toString('utf8'), '{}');
    const e = await failure(c().lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: strToU8('{nope') })));
    assert.equal(e.name, 'InvalidRequestContentException');
    assert.match(e.message, /^Could not parse request body into json: /);
  });

  it('a failed function answers 200 with X-Amz-Function-Error Unhandled and the error document', async () => {
    rc.runner.answer = () => ({
      payload: Buffer.from(JSON.stringify({ errorMessage: 'boom', errorType: 'Error', stackTrace: [] })),
      functionError: 'Unhandled',
    });
    try {
      const reply = await c().lambda.send(new InvokeCommand({ FunctionName: 'echo' }));
      assert.equal(reply.StatusCode, 200);
      assert.equal(reply.FunctionError, 'Unhandled');
      assert.equal(JSON.parse(text(reply.Payload)).errorMessage, 'boom');
    } finally {
      rc.runner.answer = (request) => ({ payload: request.payload });
    }
  });

  it('DryRun answers 204 without running; Event answers 202 and runs in the background', async () => {
    const before = rc.runner.seen.length;
    const dry = await c().lambda.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun' }));
    assert.equal(dry.StatusCode, 204);
    assert.equal(rc.runner.seen.length, before);
    const ran = rc.runner.next();
    const event = await c().lambda.send(
      new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: strToU8('{"e":1}') }),
    );
    assert.equal(event.StatusCode, 202);
    await ran;
    assert.equal(rc.runner.seen.at(-1)?.request.payload.toString('utf8'), '{"e":1}');
  });

  it('another account may invoke only once the function policy allows it', async () => {
    const arn = `arn:aws:lambda:${REGION}:${account}:function:echo`;
    const outsider = clients(rc.endpoint(), rootOf(other)).lambda;
    const denied = await failure(outsider.send(new InvokeCommand({ FunctionName: arn })));
    assert.equal(denied.name, 'AccessDeniedException');
    assert.match(
      denied.message,
      new RegExp(`is not authorized to perform: lambda:InvokeFunction on resource: ${arn.replace(/[$]/g, '\\$')}`),
    );
    const noPolicy = await failure(c().lambda.send(new GetPolicyCommand({ FunctionName: 'echo' })));
    assert.deepEqual(noPolicy, {
      name: 'ResourceNotFoundException',
      status: 404,
      message: 'The resource you requested does not exist.',
    });

    const added = await c().lambda.send(
      new AddPermissionCommand({
        FunctionName: 'echo',
        StatementId: 'other-account',
        Action: 'lambda:InvokeFunction',
        Principal: other,
      }),
    );
    assert.equal(added.$metadata.httpStatusCode, 201);
    assert.deepEqual(JSON.parse(added.Statement ?? ''), {
      Sid: 'other-account',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${other}:root` },
      Action: 'lambda:InvokeFunction',
      Resource: arn,
    });
    const policy = await c().lambda.send(new GetPolicyCommand({ FunctionName: 'echo' }));
    const document = JSON.parse(policy.Policy ?? '');
    assert.equal(document.Version, '2012-10-17');
    assert.equal(document.Statement.length, 1);
    const again = await failure(
      c().lambda.send(
        new AddPermissionCommand({
          FunctionName: 'echo',
          StatementId: 'other-account',
          Action: 'lambda:InvokeFunction',
          Principal: other,
        }),
      ),
    );
    assert.deepEqual(again, {
      name: 'ResourceConflictException',
      status: 409,
      message:
        'The statement id (other-account) provided already exists. Please provide a new statement id, or remove the existing statement.',
    });

    const reply = await outsider.send(new InvokeCommand({ FunctionName: arn, Payload: strToU8('1') }));
    assert.equal(reply.StatusCode, 200);

    await c().lambda.send(new RemovePermissionCommand({ FunctionName: 'echo', StatementId: 'other-account' }));
    const after = await failure(outsider.send(new InvokeCommand({ FunctionName: arn })));
    assert.equal(after.name, 'AccessDeniedException');
    const gone = await failure(
      c().lambda.send(new RemovePermissionCommand({ FunctionName: 'echo', StatementId: 'other-account' })),
    );
    assert.equal(gone.name, 'ResourceNotFoundException');
  });
});

describe('function logs', () => {
  const rc = testServer();
  const account = '210000000005';
  const c = () => clients(rc.endpoint(), rootOf(account));

  it('go to /aws/lambda/NAME when the role allows writing them', async () => {
    const roleArn = await role(c().iam, 'with-logs', LAMBDA_TRUST, [BASIC_EXECUTION]);
    await c().lambda.send(new CreateFunctionCommand(createInput('logged', roleArn)));
    const reply = await c().lambda.send(new InvokeCommand({ FunctionName: 'logged' }));
    const requestId = reply.$metadata.requestId ?? '';
    const events = await c().logs.send(
      new GetLogEventsCommand({
        logGroupName: '/aws/lambda/logged',
        logStreamName: `2026/12/05/[$LATEST]${'ab'.repeat(16)}`,
      }),
    );
    const messages = events.events?.map((e) => e.message) ?? [];
    assert.equal(messages.length, 4);
    assert.equal(messages[0], `START RequestId: ${requestId} Version: $LATEST\n`);
    assert.equal(messages[1], 'hello from the function\n');
    assert.match(messages[3] ?? '', /^REPORT RequestId: /);
  });

  it('are dropped when the role may not write them', async () => {
    const roleArn = await role(c().iam, 'without-logs');
    await c().lambda.send(new CreateFunctionCommand(createInput('silent', roleArn)));
    const reply = await c().lambda.send(new InvokeCommand({ FunctionName: 'silent', LogType: 'Tail' }));
    assert.equal(reply.StatusCode, 200);
    // The tail is the invocation's own log, whatever the role may write to CloudWatch Logs.
    assert.ok((reply.LogResult ?? '').length > 0);
    const groups = await c().logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/silent' }));
    assert.deepEqual(groups.logGroups, []);
  });
});

describe('function logs under a permissions boundary', () => {
  const rc = testServer();
  const account = '210000000007';
  const c = () => clients(rc.endpoint(), rootOf(account));

  it('a boundary without logs:PutLogEvents drops them even with AWSLambdaBasicExecutionRole attached', async () => {
    const created = await c().iam.send(
      new CreateRoleCommand({
        RoleName: 'bounded',
        AssumeRolePolicyDocument: LAMBDA_TRUST,
        PermissionsBoundary: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
      }),
    );
    await c().iam.send(new AttachRolePolicyCommand({ RoleName: 'bounded', PolicyArn: BASIC_EXECUTION }));
    await c().lambda.send(new CreateFunctionCommand(createInput('bounded-fn', created.Role?.Arn ?? '')));
    const reply = await c().lambda.send(new InvokeCommand({ FunctionName: 'bounded-fn' }));
    assert.equal(reply.StatusCode, 200);
    const groups = await c().logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/' }));
    assert.deepEqual(groups.logGroups, []);
  });
});

describe('functions survive a restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rolecall-lambda-restart-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const account = '210000000006';

  const start = async (runner: FakeRunner) =>
    startServer(
      { ...DEFAULTS, port: 0, store: 'sqlite', logLevel: 'silent', readyFile: undefined, dataDir },
      pino({ level: 'silent' }),
      { lambdaRunner: runner },
    );

  it('keeps configuration, tags, policy and code across a restart', async () => {
    const zip = zipOf({ 'index.js': `// ${randomBytes(8).toString('hex')}\n${SOURCE}` });
    let server = await start(new FakeRunner());
    let before: { config: unknown; tags: unknown; policy: string | undefined };
    try {
      const c = clients(server.endpoint, rootOf(account));
      const roleArn = await role(c.iam, 'restart-role');
      await c.lambda.send(
        new CreateFunctionCommand(createInput('durable', roleArn, { Code: { ZipFile: zip }, Tags: { keep: 'me' } })),
      );
      await c.lambda.send(
        new AddPermissionCommand({
          FunctionName: 'durable',
          StatementId: 's3',
          Action: 'lambda:InvokeFunction',
          Principal: 's3.amazonaws.com',
          SourceArn: 'arn:aws:s3:::some-bucket',
        }),
      );
      before = {
        config: await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'durable' })),
        tags: (await c.lambda.send(new GetFunctionCommand({ FunctionName: 'durable' }))).Tags,
        policy: (await c.lambda.send(new GetPolicyCommand({ FunctionName: 'durable' }))).Policy,
      };
    } finally {
      await server.close();
    }

    const runner = new FakeRunner();
    server = await start(runner);
    try {
      const c = clients(server.endpoint, rootOf(account));
      const config = await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'durable' }));
      const strip = (v: unknown) => {
        const { $metadata: _ignored, ...rest } = v as Record<string, unknown>;
        void _ignored;
        return rest;
      };
      assert.deepEqual(strip(config), strip(before.config));
      assert.deepEqual((await c.lambda.send(new GetFunctionCommand({ FunctionName: 'durable' }))).Tags, before.tags);
      assert.equal((await c.lambda.send(new GetPolicyCommand({ FunctionName: 'durable' }))).Policy, before.policy);
      const reply = await c.lambda.send(new InvokeCommand({ FunctionName: 'durable', Payload: strToU8('{}') }));
      assert.equal(reply.StatusCode, 200);
      assert.match(runner.seen.at(-1)?.handlerSource ?? '', /exports\.handler/);
    } finally {
      await server.close();
    }
  });
});
