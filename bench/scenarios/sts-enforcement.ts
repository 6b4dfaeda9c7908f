/**
 * Enforcement over HTTP: sts:AssumeRole signed by an IAM user's key (the role's trust policy and the user's
 * identity policy both evaluated, RoleLastUsed written on every call) and iam:GetRole signed with the session
 * credentials that AssumeRole issued (the session's role policy evaluated). Each request kind gets its own table:
 * rolecall with enforcement on, the same server with `--enforce off`, a bare node:http server replaying
 * rolecall's exact reply, and moto_server when installed (moto does not enforce: it gets the same actions signed
 * as its default root). The cost of authorization is the difference in server CPU per request between
 * rolecall and rolecall-off. Goal (from the issue): an authorized GetRole reaches at least half the bare rate.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { expectOk, sendSigned, type Reply } from '../lib/http.ts';
import type {
  MeasuredPoint,
  PointRequest,
  Scenario,
  ScenarioContext,
  ScenarioResult,
  TargetReport,
} from '../lib/scenario.ts';
import type { QueryRequest } from '../lib/sign.ts';
import { HOST, onPath, startBareTarget, startMotoTarget, startRolecallTarget, type Target } from '../lib/targets.ts';

const USER_NAME = 'bench-user';
const ROLE_NAME = 'bench-role';
const SESSION_NAME = 'bench';
const IAM_VERSION = '2010-05-08';
const STS_VERSION = '2011-06-15';
/** The setup session outlives any run (AssumeRole's default hour would not: --rounds 20 --seconds 60 …). */
const SESSION_SECONDS = 43_200;

const ASSUME_TEXT = '<AccessKeyId>ASIA';
const GET_ROLE_TEXT = `<RoleName>${ROLE_NAME}</RoleName>`;

const REGION = 'us-east-1';
/** Root of the default account (`test`/`test`), as rolecall's banner and moto's defaults both accept. */
const ROOT = { region: REGION, accessKeyId: 'test', secretAccessKey: 'test', host: HOST } as const;

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
const iam = (action: string, params: Record<string, string> = {}, creds: Credentials = ROOT): QueryRequest => ({
  ...ROOT,
  ...creds,
  service: 'iam',
  body: form({ Action: action, ...params, Version: IAM_VERSION }),
});
const sts = (action: string, params: Record<string, string>, creds: Credentials = ROOT): QueryRequest => ({
  ...ROOT,
  ...creds,
  service: 'sts',
  body: form({ Action: action, ...params, Version: STS_VERSION }),
});
const policy = (action: string, resource: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });

/** The text of the first `<name>` element in an XML reply, unescaped; throws when there is none. */
function element(reply: Reply, name: string, what: string): string {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(reply.body.toString('utf8'));
  if (match?.[1] === undefined) throw new Error(`${what}: no <${name}> in the reply:\n${reply.body.toString('utf8')}`);
  return match[1]
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function expectText(reply: Reply, text: string, what: string): Reply {
  if (!reply.body.includes(text)) {
    throw new Error(`${what}: the reply lacks ${text}:\n${reply.body.toString('utf8').slice(0, 2000)}`);
  }
  return reply;
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** What one target is sent, and one sample reply of each kind. */
export interface Prepared {
  readonly assumeRole: QueryRequest;
  readonly getRole: QueryRequest;
  readonly assumeSample: Reply;
  readonly getSample: Reply;
}

/**
 * The user, its key, the role (trusting the user by ARN, with an inline policy allowing iam:GetRole on itself)
 * and the user's identity policy allowing sts:AssumeRole on the role, all made as the root. Returns the role's
 * ARN and the user's ARN.
 */
async function createEntities(target: Target, name: string): Promise<{ roleArn: string; userArn: string }> {
  const userArn = element(
    await expectOk(target, iam('CreateUser', { UserName: USER_NAME }), `${name} CreateUser`),
    'Arn',
    `${name} CreateUser`,
  );
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: userArn }, Action: 'sts:AssumeRole' }],
  });
  const created = await expectOk(
    target,
    iam('CreateRole', {
      RoleName: ROLE_NAME,
      AssumeRolePolicyDocument: trust,
      MaxSessionDuration: String(SESSION_SECONDS),
    }),
    `${name} CreateRole`,
  );
  const roleArn = element(created, 'Arn', `${name} CreateRole`);
  await expectOk(
    target,
    iam('PutRolePolicy', {
      RoleName: ROLE_NAME,
      PolicyName: 'bench-get-role',
      PolicyDocument: policy('iam:GetRole', roleArn),
    }),
    `${name} PutRolePolicy`,
  );
  await expectOk(
    target,
    iam('PutUserPolicy', {
      UserName: USER_NAME,
      PolicyName: 'bench-assume-role',
      PolicyDocument: policy('sts:AssumeRole', roleArn),
    }),
    `${name} PutUserPolicy`,
  );
  return { roleArn, userArn };
}

/**
 * rolecall (either mode): the entities, an access key for the user, and one AssumeRole by that key for the
 * session credentials GetRole is signed with. With enforcement on, the session must be refused an action its
 * role does not allow (ListRoles); with it off, allowed: a server that does not enforce what it is said to
 * enforce fails the run here, before anything is measured.
 */
