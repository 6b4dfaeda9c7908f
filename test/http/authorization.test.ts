/**
 * Authorization in process: real SigV4-signed requests over HTTP against startServer() with the memory store,
 * checking what AWS's policy evaluation decides (docs/research/evaluation-logic.md §1–§4) and how a denial reads,
 * word for word (§9): `User: <arn> is not authorized to perform: <action> on resource: <arn> because no
 * identity-based policy allows the <action> action`, the session-policy and permissions-boundary forms, and
 * `with an explicit deny in …`. `on resource:` names the entity an IAM operation acts on (the role with its path,
 * the user, the policy) and is absent for actions without a resource type (Service Authorization Reference).
 * STS rules come from shared/AWS-FACTS.md, "STS". Requests are signed as SDKs sign them, with this machine's
 * clock; tests that move the server's clock keep it within SigV4's 15 minutes of skew, except the one about that.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { pino } from 'pino';
import { DEFAULTS, type EnforceMode } from '../../src/server/config.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { errorOf, signedQuery, type QueryService, type Reply } from '../support/signed.ts';
import { allow, deny, doc, rootOf, type Creds } from '../support/policies.ts';

const ACCOUNT = '000000000000';
const OTHER = '111111111111';
const INVALID_TOKEN = 'The security token included in the request is invalid.';
const EXPIRED_TOKEN = 'The security token included in the request is expired';

const ROOT = rootOf('000000000000');
const OTHER_ROOT = rootOf(OTHER);

type Params = Record<string, string>;

// ---------------------------------------------------------------------------------------------------------------
// Policies and messages

/** A trust statement for AWS principals. */
const trusts = (principal: string | string[], action: string | string[] = 'sts:AssumeRole', effect = 'Allow') => ({
  Effect: effect,
  Principal: { AWS: principal },
  Action: action,
});
const ALL_SESSION_ACTIONS = ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'];

const roleArn = (name: string, path = '/', account = ACCOUNT) => `arn:aws:iam::${account}:role${path}${name}`;
const userArn = (name: string, path = '/', account = ACCOUNT) => `arn:aws:iam::${account}:user${path}${name}`;
const policyArn = (name: string, path = '/', account = ACCOUNT) => `arn:aws:iam::${account}:policy${path}${name}`;
const sessionArn = (role: string, session: string, account = ACCOUNT) =>
  `arn:aws:sts::${account}:assumed-role/${role}/${session}`;

const onResource = (resource: string | undefined) => (resource === undefined ? '' : ` on resource: ${resource}`);
/** AWS's implicit-deny message (§9); `resource` undefined for actions without a resource type. */
const noAllow = (
  who: string,
  action: string,
  resource: string | undefined,
  layer: 'identity-based policy' | 'session policy' | 'permissions boundary' | 'resource-based policy',
) =>
  `User: ${who} is not authorized to perform: ${action}${onResource(resource)} because no ${layer} allows the ${action} action`;
/** AWS's explicit-deny message (§9). */
const explicit = (
  who: string,
  action: string,
  resource: string | undefined,
  layer: 'an identity-based policy' | 'a session policy' | 'a permissions boundary' | 'the role trust policy',
) => `User: ${who} is not authorized to perform: ${action}${onResource(resource)} with an explicit deny in ${layer}`;
/** A trust policy that does not allow the caller: no reason clause (shared/AWS-FACTS.md, STS). */
const notTrusted = (who: string, role: string) =>
  `User: ${who} is not authorized to perform: sts:AssumeRole on resource: ${role}`;

// ---------------------------------------------------------------------------------------------------------------
// A server and its callers

const textOf = (body: string, tag: string): string | undefined =>
  new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(body)?.[1];
const requireText = (body: string, tag: string): string => {
  const value = textOf(body, tag);
  assert.ok(value !== undefined, `no <${tag}> in ${body}`);
  return value;
};
const unescapeXml = (s: string): string =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

function assertOk(reply: Reply): Reply {
  assert.equal(reply.status, 200, reply.body);
  return reply;
}

function assertError(reply: Reply, status: number, code: string, message: string | RegExp): void {
  const error = errorOf(reply.body);
  assert.deepEqual({ status: reply.status, code: error.code }, { status, code }, reply.body);
  if (typeof message === 'string') assert.equal(error.message, message);
  else assert.match(error.message ?? '', message);
}

const assertDenied = (reply: Reply, message: string) => assertError(reply, 403, 'AccessDenied', message);

interface Session extends Creds {
  readonly sessionToken: string;
  readonly arn: string;
  readonly assumedRoleId: string;
  readonly expiration: string;
  readonly body: string;
}

interface User {
  readonly name: string;
  readonly arn: string;
  readonly creds: Creds;
}

const tagParams = (tags: Readonly<Record<string, string>>, prefix = 'Tags'): Params => {
  const out: Params = {};
  Object.entries(tags).forEach(([k, v], i) => {
    out[`${prefix}.member.${i + 1}.Key`] = k;
    out[`${prefix}.member.${i + 1}.Value`] = v;
  });
  return out;
};
const listParams = (name: string, values: readonly string[]): Params =>
  Object.fromEntries(values.map((v, i) => [`${name}.member.${i + 1}`, v]));

class Cloud {
  private counter = 0;
  constructor(
    readonly server: RunningServer,
    readonly dataDir: string,
    readonly logs: string[],
  ) {}

  static async start(enforce: EnforceMode = 'on'): Promise<Cloud> {
    const dataDir = mkdtempSync(join(tmpdir(), 'rolecall-authz-'));
    const logs: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(chunk.toString('utf8'));
        done();
      },
    });
    const server = await startServer(
      { ...DEFAULTS, port: 0, store: 'memory', enforce, logLevel: 'warn', readyFile: undefined, dataDir },
      pino({ level: 'warn' }, sink),
    );
    return new Cloud(server, dataDir, logs);
  }

  async close(): Promise<void> {
    await this.server.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** A name not used before in this server. */
  fresh(prefix: string): string {
    return `${prefix}-${++this.counter}`;
  }

  /** A request signed as an SDK signs it, dated by this machine's clock. */
  call(service: QueryService, params: Params, creds: Creds = ROOT, region = 'us-east-1'): Promise<Reply> {
    return signedQuery(this.server.endpoint, service, params, {
      accessKeyId: creds.accessKeyId,
      secretAccessKey: creds.secretAccessKey,
      ...(creds.sessionToken !== undefined && { sessionToken: creds.sessionToken }),
      region,
    });
  }
  iam(params: Params, creds?: Creds) {
    return this.call('iam', params, creds);
  }
  sts(params: Params, creds?: Creds) {
    return this.call('sts', params, creds);
  }
  ec2(params: Params, creds?: Creds) {
    return this.call('ec2', params, creds);
  }
  async ok(service: QueryService, params: Params, creds?: Creds): Promise<string> {
    return assertOk(await this.call(service, params, creds)).body;
  }

  /** A user with an access key and the given inline policies (name → document). */
  async user(
    name: string,
    options: { policies?: Record<string, string>; boundary?: string; tags?: Record<string, string>; as?: Creds } = {},
  ): Promise<User> {
    const as = options.as ?? ROOT;
    const body = await this.ok(
      'iam',
      {
        Action: 'CreateUser',
        UserName: name,
        ...(options.boundary !== undefined && { PermissionsBoundary: options.boundary }),
        ...tagParams(options.tags ?? {}),
      },
      as,
    );
    for (const [policyName, document] of Object.entries(options.policies ?? {})) {
      await this.ok(
        'iam',
        { Action: 'PutUserPolicy', UserName: name, PolicyName: policyName, PolicyDocument: document },
        as,
      );
    }
    const key = await this.ok('iam', { Action: 'CreateAccessKey', UserName: name }, as);
    return {
      name,
      arn: requireText(body, 'Arn'),
      creds: { accessKeyId: requireText(key, 'AccessKeyId'), secretAccessKey: requireText(key, 'SecretAccessKey') },
    };
  }

  /** A role with a trust policy and inline policies; returns its ARN. */
  async role(
    name: string,
    trust: string,
    options: {
      path?: string;
      policies?: Record<string, string>;
      boundary?: string;
      tags?: Record<string, string>;
      maxSessionDuration?: number;
      as?: Creds;
    } = {},
  ): Promise<string> {
    const as = options.as ?? ROOT;
    const body = await this.ok(
      'iam',
      {
        Action: 'CreateRole',
        RoleName: name,
        AssumeRolePolicyDocument: trust,
        ...(options.path !== undefined && { Path: options.path }),
        ...(options.boundary !== undefined && { PermissionsBoundary: options.boundary }),
        ...(options.maxSessionDuration !== undefined && { MaxSessionDuration: String(options.maxSessionDuration) }),
        ...tagParams(options.tags ?? {}),
      },
      as,
    );
    for (const [policyName, document] of Object.entries(options.policies ?? {})) {
      await this.putRolePolicy(name, policyName, document, as);
    }
    return requireText(body, 'Arn');
  }

  async putRolePolicy(role: string, policyName: string, document: string, as: Creds = ROOT): Promise<void> {
    await this.ok(
      'iam',
      { Action: 'PutRolePolicy', RoleName: role, PolicyName: policyName, PolicyDocument: document },
      as,
    );
  }

  /** A customer managed policy; returns its ARN. */
  async managedPolicy(name: string, document: string, path = '/'): Promise<string> {
    const body = await this.ok('iam', {
      Action: 'CreatePolicy',
      PolicyName: name,
      PolicyDocument: document,
      Path: path,
    });
    return requireText(body, 'Arn');
  }

  assumeReply(creds: Creds, role: string, session: string, extra: Params = {}): Promise<Reply> {
    return this.sts({ Action: 'AssumeRole', RoleArn: role, RoleSessionName: session, ...extra }, creds);
  }

  async assume(creds: Creds, role: string, session: string, extra: Params = {}): Promise<Session> {
    const body = assertOk(await this.assumeReply(creds, role, session, extra)).body;
    return {
      accessKeyId: requireText(body, 'AccessKeyId'),
      secretAccessKey: requireText(body, 'SecretAccessKey'),
      sessionToken: requireText(body, 'SessionToken'),
      arn: requireText(body, 'Arn'),
      assumedRoleId: requireText(body, 'AssumedRoleId'),
      expiration: requireText(body, 'Expiration'),
      body,
    };
  }

  /** Moves the server's clock forward. */
  advance(seconds: number): void {
    this.server.clock.advance(seconds);
  }
}

