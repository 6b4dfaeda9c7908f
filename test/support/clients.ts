/**
 * Real AWS clients for end-to-end tests, and whether this machine has them. A test that needs one skips with
 * the reason when it is missing, so `npm test` passes on a machine with only Node; .ci/run installs them all.
 */
import { spawnSync } from 'node:child_process';

const works = (cmd: string, args: string[]): boolean => {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.status === 0;
};

/** CI sets RC_TEST_REQUIRE_CLIENTS=1 so that a missing client fails the run instead of skipping tests. */
function skipReason(available: boolean, reason: string): string | false {
  if (available) return false;
  if (process.env['RC_TEST_REQUIRE_CLIENTS'] === '1') throw new Error(`${reason}, and RC_TEST_REQUIRE_CLIENTS=1`);
  return reason;
}

/** Why the AWS CLI tests cannot run here, or false when they can. */
export const noAwsCli: string | false = skipReason(works('aws', ['--version']), 'the AWS CLI (aws) is not installed');

/** Why the boto3 tests cannot run here, or false when they can. */
export const noBoto3: string | false = skipReason(
  works('python3', ['-c', 'import boto3']),
  'python3 with boto3 is not installed',
);

/** Environment for a client process pointed at a rolecall endpoint, with no other credential source in reach. */
export function clientEnv(endpoint: string, accessKeyId = 'test', secretAccessKey = 'test'): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('AWS_')) env[k] = v;
  return {
    ...env,
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: endpoint,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
}

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `aws ARGS…` against the endpoint. */
export function awsCli(endpoint: string, args: readonly string[], creds?: { id: string; secret: string }): CliResult {
  const r = spawnSync('aws', ['--output', 'json', ...args], {
    env: clientEnv(endpoint, creds?.id, creds?.secret),
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a python3 script (boto3 available) with the endpoint in its environment; the script prints JSON. */
export function python(endpoint: string, script: string, creds?: { id: string; secret: string }): CliResult {
  const r = spawnSync('python3', ['-c', script], {
    env: clientEnv(endpoint, creds?.id, creds?.secret),
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
