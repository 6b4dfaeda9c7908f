/**
 * Shared by the Lambda end-to-end tests (lambda-sdk, lambda-cli, lambda-boto3): deployment packages built in
 * memory, the functions' code, Lambda's texts word for word (docs/research/lambda-facts.md §3, each with its
 * source there), and SDK v3 clients for the setup every test needs (roles, the `data` bucket).
 *
 * The functions run as child processes of rolecall with their code folder as cwd, so a Node.js function cannot
 * `require('@aws-sdk/client-s3')` by name: its code names the SDK by the absolute path this process resolves.
 * Python functions import boto3 from the `python3` on PATH, as users' functions do.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Agent } from 'node:http';
import { zipSync, strToU8 } from 'fflate';
import {
  AttachRolePolicyCommand,
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateFunctionCommand,
  LambdaClient,
  waitUntilFunctionActiveV2,
  type CreateFunctionCommandInput,
  type FunctionConfiguration,
} from '@aws-sdk/client-lambda';
import { DEFAULT_ACCOUNT, LAMBDA_TRUST_JSON, ROOT_CREDENTIALS } from './helpers.ts';

export const REGION = 'us-east-1';
export const NODE_RUNTIME = 'nodejs20.x';
export const PYTHON_RUNTIME = 'python3.12';

export interface Creds {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export const functionArn = (name: string, account = DEFAULT_ACCOUNT) =>
  `arn:aws:lambda:${REGION}:${account}:function:${name}`;
export const roleArn = (name: string, account = DEFAULT_ACCOUNT) => `arn:aws:iam::${account}:role/${name}`;
export const userArn = (name: string, account = DEFAULT_ACCOUNT) => `arn:aws:iam::${account}:user/${name}`;
/** The execution role's session is named after the function (lambda-facts §4). */
export const sessionArn = (role: string, fn: string, account = DEFAULT_ACCOUNT) =>
  `arn:aws:sts::${account}:assumed-role/${role}/${fn}`;
export const BASIC_EXECUTION_POLICY = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';

/** Lambda's texts, word for word (lambda-facts §3). */
export const MSG = {
  notFound: (name: string) => `Function not found: ${functionArn(name)}`,
  alreadyExists: (name: string) => `Function already exist: ${name}`,
  roleNotAssumable: 'The role defined for the function cannot be assumed by Lambda.',
  noPolicy: 'The resource you requested does not exist.',
  sidExists: (sid: string) =>
    `The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
  /** IAM's wording, unquoted resource, as Lambda passes it on (lambda-facts §3). */
  denied: (who: string, action: string, resource: string, layer = 'identity-based policy') =>
    `User: ${who} is not authorized to perform: ${action} on resource: ${resource} because no ${layer} allows the ${action} action`,
  explicitDeny: (who: string, action: string, resource: string) =>
    `User: ${who} is not authorized to perform: ${action} on resource: ${resource} with an explicit deny in an identity-based policy`,
  /** S3's own denial, quoting the resource (s3-facts §A.3). */
  s3Denied: (who: string, bucket: string, key: string) =>
    `User: ${who} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::${bucket}/${key}" because no identity-based policy allows the s3:GetObject action`,
  /** The current timeout payload (lambda-facts §5). */
  timedOut: (requestId: string, seconds: number) =>
    `RequestId: ${requestId} Error: Task timed out after ${seconds.toFixed(2)} seconds`,
} as const;

/** Log lines Lambda writes around each invocation (lambda-facts §6). */
export const START_LINE = (requestId: string) => `START RequestId: ${requestId} Version: $LATEST`;
export const END_LINE = (requestId: string) => `END RequestId: ${requestId}`;
export const REPORT_LINE = (requestId: string) =>
  new RegExp(
    `^REPORT RequestId: ${requestId}\\tDuration: \\d+\\.\\d{2} ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\t(Init Duration: \\d+\\.\\d{2} ms\\t)?`,
  );
/** `2024/01/31/[$LATEST]` and 32 hex characters. */
export const LOG_STREAM_NAME = /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/;
/** Lambda's request ids are UUIDs. */
export const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// ---------------------------------------------------------------------------------------------------------------
// Deployment packages

/** A zip of the given files, as `zip` would build it. */
export function zip(files: Readonly<Record<string, string>>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])));
}

/** CodeSha256 as Lambda reports it: the base64 SHA-256 of the deployment package. */
export const codeSha256 = (pkg: Uint8Array): string => createHash('sha256').update(pkg).digest('base64');

const requireHere = createRequire(import.meta.url);
/** Absolute paths of SDK v3 packages in rolecall's node_modules, for functions to require. */
const S3_CLIENT_PATH = requireHere.resolve('@aws-sdk/client-s3');
const STS_CLIENT_PATH = requireHere.resolve('@aws-sdk/client-sts');

