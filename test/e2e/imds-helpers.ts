/**
 * Helpers for the instance metadata end-to-end tests (test/e2e/imds.test.ts): setting up roles, profiles and
 * instances as the account root through SDK v3, moving rolecall's clock, raw requests to an instance's metadata
 * listener, and running the real clients — the AWS CLI, boto3 and SDK v3 — as workloads on an instance through
 * `rolecall run`, the way a user does. Workloads get this process's environment without any AWS_* or ROLECALL_*
 * variable, so only what `rolecall run` sets can lead them to credentials.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  AddRoleToInstanceProfileCommand,
  CreateAccessKeyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { EC2Client, RunInstancesCommand, type RunInstancesCommandInput } from '@aws-sdk/client-ec2';
import { STSClient } from '@aws-sdk/client-sts';
import { BIN, ROOT } from '../support/server.ts';
import { advanceClock } from '../support/clock.ts';
export { advanceClock };

export interface Creds {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export const ROOT_CREDS: Creds = { accessKeyId: 'test', secretAccessKey: 'test' };

type Statement = Record<string, unknown>;
export const doc = (...statements: Statement[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });
export const allow = (action: string | string[], resource: string | string[] = '*', condition?: object): Statement => ({
  Effect: 'Allow',
  Action: action,
  Resource: resource,
  ...(condition && { Condition: condition }),
});

// ---------------------------------------------------------------------------------------------------------------
// rolecall's clock and instance API

export async function clockNow(endpoint: string): Promise<Date> {
  const res = await fetch(new URL('/_rolecall/clock', endpoint));
  assert.equal(res.status, 200);
  return new Date(((await res.json()) as { now: string }).now);
}

export interface InstanceInfo {
  readonly instanceId: string;
  readonly account: string;
  readonly region: string;
  readonly state: string;
  readonly metadataEndpoint?: string;
}

/** GET /_rolecall/instances/ID, what `rolecall env` and `rolecall run` read. */
export async function instanceInfo(endpoint: string, instanceId: string): Promise<InstanceInfo> {
  const res = await fetch(new URL(`/_rolecall/instances/${instanceId}`, endpoint));
  assert.equal(res.status, 200, `no instance ${instanceId}`);
  return (await res.json()) as InstanceInfo;
}