export async function prepareRolecall(target: Target, enforced: boolean): Promise<Prepared> {
  const name = target.name;
  const { roleArn } = await createEntities(target, name);
  const keyReply = await expectOk(target, iam('CreateAccessKey', { UserName: USER_NAME }), `${name} CreateAccessKey`);
  const userKey: Credentials = {
    accessKeyId: element(keyReply, 'AccessKeyId', `${name} CreateAccessKey`),
    secretAccessKey: element(keyReply, 'SecretAccessKey', `${name} CreateAccessKey`),
  };
  const setup = expectText(
    await expectOk(
      target,
      sts(
        'AssumeRole',
        { RoleArn: roleArn, RoleSessionName: 'bench-setup', DurationSeconds: String(SESSION_SECONDS) },
        userKey,
      ),
      `${name} AssumeRole (setup)`,
    ),
    ASSUME_TEXT,
    `${name} AssumeRole (setup)`,
  );
  const session: Credentials = {
    accessKeyId: element(setup, 'AccessKeyId', `${name} AssumeRole`),
    secretAccessKey: element(setup, 'SecretAccessKey', `${name} AssumeRole`),
    sessionToken: element(setup, 'SessionToken', `${name} AssumeRole`),
  };

  const denied = await sendSigned(target, iam('ListRoles', {}, session));
  const deniedText = denied.body.toString('utf8');
  if (enforced && !(denied.status === 403 && deniedText.includes('AccessDenied'))) {
    throw new Error(
      `${name}: enforcement is not on: the session's ListRoles (which its role does not allow) answered ` +
        `${denied.status}, not 403 AccessDenied:\n${deniedText.slice(0, 2000)}`,
    );
  }
  if (!enforced && denied.status !== 200) {
    throw new Error(
      `${name}: enforcement is not off: the session's ListRoles answered ${denied.status}, not 200:\n${deniedText.slice(0, 2000)}`,
    );
  }

  const assumeRole = sts('AssumeRole', { RoleArn: roleArn, RoleSessionName: SESSION_NAME }, userKey);
  const getRole = iam('GetRole', { RoleName: ROLE_NAME }, session);
  // After the setup AssumeRole, so the GetRole sample already carries RoleLastUsed, as every measured reply does.
  const assumeSample = expectText(
    await expectOk(target, assumeRole, `${name} AssumeRole`),
    ASSUME_TEXT,
    `${name} AssumeRole`,
  );
  const getSample = expectText(await expectOk(target, getRole, `${name} GetRole`), GET_ROLE_TEXT, `${name} GetRole`);
  return { assumeRole, getRole, assumeSample, getSample };
}

/** moto: the same entities, and the same two actions signed as its default root (moto does not enforce). */
async function prepareMoto(target: Target): Promise<Prepared> {
  const { roleArn } = await createEntities(target, 'moto');
  const assumeRole = sts('AssumeRole', { RoleArn: roleArn, RoleSessionName: SESSION_NAME });
  const getRole = iam('GetRole', { RoleName: ROLE_NAME });
  const assumeSample = expectText(
    await expectOk(target, assumeRole, 'moto AssumeRole'),
    ASSUME_TEXT,
    'moto AssumeRole',
  );
  const getSample = expectText(await expectOk(target, getRole, 'moto GetRole'), GET_ROLE_TEXT, 'moto GetRole');
  return { assumeRole, getRole, assumeSample, getSample };
}

interface Kind {
  readonly key: 'assume-role' | 'get-role';
  readonly description: string;
  readonly text: string;
  /** Every reply is searched for `text` (AssumeRole), or one in 256 plus an exact byte count (GetRole). */
  readonly checkEvery: number | undefined;
  readonly exactBytes: boolean;
  readonly request: (p: Prepared) => QueryRequest;
  readonly sample: (p: Prepared) => Reply;
}

const KINDS: readonly Kind[] = [
  {
    key: 'assume-role',
    description:
      `sts:AssumeRole (RoleSessionName=${SESSION_NAME}) signed with an IAM user's access key: the role's trust ` +
      `policy and the user's identity policy evaluated, a session token sealed and RoleLastUsed written per call`,
    text: ASSUME_TEXT,
    checkEvery: 1,
    // Fresh keys and token every time: the length is not guaranteed, so every reply is checked for the text instead.
    exactBytes: false,
    request: (p) => p.assumeRole,
    sample: (p) => p.assumeSample,
  },
  {
    key: 'get-role',
    description:
      'iam:GetRole signed with AssumeRole session credentials (X-Amz-Security-Token signed): the token opened and ' +
      "the role's inline policy evaluated per call",
    text: GET_ROLE_TEXT,
    checkEvery: undefined,
    exactBytes: true,
    request: (p) => p.getRole,
    sample: (p) => p.getSample,
  },
];

const MOTO_NOTE = 'does not enforce IAM policies: it gets the same actions signed as its default root test/test';

