/**
 * Small pieces the S3 and CloudWatch Logs scenarios share: the root's signing, an IAM user with no policy at all
 * (to show that a target really authorizes what it serves), and replies turned into what the bare server replays.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { expectOk, sendSigned, type Endpoint, type Reply } from './http.ts';
import type { QueryRequest, RestRequest } from './sign.ts';
import { HOST } from './targets.ts';

export const REGION = 'us-east-1';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Root of the default account, as rolecall's banner prints it. */
export const ROOT: Credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** A request's headers as the bare server replays them (one string per header). */
export function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

const iam = (action: string, params: Record<string, string>): QueryRequest => ({
  ...ROOT,
  region: REGION,
  host: HOST,
  service: 'iam',
  body: new URLSearchParams({ Action: action, ...params, Version: '2010-05-08' }).toString(),
});

function element(reply: Reply, name: string): string {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(reply.body.toString('utf8'));
  if (match?.[1] === undefined) throw new Error(`no <${name}> in:\n${reply.body.toString('utf8')}`);
  return match[1];
}

/** Creates the IAM user `name`, with no policy, and returns a fresh access key of it (made as the root). */
export async function policylessUser(target: Endpoint & { name: string }, name: string): Promise<Credentials> {
  await expectOk(target, iam('CreateUser', { UserName: name }), `${target.name} CreateUser`);
  const key = await expectOk(target, iam('CreateAccessKey', { UserName: name }), `${target.name} CreateAccessKey`);
  return { accessKeyId: element(key, 'AccessKeyId'), secretAccessKey: element(key, 'SecretAccessKey') };
}

/**
 * Throws unless `request` (signed by a user without any policy) is refused with `status` and a body containing
 * `code`: a server that does not authorize what it is measured authorizing fails the run before any load.
 */
export async function expectDenied(
  target: Endpoint & { name: string },
  request: RestRequest,
  status: number,
  code: string,
  what: string,
): Promise<void> {
  const reply = await sendSigned(target, request);
  const text = reply.body.toString('utf8');
  if (reply.status !== status || !text.includes(code)) {
    throw new Error(
      `${target.name}: enforcement is not on: ${what} by a user without any policy answered ${reply.status}, ` +
        `not ${status} ${code}:\n${text.slice(0, 2000)}`,
    );
  }
}