/** Waits (real time) until the server's clock reads at least `ms`; a few seconds at most. */
async function untilServerTime(c: Cloud, ms: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (c.server.clock.now().getTime() < ms) {
    assert.ok(Date.now() < deadline, 'the server clock did not reach the expiry');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The server's time as AWS writes it in policies: seconds precision, Z. */
const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

let cloud: Cloud;
before(async () => {
  cloud = await Cloud.start();
});
after(async () => {
  await cloud.close();
});

// ---------------------------------------------------------------------------------------------------------------

describe('role trust policies (evaluation-logic §2)', () => {
  it('a user the trust policy names assumes the role with no identity policy at all', async () => {
    const user = await cloud.user(cloud.fresh('named'));
    const name = cloud.fresh('trusts-user');
    const role = await cloud.role(name, doc(trusts(user.arn)));
    const session = await cloud.assume(user.creds, role, 'by-name');
    assert.equal(session.arn, sessionArn(name, 'by-name'));
  });

  it('a trust policy naming only the account needs sts:AssumeRole in the caller’s identity policy', async () => {
    const name = cloud.fresh('trusts-account');
    const role = await cloud.role(name, doc(trusts(`arn:aws:iam::${ACCOUNT}:root`)));
    const bare = await cloud.user(cloud.fresh('bare'));
    assertDenied(
      await cloud.assumeReply(bare.creds, role, 'ss'),
      noAllow(bare.arn, 'sts:AssumeRole', role, 'identity-based policy'),
    );
    const granted = await cloud.user(cloud.fresh('granted'), {
      policies: { assume: doc(allow('sts:AssumeRole', role)) },
    });
    await cloud.assume(granted.creds, role, 'ss');
    // The account id alone names the account too.
    const name2 = cloud.fresh('trusts-account-id');
    const role2 = await cloud.role(name2, doc(trusts(ACCOUNT)));
    assertDenied(
      await cloud.assumeReply(bare.creds, role2, 'ss'),
      noAllow(bare.arn, 'sts:AssumeRole', role2, 'identity-based policy'),
    );
  });

  it('the account root needs only a trust policy that names the account', async () => {
    const role = await cloud.role(cloud.fresh('root-trust'), doc(trusts(`arn:aws:iam::${ACCOUNT}:root`)));
    await cloud.assume(ROOT, role, 'root-session');
  });

  it('a trust policy that does not name the caller refuses, even with an identity Allow, without a reason clause', async () => {
    const other = await cloud.user(cloud.fresh('other'));
    const role = await cloud.role(cloud.fresh('trusts-other'), doc(trusts(other.arn)));
    const caller = await cloud.user(cloud.fresh('caller'), { policies: { all: doc(allow('sts:AssumeRole')) } });
    assertDenied(await cloud.assumeReply(caller.creds, role, 'ss'), notTrusted(caller.arn, role));
    assertDenied(await cloud.assumeReply(ROOT, role, 'ss'), notTrusted(`arn:aws:iam::${ACCOUNT}:root`, role));
  });

  it('a role that does not exist is refused like one that does not trust the caller', async () => {
    const user = await cloud.user(cloud.fresh('nobody'), { policies: { all: doc(allow('*')) } });
    const missing = roleArn('no-such-role');
    assertDenied(await cloud.assumeReply(user.creds, missing, 'ss'), notTrusted(user.arn, missing));
  });

  it('an explicit deny of sts:AssumeRole in the caller’s identity policy wins over a trust policy naming it', async () => {
    const name = cloud.fresh('denied-assumer');
    const user = await cloud.user(name, { policies: { no: doc(deny('sts:AssumeRole')) } });
    const role = await cloud.role(cloud.fresh('trusts-denied'), doc(trusts(user.arn)));
    assertDenied(
      await cloud.assumeReply(user.creds, role, 'ss'),
      explicit(user.arn, 'sts:AssumeRole', role, 'an identity-based policy'),
    );
  });

  it('an explicit deny in the trust policy wins over an allow in it', async () => {
    const user = await cloud.user(cloud.fresh('trust-denied'));
    const role = await cloud.role(
      cloud.fresh('deny-trust'),
      doc(trusts(user.arn), trusts(user.arn, 'sts:AssumeRole', 'Deny')),
    );
    assertDenied(
      await cloud.assumeReply(user.creds, role, 'ss'),
      explicit(user.arn, 'sts:AssumeRole', role, 'the role trust policy'),
    );
  });

  it('passing session tags needs sts:TagSession in the trust policy; a source identity needs sts:SetSourceIdentity', async () => {
    const user = await cloud.user(cloud.fresh('tagger'));
    const role = await cloud.role(cloud.fresh('no-tag-session'), doc(trusts(user.arn)));
    assertDenied(
      await cloud.assumeReply(user.creds, role, 'ss', tagParams({ team: 'web' })),
      `User: ${user.arn} is not authorized to perform: sts:TagSession on resource: ${role}`,
    );
    assertDenied(
      await cloud.assumeReply(user.creds, role, 'ss', { SourceIdentity: 'alice' }),
      `User: ${user.arn} is not authorized to perform: sts:SetSourceIdentity on resource: ${role}`,
    );
    await cloud.assume(user.creds, role, 'no-tags');
    const tagging = await cloud.role(cloud.fresh('tag-session'), doc(trusts(user.arn, ALL_SESSION_ACTIONS)));
    await cloud.assume(user.creds, tagging, 'ss', { ...tagParams({ team: 'web' }), SourceIdentity: 'alice' });
  });

  it('trust conditions see sts:ExternalId and sts:RoleSessionName', async () => {
    const user = await cloud.user(cloud.fresh('external'));
    const role = await cloud.role(
      cloud.fresh('external-id'),
      doc({
        ...trusts(user.arn),
        Condition: { StringEquals: { 'sts:ExternalId': 'secret-1', 'sts:RoleSessionName': 'ci' } },
      }),
    );
    await cloud.assume(user.creds, role, 'ci', { ExternalId: 'secret-1' });
    assertDenied(
      await cloud.assumeReply(user.creds, role, 'ci', { ExternalId: 'wrong-1' }),
      notTrusted(user.arn, role),
    );
    assertDenied(await cloud.assumeReply(user.creds, role, 'ci'), notTrusted(user.arn, role));
    assertDenied(
      await cloud.assumeReply(user.creds, role, 'other', { ExternalId: 'secret-1' }),
      notTrusted(user.arn, role),
    );
  });
});

describe('cross-account AssumeRole (evaluation-logic §2, §3)', () => {
  it('the root of 111111111111 needs only a trust policy naming its account', async () => {
    const name = cloud.fresh('xacct');
    const role = await cloud.role(name, doc(trusts(`arn:aws:iam::${OTHER}:root`)));
    const session = await cloud.assume(OTHER_ROOT, role, 'from-other');
    assert.equal(session.arn, sessionArn(name, 'from-other'));
    const who = await cloud.ok('sts', { Action: 'GetCallerIdentity' }, session);
    assert.equal(textOf(who, 'Account'), ACCOUNT);
  });

  it('a user of 111111111111 needs both the trust and its own sts:AssumeRole', async () => {
    const role = await cloud.role(cloud.fresh('xacct-user'), doc(trusts(OTHER)));
    const bare = await cloud.user(cloud.fresh('x-bare'), { as: OTHER_ROOT });
    assert.equal(bare.arn, userArn(bare.name, '/', OTHER));
    assertDenied(
      await cloud.assumeReply(bare.creds, role, 'ss'),
      noAllow(bare.arn, 'sts:AssumeRole', role, 'identity-based policy'),
    );
    const granted = await cloud.user(cloud.fresh('x-granted'), {
      as: OTHER_ROOT,
      policies: { assume: doc(allow('sts:AssumeRole', role)) },
    });
    await cloud.assume(granted.creds, role, 'ss');
  });

  it('a trust policy naming the other account’s user directly still needs that user’s identity Allow', async () => {
    const bare = await cloud.user(cloud.fresh('x-direct'), { as: OTHER_ROOT });
    const role = await cloud.role(cloud.fresh('xacct-direct'), doc(trusts(bare.arn)));
    assertDenied(
      await cloud.assumeReply(bare.creds, role, 'ss'),
      noAllow(bare.arn, 'sts:AssumeRole', role, 'identity-based policy'),
    );
  });

  it('without the trust, neither the other root nor a user allowed sts:AssumeRole may assume', async () => {
    const role = await cloud.role(cloud.fresh('xacct-none'), doc(trusts(`arn:aws:iam::${ACCOUNT}:root`)));
    assertDenied(await cloud.assumeReply(OTHER_ROOT, role, 'ss'), notTrusted(`arn:aws:iam::${OTHER}:root`, role));
    const granted = await cloud.user(cloud.fresh('x-no-trust'), {
      as: OTHER_ROOT,
      policies: { assume: doc(allow('sts:AssumeRole')) },
    });
    assertDenied(await cloud.assumeReply(granted.creds, role, 'ss'), notTrusted(granted.arn, role));
  });
});

describe('what a role session may do (evaluation-logic §1: identity ∩ boundary ∩ session policy)', () => {
  const READ = doc(allow(['iam:GetRole', 'iam:ListRoles', 'iam:ListUsers']));

  async function roleWith(options: Parameters<Cloud['role']>[2] = {}) {
    const name = cloud.fresh('sess');
    const arn = await cloud.role(name, doc(trusts(`arn:aws:iam::${ACCOUNT}:root`)), options);
    return { name, arn };
  }

  it('no session policy: the role’s policies decide; nothing allowed is denied by the identity layer', async () => {
    const { name, arn } = await roleWith({ policies: { read: doc(allow('iam:ListRoles')) } });
    const s = await cloud.assume(ROOT, arn, 'plain');
    await cloud.ok('iam', { Action: 'ListRoles' }, s);
    assertDenied(
      await cloud.iam({ Action: 'GetRole', RoleName: name }, s),
      noAllow(s.arn, 'iam:GetRole', arn, 'identity-based policy'),
    );
    assertDenied(
      await cloud.iam({ Action: 'ListUsers' }, s),
      noAllow(s.arn, 'iam:ListUsers', undefined, 'identity-based policy'),
    );
  });

  it('an inline session Policy narrows the role to the intersection', async () => {
    const { name, arn } = await roleWith({ policies: { read: READ } });
    const s = await cloud.assume(ROOT, arn, 'narrow', { Policy: doc(allow(['iam:GetRole', 'iam:ListUsers', 's3:*'])) });
    await cloud.ok('iam', { Action: 'GetRole', RoleName: name }, s);
    await cloud.ok('iam', { Action: 'ListUsers' }, s);
    assertDenied(
      await cloud.iam({ Action: 'ListRoles' }, s),
      noAllow(s.arn, 'iam:ListRoles', undefined, 'session policy'),
    );
    // The session policy cannot add what the role lacks.
    assertDenied(
      await cloud.iam({ Action: 'ListGroups' }, s),
      noAllow(s.arn, 'iam:ListGroups', undefined, 'identity-based policy'),
    );
  });

  it('PolicyArns narrow the same way, and several session policies are a union', async () => {
    const { arn } = await roleWith({ policies: { read: READ } });
    const listRoles = await cloud.managedPolicy(cloud.fresh('sp-roles'), doc(allow('iam:ListRoles')));
    const listUsers = await cloud.managedPolicy(cloud.fresh('sp-users'), doc(allow('iam:ListUsers')), '/session/');
    const s = await cloud.assume(ROOT, arn, 'arns', { 'PolicyArns.member.1.arn': listRoles });
    await cloud.ok('iam', { Action: 'ListRoles' }, s);
    assertDenied(
      await cloud.iam({ Action: 'ListUsers' }, s),
      noAllow(s.arn, 'iam:ListUsers', undefined, 'session policy'),
    );
    const both = await cloud.assume(ROOT, arn, 'both', {
      'PolicyArns.member.1.arn': listRoles,
      Policy: doc(allow('iam:ListUsers')),
    });
    await cloud.ok('iam', { Action: 'ListRoles' }, both);
    await cloud.ok('iam', { Action: 'ListUsers' }, both);
    const two = await cloud.assume(ROOT, arn, 'two', {
      'PolicyArns.member.1.arn': listRoles,
      'PolicyArns.member.2.arn': listUsers,
    });
    await cloud.ok('iam', { Action: 'ListUsers' }, two);
  });

  it('an explicit deny wins: in the role’s policy, in the session policy', async () => {
    const { name, arn } = await roleWith({ policies: { read: READ, no: doc(deny('iam:ListUsers')) } });
    const s = await cloud.assume(ROOT, arn, 'deny', { Policy: doc(allow('*'), deny('iam:GetRole')) });
    await cloud.ok('iam', { Action: 'ListRoles' }, s);
    assertDenied(
      await cloud.iam({ Action: 'ListUsers' }, s),
      explicit(s.arn, 'iam:ListUsers', undefined, 'an identity-based policy'),
    );
    assertDenied(
      await cloud.iam({ Action: 'GetRole', RoleName: name }, s),
      explicit(s.arn, 'iam:GetRole', arn, 'a session policy'),
    );
  });

  it('a permissions boundary on the role caps its sessions; a Deny in it is explicit', async () => {
    const boundary = await cloud.managedPolicy(
      cloud.fresh('boundary'),
      doc(allow(['iam:ListRoles', 'iam:GetRole']), deny('iam:GetRole')),
    );
    const { name, arn } = await roleWith({ policies: { read: READ }, boundary });
    const s = await cloud.assume(ROOT, arn, 'bounded');
    await cloud.ok('iam', { Action: 'ListRoles' }, s);
    assertDenied(
      await cloud.iam({ Action: 'ListUsers' }, s),
      noAllow(s.arn, 'iam:ListUsers', undefined, 'permissions boundary'),
    );
    assertDenied(
      await cloud.iam({ Action: 'GetRole', RoleName: name }, s),
      explicit(s.arn, 'iam:GetRole', arn, 'a permissions boundary'),
    );
  });

  it('the boundary is blamed before the session policy when both allow nothing', async () => {
    const boundary = await cloud.managedPolicy(cloud.fresh('boundary-order'), doc(allow('iam:ListRoles')));
    const { arn } = await roleWith({ policies: { read: READ }, boundary });
    const s = await cloud.assume(ROOT, arn, 'order', { Policy: doc(allow('iam:ListRoles')) });
    assertDenied(
      await cloud.iam({ Action: 'ListUsers' }, s),
      noAllow(s.arn, 'iam:ListUsers', undefined, 'permissions boundary'),
    );
  });

  it('a session never carries the caller’s own permissions (evaluation-logic §2)', async () => {
    const user = await cloud.user(cloud.fresh('powerful'), { policies: { all: doc(allow('iam:*')) } });
    const name = cloud.fresh('weak');
    const role = await cloud.role(name, doc(trusts(user.arn)));
    const s = await cloud.assume(user.creds, role, 'weak');
    await cloud.ok('iam', { Action: 'ListUsers' }, user.creds);
    assertDenied(
      await cloud.iam({ Action: 'ListUsers' }, s),
      noAllow(s.arn, 'iam:ListUsers', undefined, 'identity-based policy'),
    );
  });

  it('users too: group policies count, a user boundary caps them', async () => {
    const group = cloud.fresh('readers');
    await cloud.ok('iam', { Action: 'CreateGroup', GroupName: group });
    await cloud.ok('iam', {
      Action: 'PutGroupPolicy',
      GroupName: group,
      PolicyName: 'read',
      PolicyDocument: doc(allow(['iam:ListRoles', 'iam:ListUsers'])),
    });
    const boundary = await cloud.managedPolicy(cloud.fresh('user-boundary'), doc(allow('iam:ListRoles')));
    const user = await cloud.user(cloud.fresh('member'), { boundary });
    await cloud.ok('iam', { Action: 'AddUserToGroup', GroupName: group, UserName: user.name });
    await cloud.ok('iam', { Action: 'ListRoles' }, user.creds);
    assertDenied(
      await cloud.iam({ Action: 'ListUsers' }, user.creds),
      noAllow(user.arn, 'iam:ListUsers', undefined, 'permissions boundary'),
    );
  });

  it('a policy change applies to an existing session at once', async () => {
    const { name, arn } = await roleWith();
    const s = await cloud.assume(ROOT, arn, 'live');
    const denied = noAllow(s.arn, 'iam:ListRoles', undefined, 'identity-based policy');
    assertDenied(await cloud.iam({ Action: 'ListRoles' }, s), denied);
    await cloud.putRolePolicy(name, 'late', doc(allow('iam:ListRoles')));
    await cloud.ok('iam', { Action: 'ListRoles' }, s);
    await cloud.putRolePolicy(name, 'later', doc(deny('iam:ListRoles')));
    assertDenied(
      await cloud.iam({ Action: 'ListRoles' }, s),
      explicit(s.arn, 'iam:ListRoles', undefined, 'an identity-based policy'),
    );
    await cloud.ok('iam', { Action: 'DeleteRolePolicy', RoleName: name, PolicyName: 'later' });
    await cloud.ok('iam', { Action: 'ListRoles' }, s);
    await cloud.ok('iam', { Action: 'DeleteRolePolicy', RoleName: name, PolicyName: 'late' });
    assertDenied(await cloud.iam({ Action: 'ListRoles' }, s), denied);
    // Attaching a managed policy counts as well.
    const managed = await cloud.managedPolicy(cloud.fresh('attached'), doc(allow('iam:ListRoles')));
    await cloud.ok('iam', { Action: 'AttachRolePolicy', RoleName: name, PolicyArn: managed });
    await cloud.ok('iam', { Action: 'ListRoles' }, s);
  });

  it('a deleted role’s sessions can do nothing, even if a role of that name is created again', async () => {
    const name = cloud.fresh('deleted');
    const arn = await cloud.role(name, doc(trusts(`arn:aws:iam::${ACCOUNT}:root`)), {
      policies: { read: doc(allow('iam:ListRoles')) },
    });
    const s = await cloud.assume(ROOT, arn, 'old');
    await cloud.ok('iam', { Action: 'ListRoles' }, s);
    await cloud.ok('iam', { Action: 'DeleteRolePolicy', RoleName: name, PolicyName: 'read' });
    await cloud.ok('iam', { Action: 'DeleteRole', RoleName: name });
    await cloud.role(name, doc(trusts(`arn:aws:iam::${ACCOUNT}:root`)), {
      policies: { read: doc(allow('iam:ListRoles')) },
    });
    assertDenied(
      await cloud.iam({ Action: 'ListRoles' }, s),
      noAllow(s.arn, 'iam:ListRoles', undefined, 'identity-based policy'),
    );
  });
});

describe('the resource an IAM operation is authorized against (Service Authorization Reference)', () => {
  let nobody: User;
  before(async () => {
    nobody = await cloud.user(cloud.fresh('nobody'));
  });
  const denied = async (params: Params, action: string, resource: string | undefined) =>
    assertDenied(await cloud.iam(params, nobody.creds), noAllow(nobody.arn, action, resource, 'identity-based policy'));

  it('roles: the role ARN with its path, for an existing role and for one being created', async () => {
    const name = cloud.fresh('pathed');
    await cloud.role(name, doc(trusts(ACCOUNT)), { path: '/team/app/' });
    await denied({ Action: 'GetRole', RoleName: name }, 'iam:GetRole', roleArn(name, '/team/app/'));
    await denied({ Action: 'ListRolePolicies', RoleName: name }, 'iam:ListRolePolicies', roleArn(name, '/team/app/'));
    await denied(
      { Action: 'TagRole', RoleName: name, ...tagParams({ a: 'b' }) },
      'iam:TagRole',
      roleArn(name, '/team/app/'),
    );
    await denied(
      { Action: 'AttachRolePolicy', RoleName: name, PolicyArn: policyArn('x') },
      'iam:AttachRolePolicy',
      roleArn(name, '/team/app/'),
    );
    await denied({ Action: 'GetRole', RoleName: 'does-not-exist' }, 'iam:GetRole', roleArn('does-not-exist'));
    await denied(
      { Action: 'CreateRole', RoleName: 'new-role', Path: '/svc/', AssumeRolePolicyDocument: doc(trusts(ACCOUNT)) },
      'iam:CreateRole',
      roleArn('new-role', '/svc/'),
    );
  });

  it('users: the named user, or the caller when no name is given', async () => {
    const other = await cloud.user(cloud.fresh('target'));
    await denied({ Action: 'GetUser', UserName: other.name }, 'iam:GetUser', other.arn);
    await denied({ Action: 'GetUser' }, 'iam:GetUser', nobody.arn);
    await denied({ Action: 'ListAccessKeys' }, 'iam:ListAccessKeys', nobody.arn);
    await denied({ Action: 'CreateAccessKey', UserName: other.name }, 'iam:CreateAccessKey', other.arn);
    await denied(
      { Action: 'CreateUser', UserName: 'new-user', Path: '/people/' },
      'iam:CreateUser',
      userArn('new-user', '/people/'),
    );
  });

  it('policies: the policy ARN, AWS managed ones included', async () => {
    const arn = await cloud.managedPolicy(cloud.fresh('target-policy'), doc(allow('iam:ListRoles')), '/p/');
    await denied({ Action: 'GetPolicy', PolicyArn: arn }, 'iam:GetPolicy', arn);
    await denied({ Action: 'GetPolicyVersion', PolicyArn: arn, VersionId: 'v1' }, 'iam:GetPolicyVersion', arn);
    const aws = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    await denied({ Action: 'GetPolicy', PolicyArn: aws }, 'iam:GetPolicy', aws);
    await denied(
      { Action: 'CreatePolicy', PolicyName: 'new-policy', Path: '/p/', PolicyDocument: doc(allow('iam:ListRoles')) },
      'iam:CreatePolicy',
      policyArn('new-policy', '/p/'),
    );
  });

  it('groups and instance profiles: their ARNs with paths', async () => {
    const group = cloud.fresh('g');
    await cloud.ok('iam', { Action: 'CreateGroup', GroupName: group, Path: '/dept/' });
    await denied(
      { Action: 'GetGroup', GroupName: group },
      'iam:GetGroup',
      `arn:aws:iam::${ACCOUNT}:group/dept/${group}`,
    );
    const profile = cloud.fresh('ip');
    await cloud.ok('iam', { Action: 'CreateInstanceProfile', InstanceProfileName: profile, Path: '/web/' });
    await denied(
      { Action: 'GetInstanceProfile', InstanceProfileName: profile },
      'iam:GetInstanceProfile',
      `arn:aws:iam::${ACCOUNT}:instance-profile/web/${profile}`,
    );
  });

  it('actions without a resource type have no `on resource:`', async () => {
    await denied({ Action: 'ListRoles' }, 'iam:ListRoles', undefined);
    await denied({ Action: 'ListPolicies' }, 'iam:ListPolicies', undefined);
    await denied({ Action: 'GetAccountSummary' }, 'iam:GetAccountSummary', undefined);
    assertDenied(
      await cloud.sts({ Action: 'DecodeAuthorizationMessage', EncodedMessage: 'x' }, nobody.creds),
      noAllow(nobody.arn, 'sts:DecodeAuthorizationMessage', undefined, 'identity-based policy'),
    );
  });

  it('a policy that names the resource allows exactly that resource', async () => {
    const named = cloud.fresh('only-this');
    const other = cloud.fresh('not-this');
    await cloud.role(named, doc(trusts(ACCOUNT)), { path: '/x/' });
    await cloud.role(other, doc(trusts(ACCOUNT)), { path: '/x/' });
    const user = await cloud.user(cloud.fresh('scoped'), {
      policies: { one: doc(allow('iam:GetRole', roleArn(named, '/x/'))) },
    });
    await cloud.ok('iam', { Action: 'GetRole', RoleName: named }, user.creds);
    assertDenied(
      await cloud.iam({ Action: 'GetRole', RoleName: other }, user.creds),
      noAllow(user.arn, 'iam:GetRole', roleArn(other, '/x/'), 'identity-based policy'),
    );
  });

  it('SimulatePrincipalPolicy is authorized against the PolicySourceArn', async () => {
    const target = await cloud.user(cloud.fresh('simulated'));
    const user = await cloud.user(cloud.fresh('simulator'), {
      policies: { sim: doc(allow('iam:SimulatePrincipalPolicy', target.arn)) },
    });
    await cloud.ok(
      'iam',
      {
        Action: 'SimulatePrincipalPolicy',
        PolicySourceArn: target.arn,
        ...listParams('ActionNames', ['iam:ListRoles']),
      },
      user.creds,
    );
  });

  it('another account’s policy is denied for want of a resource-based policy, whatever the caller may do', async () => {
    const body = await cloud.ok(
      'iam',
      { Action: 'CreatePolicy', PolicyName: cloud.fresh('foreign'), PolicyDocument: doc(allow('iam:ListRoles')) },
      OTHER_ROOT,
    );
    const arn = requireText(body, 'Arn');
    assert.ok(arn.startsWith(`arn:aws:iam::${OTHER}:policy/`), arn);
    const user = await cloud.user(cloud.fresh('reacher'), { policies: { all: doc(allow('iam:*')) } });
    assertDenied(
      await cloud.iam({ Action: 'GetPolicy', PolicyArn: arn }, user.creds),
      noAllow(user.arn, 'iam:GetPolicy', arn, 'resource-based policy'),
    );
    assertDenied(
      await cloud.iam({ Action: 'GetPolicy', PolicyArn: arn }),
      noAllow(`arn:aws:iam::${ACCOUNT}:root`, 'iam:GetPolicy', arn, 'resource-based policy'),
    );
  });
});

describe('condition keys in real policies (IAM User Guide, global condition context keys)', () => {
  async function roleSession(policy: string, options: Parameters<Cloud['role']>[2] = {}, extra: Params = {}) {
    const name = cloud.fresh('cond');
    const arn = await cloud.role(name, doc(trusts(`arn:aws:iam::${ACCOUNT}:root`, ALL_SESSION_ACTIONS)), {
      ...options,
      policies: { p: policy },
    });
    return { name, arn, session: await cloud.assume(ROOT, arn, 'cond', extra) };
  }

  it('aws:SourceIp: 127.0.0.1 is allowed by a policy for 127.0.0.0/8, not by one for 10.0.0.0/8', async () => {
    const local = await cloud.user(cloud.fresh('local'), {
      policies: { p: doc(allow('iam:ListRoles', '*', { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } })) },
    });
    await cloud.ok('iam', { Action: 'ListRoles' }, local.creds);
    const office = await cloud.user(cloud.fresh('office'), {
      policies: { p: doc(allow('iam:ListRoles', '*', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } })) },
    });
    assertDenied(
      await cloud.iam({ Action: 'ListRoles' }, office.creds),
      noAllow(office.arn, 'iam:ListRoles', undefined, 'identity-based policy'),
    );
    const notLocal = await cloud.user(cloud.fresh('not-local'), {
      policies: { p: doc(allow('*'), deny('*', '*', { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } })) },
    });
    assertDenied(
      await cloud.iam({ Action: 'ListRoles' }, notLocal.creds),
      explicit(notLocal.arn, 'iam:ListRoles', undefined, 'an identity-based policy'),
    );
  });

  it('aws:PrincipalTag: the role’s tag, and a session tag that overrides it', async () => {
    const policy = doc(allow('iam:ListRoles', '*', { StringEquals: { 'aws:PrincipalTag/team': 'web' } }));
    const tagged = await roleSession(policy, { tags: { team: 'web' } });
    await cloud.ok('iam', { Action: 'ListRoles' }, tagged.session);
    const overridden = await cloud.assume(ROOT, tagged.arn, 'db', tagParams({ team: 'db' }));
    assertDenied(
      await cloud.iam({ Action: 'ListRoles' }, overridden),
      noAllow(overridden.arn, 'iam:ListRoles', undefined, 'identity-based policy'),
    );
    const untagged = await roleSession(policy);
    assertDenied(
      await cloud.iam({ Action: 'ListRoles' }, untagged.session),
      noAllow(untagged.session.arn, 'iam:ListRoles', undefined, 'identity-based policy'),
    );
    const sessionTagged = await cloud.assume(ROOT, untagged.arn, 'web', tagParams({ team: 'web' }));
    await cloud.ok('iam', { Action: 'ListRoles' }, sessionTagged);
    // Users' tags are principal tags too.
    const user = await cloud.user(cloud.fresh('tagged-user'), { tags: { team: 'web' }, policies: { p: policy } });
    await cloud.ok('iam', { Action: 'ListRoles' }, user.creds);
  });

  it('aws:RequestTag and aws:TagKeys: TagRole only with team=web and no other key', async () => {
    const target = cloud.fresh('tag-target');
    await cloud.role(target, doc(trusts(ACCOUNT)));
    const user = await cloud.user(cloud.fresh('tag-writer'), {
      policies: {
        p: doc(
          allow('iam:TagRole', '*', {
            StringEquals: { 'aws:RequestTag/team': 'web' },
            'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] },
          }),
        ),
      },
    });
    const arn = roleArn(target);
    await cloud.ok('iam', { Action: 'TagRole', RoleName: target, ...tagParams({ team: 'web' }) }, user.creds);
    assertDenied(
      await cloud.iam({ Action: 'TagRole', RoleName: target, ...tagParams({ team: 'db' }) }, user.creds),
      noAllow(user.arn, 'iam:TagRole', arn, 'identity-based policy'),
    );
    assertDenied(
      await cloud.iam({ Action: 'TagRole', RoleName: target, ...tagParams({ team: 'web', cost: '1' }) }, user.creds),
      noAllow(user.arn, 'iam:TagRole', arn, 'identity-based policy'),
    );
    // UntagRole's TagKeys are aws:TagKeys as well.
    const untagger = await cloud.user(cloud.fresh('untagger'), {
      policies: { p: doc(allow('iam:UntagRole', '*', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] } })) },
    });
    assertDenied(
      await cloud.iam(
        { Action: 'UntagRole', RoleName: target, ...listParams('TagKeys', ['team', 'cost']) },
        untagger.creds,
      ),
      noAllow(untagger.arn, 'iam:UntagRole', arn, 'identity-based policy'),
    );
    await cloud.ok(
      'iam',
      { Action: 'UntagRole', RoleName: target, ...listParams('TagKeys', ['team']) },
      untagger.creds,
    );
  });

  it('aws:ResourceTag: GetRole only on roles tagged env=dev', async () => {
    const dev = cloud.fresh('dev');
    const prod = cloud.fresh('prod');
    const bare = cloud.fresh('untagged');
    await cloud.role(dev, doc(trusts(ACCOUNT)), { tags: { env: 'dev' } });
    await cloud.role(prod, doc(trusts(ACCOUNT)), { tags: { env: 'prod' } });
    await cloud.role(bare, doc(trusts(ACCOUNT)));
    const user = await cloud.user(cloud.fresh('dev-reader'), {
      policies: { p: doc(allow('iam:GetRole', '*', { StringEquals: { 'aws:ResourceTag/env': 'dev' } })) },
    });
    await cloud.ok('iam', { Action: 'GetRole', RoleName: dev }, user.creds);
    for (const name of [prod, bare]) {
      assertDenied(
        await cloud.iam({ Action: 'GetRole', RoleName: name }, user.creds),
        noAllow(user.arn, 'iam:GetRole', roleArn(name), 'identity-based policy'),
      );
    }
    // Retagging the role changes the answer at once.
    await cloud.ok('iam', { Action: 'TagRole', RoleName: prod, ...tagParams({ env: 'dev' }) });
    await cloud.ok('iam', { Action: 'GetRole', RoleName: prod }, user.creds);
  });

  it('aws:TokenIssueTime: present for sessions only, compared as a date', async () => {
    const cutoff = isoSeconds(cloud.server.clock.now());
    const policy = doc(allow('iam:ListRoles', '*', { DateGreaterThanEquals: { 'aws:TokenIssueTime': cutoff } }));
    cloud.advance(2);
    const { session } = await roleSession(policy);
    await cloud.ok('iam', { Action: 'ListRoles' }, session);
    const early = await roleSession(
      doc(allow('iam:ListRoles', '*', { DateLessThan: { 'aws:TokenIssueTime': cutoff } })),
    );
    assertDenied(
      await cloud.iam({ Action: 'ListRoles' }, early.session),
      noAllow(early.session.arn, 'iam:ListRoles', undefined, 'identity-based policy'),
    );
    const user = await cloud.user(cloud.fresh('long-term'), { policies: { p: policy } });
    assertDenied(
      await cloud.iam({ Action: 'ListRoles' }, user.creds),
      noAllow(user.arn, 'iam:ListRoles', undefined, 'identity-based policy'),
    );
  });

  it('aws:SecureTransport is false over plain HTTP: a Deny for false denies', async () => {
    const user = await cloud.user(cloud.fresh('tls-only'), {
      policies: { p: doc(allow('iam:ListRoles'), deny('*', '*', { Bool: { 'aws:SecureTransport': 'false' } })) },
    });
    assertDenied(
      await cloud.iam({ Action: 'ListRoles' }, user.creds),
      explicit(user.arn, 'iam:ListRoles', undefined, 'an identity-based policy'),
    );
    const needsTls = await cloud.user(cloud.fresh('needs-tls'), {
      policies: { p: doc(allow('iam:ListRoles', '*', { Bool: { 'aws:SecureTransport': 'true' } })) },
    });
    assertDenied(
      await cloud.iam({ Action: 'ListRoles' }, needsTls.creds),
      noAllow(needsTls.arn, 'iam:ListRoles', undefined, 'identity-based policy'),
    );
  });

  it('aws:username, aws:PrincipalArn (the role’s ARN for sessions), aws:RequestedRegion and policy variables', async () => {
    const user = await cloud.user(cloud.fresh('self'), {
      policies: { p: doc(allow('iam:GetUser', `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`)) },
    });
    await cloud.ok('iam', { Action: 'GetUser' }, user.creds);
    const other = await cloud.user(cloud.fresh('someone-else'));
    assertDenied(
      await cloud.iam({ Action: 'GetUser', UserName: other.name }, user.creds),
      noAllow(user.arn, 'iam:GetUser', other.arn, 'identity-based policy'),
    );
    // For a role session aws:PrincipalArn is the role's ARN, not the session's.
    const name = cloud.fresh('arn-cond');
    const arn = await cloud.role(name, doc(trusts(`arn:aws:iam::${ACCOUNT}:root`)), {
      path: '/p/',
      policies: {
        role: doc(allow('iam:ListRoles', '*', { ArnEquals: { 'aws:PrincipalArn': roleArn(name, '/p/') } })),
        session: doc(allow('iam:ListUsers', '*', { ArnEquals: { 'aws:PrincipalArn': sessionArn(name, 'ss') } })),
      },
    });
    const s = await cloud.assume(ROOT, arn, 'ss');
    await cloud.ok('iam', { Action: 'ListRoles' }, s);
    assertDenied(
      await cloud.iam({ Action: 'ListUsers' }, s),
      noAllow(s.arn, 'iam:ListUsers', undefined, 'identity-based policy'),
    );
    const regional = await cloud.user(cloud.fresh('regional'), {
      policies: { p: doc(allow('ec2:DescribeRegions', '*', { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } })) },
    });
    assertOk(await cloud.call('ec2', { Action: 'DescribeRegions' }, regional.creds, 'eu-west-1'));
    assertError(
      await cloud.call('ec2', { Action: 'DescribeRegions' }, regional.creds, 'us-east-1'),
      403,
      'UnauthorizedOperation',
      /^You are not authorized to perform this operation\./,
    );
  });
});