/** Polls `probe` (every 50 ms, 5 s at most) until it returns a value other than undefined. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the instance is in `state`, with its metadata endpoint when running and none otherwise. */
export function waitForState(endpoint: string, instanceId: string, state: string): Promise<InstanceInfo> {
  return waitFor(`${instanceId} to be ${state}`, async () => {
    const info = await instanceInfo(endpoint, instanceId);
    const listening = info.metadataEndpoint !== undefined;
    return info.state === state && listening === (state === 'running') ? info : undefined;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Raw requests to a metadata listener

export interface ImdsReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One request to a metadata listener on a fresh connection; rejects when nothing listens there. */
export function imds(
  metadataEndpoint: string,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<ImdsReply> {
  const url = new URL(path, metadataEndpoint);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: options.method ?? 'GET', agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    for (const [name, value] of Object.entries(options.headers ?? {})) req.setHeader(name, value);
    req.on('error', reject);
    req.end();
  });
}

/** Whether connecting to the listener is refused. */
export async function refused(metadataEndpoint: string): Promise<boolean> {
  try {
    await imds(metadataEndpoint, '/latest/meta-data/instance-id');
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  }
}

export const TTL_HEADER = 'x-aws-ec2-metadata-token-ttl-seconds';
export const TOKEN_HEADER = 'x-aws-ec2-metadata-token';

/** An IMDSv2 token from the listener (PUT /latest/api/token). */
export async function imdsToken(metadataEndpoint: string, ttl = 300): Promise<string> {
  const r = await imds(metadataEndpoint, '/latest/api/token', {
    method: 'PUT',
    headers: { [TTL_HEADER]: String(ttl) },
  });
  assert.equal(r.status, 200, `token PUT answered ${r.status}`);
  return r.body;
}

/** A GET with an IMDSv2 token, as the SDKs read the metadata. */
export async function imdsV2(metadataEndpoint: string, path: string): Promise<ImdsReply> {
  const token = await imdsToken(metadataEndpoint);
  return imds(metadataEndpoint, path, { headers: { [TOKEN_HEADER]: token } });
}

export interface CredentialsDocument {
  readonly Code: string;
  readonly LastUpdated: string;
  readonly Type: string;
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
  readonly Token: string;
  readonly Expiration: string;
}

/** The role's credentials document as the instance serves it (IMDSv2). */
export async function credentialsDocument(metadataEndpoint: string, role: string): Promise<CredentialsDocument> {
  const r = await imdsV2(metadataEndpoint, `/latest/meta-data/iam/security-credentials/${role}`);
  assert.equal(r.status, 200, r.body);
  return JSON.parse(r.body) as CredentialsDocument;
}

export const credsOf = (d: CredentialsDocument): Creds => ({
  accessKeyId: d.AccessKeyId,
  secretAccessKey: d.SecretAccessKey,
  sessionToken: d.Token,
});

// ---------------------------------------------------------------------------------------------------------------
// Setting up, as the account root (SDK v3, in process)

export interface Profile {
  readonly name: string;
  readonly arn: string;
  readonly id: string;
}

export interface Role {
  readonly name: string;
  readonly arn: string;
  readonly id: string;
}

export class Cloud {
  private readonly clients: { destroy(): void }[] = [];
  readonly iam: IAMClient;
  readonly ec2: EC2Client;

  constructor(readonly endpoint: string) {
    this.iam = this.iamAs(ROOT_CREDS);
    this.ec2 = this.ec2As(ROOT_CREDS);
  }

  private options(credentials: Creds) {
    return { endpoint: this.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 };
  }
  iamAs(creds: Creds): IAMClient {
    const c = new IAMClient(this.options(creds));
    this.clients.push(c);
    return c;
  }
  ec2As(creds: Creds): EC2Client {
    const c = new EC2Client(this.options(creds));
    this.clients.push(c);
    return c;
  }
  stsAs(creds: Creds): STSClient {
    const c = new STSClient(this.options(creds));
    this.clients.push(c);
    return c;
  }
  destroy(): void {
    for (const c of this.clients.splice(0)) c.destroy();
  }

  async role(name: string, trust: string, policies: Record<string, string> = {}): Promise<Role> {
    const { Role: role } = await this.iam.send(
      new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }),
    );
    for (const [PolicyName, PolicyDocument] of Object.entries(policies)) {
      await this.iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName, PolicyDocument }));
    }
    assert.ok(role?.Arn && role.RoleId);
    return { name, arn: role.Arn, id: role.RoleId };
  }

  async profile(name: string, role?: string): Promise<Profile> {
    const { InstanceProfile: p } = await this.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name }));
    if (role !== undefined) {
      await this.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: role }));
    }
    assert.ok(p?.Arn && p.InstanceProfileId);
    return { name, arn: p.Arn, id: p.InstanceProfileId };
  }

  /** A user with one inline policy and an access key. */
  async user(name: string, policy: string): Promise<Creds> {
    await this.iam.send(new CreateUserCommand({ UserName: name }));
    await this.iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: policy }));
    const { AccessKey: key } = await this.iam.send(new CreateAccessKeyCommand({ UserName: name }));
    assert.ok(key?.AccessKeyId && key.SecretAccessKey);
    return { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
  }

  /** Launches instances (as root unless `ec2` says otherwise) and waits until their metadata service listens. */
  async launch(input: Partial<RunInstancesCommandInput> = {}, ec2 = this.ec2): Promise<string[]> {
    const out = await ec2.send(
      new RunInstancesCommand({ ImageId: 'ami-0abcdef1234567890', MinCount: 1, MaxCount: 1, ...input }),
    );
    const ids = (out.Instances ?? []).map((i) => i.InstanceId ?? '');
    await this.settle(ids, 'running');
    return ids;
  }

  /** Moves the clock past a transition (500 ms on rolecall's clock) and waits for the instances to be in `state`. */
  async settle(ids: readonly string[], state: string): Promise<InstanceInfo[]> {
    await advanceClock(this.endpoint, 1);
    return Promise.all(ids.map((id) => waitForState(this.endpoint, id, state)));
  }

  async metadataEndpoint(instanceId: string): Promise<string> {
    const info = await waitForState(this.endpoint, instanceId, 'running');
    assert.ok(info.metadataEndpoint);
    return info.metadataEndpoint;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The `rolecall` command and workloads under `rolecall run`

export interface Outcome {
  readonly status: number | null;
  readonly stdout: string;
  /** Trimmed. */
  readonly stderr: string;
}

/** This process's environment without AWS_* and ROLECALL_* variables, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('AWS_') && !k.startsWith('ROLECALL_')) env[k] = v;
  }
  return { ...env, AWS_PAGER: '', ...extra };
}

/** Runs `rolecall ARGS…` (the built bin). */
export function rolecall(args: readonly string[], env: Record<string, string> = cleanEnv()): Outcome {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.trim() };
}

/** Runs COMMAND as a workload on the instance: `rolecall run --instance ID --endpoint E -- COMMAND…`. */
export function onInstance(
  endpoint: string,
  instanceId: string,
  command: readonly string[],
  env: Record<string, string> = cleanEnv(),
): Outcome {
  return rolecall(['run', '--instance', instanceId, '--endpoint', endpoint, '--', ...command], env);
}

/** `aws --output json ARGS…` on the instance. */
export function cliOn(endpoint: string, instanceId: string, args: readonly string[]): Outcome {
  return onInstance(endpoint, instanceId, ['aws', '--output', 'json', ...args]);
}

