/**
 * Signed IAM GetRole over HTTP: rolecall against the bare node:http ceiling (answering GetRole's exact bytes) and
 * moto_server when installed, at each concurrency. Goal (from the issue): rolecall reaches at least half the
 * bare server's rate.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { expectOk } from '../lib/http.ts';
import type { MeasuredPoint, Scenario, ScenarioContext, ScenarioResult, TargetReport } from '../lib/scenario.ts';
import type { QueryRequest } from '../lib/sign.ts';
import { HOST, onPath, startBareTarget, startMotoTarget, startRolecallTarget, type Target } from '../lib/targets.ts';

const ROLE_NAME = 'bench-role';
const EXPECT_TEXT = `<RoleName>${ROLE_NAME}</RoleName>`;
const TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** Root of the default account (`test`/`test`), as rolecall's banner and moto's defaults both accept. */
const SIGNING = {
  service: 'iam',
  region: 'us-east-1',
  accessKeyId: 'test',
  secretAccessKey: 'test',
  host: HOST,
} as const;

export const GET_ROLE: QueryRequest = {
  ...SIGNING,
  body: `Action=GetRole&RoleName=${ROLE_NAME}&Version=2010-05-08`,
};

const CREATE_ROLE: QueryRequest = {
  ...SIGNING,
  body: new URLSearchParams({
    Action: 'CreateRole',
    RoleName: ROLE_NAME,
    AssumeRolePolicyDocument: TRUST_POLICY,
    Version: '2010-05-08',
  }).toString(),
};

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const targets: Target[] = [];
  const reports: TargetReport[] = [];
  const points: MeasuredPoint[] = [];
  try {
    const rolecall = await startRolecallTarget({ cpuProfile: ctx.profilePath('rolecall') });
    targets.push(rolecall);
    reports.push({ name: rolecall.name, description: rolecall.description, skipped: undefined });
    await expectOk(rolecall, CREATE_ROLE, 'rolecall CreateRole');
    const sample = await expectOk(rolecall, GET_ROLE, 'rolecall GetRole');
    if (!sample.body.includes(EXPECT_TEXT)) throw new Error(`rolecall GetRole lacks ${EXPECT_TEXT}: ${sample.body}`);
    ctx.log(`rolecall GetRole reply: ${sample.body.length} bytes, content-type ${sample.headers['content-type']}`);

    const bare = await startBareTarget(sample.body, flatHeaders(sample.headers));
    targets.push(bare);
    reports.push({ name: bare.name, description: bare.description, skipped: undefined });
    const replayed = await expectOk(bare, GET_ROLE, 'bare GetRole');
    if (!replayed.body.equals(sample.body)) throw new Error('the bare server does not replay rolecall’s body exactly');

    const motoReport = (skipped: string | undefined, description = 'moto_server'): TargetReport => ({
      name: 'moto',
      description,
      skipped,
    });
    const motoExecutable = onPath('moto_server');
    if (!ctx.options.moto) reports.push(motoReport('--no-moto was given'));
    else if (motoExecutable === undefined) reports.push(motoReport('moto_server is not on PATH'));
    else {
      let moto: Target | undefined;
      try {
        moto = await startMotoTarget(motoExecutable);
        targets.push(moto);
        await expectOk(moto, CREATE_ROLE, 'moto CreateRole');
        const motoSample = await expectOk(moto, GET_ROLE, 'moto GetRole');
        if (!motoSample.body.includes(EXPECT_TEXT)) throw new Error(`moto GetRole lacks ${EXPECT_TEXT}`);
        ctx.log(`moto GetRole reply: ${motoSample.body.length} bytes`);
        reports.push(motoReport(undefined, moto.description));
      } catch (err) {
        const reason = `moto_server is installed but could not be used: ${(err as Error).message}`;
        ctx.log(`skipping moto: ${reason}`);
        reports.push(motoReport(reason, `moto_server (${motoExecutable})`));
        if (moto !== undefined) {
          targets.splice(targets.indexOf(moto), 1);
          await moto.stop();
        }
      }
    }

    const load = (target: Target) => ({
      request: GET_ROLE,
      // rolecall and the bare replay send the same number of bytes every time; moto's reply is its own.
      expectBodyBytes: target.name === 'moto' ? undefined : sample.body.length,
      expectBodyText: EXPECT_TEXT,
    });
    for (const target of targets) await ctx.prime(target, load(target));
    // Interleaved (every target at one concurrency, then the next), so the ratios compare neighbours in time.
    for (let round = 0; round < ctx.options.rounds; round++) {
      for (const concurrency of ctx.options.concurrency) {
        for (const target of targets) points.push(await ctx.measure(round, target, { ...load(target), concurrency }));
      }
    }
  } finally {
    for (const target of targets.reverse()) await target.stop();
  }
  return {
    name: scenario.name,
    description: scenario.description,
    targets: reports,
    points,
    goal: { target: 'rolecall', baseline: 'bare', atLeast: 0.5 },
    comparisons: [{ target: 'rolecall', baseline: 'moto' }],
  };
}

export const scenario: Scenario = {
  name: 'get-role',
  description: 'SigV4-signed IAM GetRole (POST /, form-encoded) over keep-alive HTTP',
  run,
};