describe('AssumeRole durations (shared/AWS-FACTS.md, STS)', () => {
  let role: string;
  let longRole: string;
  before(async () => {
    role = await cloud.role(cloud.fresh('dur'), doc(trusts(`arn:aws:iam::${ACCOUNT}:root`)));
    longRole = await cloud.role(cloud.fresh('dur-long'), doc(trusts(`arn:aws:iam::${ACCOUNT}:root`)), {
      maxSessionDuration: 43200,
      policies: { chain: doc(allow('sts:AssumeRole')) },
    });
  });
  const expiresIn = (s: Session, seconds: number) => {
    const issued = cloud.server.clock.now().getTime();
    const expires = Date.parse(s.expiration);
    assert.ok(Math.abs(expires - issued - seconds * 1000) < 3000, `${s.expiration} is not ${seconds}s away`);
  };

  it('default one hour; 900 is the least, 43200 the most the model allows', async () => {
    expiresIn(await cloud.assume(ROOT, role, 'default'), 3600);
    expiresIn(await cloud.assume(ROOT, role, 'min', { DurationSeconds: '900' }), 900);
    expiresIn(await cloud.assume(ROOT, longRole, 'max', { DurationSeconds: '43200' }), 43200);
    assertError(
      await cloud.assumeReply(ROOT, role, 'short', { DurationSeconds: '899' }),
      400,
      'ValidationError',
      "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    );
    assertError(
      await cloud.assumeReply(ROOT, longRole, 'long', { DurationSeconds: '43201' }),
      400,
      'ValidationError',
      "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200",
    );
  });

  it('more than the role’s MaxSessionDuration is a ValidationError', async () => {
    assertError(
      await cloud.assumeReply(ROOT, role, 'over', { DurationSeconds: '3601' }),
      400,
      'ValidationError',
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    );
  });

  it('role chaining is capped at one hour', async () => {
    const first = await cloud.assume(ROOT, longRole, 'first', { DurationSeconds: '7200' });
    expiresIn(first, 7200);
    assertError(
      await cloud.assumeReply(first, longRole, 'second', { DurationSeconds: '3601' }),
      400,
      'ValidationError',
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
    expiresIn(await cloud.assume(first, longRole, 'second', { DurationSeconds: '3600' }), 3600);
    expiresIn(await cloud.assume(first, longRole, 'third'), 3600);
  });
});

describe('session tags and source identity (IAM User Guide, session tags; AWS-FACTS, STS)', () => {
  it('duplicate keys, compared without case, are InvalidParameterValue', async () => {
    const role = await cloud.role(cloud.fresh('dup'), doc(trusts(`arn:aws:iam::${ACCOUNT}:root`, ALL_SESSION_ACTIONS)));
    assertError(
      await cloud.assumeReply(ROOT, role, 'ss', {
        'Tags.member.1.Key': 'Team',
        'Tags.member.1.Value': 'a',
        'Tags.member.2.Key': 'team',
        'Tags.member.2.Value': 'b',
      }),
      400,
      'InvalidParameterValue',
      'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    );
  });

  it('transitive tags and the source identity follow role chaining; other tags do not', async () => {
    const check = (key: string, value: string) => allow('iam:ListRoles', '*', { StringEquals: { [key]: value } });
    const firstName = cloud.fresh('chain-a');
    const first = await cloud.role(firstName, doc(trusts(`arn:aws:iam::${ACCOUNT}:root`, ALL_SESSION_ACTIONS)));
    const secondName = cloud.fresh('chain-b');
    const second = await cloud.role(secondName, doc(trusts(first, ALL_SESSION_ACTIONS)), {
      policies: {
        team: doc(check('aws:PrincipalTag/team', 'web')),
        env: doc(allow('iam:ListUsers', '*', { StringEquals: { 'aws:PrincipalTag/env': 'dev' } })),
        source: doc(allow('iam:ListGroups', '*', { StringEquals: { 'aws:SourceIdentity': 'alice' } })),
      },
    });
    const a = await cloud.assume(ROOT, first, 'first-a', {
      ...tagParams({ team: 'web', env: 'dev' }),
      ...listParams('TransitiveTagKeys', ['team']),
      SourceIdentity: 'alice',
    });
    assert.equal(textOf(a.body, 'SourceIdentity'), 'alice');
    const b = await cloud.assume(a, second, 'second-b');
    assert.equal(textOf(b.body, 'SourceIdentity'), 'alice');
    await cloud.ok('iam', { Action: 'ListRoles' }, b);
    await cloud.ok('iam', { Action: 'ListGroups' }, b);
    assertDenied(
      await cloud.iam({ Action: 'ListUsers' }, b),
      noAllow(b.arn, 'iam:ListUsers', undefined, 'identity-based policy'),
    );
    // A chained session may not set an inherited transitive tag again, nor change the source identity.
    assertError(
      await cloud.assumeReply(a, second, 'third-c', tagParams({ team: 'db' })),
      400,
      'InvalidParameterValue',
      'One of the specified transitive tag keys can not be set because it conflicts with a transitive tag key from the calling session.',
    );
    assertDenied(
      await cloud.assumeReply(a, second, 'third-c', { SourceIdentity: 'mallory' }),
      'Cannot change the source identity of a session that already has one.',
    );
  });

  it('transitive keys must be among the tags; a source identity may not start with aws:', async () => {
    const role = await cloud.role(
      cloud.fresh('transitive'),
      doc(trusts(`arn:aws:iam::${ACCOUNT}:root`, ALL_SESSION_ACTIONS)),
    );
    assertError(
      await cloud.assumeReply(ROOT, role, 'ss', {
        ...tagParams({ team: 'web' }),
        ...listParams('TransitiveTagKeys', ['env']),
      }),
      400,
      'InvalidParameterValue',
      'The specified transitive tag key must be included in the requested tags.',
    );
    assertError(
      await cloud.assumeReply(ROOT, role, 'ss', { SourceIdentity: 'aws:me' }),
      400,
      'ValidationError',
      // The model's pattern has no colon, so `aws:` never reaches STS's own check.
      "1 validation error detected: Value 'aws:me' at 'sourceIdentity' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    );
  });

  it('PackedPolicySize is reported with session policies or tags, and PackedPolicyTooLarge past the limit', async () => {
    const role = await cloud.role(
      cloud.fresh('packed'),
      doc(trusts(`arn:aws:iam::${ACCOUNT}:root`, ALL_SESSION_ACTIONS)),
    );
    const plain = await cloud.assume(ROOT, role, 'plain');
    assert.equal(textOf(plain.body, 'PackedPolicySize'), undefined);
    const tagged = await cloud.assume(ROOT, role, 'tagged', tagParams({ team: 'web' }));
    assert.match(textOf(tagged.body, 'PackedPolicySize') ?? '', /^\d+$/);
    const big: Record<string, string> = {};
    for (let i = 0; i < 40; i++) big[`key-${i}`] = 'v'.repeat(60);
    assertError(
      await cloud.assumeReply(ROOT, role, 'big', tagParams(big)),
      400,
      'PackedPolicyTooLarge',
      /^Packed policy consumes \d+% of allotted space, please use smaller policy\.$/,
    );
  });
});

describe('GetCallerIdentity, GetSessionToken, GetAccessKeyInfo (evaluation-logic §4)', () => {
  it('a session’s identity: AROA…:session and the assumed-role ARN, even under an explicit deny of everything', async () => {
    const name = cloud.fresh('whoami');
    const role = await cloud.role(name, doc(trusts(`arn:aws:iam::${ACCOUNT}:root`)), {
      policies: { nothing: doc(deny('*')) },
    });
    const roleId = requireText(await cloud.ok('iam', { Action: 'GetRole', RoleName: name }), 'RoleId');
    const s = await cloud.assume(ROOT, role, 'me');
    assert.equal(s.assumedRoleId, `${roleId}:me`);
    const body = await cloud.ok('sts', { Action: 'GetCallerIdentity' }, s);
    assert.deepEqual(
      { UserId: textOf(body, 'UserId'), Account: textOf(body, 'Account'), Arn: textOf(body, 'Arn') },
      { UserId: `${roleId}:me`, Account: ACCOUNT, Arn: sessionArn(name, 'me') },
    );
    assert.match(roleId, /^AROA[A-Z2-7]{17}$/);
  });

  it('GetSessionToken needs no permission; its credentials act as the user', async () => {
    const user = await cloud.user(cloud.fresh('mfa-less'), {
      policies: { p: doc(allow('iam:ListRoles'), deny('sts:*')) },
    });
    const body = await cloud.ok('sts', { Action: 'GetSessionToken', DurationSeconds: '900' }, user.creds);
    const temp: Creds = {
      accessKeyId: requireText(body, 'AccessKeyId'),
      secretAccessKey: requireText(body, 'SecretAccessKey'),
      sessionToken: requireText(body, 'SessionToken'),
    };
    assert.match(temp.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
    const who = await cloud.ok('sts', { Action: 'GetCallerIdentity' }, temp);
    assert.equal(textOf(who, 'Arn'), user.arn);
    await cloud.ok('iam', { Action: 'ListRoles' }, temp);
    assertDenied(
      await cloud.iam({ Action: 'ListUsers' }, temp),
      noAllow(user.arn, 'iam:ListUsers', undefined, 'identity-based policy'),
    );
  });

  it('GetSessionToken with session credentials is refused', async () => {
    const user = await cloud.user(cloud.fresh('twice'), { policies: { p: doc(allow('sts:GetSessionToken')) } });
    const body = await cloud.ok('sts', { Action: 'GetSessionToken' }, user.creds);
    const temp: Creds = {
      accessKeyId: requireText(body, 'AccessKeyId'),
      secretAccessKey: requireText(body, 'SecretAccessKey'),
      sessionToken: requireText(body, 'SessionToken'),
    };
    assertDenied(
      await cloud.sts({ Action: 'GetSessionToken' }, temp),
      'Cannot call GetSessionToken with session credentials',
    );
    const role = await cloud.role(cloud.fresh('gst'), doc(trusts(`arn:aws:iam::${ACCOUNT}:root`)), {
      policies: { p: doc(allow('sts:*')) },
    });
    const s = await cloud.assume(ROOT, role, 'ss');
    assertDenied(
      await cloud.sts({ Action: 'GetSessionToken' }, s),
      'Cannot call GetSessionToken with session credentials',
    );
  });

  it('GetAccessKeyInfo: the account of an AKIA key and of an ASIA key', async () => {
    const user = await cloud.user(cloud.fresh('keyed'), { as: OTHER_ROOT });
    const s = await cloud.assume(ROOT, await cloud.role(cloud.fresh('gaki'), doc(trusts(ACCOUNT))), 'ss');
    const accountOf = async (id: string) =>
      textOf(await cloud.ok('sts', { Action: 'GetAccessKeyInfo', AccessKeyId: id }), 'Account');
    assert.match(user.creds.accessKeyId, /^AKIA/);
    assert.equal(await accountOf(user.creds.accessKeyId), OTHER);
    assert.match(s.accessKeyId, /^ASIA/);
    assert.equal(await accountOf(s.accessKeyId), ACCOUNT);
    // The root keys `test` and `111111111111` are shorter than the model's 16 characters: refused as AWS would.
    for (const id of ['test', OTHER]) {
      assertError(
        await cloud.sts({ Action: 'GetAccessKeyInfo', AccessKeyId: id }),
        400,
        'ValidationError',
        `1 validation error detected: Value '${id}' at 'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16`,
      );
    }
  });
});

describe('credentials that must not authenticate (InvalidClientTokenId)', () => {
  let session: Session;
  let other: Session;
  before(async () => {
    const role = await cloud.role(cloud.fresh('tokens'), doc(trusts(`arn:aws:iam::${ACCOUNT}:root`)));
    session = await cloud.assume(ROOT, role, 'real');
    other = await cloud.assume(ROOT, role, 'other');
  });
  const refused = async (creds: Creds) =>
    assertError(await cloud.sts({ Action: 'GetCallerIdentity' }, creds), 403, 'InvalidClientTokenId', INVALID_TOKEN);

  it('the real token works', async () => {
    await cloud.ok('sts', { Action: 'GetCallerIdentity' }, session);
  });

  it('a token changed in one character, cut short, or made up', async () => {
    const t = session.sessionToken;
    const middle = Math.floor(t.length / 2);
    const flipped = t.slice(0, middle) + (t[middle] === 'A' ? 'B' : 'A') + t.slice(middle + 1);
    await refused({ ...session, sessionToken: flipped });
    await refused({ ...session, sessionToken: t.slice(0, t.length - 8) });
    await refused({ ...session, sessionToken: t.slice(0, 20) });
    await refused({ ...session, sessionToken: Buffer.from('{"accessKeyId":"x"}').toString('base64') });
  });

  it('another session’s token with this key id, or this token with another key id', async () => {
    await refused({ ...session, sessionToken: other.sessionToken });
    await refused({ ...other, sessionToken: session.sessionToken });
  });

  it('a temporary key id without its token', async () => {
    await refused({ accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey });
  });

  it('a token sealed by another server', async () => {
    const elsewhere = await Cloud.start();
    try {
      const role = await elsewhere.role('r', doc(trusts(ACCOUNT)));
      const foreign = await elsewhere.assume(ROOT, role, 'foreign');
      await elsewhere.ok('sts', { Action: 'GetCallerIdentity' }, foreign);
      await refused(foreign);
    } finally {
      await elsewhere.close();
    }
  });
});

describe('expiry and revocation on the server’s clock', () => {
  // Expiry gets a server of its own: its clock moves by almost 15 minutes, the most a client signing with its own
  // clock may be behind (SigV4's allowed skew), and then real time passes the rest of the way.
  let timed: Cloud;
  before(async () => {
    timed = await Cloud.start();
  });
  after(async () => {
    await timed.close();
  });

  it('a session works until its expiry and then gets ExpiredToken (IAM, STS) and RequestExpired (EC2)', async () => {
    const role = await timed.role('expiring', doc(trusts(`arn:aws:iam::${ACCOUNT}:root`)), {
      policies: { p: doc(allow(['iam:ListRoles', 'ec2:DescribeRegions'])) },
    });
    const s = await timed.assume(ROOT, role, 'short', { DurationSeconds: '900' });
    await timed.ok('iam', { Action: 'ListRoles' }, s);
    timed.advance(880);
    await timed.ok('iam', { Action: 'ListRoles' }, s);
    await timed.ok('ec2', { Action: 'DescribeRegions' }, s);
    timed.advance(18);
    await untilServerTime(timed, Date.parse(s.expiration));
    assertError(await timed.iam({ Action: 'ListRoles' }, s), 403, 'ExpiredToken', EXPIRED_TOKEN);
    assertError(await timed.sts({ Action: 'GetCallerIdentity' }, s), 403, 'ExpiredToken', EXPIRED_TOKEN);
    assertError(await timed.ec2({ Action: 'DescribeRegions' }, s), 400, 'RequestExpired', 'Request has expired.');
    // Long-term credentials are not affected.
    await timed.ok('iam', { Action: 'ListRoles' });
  });

  it('a request signed with the wall clock still authenticates after the server’s clock moves an hour', async () => {
    // Moving the clock simulates time passing for the server's time-based checks (shared/DESIGN.md decision 6), so
    // that users can watch credentials expire; a client signing with its own clock must still get through.
    timed.advance(3600);
    assertOk(await timed.sts({ Action: 'GetCallerIdentity' }));
  });

  it('AWSRevokeOlderSessions denies sessions issued before its time, not those issued after', async () => {
    const name = cloud.fresh('revoked');
    const role = await cloud.role(name, doc(trusts(`arn:aws:iam::${ACCOUNT}:root`)), {
      policies: { p: doc(allow('iam:ListRoles')) },
    });
    const old = await cloud.assume(ROOT, role, 'old');
    cloud.advance(2);
    const revokeAt = isoSeconds(cloud.server.clock.now());
    await cloud.putRolePolicy(
      name,
      'AWSRevokeOlderSessions',
      doc(deny('*', '*', { DateLessThan: { 'aws:TokenIssueTime': revokeAt } })),
    );
    cloud.advance(2);
    const fresh = await cloud.assume(ROOT, role, 'fresh');
    assertDenied(
      await cloud.iam({ Action: 'ListRoles' }, old),
      explicit(old.arn, 'iam:ListRoles', undefined, 'an identity-based policy'),
    );
    await cloud.ok('iam', { Action: 'ListRoles' }, fresh);
    // GetCallerIdentity still answers for the revoked session.
    await cloud.ok('sts', { Action: 'GetCallerIdentity' }, old);
  });
});

describe('EC2 denials and DecodeAuthorizationMessage', () => {
  it('UnauthorizedOperation carries an encoded message that an allowed principal decodes', async () => {
    const name = cloud.fresh('ec2-none');
    const role = await cloud.role(name, doc(trusts(`arn:aws:iam::${ACCOUNT}:root`)));
    const s = await cloud.assume(ROOT, role, 'nothing');
    const reply = await cloud.ec2({ Action: 'DescribeRegions' }, s);
    const prefix = `You are not authorized to perform this operation. ${noAllow(s.arn, 'ec2:DescribeRegions', undefined, 'identity-based policy')}. Encoded authorization failure message: `;
    assertError(
      reply,
      403,
      'UnauthorizedOperation',
      new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[A-Za-z0-9_-]+$`),
    );
    const encoded = (errorOf(reply.body).message ?? '').slice(prefix.length);

    const decoder = await cloud.user(cloud.fresh('decoder'), {
      policies: { p: doc(allow('sts:DecodeAuthorizationMessage')) },
    });
    const body = await cloud.ok(
      'sts',
      { Action: 'DecodeAuthorizationMessage', EncodedMessage: encoded },
      decoder.creds,
    );
    const decoded = JSON.parse(unescapeXml(requireText(body, 'DecodedMessage'))) as {
      allowed: boolean;
      explicitDeny: boolean;
      context: { action: string; resource: string; principal: { id: string; arn: string } };
    };
    assert.equal(decoded.allowed, false);
    assert.equal(decoded.explicitDeny, false);
    assert.equal(decoded.context.action, 'ec2:DescribeRegions');
    assert.equal(decoded.context.principal.arn, s.arn);
    assert.equal(decoded.context.principal.id, s.assumedRoleId);

    assertDenied(
      await cloud.sts({ Action: 'DecodeAuthorizationMessage', EncodedMessage: encoded }, s),
      noAllow(s.arn, 'sts:DecodeAuthorizationMessage', undefined, 'identity-based policy'),
    );
    assertError(
      await cloud.sts({ Action: 'DecodeAuthorizationMessage', EncodedMessage: `${encoded.slice(0, -4)}AAAA` }),
      400,
      'InvalidAuthorizationMessageException',
      'The encoded message is not valid.',
    );
  });

  it('an explicit deny is explicit in the decoded message', async () => {
    const user = await cloud.user(cloud.fresh('ec2-denied'), { policies: { p: doc(allow('*'), deny('ec2:*')) } });
    const reply = await cloud.ec2({ Action: 'DescribeRegions' }, user.creds);
    const message = errorOf(reply.body).message ?? '';
    assert.ok(
      message.startsWith(
        `You are not authorized to perform this operation. ${explicit(user.arn, 'ec2:DescribeRegions', undefined, 'an identity-based policy')}. Encoded authorization failure message: `,
      ),
      message,
    );
    const encoded = message.slice(message.lastIndexOf(' ') + 1);
    const body = await cloud.ok('sts', { Action: 'DecodeAuthorizationMessage', EncodedMessage: encoded });
    const decoded = JSON.parse(unescapeXml(requireText(body, 'DecodedMessage'))) as { explicitDeny: boolean };
    assert.equal(decoded.explicitDeny, true);
  });
});

describe('RoleLastUsed', () => {
  it('AssumeRole records the date and the region it was called in', async () => {
    const name = cloud.fresh('last-used');
    const role = await cloud.role(name, doc(trusts(ACCOUNT)));
    const before = await cloud.ok('iam', { Action: 'GetRole', RoleName: name });
    assert.match(before, /<RoleLastUsed\/>|<RoleLastUsed><\/RoleLastUsed>/);
    const started = isoSeconds(cloud.server.clock.now());
    assertOk(
      await cloud.call('sts', { Action: 'AssumeRole', RoleArn: role, RoleSessionName: 'used' }, ROOT, 'eu-west-1'),
    );
    const after = await cloud.ok('iam', { Action: 'GetRole', RoleName: name });
    const used = /<RoleLastUsed>(.*)<\/RoleLastUsed>/.exec(after)?.[1] ?? '';
    assert.equal(textOf(used, 'Region'), 'eu-west-1');
    assert.ok((textOf(used, 'LastUsedDate') ?? '') >= started, used);
  });
});

describe('the clock API (POST /_rolecall/clock)', () => {
  async function clockRequest(method: string, body: string, creds?: Creds): Promise<{ status: number; json: unknown }> {
    const url = new URL('/_rolecall/clock', cloud.server.endpoint);
    const headers: Record<string, string> = { host: url.host, 'content-type': 'application/json' };
    let signedHeaders = headers;
    if (creds) {
      const signer = new SignatureV4({
        service: 'rolecall',
        region: 'us-east-1',
        credentials: creds,
        sha256: Sha256,
        applyChecksum: false,
      });
      const signed = await signer.sign({
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        query: {},
        headers,
        body,
      });
      signedHeaders = { ...signed.headers };
    }
    delete signedHeaders['host'];
    const res = await fetch(url, { method, headers: signedHeaders, ...(method === 'GET' ? {} : { body }) });
    return { status: res.status, json: await res.json() };
  }

  it('GET shows the time; POST signed by a root moves it forward', async () => {
    const got = (await clockRequest('GET', '')).json as { now: string; offsetSeconds: number };
    const moved = await clockRequest('POST', '{"advanceSeconds": 30}', ROOT);
    assert.equal(moved.status, 200);
    const after = moved.json as { now: string; offsetSeconds: number };
    assert.equal(after.offsetSeconds, got.offsetSeconds + 30);
    assert.ok(Date.parse(after.now) - Date.parse(got.now) >= 30_000);
    assert.equal((await clockRequest('POST', '{"advanceSeconds": 1}', OTHER_ROOT)).status, 200);
  });

  it('refuses unsigned requests, users and sessions, and bad bodies', async () => {
    assert.equal((await clockRequest('POST', '{"advanceSeconds": 1}')).status, 403);
    const user = await cloud.user(cloud.fresh('clock-user'), { policies: { all: doc(allow('*')) } });
    assert.equal((await clockRequest('POST', '{"advanceSeconds": 1}', user.creds)).status, 403);
    const role = await cloud.role(cloud.fresh('clock-role'), doc(trusts(ACCOUNT)), {
      policies: { all: doc(allow('*')) },
    });
    const s = await cloud.assume(ROOT, role, 'clock');
    assert.equal((await clockRequest('POST', '{"advanceSeconds": 1}', s)).status, 403);
    assert.equal(
      (await clockRequest('POST', '{"advanceSeconds": 1}', { ...ROOT, secretAccessKey: 'wrong' })).status,
      403,
    );
    assert.equal((await clockRequest('POST', '{"advanceSeconds": -1}', ROOT)).status, 400);
    assert.equal((await clockRequest('POST', 'not json', ROOT)).status, 400);
  });
});

describe('--enforce audit and off', () => {
  let audit: Cloud;
  let off: Cloud;
  before(async () => {
    audit = await Cloud.start('audit');
    off = await Cloud.start('off');
  });
  after(async () => {
    await audit.close();
    await off.close();
  });

  it('audit allows what on denies, and logs the denial it would have made', async () => {
    for (const c of [cloud, audit]) await c.user('limited');
    const onUser = await cloud.ok('iam', { Action: 'CreateAccessKey', UserName: 'limited' });
    const auditUser = await audit.ok('iam', { Action: 'CreateAccessKey', UserName: 'limited' });
    const creds = (body: string): Creds => ({
      accessKeyId: requireText(body, 'AccessKeyId'),
      secretAccessKey: requireText(body, 'SecretAccessKey'),
    });
    const message = noAllow(userArn('limited'), 'iam:ListRoles', undefined, 'identity-based policy');
    assertDenied(await cloud.iam({ Action: 'ListRoles' }, creds(onUser)), message);
    await audit.ok('iam', { Action: 'ListRoles' }, creds(auditUser));
    const line = audit.logs.find((l) => l.includes('would deny'));
    assert.ok(line, audit.logs.join(''));
    assert.equal((JSON.parse(line) as { msg: string }).msg, `audit: would deny: ${message}`);
    // EC2 too.
    await audit.ok('ec2', { Action: 'DescribeRegions' }, creds(auditUser));
  });

  it('off allows it and logs nothing about it', async () => {
    await off.user('limited');
    const body = await off.ok('iam', { Action: 'CreateAccessKey', UserName: 'limited' });
    const creds = {
      accessKeyId: requireText(body, 'AccessKeyId'),
      secretAccessKey: requireText(body, 'SecretAccessKey'),
    };
    await off.ok('iam', { Action: 'ListRoles' }, creds);
    await off.ok('ec2', { Action: 'DescribeRegions' }, creds);
    assert.equal(off.logs.filter((l) => l.includes('would deny')).length, 0);
  });

  it('authentication stays on in both: a bad signature, an unknown key and a bad token are refused', async () => {
    for (const c of [audit, off]) {
      const mismatch = await c.iam({ Action: 'ListRoles' }, { accessKeyId: 'test', secretAccessKey: 'wrong' });
      assertError(mismatch, 403, 'SignatureDoesNotMatch', /^The request signature we calculated does not match/);
      assertError(
        await c.iam({ Action: 'ListRoles' }, { accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: 'x' }),
        403,
        'InvalidClientTokenId',
        INVALID_TOKEN,
      );
      assertError(
        await c.iam(
          { Action: 'ListRoles' },
          { accessKeyId: 'ASIAAAAAAAAAAAAAAAAA', secretAccessKey: 'x', sessionToken: 'forged' },
        ),
        403,
        'InvalidClientTokenId',
        INVALID_TOKEN,
      );
    }
  });

  it('audit and off let AssumeRole through a trust policy that does not name the caller', async () => {
    for (const c of [audit, off]) {
      const role = await c.role(c.fresh('any'), doc(trusts(`arn:aws:iam::${OTHER}:root`)));
      const s = await c.assume(ROOT, role, 'anyone');
      await c.ok('sts', { Action: 'GetCallerIdentity' }, s);
    }
  });
});

describe('GetAccessKeyLastUsed is authorized against the key’s owner (Service Authorization Reference: user)', () => {
  it('a user allowed on another user reads that user’s key, not a key of its own', async () => {
    const owner = await cloud.user('key-owner');
    const reader = await cloud.user('key-reader', {
      policies: { p: doc(allow('iam:GetAccessKeyLastUsed', userArn('key-owner'))) },
    });
    const theirs = await cloud.call(
      'iam',
      { Action: 'GetAccessKeyLastUsed', AccessKeyId: owner.creds.accessKeyId },
      reader.creds,
    );
    assertOk(theirs);
    assert.equal(textOf(theirs.body, 'UserName'), 'key-owner');
    assertDenied(
      await cloud.call('iam', { Action: 'GetAccessKeyLastUsed', AccessKeyId: reader.creds.accessKeyId }, reader.creds),
      noAllow(reader.arn, 'iam:GetAccessKeyLastUsed', reader.arn, 'identity-based policy'),
    );
  });
});

describe('EC2 instance actions are authorized against the instance ARNs (Service Authorization Reference)', () => {
  it('a user allowed to stop one instance, or instances tagged team=web, can stop only those', async () => {
    const run = async (tags: Record<string, string>) => {
      const params: Params = { Action: 'RunInstances', ImageId: 'ami-12345678', MinCount: '1', MaxCount: '1' };
      Object.entries(tags).forEach(([k, v], i) => {
        params['TagSpecification.1.ResourceType'] = 'instance';
        params[`TagSpecification.1.Tag.${i + 1}.Key`] = k;
        params[`TagSpecification.1.Tag.${i + 1}.Value`] = v;
      });
      return requireText(await cloud.ok('ec2', params), 'instanceId');
    };
    const a = await run({});
    const b = await run({});
    const web = await run({ team: 'web' });
    cloud.server.clock.advance(2);
    const arn = (id: string) => `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/${id}`;
    const user = await cloud.user('ec2-stopper', {
      policies: {
        one: doc(allow('ec2:StopInstances', arn(a))),
        tagged: doc(allow('ec2:StopInstances', '*', { StringEquals: { 'aws:ResourceTag/team': 'web' } })),
      },
    });
    const stop = (id: string) => cloud.call('ec2', { Action: 'StopInstances', 'InstanceId.1': id }, user.creds);
    assertOk(await stop(a));
    assertOk(await stop(web));
    const denied = await stop(b);
    assert.equal(denied.status, 403);
    assert.equal(errorOf(denied.body).code, 'UnauthorizedOperation');
    assert.match(
      errorOf(denied.body).message ?? '',
      new RegExp(`perform: ec2:StopInstances on resource: ${arn(b)} because`),
    );
  });
});
