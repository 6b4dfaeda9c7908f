/**
 * The gateway end to end, in process: real SigV4-signed requests over HTTP against startServer() with the memory
 * store. Each refused request is checked for its exact code, HTTP status and message (docs/research/wire-facts.md,
 * shared/AWS-FACTS.md) and, when it was a mutation, for leaving the stored state exactly as it was.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { DEFAULTS } from '../../src/server/config.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { VERSION } from '../../src/server/version.ts';
import {
  errorOf,
  rfc3986,
  signedQuery,
  unsigned,
  type QueryService,
  type Reply,
  type SignedQueryOptions,
} from '../support/signed.ts';

const DEFAULT_ACCOUNT = '000000000000';
const OTHER_ACCOUNT = '111111111111';
const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const trustWith = (statement: Record<string, unknown>): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [statement] });

let server: RunningServer;
let dataDir: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rolecall-gateway-'));
  server = await startServer(
    { ...DEFAULTS, port: 0, store: 'memory', logLevel: 'silent', readyFile: undefined, dataDir },
    pino({ level: 'silent' }),
  );
});

after(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const call = (service: QueryService, params: Record<string, string>, opts?: SignedQueryOptions): Promise<Reply> =>
  signedQuery(server.endpoint, service, params, opts);
const iam = (params: Record<string, string>, opts?: SignedQueryOptions) => call('iam', params, opts);
const ec2 = (params: Record<string, string>, opts?: SignedQueryOptions) => call('ec2', params, opts);

/** The text of the first `<tag>…</tag>`, or undefined. */
const textOf = (body: string, tag: string): string | undefined =>
  new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(body)?.[1];
const allOf = (body: string, tag: string): string[] =>
  [...body.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1] ?? '');

function assertOk(reply: Reply): Reply {
  assert.equal(reply.status, 200, reply.body);
  return reply;
}

/** Checks an error reply exactly; `message` may be a RegExp where the text contains a time or an id. */
function assertError(reply: Reply, status: number, code: string, message: string | RegExp): void {
  const error = errorOf(reply.body);
  assert.deepEqual({ status: reply.status, code: error.code }, { status, code }, reply.body);
  if (typeof message === 'string') assert.equal(error.message, message);
  else assert.match(error.message ?? '', message);
  assert.equal(error.requestId, reply.headers['x-amzn-requestid'], 'RequestId in the body matches the header');
}

/**
 * What a caller can observe of an account's IAM state, with request ids removed: every role and instance profile
 * as listed, plus the full view and tags of the roles a test names.
 */
async function snapshot(accessKeyId: string, inspect: readonly string[]): Promise<string[]> {
  const strip = (body: string) => body.replace(/<RequestId>[^<]*<\/RequestId>/, '');
  const opts = { accessKeyId };
  const roles = assertOk(await iam({ Action: 'ListRoles', MaxItems: '1000' }, opts)).body;
  const profiles = assertOk(await iam({ Action: 'ListInstanceProfiles', MaxItems: '1000' }, opts)).body;
  const out = [strip(roles), strip(profiles)];
  for (const name of inspect) {
    out.push(strip(assertOk(await iam({ Action: 'GetRole', RoleName: name }, opts)).body));
    out.push(strip(assertOk(await iam({ Action: 'ListRoleTags', RoleName: name }, opts)).body));
  }
  return out;
}

/** Runs a request that must fail and checks that nothing observable changed (`inspect`: roles to look into). */
async function unchanged(request: () => Promise<Reply>, inspect: readonly string[] = []): Promise<Reply> {
  const before = await snapshot('test', inspect);
  const reply = await request();
  assert.deepEqual(await snapshot('test', inspect), before, 'stored state changed');
  return reply;
}

let roleCounter = 0;
const freshName = (prefix = 'role') => `${prefix}-${++roleCounter}`;

async function createRole(name: string, extra: Record<string, string> = {}): Promise<Reply> {
  return assertOk(await iam({ Action: 'CreateRole', RoleName: name, AssumeRolePolicyDocument: TRUST, ...extra }));
}