/**
 * A Node.js function (`index.handler`) that does what the event says: read an object from S3 with SDK v3 (the
 * endpoint comes from AWS_ENDPOINT_URL, credentials from the role), report its environment and context, log,
 * throw, exit, sleep or print a lot.
 */
export const NODE_PROBE = `
// Loaded on first use: the SDK warns on stderr about the Node.js version, which would be in every log.
const s3Sdk = () => require(${JSON.stringify(S3_CLIENT_PATH)});
const stsSdk = () => require(${JSON.stringify(STS_CLIENT_PATH)});

const ENV_NAMES = [
  'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'GREETING',
];

function fail(message) {
  throw new TypeError(message);
}

exports.handler = async (event, context) => {
  switch (event.action) {
    case 'read': {
      const { S3Client, GetObjectCommand } = s3Sdk();
      const s3 = new S3Client({ forcePathStyle: true, maxAttempts: 1 });
      const out = await s3.send(new GetObjectCommand({ Bucket: event.bucket, Key: event.key }));
      return { body: await out.Body.transformToString() };
    }
    case 'whoami': {
      const { STSClient, GetCallerIdentityCommand } = stsSdk();
      const sts = new STSClient({ maxAttempts: 1 });
      return (await sts.send(new GetCallerIdentityCommand({}))).Arn;
    }
    case 'env': {
      const env = {};
      for (const name of ENV_NAMES) env[name] = process.env[name];
      return {
        env,
        keyPrefix: (process.env.AWS_ACCESS_KEY_ID || '').slice(0, 4),
        hasSessionToken: Boolean(process.env.AWS_SESSION_TOKEN),
        context: {
          functionName: context.functionName,
          functionVersion: context.functionVersion,
          invokedFunctionArn: context.invokedFunctionArn,
          memoryLimitInMB: String(context.memoryLimitInMB),
          awsRequestId: context.awsRequestId,
          logGroupName: context.logGroupName,
          remainingPositive: context.getRemainingTimeInMillis() > 0,
        },
      };
    }
    case 'log':
      console.log(event.message);
      return 'logged';
    case 'error-log':
      console.error(event.message);
      return 'logged';
    case 'noisy':
      for (let i = 0; i < event.lines; i++) console.log('line ' + String(i).padStart(4, '0') + ' ' + 'x'.repeat(70));
      return 'done';
    case 'throw':
      fail(event.message);
      return 'unreachable';
    case 'big':
      return 'x'.repeat(event.bytes);
    case 'exit':
      process.exit(event.code);
      return 'unreachable';
    case 'sleep':
      await new Promise((resolve) => setTimeout(resolve, event.ms));
      return 'woke';
    default:
      return { echo: event, greeting: process.env.GREETING || null };
  }
};
`;

/** A Python function module (`lambda_function.read`, `.fail`, `.sleep`, `.hello`) using boto3 with the role's credentials. */
export const PYTHON_PROBE = `
import boto3
from botocore.config import Config


def read(event, context):
    s3 = boto3.client('s3', config=Config(s3={'addressing_style': 'path'}, retries={'total_max_attempts': 1}))
    body = s3.get_object(Bucket=event['bucket'], Key=event['key'])['Body'].read().decode()
    return {'body': body}


def fail(event, context):
    raise ValueError(event['message'])


def sleep(event, context):
    import time
    time.sleep(event['seconds'])
    return 'woke'


def hello(event, context):
    print('hello from python')
    return {'name': context.function_name, 'requestId': context.aws_request_id}
`;

export const nodePackage = (): Uint8Array => zip({ 'index.js': NODE_PROBE });
export const pythonPackage = (): Uint8Array => zip({ 'lambda_function.py': PYTHON_PROBE });

// ---------------------------------------------------------------------------------------------------------------
// SDK v3 clients and setup

/**
 * No pooled connections: CLI and boto3 calls block this process (spawnSync) longer than the server keeps an
 * idle socket, and a socket it closed meanwhile would fail the next call with ECONNRESET (logs.test.ts).
 */
const noKeepAlive = () => ({ httpAgent: new Agent({ keepAlive: false }) });
const options = (endpoint: string, credentials: Creds) => ({
  endpoint,
  region: REGION,
  credentials,
  maxAttempts: 1,
  requestHandler: noKeepAlive(),
});

export const lambdaClient = (endpoint: string, creds: Creds = ROOT_CREDENTIALS) =>
  new LambdaClient(options(endpoint, creds));
export const iamClient = (endpoint: string, creds: Creds = ROOT_CREDENTIALS) => new IAMClient(options(endpoint, creds));
export const s3Client = (endpoint: string, creds: Creds = ROOT_CREDENTIALS) =>
  new S3Client({ ...options(endpoint, creds), forcePathStyle: true });

