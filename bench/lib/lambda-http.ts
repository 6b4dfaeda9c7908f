/**
 * lambda-invoke's HTTP figures: warm invocations through rolecall's Lambda API (`POST
 * /2015-03-31/functions/<name>/invocations`, signed as the root), when the built rolecall serves it. Set up with
 * IAM CreateRole (trusting lambda.amazonaws.com) and Lambda CreateFunction (the handler zipped); any setup step
 * that does not answer as AWS does makes the figures `skipped`, with the reply, rather than failing the run.
 */
import { Agent } from 'node:http';
import { zipSync } from 'fflate';
import { send, sendSigned, type Reply } from './http.ts';
import { signRequest, type RestRequest } from './sign.ts';
import { startRolecallTarget, HOST, type Target } from './targets.ts';
import { REGION, ROOT } from './aws.ts';

const ROLE = 'bench-lambda-role';
const FUNCTION = 'bench-lambda-http';
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

export type HttpFigures =
  { readonly skipped: string } | { readonly samples: number[]; readonly firstMs: number; readonly perSecond: number };

const lambda = (method: string, path: string, body: string): RestRequest => ({
  ...ROOT,
  region: REGION,
  host: HOST,
  service: 'lambda',
  method,
  path,
  headers: body === '' ? {} : { 'content-type': 'application/json' },
  body,
});

const brief = (reply: Reply) => `${reply.status} ${reply.body.toString('utf8').slice(0, 300)}`;

async function setUp(target: Target, handler: string): Promise<string | undefined> {
  const role = await sendSigned(target, {
    ...ROOT,
    region: REGION,
    host: HOST,
    service: 'iam',
    body: new URLSearchParams({
      Action: 'CreateRole',
      RoleName: ROLE,
      AssumeRolePolicyDocument: TRUST,
      Version: '2010-05-08',
    }).toString(),
  });
  if (role.status !== 200) return `IAM CreateRole answered ${brief(role)}`;
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(role.body.toString('utf8'))?.[1];
  const zip = Buffer.from(zipSync({ 'index.js': new TextEncoder().encode(handler) })).toString('base64');
  const create = await sendSigned(
    target,
    lambda(
      'POST',
      '/2015-03-31/functions',
      JSON.stringify({
        FunctionName: FUNCTION,
        Runtime: 'nodejs20.x',
        Role: arn,
        Handler: 'index.handler',
        Code: { ZipFile: zip },
      }),
    ),
  );
  if (create.status !== 201) return `Lambda CreateFunction answered ${brief(create)}`;
  // A new function is Pending for a moment on AWS; wait until it is Active.
  for (let i = 0; i < 100; i++) {
    const got = await sendSigned(target, lambda('GET', `/2015-03-31/functions/${FUNCTION}/configuration`, ''));
    const state = (JSON.parse(got.body.toString('utf8') || '{}') as { State?: string }).State;
    if (got.status === 200 && (state === undefined || state === 'Active')) return undefined;
    await new Promise((r) => setTimeout(r, 50));
  }
  return 'the function did not become Active in 5 s';
}

/** Warm invocations one at a time over one keep-alive connection for `seconds`, after the first (cold) one. */
export async function measureHttpInvoke(handler: string, seconds: number): Promise<HttpFigures> {
  let target: Target | undefined;
  try {
    target = await startRolecallTarget({ name: 'rolecall' });
    const problem = await setUp(target, handler);
    if (problem !== undefined) return { skipped: problem };
    const request = lambda('POST', `/2015-03-31/functions/${FUNCTION}/invocations`, '{"n":1}');
    // Signed once: a signature stays valid for 15 minutes, and the body is the same every time.
    const headers = await signRequest(request);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const once = async () => {
      const started = performance.now();
      const reply = await send(target as Target, 'POST', request.path, headers, request.body, agent);
      const elapsed = performance.now() - started;
      const text = reply.body.toString('utf8');
      if (reply.status !== 200 || reply.headers['x-amz-function-error'] !== undefined || !text.includes('"n":1')) {
        throw new Error(`Invoke answered ${reply.status}: ${text.slice(0, 300)}`);
      }
      return elapsed;
    };
    let firstMs: number;
    try {
      firstMs = await once();
    } catch (err) {
      return { skipped: (err as Error).message };
    }
    for (let i = 0; i < 200; i++) await once(); // not counted
    const samples: number[] = [];
    const began = performance.now();
    const until = began + seconds * 1000;
    while (performance.now() < until) samples.push(await once());
    agent.destroy();
    return { samples, firstMs, perSecond: samples.length / ((performance.now() - began) / 1000) };
  } finally {
    await target?.stop();
  }
}