export function cliJsonOn<T = Record<string, unknown>>(
  endpoint: string,
  instanceId: string,
  args: readonly string[],
): T {
  const r = cliOn(endpoint, instanceId, args);
  assert.equal(r.status, 0, `aws ${args.join(' ')} on ${instanceId} failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/**
 * The start of every boto3 workload: clients from the default session (credentials from the instance), no
 * retries, `attempt` returning {"ok": response} or {"error": {Code, Message, HTTPStatusCode}}, `key()` the access
 * key id the session resolved (None without credentials) and `out` printing JSON.
 */
const PYTHON_PRELUDE = `
import boto3, json
from botocore.config import Config
from botocore.exceptions import ClientError

CONFIG = Config(retries={'total_max_attempts': 1})
session = boto3.Session()
sts = session.client('sts', config=CONFIG)
iam = session.client('iam', config=CONFIG)

def key():
    c = session.get_credentials()
    return None if c is None else c.get_frozen_credentials().access_key

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

/** A Python expression for a JSON value. */
export const py = (value: unknown): string => `json.loads(${JSON.stringify(JSON.stringify(value))})`;

/** Runs a boto3 script (after the prelude) on the instance; returns what its last line printed. */
export function boto3On<T>(endpoint: string, instanceId: string, script: string): T {
  const r = onInstance(endpoint, instanceId, ['python3', '-c', `${PYTHON_PRELUDE}\n${script}`]);
  assert.equal(r.status, 0, `python on ${instanceId} failed (${r.status}):\n${r.stderr}\n${r.stdout}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as T;
}

/**
 * The SDK v3 workload: a CommonJS script (found through NODE_PATH, since ESM ignores it) that builds STS and IAM
 * clients from the environment alone, resolves their default credential chain, makes the calls it is given and
 * prints {key, results}: each result {ok: output} or {error: {code, message, status}}.
 */
const SDK_V3_SCRIPT = `
const sts = require('@aws-sdk/client-sts');
const iam = require('@aws-sdk/client-iam');
const calls = JSON.parse(process.argv[2] || '[]');
(async () => {
  const clients = { sts: new sts.STSClient({ maxAttempts: 1 }), iam: new iam.IAMClient({ maxAttempts: 1 }) };
  const modules = { sts, iam };
  let key = null;
  try {
    key = (await clients.sts.config.credentials()).accessKeyId;
  } catch (e) {
    key = { error: e.name + ': ' + e.message };
  }
  const results = [];
  for (const [service, command, input] of calls) {
    try {
      const { $metadata, ...output } = await clients[service].send(new modules[service][command + 'Command'](input || {}));
      results.push({ ok: output });
    } catch (e) {
      results.push({ error: { code: e.Code ?? e.name, message: e.message, status: e.$metadata?.httpStatusCode } });
    }
  }
  console.log(JSON.stringify({ key, results }));
})();
`;

let sdkScriptPath: string | undefined;
/** Removes the SDK v3 workload script's folder, if it was written. */
export const removeSdkScript = (): void => {
  if (sdkScriptPath !== undefined) rmSync(dirname(sdkScriptPath), { recursive: true, force: true });
  sdkScriptPath = undefined;
};
/** The path of the SDK v3 workload script (written once into a temporary folder); run it with NODE_PATH set. */
export const sdkScript = (): string => {
  if (sdkScriptPath === undefined) {
    sdkScriptPath = join(mkdtempSync(join(tmpdir(), 'rolecall-imds-sdk-')), 'workload.cjs');
    writeFileSync(sdkScriptPath, SDK_V3_SCRIPT);
  }
  return sdkScriptPath;
};

/** Where the SDK v3 workload finds the project's @aws-sdk packages. */
export const NODE_PATH = join(ROOT, 'node_modules');

export type SdkResult =
  | { readonly ok: Record<string, unknown> }
  | { readonly error: { readonly code: string; readonly message: string; readonly status?: number } };

export interface SdkOutcome {
  /** The access key id the default chain resolved, or the error it gave. */
  readonly key: string | { readonly error: string };
  readonly results: SdkResult[];
}

/** Runs the SDK v3 workload on the instance with calls like ['iam', 'GetRole', {RoleName}]. */
export function sdkV3On(
  endpoint: string,
  instanceId: string,
  calls: readonly (readonly [service: 'sts' | 'iam', command: string, input?: Record<string, unknown>])[],
  env: Record<string, string> = cleanEnv(),
): SdkOutcome {
  const r = onInstance(endpoint, instanceId, [process.execPath, sdkScript(), JSON.stringify(calls)], {
    ...env,
    NODE_PATH,
  });
  assert.equal(r.status, 0, `node on ${instanceId} failed (${r.status}):\n${r.stderr}\n${r.stdout}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as SdkOutcome;
}

// ---------------------------------------------------------------------------------------------------------------
// AWS's texts

export const ACCOUNT = '000000000000';
export const sessionArn = (role: string, instanceId: string) =>
  `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${instanceId}`;
export const instanceArn = (instanceId: string, region = 'us-east-1') =>
  `arn:aws:ec2:${region}:${ACCOUNT}:instance/${instanceId}`;
export const noAllow = (who: string, action: string, resource: string | undefined) =>
  `User: ${who} is not authorized to perform: ${action}${resource === undefined ? '' : ` on resource: ${resource}`} because no identity-based policy allows the ${action} action`;
export const EXPIRED_TOKEN = 'The security token included in the request is expired';
/** IMDS timestamps: seconds, no milliseconds. */
export const IMDS_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