type Statement = Record<string, unknown>;
export const doc = (...statements: Statement[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });
export const allow = (action: string | string[], resource: string | string[] = '*'): Statement => ({
  Effect: 'Allow',
  Action: action,
  Resource: resource,
});
export const deny = (action: string | string[], resource: string | string[] = '*'): Statement => ({
  Effect: 'Deny',
  Action: action,
  Resource: resource,
});

/** The inline policy that lets a role read the data bucket. */
export const READ_DATA = doc(allow('s3:GetObject', 'arn:aws:s3:::data/*'));

/** Creates a role (trusting Lambda unless told otherwise) with inline and managed policies. */
export async function createRole(
  iam: IAMClient,
  name: string,
  { trust = LAMBDA_TRUST_JSON, inline = {}, managed = [] }: RoleOptions = {},
): Promise<string> {
  const { Role } = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
  for (const [PolicyName, PolicyDocument] of Object.entries(inline)) {
    await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName, PolicyDocument }));
  }
  for (const PolicyArn of managed) await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn }));
  assert.ok(Role?.Arn);
  return Role.Arn;
}
export interface RoleOptions {
  readonly trust?: string;
  readonly inline?: Readonly<Record<string, string>>;
  readonly managed?: readonly string[];
}

/** A user with one inline policy (none when undefined) and an access key. */
export async function createUser(iam: IAMClient, name: string, policy?: string): Promise<Creds> {
  await iam.send(new CreateUserCommand({ UserName: name }));
  if (policy !== undefined) {
    await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: policy }));
  }
  const { AccessKey: key } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  assert.ok(key?.AccessKeyId && key.SecretAccessKey);
  return { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
}

/** The bucket `data` with one object, `hello.txt`. */
export const DATA_OBJECT = { bucket: 'data', key: 'hello.txt', body: 'hello from s3://data' } as const;
export async function createDataBucket(endpoint: string): Promise<void> {
  const s3 = s3Client(endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: DATA_OBJECT.bucket }));
  await s3.send(new PutObjectCommand({ Bucket: DATA_OBJECT.bucket, Key: DATA_OBJECT.key, Body: DATA_OBJECT.body }));
  s3.destroy();
}

/** Creates a function and waits (GetFunction, as `function-active-v2` does) until it is Active. */
export async function createFunction(
  lambda: LambdaClient,
  input: Partial<CreateFunctionCommandInput> & { FunctionName: string; Role: string },
): Promise<FunctionConfiguration> {
  const out = await lambda.send(
    new CreateFunctionCommand({
      Runtime: NODE_RUNTIME,
      Handler: 'index.handler',
      Code: { ZipFile: nodePackage() },
      ...input,
    }),
  );
  await waitUntilFunctionActiveV2(
    { client: lambda, maxWaitTime: 30, minDelay: 1 },
    { FunctionName: input.FunctionName },
  );
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Invocation results

const decoder = new TextDecoder();
/** The JSON value of an invocation's payload. */
export const payloadOf = (payload: Uint8Array | null | undefined): unknown =>
  payload === undefined || payload === null || payload.length === 0 ? undefined : JSON.parse(decoder.decode(payload));

/** The lines of a log text, without the newline that ends the last one (REPORT keeps its trailing tab). */
export const linesOf = (log: string): string[] => log.replace(/\n$/, '').split('\n');

/** The decoded LogResult of an invocation with LogType Tail. */
export const tailOf = (logResult: string | undefined): string => {
  assert.ok(logResult !== undefined, 'no LogResult in the response');
  return Buffer.from(logResult, 'base64').toString('utf8');
};

export interface LambdaError {
  readonly name: string;
  readonly message: string;
  readonly status: number | undefined;
  /** `User` for client errors (lambda-facts §1). */
  readonly type: string | undefined;
}

/** The error an SDK v3 Lambda call must fail with. */
export async function lambdaErrorOf(call: Promise<unknown>): Promise<LambdaError> {
  try {
    await call;
  } catch (err) {
    const e = err as { name: string; message: string; Type?: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode, type: e.Type };
  }
  assert.fail('the call succeeded, but an AWS error was expected');
}

/** Compares an error's code, message and status (and `Type: User` where Lambda sends it). */
export async function rejectsWith(
  call: Promise<unknown>,
  name: string,
  status: number,
  message: string,
  type: string | undefined = 'User',
): Promise<void> {
  const got = await lambdaErrorOf(call);
  assert.deepEqual({ name: got.name, status: got.status, message: got.message }, { name, status, message });
  if (type !== undefined && name !== 'AccessDeniedException') assert.equal(got.type, type, 'the error Type');
}

/** Runs `fn` once and hands every caller the same promise. */
export function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}
