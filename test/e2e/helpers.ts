/**
 * Small helpers shared by the end-to-end tests: one server per file, the trust policies the stories use, AWS's
 * error texts (shared/AWS-FACTS.md, docs/research/wire-facts.md), and thin wrappers around the real clients
 * that turn their output into values the tests can compare exactly.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { awsCli, python, type CliResult } from '../support/clients.ts';
import { removeDir, ROOT, startRolecall, type RolecallProcess, type StartOptions } from '../support/server.ts';

export const DEFAULT_ACCOUNT = '000000000000';
export const OTHER_ACCOUNT = '111111111111';
export const ROOT_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;
export const OTHER_CREDENTIALS = { accessKeyId: OTHER_ACCOUNT, secretAccessKey: 'test' } as const;

/** rolecall's version, as package.json states it. */
export const PACKAGE_VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;

/** A trust policy that lets one AWS service assume the role. */
export const trustPolicy = (service: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
});
export const EC2_TRUST = trustPolicy('ec2.amazonaws.com');
export const EC2_TRUST_JSON = JSON.stringify(EC2_TRUST);
export const LAMBDA_TRUST = trustPolicy('lambda.amazonaws.com');
export const LAMBDA_TRUST_JSON = JSON.stringify(LAMBDA_TRUST);

/** Trust policies IAM refuses, with the MalformedPolicyDocument message for each. */
export const MALFORMED_TRUST = {
  invalidJson: { document: '{"Version": "2012-10-17", "Statement": [', message: 'This policy contains invalid Json' },
  withResource: {
    document: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole', Resource: '*' },
      ],
    }),
    message: 'Has prohibited field Resource',
  },
  notSts: {
    document: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 's3:GetObject' }],
    }),
    message: 'AssumeRole policy may only specify STS AssumeRole actions.',
  },
} as const;

/** AWS's error messages, word for word. */
export const messages = {
  roleNotFound: (role: string) => `The role with name ${role} cannot be found.`,
  profileNotFound: (profile: string) => `Instance Profile ${profile} cannot be found.`,
  roleNotInProfile: (role: string, profile: string) => `Role ${role} in Instance Profile ${profile} cannot be found.`,
  roleExists: (role: string) => `Role with name ${role} already exists.`,
  profileExists: (profile: string) => `Instance Profile ${profile} already exists.`,
  profileQuota: 'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1',
  removeRolesFirst: 'Cannot delete entity, must remove roles from instance profile first.',
  /** IAM's own wording for a name outside [\w+=,.@-]+ (wire-facts §2, seen in real IAM responses). */
  invalidRoleName:
    'The specified value for roleName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-',
  invalidToken: 'The security token included in the request is invalid.',
  signatureMismatch:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  ec2AuthFailure: 'AWS was not able to validate the provided access credentials',
} as const;

/** `1 validation error detected: Value 'v' at 'member' failed to satisfy constraint: …` */
export const validationMessage = (value: string, member: string, constraint: string) =>
  `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`;

/** IAM unique ids: a four-letter prefix and 17 characters of A–Z, 2–7. */
export const uniqueIdPattern = (prefix: 'AROA' | 'AIPA') => new RegExp(`^${prefix}[A-Z2-7]{17}$`);

/** Starts one rolecall for the enclosing suite and stops it afterwards, expecting a clean exit (code 0). */
export function useServer(options: StartOptions = {}): () => RolecallProcess {
  let server: RolecallProcess | undefined;
  before(async () => {
    server = await startRolecall(options);
  });
  after(async () => {
    if (!server) return;
    const code = await server.stop();
    removeDir(server.dataDir);
    assert.equal(code, 0, `rolecall exited with ${code}:\n${server.output()}`);
  });
  return () => {
    assert.ok(server, 'the server has not started');
    return server;
  };
}

/** Tag lists compare without regard to order: AWS does not document one (wire-facts §5). */
export const byKey = <T extends { Key?: string | undefined }>(tags: readonly T[] | undefined): T[] =>
  [...(tags ?? [])].sort((a, b) => (a.Key ?? '').localeCompare(b.Key ?? ''));

export const sorted = (names: readonly (string | undefined)[]): string[] =>
  names.map((n) => n ?? '<missing>').sort((a, b) => a.localeCompare(b));

// ---------------------------------------------------------------------------------------------------------------
// AWS CLI

/** The exit code of the AWS CLI when the service answered with an error: 255 in v1, 254 in v2. */
export function cliServiceErrorStatus(): number {
  const r = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  const major = /aws-cli\/(\d+)\./.exec(`${r.stdout}${r.stderr}`)?.[1];
  return major === '1' ? 255 : 254;
}

export interface CliCreds {
  readonly id: string;
  readonly secret: string;
}