const tags = (n: number, key = (i: number) => `k${i}`): Record<string, string> => {
  const out: Record<string, string> = {};
  for (let i = 1; i <= n; i++) {
    out[`Tags.member.${i}.Key`] = key(i);
    out[`Tags.member.${i}.Value`] = `v${i}`;
  }
  return out;
};

/** X-Amz-Date form of a time. */
const amzDate = (d: Date): string =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
const parseAmz = (s: string): number =>
  Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(9, 11), +s.slice(11, 13), +s.slice(13, 15));

describe('routing and protocol errors', () => {
  it('IAM: an unknown Action is InvalidAction 400 naming the API version', async () => {
    const reply = await iam({ Action: 'Foo' });
    assertError(reply, 400, 'InvalidAction', 'Could not find operation Foo for version 2010-05-08');
    assert.equal(errorOf(reply.body).type, 'Sender');
    assert.ok(reply.body.startsWith(`<ErrorResponse xmlns="${IAM_NS}"><Error><Type>Sender</Type><Code>`), reply.body);
  });

  it('EC2: an unknown Action is InvalidAction 400 in the EC2 envelope', async () => {
    const reply = await ec2({ Action: 'Foo' });
    assertError(reply, 400, 'InvalidAction', 'The action Foo is not valid for this web service.');
    assert.equal(errorOf(reply.body).type, undefined, 'EC2 errors carry no Type');
    assert.match(reply.body, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Response><Errors><Error><Code>/);
    assert.match(reply.body, /<\/Errors><RequestID>[^<]+<\/RequestID><\/Response>$/);
  });

  it('a request without Action is MissingAction 400', async () => {
    assertError(await iam({}), 400, 'MissingAction', 'Missing Action');
    assertError(await ec2({}), 400, 'MissingAction', 'Missing Action');
  });

  it('a service the credential scope names but rolecall does not serve is a 400 query error', async () => {
    const reply = await iam(
      { Action: 'ListRoles' },
      {
        tamper: (req) => {
          req.headers['authorization'] = (req.headers['authorization'] ?? '').replace(
            '/us-east-1/iam/',
            '/us-east-1/sqs/',
          );
        },
      },
    );
    assertError(
      reply,
      400,
      'UnknownService',
      "rolecall does not serve the service 'sqs' (it serves iam, sts, ec2, s3, logs, access-analyzer, lambda, cloudtrail)",
    );
    assert.equal(errorOf(reply.body).type, 'Sender');
    assert.match(reply.body, /^<ErrorResponse><Error>/);
  });

  it('a garbage form body is answered with a 4xx, never a 5xx', async () => {
    const garbage = await unsigned(server.endpoint, '%%%');
    assertError(
      garbage,
      400,
      'UnknownService',
      'rolecall could not tell which service this request is for (it serves iam, sts, ec2, s3, logs, access-analyzer, lambda, cloudtrail)',
    );
    const broken = await unsigned(server.endpoint, 'Action=ListRoles&Version=2010-05-08&%E0%A4%A&=&&x=%ZZ');
    assertError(broken, 403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
    const tampered = await iam(
      { Action: 'ListRoles' },
      {
        tamper: (req) => {
          req.body = `%%%&${req.body}`;
        },
      },
    );
    assertError(tampered, 403, 'SignatureDoesNotMatch', MISMATCH);
  });

  it('a body over 8 MiB is refused with 413', async () => {
    const reply = await unsigned(
      server.endpoint,
      `Action=ListRoles&Version=2010-05-08&x=${'a'.repeat(9 * 1024 * 1024)}`,
    );
    assert.equal(reply.status, 413);
  });

  it('GET /_rolecall/health is 200 with the version', async () => {
    const res = await fetch(new URL('/_rolecall/health', server.endpoint));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.deepEqual(await res.json(), { status: 'ok', version: VERSION });
  });

  it('an unknown /_rolecall/ path is 404 JSON', async () => {
    const res = await fetch(new URL('/_rolecall/x', server.endpoint));
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.deepEqual(await res.json(), { error: 'no admin resource at /_rolecall/x' });
  });
});

describe('authentication', () => {
  it('IAM: no Authorization header is MissingAuthenticationToken 403', async () => {
    const reply = await unchanged(() =>
      unsigned(
        server.endpoint,
        `Action=CreateRole&Version=2010-05-08&RoleName=unsigned&AssumeRolePolicyDocument=${rfc3986(TRUST)}`,
      ),
    );
    assertError(reply, 403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
    assert.equal(errorOf(reply.body).type, 'Sender');
  });

  it('an unauthenticated request learns nothing from constraint checks, type checks included', async () => {
    // src/server/pipeline.ts: "Constraint checks (4) run after authentication so an unauthenticated caller learns
    // nothing from them". A malformed integer is such a check.
    const noAuth = await unsigned(
      server.endpoint,
      `Action=CreateRole&Version=2010-05-08&RoleName=x&AssumeRolePolicyDocument=${rfc3986(TRUST)}&MaxSessionDuration=abc`,
    );
    assertError(noAuth, 403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
    const badSecret = await iam(
      { Action: 'CreateRole', RoleName: 'x', AssumeRolePolicyDocument: TRUST, MaxSessionDuration: 'abc' },
      { secretAccessKey: 'nope' },
    );
    assertError(badSecret, 403, 'SignatureDoesNotMatch', MISMATCH);
    const badRange = await iam(
      { Action: 'CreateRole', RoleName: 'x', AssumeRolePolicyDocument: TRUST, MaxSessionDuration: '1' },
      { secretAccessKey: 'nope' },
    );
    assertError(badRange, 403, 'SignatureDoesNotMatch', MISMATCH);
  });

  it('EC2: no Authorization header is MissingParameter 400 (AWSAccessKeyId)', async () => {
    const reply = await unsigned(server.endpoint, 'Action=DescribeRegions&Version=2016-11-15');
    assertError(reply, 400, 'MissingParameter', 'The request must contain the parameter AWSAccessKeyId');
  });

  it('IAM: an unknown access key is InvalidClientTokenId 403', async () => {
    const reply = await unchanged(() =>
      iam(
        { Action: 'CreateRole', RoleName: 'nokey', AssumeRolePolicyDocument: TRUST },
        { accessKeyId: 'AKIAUNKNOWNUNKNOWN00' },
      ),
    );
    assertError(reply, 403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
  });

  it('STS: an unknown access key is InvalidClientTokenId 403 in the STS namespace', async () => {
    const reply = await call('sts', { Action: 'GetCallerIdentity' }, { accessKeyId: 'AKIAUNKNOWNUNKNOWN00' });
    assertError(reply, 403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    assert.ok(reply.body.startsWith('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'), reply.body);
  });

  it('EC2: an unknown access key is AuthFailure 401', async () => {
    const reply = await ec2({ Action: 'DescribeRegions' }, { accessKeyId: 'AKIAUNKNOWNUNKNOWN00' });
    assertError(reply, 401, 'AuthFailure', 'AWS was not able to validate the provided access credentials');
  });

  it('a wrong secret is SignatureDoesNotMatch 403 (IAM and EC2)', async () => {
    const reply = await unchanged(() =>
      iam(
        { Action: 'CreateRole', RoleName: 'badsecret', AssumeRolePolicyDocument: TRUST },
        { secretAccessKey: 'nope' },
      ),
    );
    assertError(reply, 403, 'SignatureDoesNotMatch', MISMATCH);
    assertError(
      await ec2({ Action: 'DescribeRegions' }, { secretAccessKey: 'nope' }),
      403,
      'SignatureDoesNotMatch',
      MISMATCH,
    );
  });

  it('IAM: an X-Amz-Date 20 minutes old is SignatureDoesNotMatch "Signature expired"', async () => {
    const signedAt = new Date(Date.now() - 20 * 60 * 1000);
    const reply = await unchanged(() =>
      iam({ Action: 'CreateRole', RoleName: 'stale', AssumeRolePolicyDocument: TRUST }, { signingDate: signedAt }),
    );
    assertError(
      reply,
      403,
      'SignatureDoesNotMatch',
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/,
    );
    const [, request = '', earliest = '', now = ''] =
      /^Signature expired: (\S+) is now earlier than (\S+) \((\S+) - 15 min\.\)$/.exec(
        errorOf(reply.body).message ?? '',
      ) ?? [];
    assert.equal(request, amzDate(signedAt));
    assert.equal(parseAmz(now) - parseAmz(earliest), 15 * 60 * 1000);
    assert.ok(Math.abs(parseAmz(now) - Date.now()) < 60_000, `server time ${now} is now`);
  });

  it('IAM: an X-Amz-Date 20 minutes ahead is SignatureDoesNotMatch "Signature not yet current"', async () => {
    const reply = await iam({ Action: 'ListRoles' }, { signingDate: new Date(Date.now() + 20 * 60 * 1000) });
    assertError(
      reply,
      403,
      'SignatureDoesNotMatch',
      /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 15 min\.\)$/,
    );
  });

  it('EC2: an X-Amz-Date 20 minutes old is RequestExpired 400', async () => {
    const reply = await ec2({ Action: 'DescribeRegions' }, { signingDate: new Date(Date.now() - 20 * 60 * 1000) });
    assertError(reply, 400, 'RequestExpired', 'Request has expired.');
  });

  it('a body changed after signing is SignatureDoesNotMatch', async () => {
    const reply = await unchanged(() =>
      iam(
        { Action: 'CreateRole', RoleName: 'signed-name', AssumeRolePolicyDocument: TRUST },
        {
          tamper: (req) => {
            req.body = req.body.replace('signed-name', 'other-name');
          },
        },
      ),
    );
    assertError(reply, 403, 'SignatureDoesNotMatch', MISMATCH);
  });

  it('a session token with the root key `test` is InvalidClientTokenId', async () => {
    const reply = await unchanged(() =>
      iam(
        { Action: 'CreateRole', RoleName: 'withtoken', AssumeRolePolicyDocument: TRUST },
        { sessionToken: 'FwoGZXIvYXdzEXAMPLE' },
      ),
    );
    assertError(reply, 403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
  });

  it('STS GetCallerIdentity for the default root', async () => {
    const reply = assertOk(await call('sts', { Action: 'GetCallerIdentity' }));
    const id = reply.headers['x-amzn-requestid'] ?? '';
    assert.equal(
      reply.body,
      '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
        '<UserId>000000000000</UserId><Account>000000000000</Account><Arn>arn:aws:iam::000000000000:root</Arn>' +
        `</GetCallerIdentityResult><ResponseMetadata><RequestId>${id}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
    );
  });
});

describe('validation', () => {
  const create = (params: Record<string, string>) =>
    unchanged(() => iam({ Action: 'CreateRole', AssumeRolePolicyDocument: TRUST, ...params }));

  it('a missing RoleName is "Value null … Member must not be null"', async () => {
    assertError(
      await iam({ Action: 'GetRole' }),
      400,
      'ValidationError',
      "1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null",
    );
  });

  it("RoleName 'bad name!' gets IAM's own wording", async () => {
    assertError(
      await create({ RoleName: 'bad name!' }),
      400,
      'ValidationError',
      'The specified value for roleName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-',
    );
  });

  it('a 65-character RoleName is a length error quoting the value', async () => {
    const name = 'r'.repeat(65);
    assertError(
      await create({ RoleName: name }),
      400,
      'ValidationError',
      `1 validation error detected: Value '${name}' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    );
  });

  it('MaxSessionDuration outside 3600–43200 is a value-range error', async () => {
    assertError(
      await create({ RoleName: freshName(), MaxSessionDuration: '100' }),
      400,
      'ValidationError',
      "1 validation error detected: Value '100' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600",
    );
    assertError(
      await create({ RoleName: freshName(), MaxSessionDuration: '50000' }),
      400,
      'ValidationError',
      "1 validation error detected: Value '50000' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200",
    );
  });

  it('MaxSessionDuration=abc is a ValidationError at maxSessionDuration, not a 500', async () => {
    assertError(
      await create({ RoleName: freshName(), MaxSessionDuration: 'abc' }),
      400,
      'ValidationError',
      /^1 validation error detected: Value 'abc' at 'maxSessionDuration' failed to satisfy constraint: /,
    );
  });

  it("Path 'nope' gets IAM's path wording", async () => {
    assertError(
      await create({ RoleName: freshName(), Path: 'nope' }),
      400,
      'ValidationError',
      'The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.',
    );
  });

  it('51 tags is a length error with no value shown', async () => {
    assertError(
      await create({ RoleName: freshName(), ...tags(51) }),
      400,
      'ValidationError',
      "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
    );
  });

  it('a 129-character tag key is reported at tags.1.member.key', async () => {
    assertError(
      await create({ RoleName: freshName(), ...tags(1, () => 'k'.repeat(129)) }),
      400,
      'ValidationError',
      "1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128",
    );
  });

  it('TagRole with 51 tags on a role that does not exist is still the ValidationError', async () => {
    assertError(
      await unchanged(() => iam({ Action: 'TagRole', RoleName: 'no-such-role', ...tags(51) })),
      400,
      'ValidationError',
      "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
    );
  });

  it('UntagRole with a 129-character key lists every constraint of a tag key', async () => {
    const name = freshName();
    await createRole(name, tags(2));
    const reply = await unchanged(
      () => iam({ Action: 'UntagRole', RoleName: name, 'TagKeys.member.1': 'k1', 'TagKeys.member.2': 'k'.repeat(129) }),
      [name],
    );
    assertError(
      reply,
      400,
      'ValidationError',
      "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+, Member must not be null]",
    );
  });

  it('two errors at once are counted and joined with "; "', async () => {
    const name = 'r'.repeat(65);
    assertError(
      await create({ RoleName: name, MaxSessionDuration: '100' }),
      400,
      'ValidationError',
      `2 validation errors detected: Value '${name}' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64; ` +
        "Value '100' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600",
    );
  });

  it('duplicate tag keys that differ only in case are InvalidInput 400', async () => {
    assertError(
      await create({ RoleName: freshName(), ...tags(2, (i) => (i === 1 ? 'Team' : 'team')) }),
      400,
      'InvalidInput',
      'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    );
    const name = freshName();
    await createRole(name);
    assertError(
      await unchanged(
        () => iam({ Action: 'TagRole', RoleName: name, ...tags(2, (i) => (i === 1 ? 'Env' : 'ENV')) }),
        [name],
      ),
      400,
      'InvalidInput',
      'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    );
  });

  it('an invalid Marker is a ValidationError', async () => {
    assertError(await iam({ Action: 'ListRoles', Marker: 'garbage' }), 400, 'ValidationError', 'Invalid Marker.');
  });
});

describe('trust policies', () => {
  const create = (document: string) =>
    unchanged(() => iam({ Action: 'CreateRole', RoleName: freshName('trust'), AssumeRolePolicyDocument: document }));
  const malformed = async (document: string, message: string) =>
    assertError(await create(document), 400, 'MalformedPolicyDocument', message);

  it('invalid JSON', async () => {
    await malformed('{"Version": "2012-10-17", ', 'This policy contains invalid Json');
  });

  it('a Resource element', async () => {
    await malformed(
      trustWith({
        Effect: 'Allow',
        Principal: { Service: 'ec2.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Resource: '*',
      }),
      'Has prohibited field Resource',
    );
  });

  it('an action other than STS role assumption', async () => {
    await malformed(
      trustWith({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 's3:GetObject' }),
      'AssumeRole policy may only specify STS AssumeRole actions.',
    );
  });

  it('a statement with no Principal', async () => {
    await malformed(
      trustWith({ Effect: 'Allow', Action: 'sts:AssumeRole' }),
      'Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!',
    );
  });

  it('a role principal that does not exist', async () => {
    await malformed(
      trustWith({
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::000000000000:role/nope' },
        Action: 'sts:AssumeRole',
      }),
      'Invalid principal in policy: "AWS":"arn:aws:iam::000000000000:role/nope"',
    );
  });

  it('a role principal that exists is accepted', async () => {
    const target = freshName('trusted');
    const arn = textOf((await createRole(target)).body, 'Arn');
    assert.equal(arn, `arn:aws:iam::000000000000:role/${target}`);
    await createRole(freshName(), {
      AssumeRolePolicyDocument: trustWith({ Effect: 'Allow', Principal: { AWS: arn }, Action: 'sts:AssumeRole' }),
    });
  });

  it('over 2,048 non-whitespace characters is LimitExceeded 409; whitespace does not count', async () => {
    const sized = (length: number, padding = '') => {
      const base = trustWith({
        Sid: '',
        Effect: 'Allow',
        Principal: { Service: 'ec2.amazonaws.com' },
        Action: 'sts:AssumeRole',
      });
      const doc = base.replace('"Sid":""', `"Sid":"${'s'.repeat(length - base.length)}"`);
      assert.equal(doc.length, length);
      return doc.replace('{', `{${padding}`);
    };
    assertError(await create(sized(2049)), 409, 'LimitExceeded', 'Cannot exceed quota for ACLSizePerRole: 2048');
    await createRole(freshName(), { AssumeRolePolicyDocument: sized(2048, ' '.repeat(3000)) });
  });
});

describe('IAM state rules', () => {
  it('a name that differs only in case is EntityAlreadyExists 409', async () => {
    const name = freshName('CaseRole');
    await createRole(name);
    const reply = await unchanged(
      () => iam({ Action: 'CreateRole', RoleName: name.toLowerCase(), AssumeRolePolicyDocument: TRUST }),
      [name],
    );
    assertError(
      reply,
      409,
      'EntityAlreadyExists',
      new RegExp(`^Role with name (${name}|${name.toLowerCase()}) already exists\\.$`),
    );
  });

  it('tagging past 50 tags in total is LimitExceeded 409 and keeps the old tags', async () => {
    const name = freshName();
    await createRole(name, tags(30));
    const more: Record<string, string> = {};
    for (let i = 1; i <= 21; i++) {
      more[`Tags.member.${i}.Key`] = `extra${i}`;
      more[`Tags.member.${i}.Value`] = 'x';
    }
    const reply = await unchanged(() => iam({ Action: 'TagRole', RoleName: name, ...more }), [name]);
    assertError(reply, 409, 'LimitExceeded', 'The number of tags has reached the maximum limit.');
    const listed = assertOk(await iam({ Action: 'ListRoleTags', RoleName: name })).body;
    assert.equal(allOf(listed, 'Key').length, 30);
  });

  it('a role that does not exist is NoSuchEntity 404', async () => {
    assertError(
      await iam({ Action: 'GetRole', RoleName: 'ghost' }),
      404,
      'NoSuchEntity',
      'The role with name ghost cannot be found.',
    );
  });

  it('accounts are isolated', async () => {
    await createRole('SharedName');
    const other = { accessKeyId: OTHER_ACCOUNT };
    const listed = assertOk(await iam({ Action: 'ListRoles' }, other)).body;
    assert.deepEqual(allOf(listed, 'RoleName'), []);
    assert.match(listed, /<Roles\/>/);
    assertError(
      await iam({ Action: 'GetRole', RoleName: 'SharedName' }, other),
      404,
      'NoSuchEntity',
      'The role with name SharedName cannot be found.',
    );
    const created = assertOk(
      await iam({ Action: 'CreateRole', RoleName: 'SharedName', AssumeRolePolicyDocument: TRUST }, other),
    );
    assert.equal(textOf(created.body, 'Arn'), `arn:aws:iam::${OTHER_ACCOUNT}:role/SharedName`);
    const mine = assertOk(await iam({ Action: 'GetRole', RoleName: 'SharedName' })).body;
    assert.equal(textOf(mine, 'Arn'), `arn:aws:iam::${DEFAULT_ACCOUNT}:role/SharedName`);
    assert.deepEqual(allOf(assertOk(await iam({ Action: 'ListRoles' }, other)).body, 'RoleName'), ['SharedName']);
  });

  it('20 parallel CreateRole of one name: exactly one succeeds, 19 are EntityAlreadyExists', async () => {
    const name = freshName('race');
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => iam({ Action: 'CreateRole', RoleName: name, AssumeRolePolicyDocument: TRUST })),
    );
    const statuses = replies.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, ...Array<number>(19).fill(409)]);
    for (const reply of replies.filter((r) => r.status !== 200)) {
      assertError(reply, 409, 'EntityAlreadyExists', `Role with name ${name} already exists.`);
    }
    const listed = assertOk(await iam({ Action: 'ListRoles', MaxItems: '1000' })).body;
    assert.equal(allOf(listed, 'RoleName').filter((n) => n === name).length, 1);
  });
});

describe('response shapes', () => {
  it('IAM: x-amzn-requestid equals the body RequestId; text/xml; Result before ResponseMetadata', async () => {
    const name = freshName();
    await createRole(name);
    const reply = assertOk(await iam({ Action: 'GetRole', RoleName: name }));
    assert.equal(reply.headers['content-type'], 'text/xml');
    const id = reply.headers['x-amzn-requestid'] ?? '';
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.ok(reply.body.startsWith(`<GetRoleResponse xmlns="${IAM_NS}"><GetRoleResult><Role>`), reply.body);
    assert.ok(
      reply.body.endsWith(
        `</GetRoleResult><ResponseMetadata><RequestId>${id}</RequestId></ResponseMetadata></GetRoleResponse>`,
      ),
      reply.body,
    );
  });

  it('IAM: an operation without output has only ResponseMetadata', async () => {
    const name = freshName();
    await createRole(name);
    const reply = assertOk(await iam({ Action: 'DeleteRole', RoleName: name }));
    assert.equal(
      reply.body,
      `<DeleteRoleResponse xmlns="${IAM_NS}"><ResponseMetadata><RequestId>${reply.headers['x-amzn-requestid']}</RequestId></ResponseMetadata></DeleteRoleResponse>`,
    );
  });

  it('IAM: an error carries x-amzn-requestid equal to the body RequestId, and text/xml', async () => {
    const reply = await iam({ Action: 'GetRole', RoleName: 'ghost' });
    assert.equal(reply.headers['content-type'], 'text/xml');
    assert.equal(
      reply.body,
      `<ErrorResponse xmlns="${IAM_NS}"><Error><Type>Sender</Type><Code>NoSuchEntity</Code>` +
        '<Message>The role with name ghost cannot be found.</Message></Error>' +
        `<RequestId>${reply.headers['x-amzn-requestid']}</RequestId></ErrorResponse>`,
    );
  });

  it("AssumeRolePolicyDocument is URL-encoded per RFC 3986 (!'()* too)", async () => {
    const document = trustWith({
      Effect: 'Allow',
      Principal: { Service: 'ec2.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': "a!'()*b c" } },
    });
    const name = freshName();
    const created = await createRole(name, { AssumeRolePolicyDocument: document });
    const expected =
      '%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Princi' +
      'pal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%2C%22' +
      'Condition%22%3A%7B%22StringEquals%22%3A%7B%22sts%3AExternalId%22%3A%22a%21%27%28%29%2Ab%20c%22%7D%7D' +
      '%7D%5D%7D';
    assert.equal(textOf(created.body, 'AssumeRolePolicyDocument'), expected);
    const got = assertOk(await iam({ Action: 'GetRole', RoleName: name })).body;
    assert.equal(textOf(got, 'AssumeRolePolicyDocument'), expected);
    assert.equal(decodeURIComponent(expected), document);
  });

  it('CreateRole shows no Description, MaxSessionDuration or RoleLastUsed; GetRole does', async () => {
    const name = freshName();
    const created = await createRole(name, { Description: 'hello', MaxSessionDuration: '7200' });
    const role = /<Role>.*<\/Role>/.exec(created.body)?.[0] ?? '';
    assert.deepEqual(
      [...role.matchAll(/<(\w+)>/g)].map((m) => m[1]),
      ['Role', 'Path', 'RoleName', 'RoleId', 'Arn', 'CreateDate', 'AssumeRolePolicyDocument'],
    );
    assert.match(textOf(role, 'RoleId') ?? '', /^AROA[A-Z2-7]{17}$/);
    assert.match(textOf(role, 'CreateDate') ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const got = assertOk(await iam({ Action: 'GetRole', RoleName: name })).body;
    assert.equal(textOf(got, 'Description'), 'hello');
    assert.equal(textOf(got, 'MaxSessionDuration'), '7200');
  });

  it('GetRole has <RoleLastUsed/> and MaxSessionDuration 3600 by default', async () => {
    const name = freshName();
    await createRole(name);
    const got = assertOk(await iam({ Action: 'GetRole', RoleName: name })).body;
    assert.equal(textOf(got, 'MaxSessionDuration'), '3600');
    assert.match(got, /<RoleLastUsed\/>/);
    assert.doesNotMatch(got, /<Description>/);
    assert.doesNotMatch(got, /<Tags/);
  });

  it('CreateRole with tags shows them; ListRoles items never have Tags or RoleLastUsed', async () => {
    const name = freshName();
    const created = await createRole(name, tags(2));
    assert.match(
      created.body,
      /<Tags><member><Key>k1<\/Key><Value>v1<\/Value><\/member><member><Key>k2<\/Key><Value>v2<\/Value><\/member><\/Tags>/,
    );
    const listed = assertOk(await iam({ Action: 'ListRoles', MaxItems: '1000' })).body;
    assert.ok(allOf(listed, 'RoleName').includes(name));
    assert.doesNotMatch(listed, /<Tags|<RoleLastUsed|<PermissionsBoundary/);
    assert.match(listed, /<IsTruncated>false<\/IsTruncated><\/ListRolesResult>/);
    assert.doesNotMatch(listed, /<Marker>/);
  });

  it('ListRoles pages with MaxItems and Marker', async () => {
    for (const n of ['page-a', 'page-b', 'page-c']) await createRole(n);
    const first = assertOk(await iam({ Action: 'ListRoles', PathPrefix: '/', MaxItems: '1' })).body;
    assert.equal(allOf(first, 'RoleName').length, 1);
    assert.equal(textOf(first, 'IsTruncated'), 'true');
    const marker = textOf(first, 'Marker') ?? '';
    assert.notEqual(marker, '');
    const rest = assertOk(await iam({ Action: 'ListRoles', Marker: marker, MaxItems: '1000' })).body;
    const all = assertOk(await iam({ Action: 'ListRoles', MaxItems: '1000' })).body;
    assert.deepEqual([...allOf(first, 'RoleName'), ...allOf(rest, 'RoleName')], allOf(all, 'RoleName'));
  });

  it('GetInstanceProfile has <Tags/> and <Roles/> when it has none', async () => {
    const created = assertOk(await iam({ Action: 'CreateInstanceProfile', InstanceProfileName: 'ip-empty' }));
    assert.match(created.body, /<Roles\/>/);
    assert.doesNotMatch(created.body, /<Tags/);
    const got = assertOk(await iam({ Action: 'GetInstanceProfile', InstanceProfileName: 'ip-empty' })).body;
    assert.match(got, /<Roles\/>/);
    assert.match(got, /<Tags\/>/);
    assert.match(textOf(got, 'InstanceProfileId') ?? '', /^AIPA[A-Z2-7]{17}$/);
    assert.equal(textOf(got, 'Arn'), 'arn:aws:iam::000000000000:instance-profile/ip-empty');
  });

  it('EC2 DescribeRegions: prolog, http:// namespace, requestId, regionInfo items', async () => {
    const reply = assertOk(await ec2({ Action: 'DescribeRegions' }));
    assert.equal(reply.headers['content-type'], 'text/xml;charset=UTF-8');
    const id = reply.headers['x-amzn-requestid'] ?? '';
    assert.ok(
      reply.body.startsWith(
        `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${id}</requestId><regionInfo><item>`,
      ),
      reply.body,
    );
    assert.ok(reply.body.endsWith('</item></regionInfo></DescribeRegionsResponse>'));
    assert.doesNotMatch(reply.body, /ResponseMetadata|DescribeRegionsResult/);
    assert.ok(allOf(reply.body, 'regionName').includes('us-east-1'));
    assert.ok(reply.body.includes('<regionEndpoint>ec2.us-east-1.amazonaws.com</regionEndpoint>'));
  });

  it('EC2 DescribeRegions reads Filter.1.Value.1 and RegionName.N', async () => {
    const filtered = assertOk(
      await ec2({ Action: 'DescribeRegions', 'Filter.1.Name': 'region-name', 'Filter.1.Value.1': 'eu-*' }),
    ).body;
    assert.deepEqual(allOf(filtered, 'regionName'), [
      'eu-central-1',
      'eu-north-1',
      'eu-west-1',
      'eu-west-2',
      'eu-west-3',
    ]);
    const named = assertOk(
      await ec2({ Action: 'DescribeRegions', 'RegionName.1': 'us-west-2', 'RegionName.2': 'af-south-1' }),
    ).body;
    assert.deepEqual(allOf(named, 'regionName').sort(), ['af-south-1', 'us-west-2']);
  });
});