async function run(ctx: ScenarioContext): Promise<ScenarioResult[]> {
  const targets: Target[] = [];
  const results: ScenarioResult[] = [];
  try {
    const rolecall = await startRolecallTarget({
      name: 'rolecall',
      serveArgs: ['--enforce', 'on'],
      cpuProfile: ctx.profilePath('rolecall'),
    });
    targets.push(rolecall);
    const off = await startRolecallTarget({
      name: 'rolecall-off',
      serveArgs: ['--enforce', 'off'],
      cpuProfile: ctx.profilePath('rolecall-off'),
    });
    targets.push(off);
    const prepared = new Map<Target, Prepared>();
    prepared.set(rolecall, await prepareRolecall(rolecall, true));
    prepared.set(off, await prepareRolecall(off, false));
    const main = prepared.get(rolecall) as Prepared;
    for (const kind of KINDS) {
      ctx.log(
        `rolecall ${kind.key} reply: ${kind.sample(main).body.length} bytes, ` +
          `request ${Buffer.byteLength(kind.request(main).body)} bytes of body` +
          (kind.request(main).sessionToken === undefined ? '' : ' + session token'),
      );
    }

    // One bare server per kind, each replaying rolecall's own reply of that kind, byte for byte.
    const bares = new Map<Kind['key'], Target>();
    for (const kind of KINDS) {
      const sample = kind.sample(main);
      const bare = await startBareTarget(sample.body, flatHeaders(sample.headers), `${kind.key} reply`);
      targets.push(bare);
      bares.set(kind.key, bare);
      const replayed = await expectOk(bare, kind.request(main), `bare ${kind.key}`);
      if (!replayed.body.equals(sample.body))
        throw new Error(`the bare server does not replay rolecall's ${kind.key} reply exactly`);
    }

    let moto: Target | undefined;
    let motoReport: TargetReport;
    const motoExecutable = onPath('moto_server');
    const skippedMoto = (skipped: string, description = 'moto_server'): TargetReport => ({
      name: 'moto',
      description,
      skipped,
    });
    if (!ctx.options.moto) motoReport = skippedMoto('--no-moto was given');
    else if (motoExecutable === undefined) motoReport = skippedMoto('moto_server is not on PATH');
    else {
      try {
        moto = await startMotoTarget(motoExecutable);
        targets.push(moto);
        prepared.set(moto, await prepareMoto(moto));
        motoReport = { name: 'moto', description: `${moto.description}; ${MOTO_NOTE}`, skipped: undefined };
      } catch (err) {
        const reason = `moto_server is installed but could not be used: ${(err as Error).message}`;
        ctx.log(`skipping moto: ${reason}`);
        motoReport = skippedMoto(reason, `moto_server (${motoExecutable})`);
        if (moto !== undefined) {
          targets.splice(targets.indexOf(moto), 1);
          await moto.stop();
          moto = undefined;
        }
      }
    }

    for (const kind of KINDS) {
      const bare = bares.get(kind.key) as Target;
      const measured = [rolecall, off, bare, ...(moto === undefined ? [] : [moto])];
      const load = (target: Target): Omit<PointRequest, 'concurrency'> => {
        const own = prepared.get(target) ?? main; // the bare server is sent rolecall's request
        const bytes = kind.sample(own).body.length;
        return {
          request: kind.request(own),
          expectBodyBytes: target === bare || (kind.exactBytes && target !== moto) ? bytes : undefined,
          expectBodyText: kind.text,
          fullCheckEvery: kind.checkEvery,
        };
      };
      ctx.log(`${kind.key}: priming and measuring ${measured.map((t) => t.name).join(', ')}`);
      for (const target of measured) await ctx.prime(target, load(target));
      const points: MeasuredPoint[] = [];
      // Interleaved (every target at one concurrency, then the next), so the ratios compare neighbours in time.
      for (let round = 0; round < ctx.options.rounds; round++) {
        for (const concurrency of ctx.options.concurrency) {
          for (const target of measured) {
            points.push(await ctx.measure(round, target, { ...load(target), concurrency }));
          }
        }
      }
      const reports: TargetReport[] = [
        ...[rolecall, off, bare].map((t) => ({ name: t.name, description: t.description, skipped: undefined })),
        motoReport,
      ];
      results.push({
        name: `${scenario.name}/${kind.key}`,
        description: kind.description,
        targets: reports,
        points,
        // One goal, from the issue: the authorized GetRole. AssumeRole's ratios are printed without a verdict.
        ...(kind.key === 'get-role'
          ? { goal: { target: 'rolecall', baseline: 'bare', atLeast: 0.5 } }
          : { baseline: 'bare' }),
        comparisons: [
          ...(kind.key === 'get-role' ? [] : [{ target: 'rolecall', baseline: 'bare' }]),
          { target: 'rolecall', baseline: 'moto' },
        ],
        costs: [{ target: 'rolecall', baseline: 'rolecall-off', what: 'authorization' }],
      });
    }
  } finally {
    for (const target of targets.reverse()) await target.stop();
  }
  return results;
}

export const scenario: Scenario = {
  name: 'sts-enforcement',
  description: 'AssumeRole and an authorized GetRole, enforcement on and off, over keep-alive HTTP',
  run,
};