/** Runs an AWS CLI command that must succeed and returns its JSON output ({} when it prints nothing). */
export function cliOk<T = Record<string, unknown>>(endpoint: string, args: readonly string[], creds?: CliCreds): T {
  const r = awsCli(endpoint, args, creds);
  assert.equal(r.status, 0, `aws ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return (r.stdout.trim() === '' ? {} : JSON.parse(r.stdout)) as T;
}

export interface CliOutput {
  readonly status: number | null;
  readonly stdout: string;
  /** The whole of stderr, trimmed. */
  readonly stderr: string;
}

/** Runs an AWS CLI command and returns its exit code and output, stderr trimmed. */
export function cliRun(endpoint: string, args: readonly string[], creds?: CliCreds): CliOutput {
  const r: CliResult = awsCli(endpoint, args, creds);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.trim() };
}

/** What the CLI prints on stderr for a service error. */
export const cliErrorLine = (code: string, operation: string, message: string) =>
  `An error occurred (${code}) when calling the ${operation} operation: ${message}`;

// ---------------------------------------------------------------------------------------------------------------
// boto3

/**
 * The start of every boto3 script: clients for the endpoint in the environment, botocore's own parameter checks
 * off (so the server's checks are what the tests see), no retries, and two helpers: `attempt` returns
 * {"ok": response} or {"error": {Code, Message, HTTPStatusCode}}, and `out` prints the result as JSON.
 */
const PYTHON_PRELUDE = `
import boto3, json
from botocore.config import Config
from botocore.exceptions import ClientError

CONFIG = Config(parameter_validation=False, retries={'total_max_attempts': 1})

def client(service, key=None, secret=None):
    if key is None:
        return boto3.client(service, config=CONFIG)
    return boto3.client(service, config=CONFIG, aws_access_key_id=key, aws_secret_access_key=secret)

iam = client('iam')
sts = client('sts')
ec2 = client('ec2')

def attempt(fn, **kwargs):
    try:
        response = fn(**kwargs)
        response.pop('ResponseMetadata', None)
        return {'ok': response}
    except ClientError as e:
        return {'error': {
            'Code': e.response['Error']['Code'],
            'Message': e.response['Error']['Message'],
            'HTTPStatusCode': e.response['ResponseMetadata']['HTTPStatusCode'],
        }}

def out(value):
    print(json.dumps(value, default=str))
`;

/** A Python expression for a JSON-compatible value (a JSON string literal is a valid Python string literal). */
export const py = (value: unknown): string => `json.loads(${JSON.stringify(JSON.stringify(value))})`;

/** Runs a boto3 script (after the prelude) and returns what its last `out(...)` printed. */
export function boto3Run<T>(endpoint: string, script: string): T {
  const r = python(endpoint, `${PYTHON_PRELUDE}\n${script}`);
  assert.equal(r.status, 0, `python failed (${r.status}):\n${r.stderr}\n${r.stdout}`);
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as T;
}

/** The error form `attempt` produces in the boto3 scripts. */
export interface Boto3Error {
  readonly Code: string;
  readonly Message: string;
  readonly HTTPStatusCode: number;
}
export type Attempt<T = Record<string, unknown>> = { ok: T } | { error: Boto3Error };

export const awsError = (Code: string, HTTPStatusCode: number, Message: string): { error: Boto3Error } => ({
  error: { Code, Message, HTTPStatusCode },
});

// ---------------------------------------------------------------------------------------------------------------
// SDK v3

interface SdkError {
  readonly name: string;
  readonly message: string;
  readonly Code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** IAM errors the service model declares: SDK v3 throws them as classes named `<Code>Exception`. */
const MODELLED_IAM_ERRORS = new Set([
  'NoSuchEntity',
  'EntityAlreadyExists',
  'LimitExceeded',
  'DeleteConflict',
  'MalformedPolicyDocument',
  'InvalidInput',
]);

export interface SdkAwsError {
  /** The AWS error code from the response (`Code`). */
  readonly code: string | undefined;
  readonly message: string;
  readonly status: number | undefined;
  /** The SDK's exception name. */
  readonly name: string;
}

/** The AWS error of a call that must fail. */
export async function awsErrorOf(call: Promise<unknown>): Promise<SdkAwsError> {
  try {
    await call;
  } catch (err) {
    const e = err as SdkError;
    return { code: e.Code, message: e.message, status: e.$metadata?.httpStatusCode, name: e.name };
  }
  assert.fail('the call succeeded, but an AWS error was expected');
}

/**
 * Awaits a call that must fail and checks its error exactly: the code, message and status on the wire, and that
 * the SDK recognised it (a modelled error becomes its own exception class).
 */
export async function rejectsWithAws(
  call: Promise<unknown>,
  expected: { readonly code: string; readonly message: string; readonly status: number },
): Promise<void> {
  const { code, message, status } = expected;
  const name = MODELLED_IAM_ERRORS.has(code) ? `${code}Exception` : code;
  assert.deepEqual(await awsErrorOf(call), { code, message, status, name });
}
