/**
 * IAM managed policies and their versions, attached and inline policies, permissions boundaries, users, groups,
 * access keys and the account-wide views, in process: SigV4-signed Query requests over HTTP against startServer()
 * with the memory store. The expected codes, statuses, messages and shapes are AWS's, from
 * docs/research/iam-policies-users-facts.md (cited as §n), docs/research/wire-facts.md and shared/AWS-FACTS.md.
 * Every refused mutation is also checked for leaving what the account can observe exactly as it was.
 *
 * Each group of tests works in an account of its own (any 12-digit access key id is the root of that account,
 * secret `test`), so counts and listings are not disturbed by other groups; the last group checks that
 * account 111111111111, which no other test uses, sees none of it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { inProcessServer } from '../support/in-process.ts';
import { parseXml, unescapeXml, type Xml } from '../support/xml.ts';
import { errorOf, rfc3986, signedQuery, type Reply, type SignedQueryOptions } from '../support/signed.ts';

const server = inProcessServer('rolecall-iam-policies-');

// ---------------------------------------------------------------------------------------------------------------
// Reading replies

/** The descendant at `path` (element names); fails the test when there is none. */
function at(node: Xml, ...path: string[]): Xml {
  let current = node;
  for (const name of path) {
    const next = current.children.find((c) => c.name === name);
    if (!next) assert.fail(`no <${name}> in <${current.name}>: ${names(current).join(', ')}`);
    current = next;
  }
  return current;
}
const has = (node: Xml, name: string): boolean => node.children.some((c) => c.name === name);
const names = (node: Xml): string[] => node.children.map((c) => c.name);
const sortedNames = (node: Xml): string[] => names(node).sort();
const text = (node: Xml, ...path: string[]): string => at(node, ...path).text;
const members = (node: Xml, ...path: string[]): Xml[] => at(node, ...path).children.filter((c) => c.name === 'member');
const memberTexts = (node: Xml, ...path: string[]): string[] => members(node, ...path).map((m) => m.text);
const field = (name: string) => (node: Xml) => text(node, name);

/** The text of every `<tag>…</tag>` in a body. */
const allOf = (body: string, tag: string): string[] =>
  [...body.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => unescapeXml(m[1] ?? ''));

function assertOk(reply: Reply): Reply {
  assert.equal(reply.status, 200, reply.body);
  return reply;
}

/** The `<…Result>` of a successful reply; an empty element for operations without output. */
function resultOf(reply: Reply): Xml {
  const root = parseXml(assertOk(reply).body);
  const result = root.children.find((c) => c.name.endsWith('Result'));
  return result ?? { name: '#none', children: [], text: '' };
}

/** Checks an error reply exactly; `message` may be a RegExp where the text contains an id. */
function assertError(reply: Reply, status: number, code: string, message: string | RegExp): void {
  const error = errorOf(reply.body);
  assert.deepEqual({ status: reply.status, code: error.code }, { status, code }, reply.body);
  if (typeof message === 'string') assert.equal(error.message, message);
  else assert.match(error.message ?? '', message);
  assert.equal(error.type, status >= 500 ? 'Receiver' : 'Sender');
  assert.equal(error.requestId, reply.headers['x-amzn-requestid']);
}

const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const INVALID_TOKEN = 'The security token included in the request is invalid.';

// ---------------------------------------------------------------------------------------------------------------
// Accounts and requests

type Params = Record<string, string>;
interface Key {
  readonly id: string;
  readonly secret: string;
}

let accountSeq = 0;

class Account {
  readonly id: string;

  constructor(id?: string) {
    this.id = id ?? `2000000${String(++accountSeq).padStart(5, '0')}`;
  }

  iam(params: Params, opts: SignedQueryOptions = {}): Promise<Reply> {
    return signedQuery(server().endpoint, 'iam', params, { accessKeyId: this.id, ...opts });
  }

  sts(params: Params, opts: SignedQueryOptions = {}): Promise<Reply> {
    return signedQuery(server().endpoint, 'sts', params, { accessKeyId: this.id, ...opts });
  }

  async ok(params: Params): Promise<Reply> {
    return assertOk(await this.iam(params));
  }

  async result(params: Params): Promise<Xml> {
    return resultOf(await this.iam(params));
  }

  arn(type: 'policy' | 'user' | 'group' | 'role', name: string, path = '/'): string {
    return `arn:aws:iam::${this.id}:${type}${path}${name}`;
  }

  async createPolicy(name: string, extra: Params = {}, document = policyDoc()): Promise<string> {
    const created = await this.result({ Action: 'CreatePolicy', PolicyName: name, PolicyDocument: document, ...extra });
    return text(created, 'Policy', 'Arn');
  }

  async createUser(name: string, extra: Params = {}): Promise<Xml> {
    return at(await this.result({ Action: 'CreateUser', UserName: name, ...extra }), 'User');
  }

  async createGroup(name: string, extra: Params = {}): Promise<Xml> {
    return at(await this.result({ Action: 'CreateGroup', GroupName: name, ...extra }), 'Group');
  }

  async createRole(name: string, extra: Params = {}): Promise<Xml> {
    return at(
      await this.result({ Action: 'CreateRole', RoleName: name, AssumeRolePolicyDocument: TRUST, ...extra }),
      'Role',
    );
  }

  async createKey(userName?: string): Promise<Key> {
    const created = await this.result({
      Action: 'CreateAccessKey',
      ...(userName === undefined ? {} : { UserName: userName }),
    });
    return { id: text(created, 'AccessKey', 'AccessKeyId'), secret: text(created, 'AccessKey', 'SecretAccessKey') };
  }

  /** What the account can observe of its IAM state, request ids removed. */
  async snapshot(): Promise<string[]> {
    const strip = (body: string) => body.replace(/<RequestId>[^<]*<\/RequestId>/, '');
    const details = (await this.ok({ Action: 'GetAccountAuthorizationDetails', MaxItems: '1000' })).body;
    const local = (await this.ok({ Action: 'ListPolicies', Scope: 'Local', MaxItems: '1000' })).body;
    const aws = (await this.ok({ Action: 'ListPolicies', Scope: 'AWS', OnlyAttached: 'true', MaxItems: '1000' })).body;
    const out = [details, local, aws];
    for (const arn of allOf(local, 'Arn')) out.push((await this.ok({ Action: 'GetPolicy', PolicyArn: arn })).body);
    for (const user of allOf(details, 'UserName')) {
      out.push((await this.ok({ Action: 'ListAccessKeys', UserName: user })).body);
    }
    out.push((await this.ok({ Action: 'ListAccessKeys' })).body);
    return out.map(strip);
  }

  /** Runs a request that must fail and checks that nothing observable changed. */
  async unchanged(params: Params, opts: SignedQueryOptions = {}): Promise<Reply> {
    const before = await this.snapshot();
    const reply = await this.iam(params, opts);
    assert.notEqual(reply.status, 200, `expected ${params['Action']} to fail: ${reply.body}`);
    assert.deepEqual(await this.snapshot(), before, 'stored state changed');
    return reply;
  }
}

const DEFAULT = new Account('000000000000');
const ISOLATED = new Account('111111111111');

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

const policyDoc = (action: string | string[] = 's3:ListBucket', resource: string | string[] = '*'): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });

/** The smallest document sizedDoc makes; its empty Sid is what grows. */
const SIZED_BASE = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: '', Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }],
});

/** A valid identity policy of exactly `size` characters, none of them whitespace, then `padding` inserted. */
function sizedDoc(size: number, padding = ''): string {
  assert.ok(size >= SIZED_BASE.length, `${size} is below the smallest document (${SIZED_BASE.length})`);
  const doc = SIZED_BASE.replace('"Sid":""', `"Sid":"${'s'.repeat(size - SIZED_BASE.length)}"`);
  assert.equal(doc.length, size);
  assert.doesNotMatch(doc, /\s/);
  return doc.replace('{', `{${padding}`);
}

const tagParams = (tags: readonly (readonly [string, string])[], prefix = 'Tags'): Params => {
  const out: Params = {};
  tags.forEach(([key, value], i) => {
    out[`${prefix}.member.${i + 1}.Key`] = key;
    out[`${prefix}.member.${i + 1}.Value`] = value;
  });
  return out;
};
const listParams = (name: string, values: readonly string[]): Params =>
  Object.fromEntries(values.map((v, i) => [`${name}.member.${i + 1}`, v]));

const tagsOf = (node: Xml, ...path: string[]): [string, string][] =>
  members(node, ...path).map((m) => [text(m, 'Key'), text(m, 'Value')]);

/** The AWS managed policies shipped in data/aws-managed-policies/. */
interface CatalogueEntry {
  readonly PolicyName: string;
  readonly Arn: string;
  readonly Path: string;
  readonly PolicyId: string;
  readonly Description?: string;
  readonly DefaultVersionId: string;
  readonly Document: unknown;
}
const CATALOGUE_DIR = resolve(import.meta.dirname, '..', '..', 'data', 'aws-managed-policies');
const CATALOGUE: CatalogueEntry[] = readdirSync(CATALOGUE_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(CATALOGUE_DIR, f), 'utf8')) as CatalogueEntry);
const AWS_POLICY = (name: string): string => `arn:aws:iam::aws:policy/${name}`;

/** Every page of a Marker/MaxItems list call, following Marker until IsTruncated is false. */
async function allPages(a: Account, params: Params): Promise<Xml[]> {
  const pages: Xml[] = [];
  let marker: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await a.result({ ...params, ...(marker !== undefined && { Marker: marker }) });
    pages.push(page);
    if (text(page, 'IsTruncated') === 'false') {
      assert.equal(has(page, 'Marker'), false, 'no Marker on the last page');
      return pages;
    }
    assert.equal(text(page, 'IsTruncated'), 'true');
    marker = text(page, 'Marker');
    assert.notEqual(marker, '');
  }
  return assert.fail('more than 100 pages');
}

const POLICY_FIELDS = [
  'PolicyName',
  'PolicyId',
  'Arn',
  'Path',
  'DefaultVersionId',
  'AttachmentCount',
  'PermissionsBoundaryUsageCount',
  'IsAttachable',
  'CreateDate',
  'UpdateDate',
];

// ---------------------------------------------------------------------------------------------------------------

describe('managed policies: CreatePolicy, GetPolicy, ListPolicies (§2)', () => {
  const a = DEFAULT;

  it('CreatePolicy returns exactly the ten policy fields: no Description even when one is sent, no Tags', async () => {
    const created = at(
      await a.result({
        Action: 'CreatePolicy',
        PolicyName: 'shape-policy',
        PolicyDocument: policyDoc(),
        Description: 'testing',
      }),
      'Policy',
    );
    assert.deepEqual(sortedNames(created), [...POLICY_FIELDS].sort());
    assert.equal(text(created, 'PolicyName'), 'shape-policy');
    assert.match(text(created, 'PolicyId'), /^ANPA[A-Z2-7]{17}$/);
    assert.equal(text(created, 'Arn'), a.arn('policy', 'shape-policy'));
    assert.equal(text(created, 'Path'), '/');
    assert.equal(text(created, 'DefaultVersionId'), 'v1');
    assert.equal(text(created, 'AttachmentCount'), '0');
    assert.equal(text(created, 'PermissionsBoundaryUsageCount'), '0');
    assert.equal(text(created, 'IsAttachable'), 'true');
    assert.match(text(created, 'CreateDate'), ISO_SECONDS);
    assert.equal(text(created, 'UpdateDate'), text(created, 'CreateDate'));
  });

  it('CreatePolicy with tags shows them in request order; GetPolicy too', async () => {
    const created = at(
      await a.result({
        Action: 'CreatePolicy',
        PolicyName: 'tagged-policy',
        PolicyDocument: policyDoc(),
        ...tagParams([
          ['zeta', '1'],
          ['alpha', ''],
        ]),
      }),
      'Policy',
    );
    assert.deepEqual(sortedNames(created), [...POLICY_FIELDS, 'Tags'].sort());
    assert.deepEqual(tagsOf(created, 'Tags'), [
      ['zeta', '1'],
      ['alpha', ''],
    ]);
    const got = at(await a.result({ Action: 'GetPolicy', PolicyArn: a.arn('policy', 'tagged-policy') }), 'Policy');
    assert.deepEqual(new Set(tagsOf(got, 'Tags').map(([k]) => k)), new Set(['zeta', 'alpha']));
  });

  it('a Path goes into the ARN', async () => {
    const created = at(
      await a.result({
        Action: 'CreatePolicy',
        PolicyName: 'pathed-policy',
        Path: '/test/path/',
        PolicyDocument: policyDoc(),
      }),
      'Policy',
    );
    assert.equal(text(created, 'Arn'), `arn:aws:iam::${a.id}:policy/test/path/pathed-policy`);
    assert.equal(text(created, 'Path'), '/test/path/');
  });

  it('GetPolicy adds Description and always has Tags (<Tags/> when none)', async () => {
    const reply = await a.ok({ Action: 'GetPolicy', PolicyArn: a.arn('policy', 'shape-policy') });
    const got = at(resultOf(reply), 'Policy');
    assert.deepEqual(sortedNames(got), [...POLICY_FIELDS, 'Description', 'Tags'].sort());
    assert.equal(text(got, 'Description'), 'testing');
    assert.match(reply.body, /<Tags\/>/);
    const plain = await a.createPolicy('no-description-policy');
    const gotPlain = at(await a.result({ Action: 'GetPolicy', PolicyArn: plain }), 'Policy');
    assert.deepEqual(sortedNames(gotPlain), [...POLICY_FIELDS, 'Tags'].sort());
  });

  it('ListPolicies items have neither Tags nor Description', async () => {
    const listed = await a.result({ Action: 'ListPolicies', Scope: 'Local', MaxItems: '1000' });
    const items = members(listed, 'Policies');
    assert.ok(items.length >= 3);
    for (const item of items) assert.deepEqual(sortedNames(item), [...POLICY_FIELDS].sort());
    assert.equal(text(listed, 'IsTruncated'), 'false');
    assert.equal(has(listed, 'Marker'), false);
  });

  it('a name in use is EntityAlreadyExists 409', async () => {
    assertError(
      await a.unchanged({ Action: 'CreatePolicy', PolicyName: 'shape-policy', PolicyDocument: policyDoc('s3:*') }),
      409,
      'EntityAlreadyExists',
      'A policy called shape-policy already exists. Duplicate names are not allowed.',
    );
  });

  it('a malformed document is MalformedPolicyDocument 400, the first problem in stage order (§1)', async () => {
    const create = (document: string) =>
      a.unchanged({ Action: 'CreatePolicy', PolicyName: 'malformed-policy', PolicyDocument: document });
    assertError(
      await create('This is not a json document'),
      400,
      'MalformedPolicyDocument',
      'Syntax errors in policy.',
    );
    assertError(
      await create(JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] })),
      400,
      'MalformedPolicyDocument',
      'Policy document must be version 2012-10-17 or greater.',
    );
    assertError(
      await create(policyDoc('s3:ListBucket', 'adf')),
      400,
      'MalformedPolicyDocument',
      'Resource adf must be in ARN format or "*".',
    );
    assertError(
      await create(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*' }] })),
      400,
      'MalformedPolicyDocument',
      'Policy statement must contain resources.',
    );
  });

  it('GetPolicy of an unknown ARN is NoSuchEntity 404 "… was not found."', async () => {
    assertError(
      await a.iam({ Action: 'GetPolicy', PolicyArn: a.arn('policy', 'NotAPolicy') }),
      404,
      'NoSuchEntity',
      `Policy ${a.arn('policy', 'NotAPolicy')} was not found.`,
    );
  });

  it('Scope=AWS lists the AWS managed policies, Local the account’s own, All (the default) both', async () => {
    const arnsOf = async (params: Params) =>
      members(await a.result({ Action: 'ListPolicies', MaxItems: '1000', ...params }), 'Policies').map(field('Arn'));
    const aws = await arnsOf({ Scope: 'AWS' });
    assert.deepEqual([...aws].sort(), CATALOGUE.map((p) => p.Arn).sort());
    const local = await arnsOf({ Scope: 'Local' });
    assert.ok(local.includes(a.arn('policy', 'shape-policy')));
    assert.ok(local.every((arn) => arn.startsWith(`arn:aws:iam::${a.id}:policy/`)));
    const all = await arnsOf({});
    assert.deepEqual([...all].sort(), [...aws, ...local].sort());
    assert.deepEqual(await arnsOf({ Scope: 'All' }), all);
  });

  it('PathPrefix filters on the policy path', async () => {
    const local = await a.result({ Action: 'ListPolicies', Scope: 'Local', PathPrefix: '/test/' });
    assert.deepEqual(members(local, 'Policies').map(field('PolicyName')), ['pathed-policy']);
    const aws = await a.result({ Action: 'ListPolicies', Scope: 'AWS', PathPrefix: '/service-role/' });
    assert.deepEqual(members(aws, 'Policies').map(field('PolicyName')), ['AWSLambdaBasicExecutionRole']);
  });

  // OnlyAttached with PolicyUsageFilter rests on the API reference ("To list only the policies used to set
  // permissions boundaries, set the value to PermissionsBoundary"), not on a capture.
  it('OnlyAttached keeps attached policies; PolicyUsageFilter picks permissions or boundary use', async () => {
    const attached = await a.createPolicy('only-attached-policy');
    const boundary = await a.createPolicy('only-boundary-policy');
    await a.createRole('only-attached-role');
    await a.ok({ Action: 'AttachRolePolicy', RoleName: 'only-attached-role', PolicyArn: attached });
    await a.ok({ Action: 'PutRolePermissionsBoundary', RoleName: 'only-attached-role', PermissionsBoundary: boundary });
    const list = async (params: Params) =>
      members(await a.result({ Action: 'ListPolicies', Scope: 'Local', MaxItems: '1000', ...params }), 'Policies').map(
        field('Arn'),
      );
    const all = await list({});
    assert.ok(all.includes(attached) && all.includes(boundary) && all.includes(a.arn('policy', 'shape-policy')));
    const onlyAttached = await list({ OnlyAttached: 'true' });
    assert.ok(onlyAttached.includes(attached));
    assert.ok(!onlyAttached.includes(a.arn('policy', 'shape-policy')));
    assert.deepEqual(await list({ OnlyAttached: 'true', PolicyUsageFilter: 'PermissionsPolicy' }), [attached]);
    assert.deepEqual(await list({ OnlyAttached: 'true', PolicyUsageFilter: 'PermissionsBoundary' }), [boundary]);
    const awsAttached = members(
      await a.result({ Action: 'ListPolicies', Scope: 'AWS', OnlyAttached: 'true' }),
      'Policies',
    );
    assert.deepEqual(awsAttached, []);
  });

  it('MaxItems and Marker page through the list', async () => {
    const full = members(await a.result({ Action: 'ListPolicies', Scope: 'Local', MaxItems: '1000' }), 'Policies');
    assert.ok(full.length >= 5);
    const pages = await allPages(a, { Action: 'ListPolicies', Scope: 'Local', MaxItems: '2' });
    assert.equal(pages.length, Math.ceil(full.length / 2));
    for (const page of pages) assert.ok(members(page, 'Policies').length <= 2);
    assert.deepEqual(
      pages.flatMap((p) => members(p, 'Policies').map(field('Arn'))),
      full.map(field('Arn')),
    );
  });
});

describe('AttachmentCount and PermissionsBoundaryUsageCount (§2)', () => {
  const a = new Account();

  it('follow every attach, detach and boundary change at once, in GetPolicy and ListPolicies', async () => {
    const arn = await a.createPolicy('counted');
    await a.createRole('counted-role');
    await a.createUser('counted-user');
    await a.createGroup('counted-group');
    const counts = async () => {
      const got = at(await a.result({ Action: 'GetPolicy', PolicyArn: arn }), 'Policy');
      const listed = members(await a.result({ Action: 'ListPolicies', Scope: 'Local' }), 'Policies').find(
        (p) => text(p, 'Arn') === arn,
      );
      assert.ok(listed);
      const fromGet = [text(got, 'AttachmentCount'), text(got, 'PermissionsBoundaryUsageCount')];
      assert.deepEqual([text(listed, 'AttachmentCount'), text(listed, 'PermissionsBoundaryUsageCount')], fromGet);
      return fromGet.map(Number);
    };
    assert.deepEqual(await counts(), [0, 0]);
    await a.ok({ Action: 'AttachRolePolicy', RoleName: 'counted-role', PolicyArn: arn });
    assert.deepEqual(await counts(), [1, 0]);
    await a.ok({ Action: 'AttachUserPolicy', UserName: 'counted-user', PolicyArn: arn });
    await a.ok({ Action: 'AttachGroupPolicy', GroupName: 'counted-group', PolicyArn: arn });
    assert.deepEqual(await counts(), [3, 0]);
    await a.ok({ Action: 'PutRolePermissionsBoundary', RoleName: 'counted-role', PermissionsBoundary: arn });
    assert.deepEqual(await counts(), [3, 1]);
    await a.ok({ Action: 'PutUserPermissionsBoundary', UserName: 'counted-user', PermissionsBoundary: arn });
    assert.deepEqual(await counts(), [3, 2]);
    await a.ok({ Action: 'DetachUserPolicy', UserName: 'counted-user', PolicyArn: arn });
    assert.deepEqual(await counts(), [2, 2]);
    await a.ok({ Action: 'DeleteRolePermissionsBoundary', RoleName: 'counted-role' });
    assert.deepEqual(await counts(), [2, 1]);
    await a.ok({ Action: 'DetachRolePolicy', RoleName: 'counted-role', PolicyArn: arn });
    await a.ok({ Action: 'DetachGroupPolicy', GroupName: 'counted-group', PolicyArn: arn });
    await a.ok({ Action: 'DeleteUserPermissionsBoundary', UserName: 'counted-user' });
    assert.deepEqual(await counts(), [0, 0]);
  });

  it('an AWS managed policy counts only this account’s attachments', async () => {
    const s3 = AWS_POLICY('AmazonS3ReadOnlyAccess');
    await a.createRole('aws-count-role');
    await a.ok({ Action: 'AttachRolePolicy', RoleName: 'aws-count-role', PolicyArn: s3 });
    const count = async (account: Account) =>
      text(at(await account.result({ Action: 'GetPolicy', PolicyArn: s3 }), 'Policy'), 'AttachmentCount');
    assert.equal(await count(a), '1');
    assert.equal(await count(new Account()), '0');
  });
});

describe('DeletePolicy (§2)', () => {
  const a = new Account();

  it('refuses a policy attached to an entity: DeleteConflict 409', async () => {
    const arn = await a.createPolicy('attached-policy');
    await a.createUser('holder');
    await a.ok({ Action: 'AttachUserPolicy', UserName: 'holder', PolicyArn: arn });
    assertError(
      await a.unchanged({ Action: 'DeletePolicy', PolicyArn: arn }),
      409,
      'DeleteConflict',
      'Cannot delete a policy attached to entities.',
    );
  });

  it('refuses a policy with versions besides the default: DeleteConflict 409', async () => {
    const arn = await a.createPolicy('versioned-policy');
    await a.ok({ Action: 'CreatePolicyVersion', PolicyArn: arn, PolicyDocument: policyDoc('s3:GetObject') });
    assertError(
      await a.unchanged({ Action: 'DeletePolicy', PolicyArn: arn }),
      409,
      'DeleteConflict',
      "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    );
    await a.ok({ Action: 'DeletePolicyVersion', PolicyArn: arn, VersionId: 'v2' });
    assertOk(await a.iam({ Action: 'DeletePolicy', PolicyArn: arn }));
  });

  it('deletes a policy with only its default version; it is then not found', async () => {
    const arn = await a.createPolicy('doomed-policy');
    const reply = await a.ok({ Action: 'DeletePolicy', PolicyArn: arn });
    assert.match(reply.body, /^<DeletePolicyResponse [^>]*><ResponseMetadata>/);
    assertError(
      await a.iam({ Action: 'GetPolicy', PolicyArn: arn }),
      404,
      'NoSuchEntity',
      `Policy ${arn} was not found.`,
    );
    // M: DeletePolicy presumably uses GetPolicy's text for a policy that does not exist.
    assertError(
      await a.unchanged({ Action: 'DeletePolicy', PolicyArn: arn }),
      404,
      'NoSuchEntity',
      `Policy ${arn} was not found.`,
    );
  });

  it('an AWS managed policy is AccessDenied 403', async () => {
    assertError(
      await a.unchanged({ Action: 'DeletePolicy', PolicyArn: AWS_POLICY('AdministratorAccess') }),
      403,
      'AccessDenied',
      'Cannot delete policies outside your own account.',
    );
  });
});

describe('policy versions (§2 Versions)', () => {
  const a = new Account();
  let arn = '';
  const docs = [1, 2, 3, 4, 5, 6, 7].map((i) => policyDoc(`s3:Action${i}`));
  const versionsOf = async () =>
    members(await a.result({ Action: 'ListPolicyVersions', PolicyArn: arn }), 'Versions').map((v) => [
      text(v, 'VersionId'),
      text(v, 'IsDefaultVersion'),
    ]);
  const createVersion = (document: string, extra: Params = {}) =>
    a.result({ Action: 'CreatePolicyVersion', PolicyArn: arn, PolicyDocument: document, ...extra });

  before(async () => {
    arn = await a.createPolicy('versions', {}, docs[0]);
  });

  it('CreatePolicyVersion returns VersionId, IsDefaultVersion and CreateDate, without Document', async () => {
    const created = at(await createVersion(docs[1] ?? ''), 'PolicyVersion');
    assert.deepEqual(sortedNames(created), ['CreateDate', 'IsDefaultVersion', 'VersionId']);
    assert.equal(text(created, 'VersionId'), 'v2');
    assert.equal(text(created, 'IsDefaultVersion'), 'false');
    assert.match(text(created, 'CreateDate'), ISO_SECONDS);
  });

  it('a sixth version is LimitExceeded 409', async () => {
    for (const doc of docs.slice(2, 5)) await createVersion(doc);
    assertError(
      await a.unchanged({ Action: 'CreatePolicyVersion', PolicyArn: arn, PolicyDocument: docs[5] ?? '' }),
      409,
      'LimitExceeded',
      'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
    );
  });

  it('ListPolicyVersions lists newest first, without Document', async () => {
    const listed = await a.result({ Action: 'ListPolicyVersions', PolicyArn: arn });
    assert.deepEqual(await versionsOf(), [
      ['v5', 'false'],
      ['v4', 'false'],
      ['v3', 'false'],
      ['v2', 'false'],
      ['v1', 'true'],
    ]);
    for (const v of members(listed, 'Versions')) {
      assert.deepEqual(sortedNames(v), ['CreateDate', 'IsDefaultVersion', 'VersionId']);
    }
    assert.equal(text(listed, 'IsTruncated'), 'false');
  });

  it('version ids are never reused: v5 deleted, the next version is v6', async () => {
    const deleted = await a.ok({ Action: 'DeletePolicyVersion', PolicyArn: arn, VersionId: 'v5' });
    assert.match(deleted.body, /^<DeletePolicyVersionResponse [^>]*><ResponseMetadata>/);
    const document = JSON.stringify({
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: "arn:aws:s3:::b/it's (a) *test*!" },
    });
    const created = await createVersion(document);
    assert.equal(text(created, 'PolicyVersion', 'VersionId'), 'v6');
    assert.deepEqual(
      (await versionsOf()).map(([v]) => v),
      ['v6', 'v4', 'v3', 'v2', 'v1'],
    );
  });

  it('GetPolicyVersion returns the Document URL-encoded (RFC 3986), exactly as sent', async () => {
    const document = JSON.stringify({
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: "arn:aws:s3:::b/it's (a) *test*!" },
    });
    const reply = await a.ok({ Action: 'GetPolicyVersion', PolicyArn: arn, VersionId: 'v6' });
    const version = at(resultOf(reply), 'PolicyVersion');
    assert.deepEqual(sortedNames(version), ['CreateDate', 'Document', 'IsDefaultVersion', 'VersionId']);
    assert.equal(allOf(reply.body, 'Document')[0], rfc3986(document));
    assert.equal(decodeURIComponent(text(version, 'Document')), document);
    assert.equal(text(version, 'VersionId'), 'v6');
    assert.equal(text(version, 'IsDefaultVersion'), 'false');
  });

  it('deleting the default version is DeleteConflict 409', async () => {
    assertError(
      await a.unchanged({ Action: 'DeletePolicyVersion', PolicyArn: arn, VersionId: 'v1' }),
      409,
      'DeleteConflict',
      'Cannot delete the default version of a policy.',
    );
  });

  it('SetDefaultPolicyVersion switches the default; the old one can then be deleted', async () => {
    const reply = await a.ok({ Action: 'SetDefaultPolicyVersion', PolicyArn: arn, VersionId: 'v3' });
    assert.match(reply.body, /^<SetDefaultPolicyVersionResponse [^>]*><ResponseMetadata>/);
    const policy = at(await a.result({ Action: 'GetPolicy', PolicyArn: arn }), 'Policy');
    assert.equal(text(policy, 'DefaultVersionId'), 'v3');
    assert.deepEqual(
      (await versionsOf()).filter(([, d]) => d === 'true'),
      [['v3', 'true']],
    );
    const v1 = await a.result({ Action: 'GetPolicyVersion', PolicyArn: arn, VersionId: 'v1' });
    assert.equal(text(v1, 'PolicyVersion', 'IsDefaultVersion'), 'false');
    assert.equal(decodeURIComponent(text(v1, 'PolicyVersion', 'Document')), docs[0]);
    await a.ok({ Action: 'DeletePolicyVersion', PolicyArn: arn, VersionId: 'v1' });
  });

  it('CreatePolicyVersion with SetAsDefault makes the new version the default', async () => {
    const created = await createVersion(policyDoc('ec2:Describe*'), { SetAsDefault: 'true' });
    assert.equal(text(created, 'PolicyVersion', 'VersionId'), 'v7');
    assert.equal(text(created, 'PolicyVersion', 'IsDefaultVersion'), 'true');
    assert.deepEqual(await versionsOf(), [
      ['v7', 'true'],
      ['v6', 'false'],
      ['v4', 'false'],
      ['v3', 'false'],
      ['v2', 'false'],
    ]);
  });

  it('an unknown version is NoSuchEntity 404 "… version vN does not exist or is not attachable."', async () => {
    const missing = `Policy ${arn} version v9 does not exist or is not attachable.`;
    assertError(
      await a.iam({ Action: 'GetPolicyVersion', PolicyArn: arn, VersionId: 'v9' }),
      404,
      'NoSuchEntity',
      missing,
    );
    assertError(
      await a.unchanged({ Action: 'DeletePolicyVersion', PolicyArn: arn, VersionId: 'v9' }),
      404,
      'NoSuchEntity',
      missing,
    );
    assertError(
      await a.unchanged({ Action: 'SetDefaultPolicyVersion', PolicyArn: arn, VersionId: 'v9' }),
      404,
      'NoSuchEntity',
      missing,
    );
    // A deleted version is just as unknown.
    assertError(
      await a.iam({ Action: 'GetPolicyVersion', PolicyArn: arn, VersionId: 'v5' }),
      404,
      'NoSuchEntity',
      `Policy ${arn} version v5 does not exist or is not attachable.`,
    );
    const noPolicy = a.arn('policy', 'TestNonExistingPolicy');
    assertError(
      await a.iam({ Action: 'GetPolicyVersion', PolicyArn: noPolicy, VersionId: 'v1' }),
      404,
      'NoSuchEntity',
      `Policy ${noPolicy} version v1 does not exist or is not attachable.`,
    );
  });

  it('a malformed VersionId is a ValidationError that does not echo the value', async () => {
    const message =
      "1 validation error detected: Value at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?";
    assertError(
      await a.iam({ Action: 'GetPolicyVersion', PolicyArn: arn, VersionId: 'wrong_version_id' }),
      400,
      'ValidationError',
      message,
    );
    assertError(
      await a.unchanged({ Action: 'SetDefaultPolicyVersion', PolicyArn: arn, VersionId: 'v2-does-not-exist' }),
      400,
      'ValidationError',
      message,
    );
  });

  it('CreatePolicyVersion validates the document and its size like CreatePolicy', async () => {
    await a.ok({ Action: 'DeletePolicyVersion', PolicyArn: arn, VersionId: 'v2' });
    assertError(
      await a.unchanged({
        Action: 'CreatePolicyVersion',
        PolicyArn: arn,
        PolicyDocument: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }),
      }),
      400,
      'MalformedPolicyDocument',
      'Policy document must be version 2012-10-17 or greater.',
    );
    assertError(
      await a.unchanged({ Action: 'CreatePolicyVersion', PolicyArn: arn, PolicyDocument: sizedDoc(6145) }),
      409,
      'LimitExceeded',
      'Cannot exceed quota for PolicySize: 6144',
    );
    assert.equal(text(at(await createVersion(sizedDoc(6144)), 'PolicyVersion'), 'VersionId'), 'v8');
  });
});

describe('policy tags (§2 Policy tags)', () => {
  const a = new Account();
  let arn = '';
  const keys = async () =>
    members(await a.result({ Action: 'ListPolicyTags', PolicyArn: arn }), 'Tags')
      .map(field('Key'))
      .sort();

  before(async () => {
    arn = await a.createPolicy('tag-me');
  });

  it('keys are case-sensitive: a and A coexist, and untagging a leaves A', async () => {
    await a.ok({ Action: 'TagPolicy', PolicyArn: arn, ...tagParams([['a', '1']]) });
    await a.ok({ Action: 'TagPolicy', PolicyArn: arn, ...tagParams([['A', '2']]) });
    assert.deepEqual(await keys(), ['A', 'a']);
    await a.ok({ Action: 'UntagPolicy', PolicyArn: arn, ...listParams('TagKeys', ['a']) });
    assert.deepEqual(await keys(), ['A']);
    const created = await a.result({
      Action: 'CreatePolicy',
      PolicyName: 'case-tags',
      PolicyDocument: policyDoc(),
      ...tagParams([
        ['k', '1'],
        ['K', '2'],
      ]),
    });
    assert.deepEqual(tagsOf(at(created, 'Policy'), 'Tags'), [
      ['k', '1'],
      ['K', '2'],
    ]);
  });

  it('the same key twice in one request is InvalidInput 400 "Duplicate tag keys found."', async () => {
    const twice = tagParams([
      ['dup', '1'],
      ['dup', '2'],
    ]);
    assertError(
      await a.unchanged({ Action: 'TagPolicy', PolicyArn: arn, ...twice }),
      400,
      'InvalidInput',
      'Duplicate tag keys found.',
    );
    assertError(
      await a.unchanged({ Action: 'CreatePolicy', PolicyName: 'dup-tags', PolicyDocument: policyDoc(), ...twice }),
      400,
      'InvalidInput',
      'Duplicate tag keys found.',
    );
  });

  it('TagPolicy and UntagPolicy of an unknown policy are NoSuchEntity "… was not found."', async () => {
    const missing = a.arn('policy', 'NotAPolicy');
    assertError(
      await a.unchanged({ Action: 'TagPolicy', PolicyArn: missing, ...tagParams([['a', 'b']]) }),
      404,
      'NoSuchEntity',
      `Policy ${missing} was not found.`,
    );
    assertError(
      await a.unchanged({ Action: 'UntagPolicy', PolicyArn: missing, ...listParams('TagKeys', ['a']) }),
      404,
      'NoSuchEntity',
      `Policy ${missing} was not found.`,
    );
  });

  it('ListPolicyTags pages with MaxItems', async () => {
    await a.ok({
      Action: 'TagPolicy',
      PolicyArn: arn,
      ...tagParams([
        ['abc', '1'],
        ['b', '2'],
        ['z', '3'],
      ]),
    });
    const pages = await allPages(a, { Action: 'ListPolicyTags', PolicyArn: arn, MaxItems: '1' });
    assert.equal(pages.length, 4);
    assert.deepEqual(pages.flatMap((p) => members(p, 'Tags').map(field('Key'))).sort(), ['A', 'abc', 'b', 'z']);
  });
});

describe('AWS managed policies (§2)', () => {
  const a = new Account();

  it(`all ${CATALOGUE.length} catalogue policies are gettable by ARN, with Description when known and <Tags/>`, async () => {
    assert.equal(CATALOGUE.length, 16);
    for (const entry of CATALOGUE) {
      const reply = await a.ok({ Action: 'GetPolicy', PolicyArn: entry.Arn });
      const got = at(resultOf(reply), 'Policy');
      assert.equal(text(got, 'PolicyName'), entry.PolicyName);
      assert.equal(text(got, 'Arn'), entry.Arn);
      assert.equal(entry.Arn, `arn:aws:iam::aws:policy${entry.Path}${entry.PolicyName}`);
      assert.equal(text(got, 'Path'), entry.Path);
      assert.equal(text(got, 'PolicyId'), entry.PolicyId);
      assert.equal(text(got, 'DefaultVersionId'), entry.DefaultVersionId);
      assert.equal(text(got, 'IsAttachable'), 'true');
      assert.equal(has(got, 'Description'), entry.Description !== undefined, entry.PolicyName);
      if (entry.Description !== undefined) assert.equal(text(got, 'Description'), entry.Description);
      assert.match(reply.body, /<Tags\/>/);
      const version = at(
        await a.result({ Action: 'GetPolicyVersion', PolicyArn: entry.Arn, VersionId: entry.DefaultVersionId }),
        'PolicyVersion',
      );
      assert.equal(text(version, 'IsDefaultVersion'), 'true');
      assert.deepEqual(JSON.parse(decodeURIComponent(text(version, 'Document'))), entry.Document, entry.PolicyName);
    }
  });

  it('each can be attached to a role and detached again', async () => {
    await a.createRole('aws-attach');
    for (const entry of CATALOGUE) {
      await a.ok({ Action: 'AttachRolePolicy', RoleName: 'aws-attach', PolicyArn: entry.Arn });
      const attached = await a.result({ Action: 'ListAttachedRolePolicies', RoleName: 'aws-attach' });
      assert.deepEqual(
        members(attached, 'AttachedPolicies').map((m) => [text(m, 'PolicyName'), text(m, 'PolicyArn')]),
        [[entry.PolicyName, entry.Arn]],
      );
      await a.ok({ Action: 'DetachRolePolicy', RoleName: 'aws-attach', PolicyArn: entry.Arn });
    }
  });

  it('TagPolicy on one is InvalidInput "Tags not supported for policies in this domain"', async () => {
    assertError(
      await a.unchanged({
        Action: 'TagPolicy',
        PolicyArn: AWS_POLICY('IAMReadOnlyAccess'),
        ...tagParams([['a', 'b']]),
      }),
      400,
      'InvalidInput',
      'Tags not supported for policies in this domain',
    );
  });

  it('an unknown AWS policy ARN is NoSuchEntity "… was not found." and not attachable', async () => {
    const missing = AWS_POLICY('NoSuchManagedPolicy');
    assertError(
      await a.iam({ Action: 'GetPolicy', PolicyArn: missing }),
      404,
      'NoSuchEntity',
      `Policy ${missing} was not found.`,
    );
    assertError(
      await a.unchanged({ Action: 'AttachRolePolicy', RoleName: 'aws-attach', PolicyArn: missing }),
      404,
      'NoSuchEntity',
      `Policy ${missing} does not exist or is not attachable.`,
    );
  });
});

describe('size quotas (§1g)', () => {
  const a = new Account();

  it('a managed policy may hold 6,144 non-whitespace characters: one more is LimitExceeded 409', async () => {
    await a.ok({ Action: 'CreatePolicy', PolicyName: 'max-size', PolicyDocument: sizedDoc(6144) });
    assertError(
      await a.unchanged({ Action: 'CreatePolicy', PolicyName: 'too-big', PolicyDocument: sizedDoc(6145) }),
      409,
      'LimitExceeded',
      'Cannot exceed quota for PolicySize: 6144',
    );
    await a.ok({
      Action: 'CreatePolicy',
      PolicyName: 'max-size-padded',
      PolicyDocument: sizedDoc(6144, ' \n\t'.repeat(2000)),
    });
  });

  const kinds = [
    { kind: 'Role', quota: 10240, create: (n: string) => a.createRole(n) },
    { kind: 'User', quota: 2048, create: (n: string) => a.createUser(n) },
    { kind: 'Group', quota: 5120, create: (n: string) => a.createGroup(n) },
  ] as const;
  for (const { kind, quota, create } of kinds) {
    it(`inline ${kind.toLowerCase()} policies share ${quota} characters in total, whitespace not counted`, async () => {
      const holder = `sized-${kind.toLowerCase()}`;
      await create(holder);
      const put = (name: string, document: string) => ({
        Action: `Put${kind}Policy`,
        [`${kind}Name`]: holder,
        PolicyName: name,
        PolicyDocument: document,
      });
      const exceeded = `Maximum policy size of ${quota} bytes exceeded for ${kind.toLowerCase()} ${holder}`;
      await a.ok(put('first', sizedDoc(quota - 200)));
      assertError(await a.unchanged(put('second', sizedDoc(201))), 409, 'LimitExceeded', exceeded);
      await a.ok(put('second', sizedDoc(200, ' '.repeat(1000))));
      // Replacing a policy counts its new size, not both.
      await a.ok(put('second', sizedDoc(200, '\n'.repeat(10))));
      assertError(await a.unchanged(put('first', sizedDoc(quota - 199))), 409, 'LimitExceeded', exceeded);
      assertError(await a.unchanged(put('third', sizedDoc(SIZED_BASE.length))), 409, 'LimitExceeded', exceeded);
    });
  }

  it(`a single inline user policy of exactly 2,048 characters plus whitespace is accepted`, async () => {
    await a.createUser('whitespace-user');
    await a.ok({
      Action: 'PutUserPolicy',
      UserName: 'whitespace-user',
      PolicyName: 'spacious',
      PolicyDocument: sizedDoc(2048, ' '.repeat(3000)),
    });
  });
});

// The three holder kinds share attach/detach/list and inline put/get/delete/list rules (§3).
const HOLDERS = [
  {
    kind: 'Role',
    notFound: (n: string) => `The role with name ${n} cannot be found.`,
    create: (a: Account, n: string) => a.createRole(n),
  },
  {
    kind: 'User',
    notFound: (n: string) => `The user with name ${n} cannot be found.`,
    create: (a: Account, n: string) => a.createUser(n),
  },
  {
    kind: 'Group',
    notFound: (n: string) => `The group with name ${n} cannot be found.`,
    create: (a: Account, n: string) => a.createGroup(n),
  },
] as const;

for (const { kind, notFound, create } of HOLDERS) {
  const lower = kind.toLowerCase();
  const nameParam = `${kind}Name`;

  describe(`managed policies attached to a ${lower} (§3)`, () => {
    const a = new Account();
    const holder = `attach-${lower}`;
    const policies: string[] = [];
    const attachedArns = async (extra: Params = {}) =>
      members(
        await a.result({ Action: `ListAttached${kind}Policies`, [nameParam]: holder, ...extra }),
        'AttachedPolicies',
      ).map(field('PolicyArn'));

    before(async () => {
      await create(a, holder);
      for (let i = 1; i <= 11; i++) policies.push(await a.createPolicy(`p${String(i).padStart(2, '0')}`));
      policies.push(await a.createPolicy('pathed', { Path: '/team/' }));
    });

    it('attach: empty response; listed as {PolicyName, PolicyArn}; attaching twice changes nothing', async () => {
      const p1 = policies[0] ?? '';
      const reply = await a.ok({ Action: `Attach${kind}Policy`, [nameParam]: holder, PolicyArn: p1 });
      assert.match(reply.body, new RegExp(`^<Attach${kind}PolicyResponse [^>]*><ResponseMetadata>`));
      await a.ok({ Action: `Attach${kind}Policy`, [nameParam]: holder, PolicyArn: p1 });
      const listed = await a.result({ Action: `ListAttached${kind}Policies`, [nameParam]: holder });
      assert.deepEqual(
        members(listed, 'AttachedPolicies').map((m) => [sortedNames(m), text(m, 'PolicyName'), text(m, 'PolicyArn')]),
        [[['PolicyArn', 'PolicyName'], 'p01', p1]],
      );
      assert.equal(text(listed, 'IsTruncated'), 'false');
      const got = at(await a.result({ Action: 'GetPolicy', PolicyArn: p1 }), 'Policy');
      assert.equal(text(got, 'AttachmentCount'), '1');
    });

    it('an unknown policy is NoSuchEntity 404 "… does not exist or is not attachable."', async () => {
      const missing = a.arn('policy', 'nonexistent');
      assertError(
        await a.unchanged({ Action: `Attach${kind}Policy`, [nameParam]: holder, PolicyArn: missing }),
        404,
        'NoSuchEntity',
        `Policy ${missing} does not exist or is not attachable.`,
      );
    });

    it('a malformed ARN is ValidationError "ARN … is not valid." (2026 recording)', async () => {
      assertError(
        await a.unchanged({ Action: `Attach${kind}Policy`, [nameParam]: holder, PolicyArn: 'longpolicynamebutnoarn' }),
        400,
        'ValidationError',
        'ARN longpolicynamebutnoarn is not valid.',
      );
    });

    it(`an unknown ${lower} is NoSuchEntity 404`, async () => {
      assertError(
        await a.unchanged({ Action: `Attach${kind}Policy`, [nameParam]: 'ghost', PolicyArn: policies[1] ?? '' }),
        404,
        'NoSuchEntity',
        notFound('ghost'),
      );
      assertError(
        await a.iam({ Action: `ListAttached${kind}Policies`, [nameParam]: 'ghost' }),
        404,
        'NoSuchEntity',
        notFound('ghost'),
      );
    });

    it('detaching a policy that is not attached is NoSuchEntity 404 "… was not found."', async () => {
      assertError(
        await a.unchanged({ Action: `Detach${kind}Policy`, [nameParam]: holder, PolicyArn: policies[1] ?? '' }),
        404,
        'NoSuchEntity',
        `Policy ${policies[1]} was not found.`,
      );
    });

    it(`an 11th attachment is LimitExceeded 409 "Cannot exceed quota for PoliciesPer${kind}: 10"`, async () => {
      for (const arn of policies.slice(1, 10)) {
        await a.ok({ Action: `Attach${kind}Policy`, [nameParam]: holder, PolicyArn: arn });
      }
      assert.equal((await attachedArns()).length, 10);
      assertError(
        await a.unchanged({ Action: `Attach${kind}Policy`, [nameParam]: holder, PolicyArn: policies[10] ?? '' }),
        409,
        'LimitExceeded',
        `Cannot exceed quota for PoliciesPer${kind}: 10`,
      );
      // Attaching one that is already attached is still fine at the limit.
      await a.ok({ Action: `Attach${kind}Policy`, [nameParam]: holder, PolicyArn: policies[0] ?? '' });
    });

    it('PathPrefix filters on the policy path; MaxItems pages', async () => {
      await a.ok({ Action: `Detach${kind}Policy`, [nameParam]: holder, PolicyArn: policies[9] ?? '' });
      await a.ok({ Action: `Attach${kind}Policy`, [nameParam]: holder, PolicyArn: policies[11] ?? '' });
      assert.deepEqual(await attachedArns({ PathPrefix: '/team/' }), [policies[11]]);
      const all = await attachedArns();
      const pages = await allPages(a, { Action: `ListAttached${kind}Policies`, [nameParam]: holder, MaxItems: '3' });
      assert.equal(pages.length, 4);
      assert.deepEqual(
        pages.flatMap((p) => members(p, 'AttachedPolicies').map(field('PolicyArn'))),
        all,
      );
    });

    it('detach removes it; an empty list is <AttachedPolicies/>', async () => {
      for (const arn of await attachedArns()) {
        await a.ok({ Action: `Detach${kind}Policy`, [nameParam]: holder, PolicyArn: arn });
      }
      const reply = await a.ok({ Action: `ListAttached${kind}Policies`, [nameParam]: holder });
      assert.match(reply.body, /<AttachedPolicies\/>/);
    });
  });

  describe(`inline ${lower} policies (§3)`, () => {
    const a = new Account();
    const holder = `inline-${lower}`;
    const get = (policy: string) => ({ Action: `Get${kind}Policy`, [nameParam]: holder, PolicyName: policy });
    const put = (policy: string, document: string, on = holder) => ({
      Action: `Put${kind}Policy`,
      [nameParam]: on,
      PolicyName: policy,
      PolicyDocument: document,
    });

    before(async () => {
      await create(a, holder);
    });

    it(`an empty list is <PolicyNames/>; Get${kind}Policy of a missing one is NoSuchEntity 404`, async () => {
      const reply = await a.ok({ Action: `List${kind}Policies`, [nameParam]: holder });
      assert.match(reply.body, /<PolicyNames\/>/);
      assertError(
        await a.iam(get('absent')),
        404,
        'NoSuchEntity',
        `The ${lower} policy with name absent cannot be found.`,
      );
    });

    it('put, get (URL-encoded, exactly as sent), list, replace, delete', async () => {
      // Statement as one object stays one object (§3, LS-groups).
      const document = JSON.stringify({
        Version: '2012-10-17',
        Statement: { Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::b/(x)*' },
      });
      const reply = await a.ok(put('Alpha', document));
      assert.match(reply.body, new RegExp(`^<Put${kind}PolicyResponse [^>]*><ResponseMetadata>`));
      const gotReply = await a.ok(get('Alpha'));
      const got = resultOf(gotReply);
      assert.deepEqual(sortedNames(got), [nameParam, 'PolicyDocument', 'PolicyName'].sort());
      assert.equal(text(got, nameParam), holder);
      assert.equal(text(got, 'PolicyName'), 'Alpha');
      assert.equal(allOf(gotReply.body, 'PolicyDocument')[0], rfc3986(document));
      assert.equal(decodeURIComponent(text(got, 'PolicyDocument')), document);

      await a.ok(put('beta', policyDoc('ec2:*')));
      const listed = await a.result({ Action: `List${kind}Policies`, [nameParam]: holder });
      assert.deepEqual(memberTexts(listed, 'PolicyNames'), ['Alpha', 'beta']);
      assert.equal(text(listed, 'IsTruncated'), 'false');

      await a.ok(put('Alpha', policyDoc('iam:Get*')));
      assert.equal(decodeURIComponent(text(await a.result(get('Alpha')), 'PolicyDocument')), policyDoc('iam:Get*'));
      assert.equal(
        memberTexts(await a.result({ Action: `List${kind}Policies`, [nameParam]: holder }), 'PolicyNames').length,
        2,
      );

      const deleted = await a.ok({ Action: `Delete${kind}Policy`, [nameParam]: holder, PolicyName: 'beta' });
      assert.match(deleted.body, new RegExp(`^<Delete${kind}PolicyResponse [^>]*><ResponseMetadata>`));
      assert.deepEqual(
        memberTexts(await a.result({ Action: `List${kind}Policies`, [nameParam]: holder }), 'PolicyNames'),
        ['Alpha'],
      );
    });

    it('an inline policy may leave out Version or say 2008-10-17 (§1f)', async () => {
      const statement = [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }];
      await a.ok(put('noversion', JSON.stringify({ Statement: statement })));
      await a.ok(put('oldversion', JSON.stringify({ Version: '2008-10-17', Statement: statement })));
    });

    it('deleting a missing one is NoSuchEntity 404', async () => {
      assertError(
        await a.unchanged({ Action: `Delete${kind}Policy`, [nameParam]: holder, PolicyName: 'absent' }),
        404,
        'NoSuchEntity',
        `The ${lower} policy with name absent cannot be found.`,
      );
    });

    it('a malformed document is MalformedPolicyDocument 400', async () => {
      assertError(
        await a.unchanged(put('bad', 'This is not a json document')),
        400,
        'MalformedPolicyDocument',
        'Syntax errors in policy.',
      );
      assertError(
        await a.unchanged(put('bad', policyDoc('invalid'))),
        400,
        'MalformedPolicyDocument',
        'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
      );
      assertError(
        await a.unchanged(
          put(
            'bad',
            JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Principal: '*' }] }),
          ),
        ),
        400,
        'MalformedPolicyDocument',
        'Policy document should not specify a principal.',
      );
    });

    it(`an unknown ${lower} is NoSuchEntity 404`, async () => {
      assertError(await a.unchanged(put('p', policyDoc(), 'ghost')), 404, 'NoSuchEntity', notFound('ghost'));
      assertError(
        await a.iam({ Action: `List${kind}Policies`, [nameParam]: 'ghost' }),
        404,
        'NoSuchEntity',
        notFound('ghost'),
      );
    });
  });
}

describe('DeleteRole with policies (wire-facts §5)', () => {
  const a = new Account();

  it('refuses while the role has attached or inline policies', async () => {
    const arn = await a.createPolicy('role-attached');
    await a.createRole('with-policies');
    await a.ok({ Action: 'AttachRolePolicy', RoleName: 'with-policies', PolicyArn: arn });
    assertError(
      await a.unchanged({ Action: 'DeleteRole', RoleName: 'with-policies' }),
      409,
      'DeleteConflict',
      'Cannot delete entity, must detach all policies first.',
    );
    await a.ok({ Action: 'DetachRolePolicy', RoleName: 'with-policies', PolicyArn: arn });
    await a.ok({ Action: 'PutRolePolicy', RoleName: 'with-policies', PolicyName: 'p', PolicyDocument: policyDoc() });
    assertError(
      await a.unchanged({ Action: 'DeleteRole', RoleName: 'with-policies' }),
      409,
      'DeleteConflict',
      'Cannot delete entity, must delete policies first.',
    );
    await a.ok({ Action: 'DeleteRolePolicy', RoleName: 'with-policies', PolicyName: 'p' });
    await a.ok({ Action: 'DeleteRole', RoleName: 'with-policies' });
  });
});

describe('ListEntitiesForPolicy (§3)', () => {
  const a = new Account();
  let arn = '';
  const entities = (params: Params = {}) => a.result({ Action: 'ListEntitiesForPolicy', PolicyArn: arn, ...params });
  const summary = (got: Xml) => ({
    groups: members(got, 'PolicyGroups').map(field('GroupName')),
    users: members(got, 'PolicyUsers').map(field('UserName')),
    roles: members(got, 'PolicyRoles').map(field('RoleName')),
  });

  before(async () => {
    arn = await a.createPolicy('shared');
  });

  it('an unused policy has all three lists, empty', async () => {
    const reply = await a.ok({ Action: 'ListEntitiesForPolicy', PolicyArn: arn });
    for (const list of ['PolicyGroups', 'PolicyUsers', 'PolicyRoles'])
      assert.match(reply.body, new RegExp(`<${list}/>`));
    assert.equal(text(resultOf(reply), 'IsTruncated'), 'false');
  });

  it('lists {GroupName, GroupId}, {UserName, UserId} and {RoleName, RoleId}', async () => {
    const group = await a.createGroup('shared-group');
    const user = await a.createUser('shared-user');
    const role = await a.createRole('shared-role', { Path: '/svc/' });
    await a.ok({ Action: 'AttachGroupPolicy', GroupName: 'shared-group', PolicyArn: arn });
    await a.ok({ Action: 'AttachUserPolicy', UserName: 'shared-user', PolicyArn: arn });
    await a.ok({ Action: 'AttachRolePolicy', RoleName: 'shared-role', PolicyArn: arn });
    const got = await entities();
    const one = (list: string) => {
      const items = members(got, list);
      assert.equal(items.length, 1, list);
      return items[0] as Xml;
    };
    assert.deepEqual(
      one('PolicyGroups').children.map((c) => [c.name, c.text]),
      [
        ['GroupName', 'shared-group'],
        ['GroupId', text(group, 'GroupId')],
      ],
    );
    assert.deepEqual(
      one('PolicyUsers').children.map((c) => [c.name, c.text]),
      [
        ['UserName', 'shared-user'],
        ['UserId', text(user, 'UserId')],
      ],
    );
    assert.deepEqual(
      one('PolicyRoles').children.map((c) => [c.name, c.text]),
      [
        ['RoleName', 'shared-role'],
        ['RoleId', text(role, 'RoleId')],
      ],
    );
  });

  it('EntityFilter User/Role/Group fills only that list; LocalManagedPolicy returns all three empty', async () => {
    assert.deepEqual(summary(await entities({ EntityFilter: 'User' })), {
      groups: [],
      users: ['shared-user'],
      roles: [],
    });
    assert.deepEqual(summary(await entities({ EntityFilter: 'Role' })), {
      groups: [],
      users: [],
      roles: ['shared-role'],
    });
    assert.deepEqual(summary(await entities({ EntityFilter: 'Group' })), {
      groups: ['shared-group'],
      users: [],
      roles: [],
    });
    assert.deepEqual(summary(await entities({ EntityFilter: 'LocalManagedPolicy' })), {
      groups: [],
      users: [],
      roles: [],
    });
  });

  it('PathPrefix filters on the entity path', async () => {
    assert.deepEqual(summary(await entities({ PathPrefix: '/svc/' })), {
      groups: [],
      users: [],
      roles: ['shared-role'],
    });
  });

  it('PolicyUsageFilter tells permissions-policy use from boundary use', async () => {
    await a.createUser('bounded-user', { PermissionsBoundary: arn });
    assert.deepEqual(summary(await entities({ PolicyUsageFilter: 'PermissionsBoundary' })), {
      groups: [],
      users: ['bounded-user'],
      roles: [],
    });
    assert.deepEqual(summary(await entities({ PolicyUsageFilter: 'PermissionsPolicy' })), {
      groups: ['shared-group'],
      users: ['shared-user'],
      roles: ['shared-role'],
    });
  });

  it('an unknown policy is NoSuchEntity 404 "… does not exist or is not attachable."', async () => {
    const missing = a.arn('policy', 'NonExistentPolicy');
    assertError(
      await a.iam({ Action: 'ListEntitiesForPolicy', PolicyArn: missing }),
      404,
      'NoSuchEntity',
      `Policy ${missing} does not exist or is not attachable.`,
    );
  });
});

describe('permissions boundaries (wire-facts §5)', () => {
  const a = new Account();
  let boundary = '';
  const missing = () => a.arn('policy', 'nonexistent-policy');
  const malformed = () => `arn:aws:iam::${a.id}:not_a_policy/invalid`;

  before(async () => {
    boundary = await a.createPolicy('boundary');
  });

  it('CreateRole/CreateUser with a policy that does not exist: NoSuchEntity 404 "Scope ARN: …"', async () => {
    for (const params of [
      { Action: 'CreateRole', RoleName: 'bounded-x', AssumeRolePolicyDocument: TRUST },
      { Action: 'CreateUser', UserName: 'bounded-x' },
    ]) {
      assertError(
        await a.unchanged({ ...params, PermissionsBoundary: missing() }),
        404,
        'NoSuchEntity',
        `Scope ARN: ${missing()} does not exist or is not attachable.`,
      );
    }
  });

  it('CreateRole/CreateUser with a malformed ARN: InvalidInput 400 "ARN … is not valid."', async () => {
    for (const params of [
      { Action: 'CreateRole', RoleName: 'bounded-y', AssumeRolePolicyDocument: TRUST },
      { Action: 'CreateUser', UserName: 'bounded-y' },
    ]) {
      assertError(
        await a.unchanged({ ...params, PermissionsBoundary: malformed() }),
        400,
        'InvalidInput',
        `ARN ${malformed()} is not valid.`,
      );
    }
  });

  const shown = (arn: string) =>
    `<PermissionsBoundary><PermissionsBoundaryType>Policy</PermissionsBoundaryType><PermissionsBoundaryArn>${arn}</PermissionsBoundaryArn></PermissionsBoundary>`;

  it('CreateRole with a boundary shows it, typed Policy, in CreateRole and GetRole', async () => {
    const created = await a.createRole('bounded-role', { PermissionsBoundary: boundary });
    assert.equal(text(created, 'PermissionsBoundary', 'PermissionsBoundaryType'), 'Policy');
    assert.equal(text(created, 'PermissionsBoundary', 'PermissionsBoundaryArn'), boundary);
    const got = await a.ok({ Action: 'GetRole', RoleName: 'bounded-role' });
    assert.ok(got.body.includes(shown(boundary)), got.body);
  });

  it('CreateUser with a boundary shows it in CreateUser and GetUser; an AWS managed policy may be one', async () => {
    const created = await a.createUser('bounded-user', { PermissionsBoundary: AWS_POLICY('PowerUserAccess') });
    assert.equal(text(created, 'PermissionsBoundary', 'PermissionsBoundaryArn'), AWS_POLICY('PowerUserAccess'));
    const got = await a.ok({ Action: 'GetUser', UserName: 'bounded-user' });
    assert.ok(got.body.includes(shown(AWS_POLICY('PowerUserAccess'))), got.body);
  });

  it('Put/DeleteRolePermissionsBoundary set and clear it', async () => {
    await a.createRole('later-role');
    const put = await a.ok({
      Action: 'PutRolePermissionsBoundary',
      RoleName: 'later-role',
      PermissionsBoundary: boundary,
    });
    assert.match(put.body, /^<PutRolePermissionsBoundaryResponse [^>]*><ResponseMetadata>/);
    assert.ok((await a.ok({ Action: 'GetRole', RoleName: 'later-role' })).body.includes(shown(boundary)));
    await a.ok({ Action: 'DeleteRolePermissionsBoundary', RoleName: 'later-role' });
    assert.doesNotMatch((await a.ok({ Action: 'GetRole', RoleName: 'later-role' })).body, /PermissionsBoundary/);
  });

  it('Put/DeleteUserPermissionsBoundary set and clear it', async () => {
    await a.createUser('later-user');
    await a.ok({ Action: 'PutUserPermissionsBoundary', UserName: 'later-user', PermissionsBoundary: boundary });
    assert.ok((await a.ok({ Action: 'GetUser', UserName: 'later-user' })).body.includes(shown(boundary)));
    await a.ok({ Action: 'DeleteUserPermissionsBoundary', UserName: 'later-user' });
    assert.doesNotMatch((await a.ok({ Action: 'GetUser', UserName: 'later-user' })).body, /PermissionsBoundary/);
  });

  it('Put*PermissionsBoundary refuses a missing policy, a malformed ARN and a missing entity', async () => {
    for (const [action, param] of [
      ['PutRolePermissionsBoundary', 'RoleName'],
      ['PutUserPermissionsBoundary', 'UserName'],
    ] as const) {
      const on = param === 'RoleName' ? 'later-role' : 'later-user';
      assertError(
        await a.unchanged({ Action: action, [param]: on, PermissionsBoundary: missing() }),
        404,
        'NoSuchEntity',
        `Scope ARN: ${missing()} does not exist or is not attachable.`,
      );
      assertError(
        await a.unchanged({ Action: action, [param]: on, PermissionsBoundary: malformed() }),
        400,
        'InvalidInput',
        `ARN ${malformed()} is not valid.`,
      );
      assertError(
        await a.unchanged({ Action: action, [param]: 'ghost', PermissionsBoundary: boundary }),
        404,
        'NoSuchEntity',
        param === 'RoleName'
          ? 'The role with name ghost cannot be found.'
          : 'The user with name ghost cannot be found.',
      );
    }
  });
});

describe('users (§4)', () => {
  const a = new Account();
  const USER_FIELDS = ['Arn', 'CreateDate', 'Path', 'UserId', 'UserName'];

  it('CreateUser returns Path, UserName, UserId (AIDA…), Arn, CreateDate; Tags only when given', async () => {
    const created = await a.createUser('alice');
    assert.deepEqual(sortedNames(created), USER_FIELDS);
    assert.match(text(created, 'UserId'), /^AIDA[A-Z2-7]{17}$/);
    assert.equal(text(created, 'Arn'), a.arn('user', 'alice'));
    assert.equal(text(created, 'Path'), '/');
    assert.match(text(created, 'CreateDate'), ISO_SECONDS);
    const tagged = await a.createUser('tagged-user', tagParams([['team', 'blue']]));
    assert.deepEqual(sortedNames(tagged), [...USER_FIELDS, 'Tags'].sort());
    assert.deepEqual(tagsOf(tagged, 'Tags'), [['team', 'blue']]);
  });

  it('a Path goes into the ARN; GetUser shows the same fields; Tags only when the user has some', async () => {
    const created = await a.createUser('pathed-user', { Path: '/test-lifecycle-path/' });
    assert.equal(text(created, 'Arn'), `arn:aws:iam::${a.id}:user/test-lifecycle-path/pathed-user`);
    const got = at(await a.result({ Action: 'GetUser', UserName: 'pathed-user' }), 'User');
    assert.deepEqual(got, created);
    const tagged = at(await a.result({ Action: 'GetUser', UserName: 'tagged-user' }), 'User');
    assert.deepEqual(tagsOf(tagged, 'Tags'), [['team', 'blue']]);
  });

  it('ListUsers items carry no Tags; PathPrefix is a plain string prefix', async () => {
    const listed = await a.result({ Action: 'ListUsers' });
    for (const user of members(listed, 'Users')) assert.deepEqual(sortedNames(user), USER_FIELDS);
    assert.ok(members(listed, 'Users').map(field('UserName')).includes('tagged-user'));
    const prefixed = await a.result({ Action: 'ListUsers', PathPrefix: '/test-life' });
    assert.deepEqual(members(prefixed, 'Users').map(field('UserName')), ['pathed-user']);
    const pages = await allPages(a, { Action: 'ListUsers', MaxItems: '1' });
    assert.deepEqual(
      pages.flatMap((p) => members(p, 'Users').map(field('UserName'))),
      members(listed, 'Users').map(field('UserName')),
    );
  });

  it('a name in use is EntityAlreadyExists 409; an unknown user is NoSuchEntity 404', async () => {
    assertError(
      await a.unchanged({ Action: 'CreateUser', UserName: 'alice' }),
      409,
      'EntityAlreadyExists',
      'User with name alice already exists.',
    );
    assertError(
      await a.iam({ Action: 'GetUser', UserName: 'nonexistent-user' }),
      404,
      'NoSuchEntity',
      'The user with name nonexistent-user cannot be found.',
    );
    for (const params of [
      { Action: 'UpdateUser', UserName: 'nonexistent-user', NewUserName: 'x' },
      { Action: 'DeleteUser', UserName: 'nonexistent-user' },
      { Action: 'CreateAccessKey', UserName: 'nonexistent-user' },
      { Action: 'TagUser', UserName: 'nonexistent-user', ...tagParams([['a', 'b']]) },
    ]) {
      assertError(
        await a.unchanged(params),
        404,
        'NoSuchEntity',
        'The user with name nonexistent-user cannot be found.',
      );
    }
  });

  it('UpdateUser renames: same UserId, new ARN; keys, group membership and policies follow', async () => {
    const original = await a.createUser('old-name');
    await a.createGroup('rename-group');
    await a.ok({ Action: 'AddUserToGroup', UserName: 'old-name', GroupName: 'rename-group' });
    await a.ok({ Action: 'PutUserPolicy', UserName: 'old-name', PolicyName: 'inline', PolicyDocument: policyDoc() });
    const key = await a.createKey('old-name');

    const reply = await a.ok({
      Action: 'UpdateUser',
      UserName: 'old-name',
      NewUserName: 'new-name',
      NewPath: '/moved/',
    });
    assert.match(reply.body, /^<UpdateUserResponse [^>]*><ResponseMetadata>/);

    const got = at(await a.result({ Action: 'GetUser', UserName: 'new-name' }), 'User');
    assert.equal(text(got, 'UserId'), text(original, 'UserId'));
    assert.equal(text(got, 'Arn'), `arn:aws:iam::${a.id}:user/moved/new-name`);
    assert.equal(text(got, 'Path'), '/moved/');
    assertError(
      await a.iam({ Action: 'GetUser', UserName: 'old-name' }),
      404,
      'NoSuchEntity',
      'The user with name old-name cannot be found.',
    );

    const keys = members(await a.result({ Action: 'ListAccessKeys', UserName: 'new-name' }), 'AccessKeyMetadata');
    assert.deepEqual(
      keys.map((k) => [text(k, 'UserName'), text(k, 'AccessKeyId')]),
      [['new-name', key.id]],
    );
    const group = await a.result({ Action: 'GetGroup', GroupName: 'rename-group' });
    assert.deepEqual(members(group, 'Users').map(field('UserName')), ['new-name']);
    const groups = await a.result({ Action: 'ListGroupsForUser', UserName: 'new-name' });
    assert.deepEqual(members(groups, 'Groups').map(field('GroupName')), ['rename-group']);
    assert.deepEqual(memberTexts(await a.result({ Action: 'ListUserPolicies', UserName: 'new-name' }), 'PolicyNames'), [
      'inline',
    ]);

    // The old key now signs as the renamed user (LS-users TestUserRename).
    const identity = await a.sts({ Action: 'GetCallerIdentity' }, { accessKeyId: key.id, secretAccessKey: key.secret });
    assert.equal(allOf(assertOk(identity).body, 'Arn')[0], `arn:aws:iam::${a.id}:user/moved/new-name`);
    assert.equal(allOf(identity.body, 'UserId')[0], text(original, 'UserId'));
  });

  it('TagUser, UntagUser and ListUserTags; keys compare case-insensitively', async () => {
    await a.createUser('tag-user');
    const tagKeys = async () =>
      tagsOf(await a.result({ Action: 'ListUserTags', UserName: 'tag-user' }), 'Tags').sort(([x], [y]) =>
        x < y ? -1 : 1,
      );
    const reply = await a.ok({
      Action: 'TagUser',
      UserName: 'tag-user',
      ...tagParams([
        ['Env', 'dev'],
        ['Team', 'a'],
      ]),
    });
    assert.match(reply.body, /^<TagUserResponse [^>]*><ResponseMetadata>/);
    await a.ok({ Action: 'TagUser', UserName: 'tag-user', ...tagParams([['env', 'prod']]) });
    assert.deepEqual(await tagKeys(), [
      ['Team', 'a'],
      ['env', 'prod'],
    ]);
    assertError(
      await a.unchanged({
        Action: 'TagUser',
        UserName: 'tag-user',
        ...tagParams([
          ['Owner', 'x'],
          ['OWNER', 'y'],
        ]),
      }),
      400,
      'InvalidInput',
      'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    );
    await a.ok({ Action: 'UntagUser', UserName: 'tag-user', ...listParams('TagKeys', ['team', 'absent']) });
    assert.deepEqual(await tagKeys(), [['env', 'prod']]);
    const got = at(await a.result({ Action: 'GetUser', UserName: 'tag-user' }), 'User');
    assert.deepEqual(tagsOf(got, 'Tags'), [['env', 'prod']]);
  });

  it('renaming to a name in use is EntityAlreadyExists 409', async () => {
    assertError(
      await a.unchanged({ Action: 'UpdateUser', UserName: 'new-name', NewUserName: 'alice' }),
      409,
      'EntityAlreadyExists',
      'User with name alice already exists.',
    );
  });

  it('DeleteUser refuses while the user has access keys, inline or attached policies or groups', async () => {
    const policy = await a.createPolicy('user-attached');
    await a.createGroup('user-group');
    const cases: [string, () => Promise<unknown>, string, () => Promise<unknown>][] = [
      [
        'keyed',
        async () => a.createKey('keyed'),
        'Cannot delete entity, must delete access keys first.',
        async () => {
          const keys = members(await a.result({ Action: 'ListAccessKeys', UserName: 'keyed' }), 'AccessKeyMetadata');
          for (const k of keys) {
            await a.ok({ Action: 'DeleteAccessKey', UserName: 'keyed', AccessKeyId: text(k, 'AccessKeyId') });
          }
        },
      ],
      [
        'inlined',
        () => a.ok({ Action: 'PutUserPolicy', UserName: 'inlined', PolicyName: 'p', PolicyDocument: policyDoc() }),
        'Cannot delete entity, must delete policies first.',
        () => a.ok({ Action: 'DeleteUserPolicy', UserName: 'inlined', PolicyName: 'p' }),
      ],
      [
        'attached',
        () => a.ok({ Action: 'AttachUserPolicy', UserName: 'attached', PolicyArn: policy }),
        'Cannot delete entity, must detach all policies first.',
        () => a.ok({ Action: 'DetachUserPolicy', UserName: 'attached', PolicyArn: policy }),
      ],
      [
        'grouped',
        () => a.ok({ Action: 'AddUserToGroup', UserName: 'grouped', GroupName: 'user-group' }),
        'Cannot delete entity, must remove users from group first.',
        () => a.ok({ Action: 'RemoveUserFromGroup', UserName: 'grouped', GroupName: 'user-group' }),
      ],
    ];
    for (const [name, block, message, unblock] of cases) {
      await a.createUser(name);
      await block();
      assertError(await a.unchanged({ Action: 'DeleteUser', UserName: name }), 409, 'DeleteConflict', message);
      await unblock();
      const reply = await a.ok({ Action: 'DeleteUser', UserName: name });
      assert.match(reply.body, /^<DeleteUserResponse [^>]*><ResponseMetadata>/);
      assertError(
        await a.iam({ Action: 'GetUser', UserName: name }),
        404,
        'NoSuchEntity',
        `The user with name ${name} cannot be found.`,
      );
    }
  });
});

describe('groups (§4)', () => {
  const a = new Account();
  const GROUP_FIELDS = ['Arn', 'CreateDate', 'GroupId', 'GroupName', 'Path'];
  const USER_FIELDS = ['Arn', 'CreateDate', 'Path', 'UserId', 'UserName'];
  const memberNames = async (group: string) =>
    members(await a.result({ Action: 'GetGroup', GroupName: group }), 'Users').map(field('UserName'));

  it('CreateGroup returns Path, GroupName, GroupId (AGPA…), Arn, CreateDate', async () => {
    const created = await a.createGroup('admins', { Path: '/ops/' });
    assert.deepEqual(sortedNames(created), GROUP_FIELDS);
    assert.match(text(created, 'GroupId'), /^AGPA[A-Z2-7]{17}$/);
    assert.equal(text(created, 'Arn'), `arn:aws:iam::${a.id}:group/ops/admins`);
    for (const group of members(await a.result({ Action: 'ListGroups' }), 'Groups')) {
      assert.deepEqual(sortedNames(group), GROUP_FIELDS);
    }
  });

  it('a name in use is EntityAlreadyExists 409; an unknown group is NoSuchEntity 404', async () => {
    assertError(
      await a.unchanged({ Action: 'CreateGroup', GroupName: 'admins' }),
      409,
      'EntityAlreadyExists',
      'Group with name admins already exists.',
    );
    const missing = 'The group with name non-existent-group cannot be found.';
    assertError(await a.iam({ Action: 'GetGroup', GroupName: 'non-existent-group' }), 404, 'NoSuchEntity', missing);
    assertError(
      await a.unchanged({ Action: 'DeleteGroup', GroupName: 'non-existent-group' }),
      404,
      'NoSuchEntity',
      missing,
    );
    assertError(
      await a.unchanged({ Action: 'UpdateGroup', GroupName: 'non-existent-group', NewGroupName: 'x' }),
      404,
      'NoSuchEntity',
      missing,
    );
  });

  it('GetGroup shows the group and <Users/> when it has no members', async () => {
    const reply = await a.ok({ Action: 'GetGroup', GroupName: 'admins' });
    const got = resultOf(reply);
    assert.deepEqual(sortedNames(at(got, 'Group')), GROUP_FIELDS);
    assert.match(reply.body, /<Users\/>/);
    assert.equal(text(got, 'IsTruncated'), 'false');
  });

  it('AddUserToGroup twice adds one member; one RemoveUserFromGroup removes it', async () => {
    await a.createUser('member-1');
    await a.ok({ Action: 'AddUserToGroup', UserName: 'member-1', GroupName: 'admins' });
    await a.ok({ Action: 'AddUserToGroup', UserName: 'member-1', GroupName: 'admins' });
    assert.deepEqual(await memberNames('admins'), ['member-1']);
    const remove = await a.ok({ Action: 'RemoveUserFromGroup', UserName: 'member-1', GroupName: 'admins' });
    assert.match(remove.body, /^<RemoveUserFromGroupResponse [^>]*><ResponseMetadata>/);
    assert.deepEqual(await memberNames('admins'), []);
  });

  it('RemoveUserFromGroup of a user who is not a member succeeds', async () => {
    const before = await a.snapshot();
    assertOk(await a.iam({ Action: 'RemoveUserFromGroup', UserName: 'member-1', GroupName: 'admins' }));
    assert.deepEqual(await a.snapshot(), before);
  });

  it('the user is looked up before the group', async () => {
    assertError(
      await a.unchanged({ Action: 'RemoveUserFromGroup', UserName: 'any-user', GroupName: 'any-group' }),
      404,
      'NoSuchEntity',
      'The user with name any-user cannot be found.',
    );
    assertError(
      await a.unchanged({ Action: 'AddUserToGroup', UserName: 'member-1', GroupName: 'any-group' }),
      404,
      'NoSuchEntity',
      'The group with name any-group cannot be found.',
    );
    assertError(
      await a.unchanged({ Action: 'AddUserToGroup', UserName: 'any-user', GroupName: 'admins' }),
      404,
      'NoSuchEntity',
      'The user with name any-user cannot be found.',
    );
  });

  it('GetGroup pages over the members; members carry the five user fields', async () => {
    for (const name of ['member-2', 'member-3', 'member-4']) {
      await a.createUser(name, tagParams([['t', 'v']]));
      await a.ok({ Action: 'AddUserToGroup', UserName: name, GroupName: 'admins' });
    }
    const full = members(await a.result({ Action: 'GetGroup', GroupName: 'admins' }), 'Users');
    for (const user of full) assert.deepEqual(sortedNames(user), USER_FIELDS);
    const pages = await allPages(a, { Action: 'GetGroup', GroupName: 'admins', MaxItems: '1' });
    assert.equal(pages.length, 3);
    for (const page of pages) assert.equal(text(page, 'Group', 'GroupName'), 'admins');
    assert.deepEqual(
      pages.flatMap((p) => members(p, 'Users').map(field('UserName'))),
      full.map(field('UserName')),
    );
    const forUser = await a.result({ Action: 'ListGroupsForUser', UserName: 'member-2' });
    assert.deepEqual(members(forUser, 'Groups').map(sortedNames), [GROUP_FIELDS]);
  });

  it('UpdateGroup renames: same GroupId, new ARN, members kept', async () => {
    const before = at(await a.result({ Action: 'GetGroup', GroupName: 'admins' }), 'Group');
    const reply = await a.ok({
      Action: 'UpdateGroup',
      GroupName: 'admins',
      NewGroupName: 'operators',
      NewPath: '/new-path/',
    });
    assert.match(reply.body, /^<UpdateGroupResponse [^>]*><ResponseMetadata>/);
    const after = at(await a.result({ Action: 'GetGroup', GroupName: 'operators' }), 'Group');
    assert.equal(text(after, 'GroupId'), text(before, 'GroupId'));
    assert.equal(text(after, 'Arn'), `arn:aws:iam::${a.id}:group/new-path/operators`);
    assert.deepEqual(await memberNames('operators'), ['member-2', 'member-3', 'member-4']);
    assertError(
      await a.iam({ Action: 'GetGroup', GroupName: 'admins' }),
      404,
      'NoSuchEntity',
      'The group with name admins cannot be found.',
    );
    await a.createGroup('taken');
    assertError(
      await a.unchanged({ Action: 'UpdateGroup', GroupName: 'operators', NewGroupName: 'taken' }),
      409,
      'EntityAlreadyExists',
      'Group with name taken already exists.',
    );
  });

  it('DeleteGroup refuses while it has members, attached or inline policies', async () => {
    assertError(
      await a.unchanged({ Action: 'DeleteGroup', GroupName: 'operators' }),
      409,
      'DeleteConflict',
      'Cannot delete entity, must remove users from group first.',
    );
    const policy = await a.createPolicy('group-attached');
    await a.createGroup('with-attached');
    await a.ok({ Action: 'AttachGroupPolicy', GroupName: 'with-attached', PolicyArn: policy });
    assertError(
      await a.unchanged({ Action: 'DeleteGroup', GroupName: 'with-attached' }),
      409,
      'DeleteConflict',
      'Cannot delete entity, must detach all policies first.',
    );
    await a.createGroup('with-inline');
    await a.ok({ Action: 'PutGroupPolicy', GroupName: 'with-inline', PolicyName: 'p', PolicyDocument: policyDoc() });
    assertError(
      await a.unchanged({ Action: 'DeleteGroup', GroupName: 'with-inline' }),
      409,
      'DeleteConflict',
      'Cannot delete entity, must delete policies first.',
    );
    await a.ok({ Action: 'DeleteGroupPolicy', GroupName: 'with-inline', PolicyName: 'p' });
    const deleted = await a.ok({ Action: 'DeleteGroup', GroupName: 'with-inline' });
    assert.match(deleted.body, /^<DeleteGroupResponse [^>]*><ResponseMetadata>/);
  });

  it('an 11th group for one user is LimitExceeded 409 "Cannot exceed quota for GroupsPerUser: 10"', async () => {
    await a.createUser('joiner');
    for (let i = 1; i <= 11; i++) await a.createGroup(`g${i}`);
    for (let i = 1; i <= 10; i++) await a.ok({ Action: 'AddUserToGroup', UserName: 'joiner', GroupName: `g${i}` });
    assertError(
      await a.unchanged({ Action: 'AddUserToGroup', UserName: 'joiner', GroupName: 'g11' }),
      409,
      'LimitExceeded',
      'Cannot exceed quota for GroupsPerUser: 10',
    );
    assert.equal(members(await a.result({ Action: 'ListGroupsForUser', UserName: 'joiner' }), 'Groups').length, 10);
  });
});

describe('access keys (§5)', () => {
  const a = new Account();
  let first: Key = { id: '', secret: '' };
  const asKey = (key: Key): SignedQueryOptions => ({ accessKeyId: key.id, secretAccessKey: key.secret });
  const callerArn = async (key: Key) =>
    allOf(assertOk(await a.sts({ Action: 'GetCallerIdentity' }, asKey(key))).body, 'Arn')[0];

  before(async () => {
    await a.createUser('keyholder');
  });

  it('CreateAccessKey: UserName, AKIA + 16, Status Active, a 40-character secret, CreateDate', async () => {
    const reply = await a.ok({ Action: 'CreateAccessKey', UserName: 'keyholder' });
    const key = at(resultOf(reply), 'AccessKey');
    assert.deepEqual(sortedNames(key), ['AccessKeyId', 'CreateDate', 'SecretAccessKey', 'Status', 'UserName']);
    assert.equal(text(key, 'UserName'), 'keyholder');
    assert.match(text(key, 'AccessKeyId'), /^AKIA[A-Z0-9]{16}$/);
    assert.equal(text(key, 'Status'), 'Active');
    assert.equal(text(key, 'SecretAccessKey').length, 40);
    assert.match(text(key, 'CreateDate'), ISO_SECONDS);
    first = { id: text(key, 'AccessKeyId'), secret: text(key, 'SecretAccessKey') };
  });

  it('ListAccessKeys shows metadata without the secret; <AccessKeyMetadata/> when none', async () => {
    const listed = await a.result({ Action: 'ListAccessKeys', UserName: 'keyholder' });
    const items = members(listed, 'AccessKeyMetadata');
    assert.deepEqual(items.map(sortedNames), [['AccessKeyId', 'CreateDate', 'Status', 'UserName']]);
    assert.equal(text(items[0] as Xml, 'AccessKeyId'), first.id);
    await a.createUser('keyless');
    assert.match((await a.ok({ Action: 'ListAccessKeys', UserName: 'keyless' })).body, /<AccessKeyMetadata\/>/);
  });

  it('the key signs requests as the user: GetCallerIdentity shows the user ARN and UserId', async () => {
    const user = at(await a.result({ Action: 'GetUser', UserName: 'keyholder' }), 'User');
    const identity = resultOf(await a.sts({ Action: 'GetCallerIdentity' }, asKey(first)));
    assert.equal(text(identity, 'Arn'), a.arn('user', 'keyholder'));
    assert.equal(text(identity, 'UserId'), text(user, 'UserId'));
    assert.equal(text(identity, 'Account'), a.id);
    const wrongSecret = await a.sts(
      { Action: 'GetCallerIdentity' },
      { accessKeyId: first.id, secretAccessKey: 'x'.repeat(40) },
    );
    assertError(
      wrongSecret,
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  });

  it('other calls by the user are AccessDenied 403 until policies are evaluated', async () => {
    const reply = await a.unchanged({ Action: 'CreateUser', UserName: 'by-user' }, asKey(first));
    assertError(
      reply,
      403,
      'AccessDenied',
      new RegExp(`^User: arn:aws:iam::${a.id}:user/keyholder is not authorized to perform: iam:CreateUser`),
    );
  });

  it('a third key is LimitExceeded 409, inactive keys included', async () => {
    const second = await a.createKey('keyholder');
    await a.ok({ Action: 'UpdateAccessKey', UserName: 'keyholder', AccessKeyId: second.id, Status: 'Inactive' });
    assertError(
      await a.unchanged({ Action: 'CreateAccessKey', UserName: 'keyholder' }),
      409,
      'LimitExceeded',
      'Cannot exceed quota for AccessKeysPerUser: 2',
    );
    await a.ok({ Action: 'DeleteAccessKey', UserName: 'keyholder', AccessKeyId: second.id });
  });

  it('an Inactive key is refused as InvalidClientTokenId; Active again, it works', async () => {
    const reply = await a.ok({
      Action: 'UpdateAccessKey',
      UserName: 'keyholder',
      AccessKeyId: first.id,
      Status: 'Inactive',
    });
    assert.match(reply.body, /^<UpdateAccessKeyResponse [^>]*><ResponseMetadata>/);
    const listed = members(await a.result({ Action: 'ListAccessKeys', UserName: 'keyholder' }), 'AccessKeyMetadata');
    assert.deepEqual(listed.map(field('Status')), ['Inactive']);
    assertError(await a.sts({ Action: 'GetCallerIdentity' }, asKey(first)), 403, 'InvalidClientTokenId', INVALID_TOKEN);
    assertError(
      await a.unchanged({ Action: 'CreateUser', UserName: 'by-inactive' }, asKey(first)),
      403,
      'InvalidClientTokenId',
      INVALID_TOKEN,
    );
    await a.ok({ Action: 'UpdateAccessKey', UserName: 'keyholder', AccessKeyId: first.id, Status: 'Active' });
    assert.equal(await callerArn(first), a.arn('user', 'keyholder'));
  });

  it('GetAccessKeyLastUsed of a key never used: ServiceName and Region N/A, no LastUsedDate', async () => {
    const key = await a.createKey('keyless');
    const got = await a.result({ Action: 'GetAccessKeyLastUsed', AccessKeyId: key.id });
    assert.equal(text(got, 'UserName'), 'keyless');
    assert.deepEqual(sortedNames(at(got, 'AccessKeyLastUsed')), ['Region', 'ServiceName']);
    assert.equal(text(got, 'AccessKeyLastUsed', 'ServiceName'), 'N/A');
    assert.equal(text(got, 'AccessKeyLastUsed', 'Region'), 'N/A');
  });

  it('GetAccessKeyLastUsed after the key signed a request: the date, the service and the region', async () => {
    await a.createUser('used-key');
    const key = await a.createKey('used-key');
    // The user has no policies: the request is denied, but the key was used (authenticated) all the same.
    await a.sts({ Action: 'GetCallerIdentity' }, asKey(key));
    let got = await a.result({ Action: 'GetAccessKeyLastUsed', AccessKeyId: key.id });
    for (let i = 0; i < 50 && !has(at(got, 'AccessKeyLastUsed'), 'LastUsedDate'); i++) {
      await new Promise((r) => setTimeout(r, 20)); // the use is recorded off the request's path
      got = await a.result({ Action: 'GetAccessKeyLastUsed', AccessKeyId: key.id });
    }
    assert.deepEqual(sortedNames(at(got, 'AccessKeyLastUsed')), ['LastUsedDate', 'Region', 'ServiceName']);
    assert.equal(text(got, 'AccessKeyLastUsed', 'ServiceName'), 'sts');
    assert.equal(text(got, 'AccessKeyLastUsed', 'Region'), 'us-east-1');
    assert.match(text(got, 'AccessKeyLastUsed', 'LastUsedDate'), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('GetAccessKeyLastUsed of an unknown key is AccessDenied 403 in AWS’s wording', async () => {
    assertError(
      await a.iam({ Action: 'GetAccessKeyLastUsed', AccessKeyId: 'AKIAIOSFODNN7EXAMPLE' }),
      403,
      'AccessDenied',
      `User: arn:aws:iam::${a.id}:root is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key AKIAIOSFODNN7EXAMPLE`,
    );
  });

  it('Update/DeleteAccessKey of an unknown key are NoSuchEntity 404', async () => {
    const missing = 'The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.';
    assertError(
      await a.unchanged({
        Action: 'UpdateAccessKey',
        UserName: 'keyholder',
        AccessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        Status: 'Inactive',
      }),
      404,
      'NoSuchEntity',
      missing,
    );
    assertError(
      await a.unchanged({ Action: 'DeleteAccessKey', UserName: 'keyholder', AccessKeyId: 'AKIAIOSFODNN7EXAMPLE' }),
      404,
      'NoSuchEntity',
      missing,
    );
  });

  it('a deleted key is refused as InvalidClientTokenId', async () => {
    const reply = await a.ok({ Action: 'DeleteAccessKey', UserName: 'keyholder', AccessKeyId: first.id });
    assert.match(reply.body, /^<DeleteAccessKeyResponse [^>]*><ResponseMetadata>/);
    assertError(await a.sts({ Action: 'GetCallerIdentity' }, asKey(first)), 403, 'InvalidClientTokenId', INVALID_TOKEN);
    assert.match((await a.ok({ Action: 'ListAccessKeys', UserName: 'keyholder' })).body, /<AccessKeyMetadata\/>/);
  });
});

describe('GetAccountSummary (§6)', () => {
  const a = new Account();
  const QUOTAS: Record<string, number> = {
    AccessKeysPerUserQuota: 2,
    AssumeRolePolicySizeQuota: 2048,
    AttachedPoliciesPerGroupQuota: 10,
    AttachedPoliciesPerRoleQuota: 10,
    AttachedPoliciesPerUserQuota: 10,
    GroupPolicySizeQuota: 5120,
    GroupsPerUserQuota: 10,
    GroupsQuota: 300,
    InstanceProfilesQuota: 1000,
    PoliciesQuota: 1500,
    PolicySizeQuota: 6144,
    PolicyVersionsInUseQuota: 10000,
    RolePolicySizeQuota: 10240,
    RolesQuota: 1000,
    ServerCertificatesQuota: 20,
    SigningCertificatesPerUserQuota: 2,
    UserPolicySizeQuota: 2048,
    UsersQuota: 5000,
    VersionsPerPolicyQuota: 5,
  };
  const COUNTERS = [
    'Users',
    'Groups',
    'Roles',
    'Policies',
    'InstanceProfiles',
    'ServerCertificates',
    'MFADevices',
    'MFADevicesInUse',
    'Providers',
    'PolicyVersionsInUse',
  ];
  const FLAGS = [
    'AccountAccessKeysPresent',
    'AccountMFAEnabled',
    'AccountSigningCertificatesPresent',
    'AccountPasswordPresent',
  ];
  const summary = async (): Promise<Record<string, number>> => {
    const map = at(await a.result({ Action: 'GetAccountSummary' }), 'SummaryMap');
    const out: Record<string, number> = {};
    for (const entry of map.children) {
      assert.equal(entry.name, 'entry');
      assert.deepEqual(names(entry), ['key', 'value']);
      const key = text(entry, 'key');
      assert.equal(out[key], undefined, `${key} appears once`);
      out[key] = Number(text(entry, 'value'));
    }
    return out;
  };

  it('has all 34 keys: the quotas at their defaults, counters and flags at 0 in a new account', async () => {
    const got = await summary();
    assert.deepEqual(
      Object.keys(got).sort(),
      [...Object.keys(QUOTAS), ...COUNTERS, ...FLAGS, 'GlobalEndpointTokenVersion'].sort(),
    );
    assert.equal(Object.keys(got).length, 34);
    for (const [key, value] of Object.entries(QUOTAS)) assert.equal(got[key], value, key);
    for (const key of [...COUNTERS, ...FLAGS]) assert.equal(got[key], 0, key);
    assert.equal(got['GlobalEndpointTokenVersion'], 1);
  });

  it('counts users, groups, roles, customer policies, instance profiles and policies in use', async () => {
    const before = await summary();
    await a.createUser('summary-user');
    await a.createGroup('summary-group');
    await a.createRole('summary-role');
    const arn = await a.createPolicy('summary-policy');
    await a.ok({ Action: 'AttachRolePolicy', RoleName: 'summary-role', PolicyArn: arn });
    await a.ok({ Action: 'CreateInstanceProfile', InstanceProfileName: 'summary-profile' });
    const after = await summary();
    const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
    assert.deepEqual(Object.fromEntries(changed.map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)])), {
      Users: 1,
      Groups: 1,
      Roles: 1,
      Policies: 1,
      InstanceProfiles: 1,
      PolicyVersionsInUse: 1,
    });
  });

  it('AWS managed policies are not counted in Policies', async () => {
    const before = await summary();
    await a.ok({ Action: 'AttachRolePolicy', RoleName: 'summary-role', PolicyArn: AWS_POLICY('IAMReadOnlyAccess') });
    const after = await summary();
    assert.equal(after['Policies'], before['Policies']);
  });

  it('AccountAccessKeysPresent is 1 once the root has an access key, which signs as the root', async () => {
    const key = await a.createKey();
    const identity = resultOf(
      await a.sts({ Action: 'GetCallerIdentity' }, { accessKeyId: key.id, secretAccessKey: key.secret }),
    );
    assert.equal(text(identity, 'Arn'), `arn:aws:iam::${a.id}:root`);
    assert.deepEqual(
      members(await a.result({ Action: 'ListAccessKeys' }), 'AccessKeyMetadata').map(field('AccessKeyId')),
      [key.id],
    );
    assert.equal((await summary())['AccountAccessKeysPresent'], 1);
  });
});

describe('GetAccountAuthorizationDetails (§7)', () => {
  const a = new Account();
  let local = '';
  const S3_FULL = AWS_POLICY('AmazonS3FullAccess');
  const docs = [1, 2, 3].map((i) => policyDoc(`s3:Get${i}`));
  const details = (params: Params = {}) => a.result({ Action: 'GetAccountAuthorizationDetails', ...params });
  const LISTS = ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'] as const;

  before(async () => {
    local = await a.createPolicy('local', { Description: 'a local policy' }, docs[0]);
    await a.ok({ Action: 'CreatePolicyVersion', PolicyArn: local, PolicyDocument: docs[1] ?? '' });
    await a.ok({
      Action: 'CreatePolicyVersion',
      PolicyArn: local,
      PolicyDocument: docs[2] ?? '',
      SetAsDefault: 'true',
    });
    await a.createGroup('devs');
    await a.ok({
      Action: 'PutGroupPolicy',
      GroupName: 'devs',
      PolicyName: 'group-inline',
      PolicyDocument: policyDoc(),
    });
    await a.ok({ Action: 'AttachGroupPolicy', GroupName: 'devs', PolicyArn: local });
    await a.createGroup('empty-group');
    await a.createUser('full-user', { ...tagParams([['team', 'red']]), PermissionsBoundary: local });
    await a.ok({
      Action: 'PutUserPolicy',
      UserName: 'full-user',
      PolicyName: 'user-inline',
      PolicyDocument: policyDoc('sqs:*'),
    });
    await a.ok({ Action: 'AttachUserPolicy', UserName: 'full-user', PolicyArn: local });
    await a.ok({ Action: 'AddUserToGroup', UserName: 'full-user', GroupName: 'devs' });
    await a.createUser('plain-user');
    await a.createRole('app-role', { Description: 'testing role', MaxSessionDuration: '7200' });
    await a.ok({
      Action: 'PutRolePolicy',
      RoleName: 'app-role',
      PolicyName: 'role-inline',
      PolicyDocument: policyDoc('sns:*'),
    });
    await a.ok({ Action: 'AttachRolePolicy', RoleName: 'app-role', PolicyArn: S3_FULL });
    await a.ok({ Action: 'CreateInstanceProfile', InstanceProfileName: 'app-profile', ...tagParams([['p', 'q']]) });
    await a.ok({ Action: 'AddRoleToInstanceProfile', InstanceProfileName: 'app-profile', RoleName: 'app-role' });
  });

  const byName = (items: Xml[], nameField: string, name: string): Xml => {
    const found = items.find((i) => text(i, nameField) === name);
    assert.ok(found, `${name} is listed`);
    return found;
  };

  it('lists every user, group, role, local policy and only the AWS managed policies in use', async () => {
    const all = await details();
    assert.deepEqual(members(all, 'UserDetailList').map(field('UserName')).sort(), ['full-user', 'plain-user']);
    assert.deepEqual(members(all, 'GroupDetailList').map(field('GroupName')).sort(), ['devs', 'empty-group']);
    assert.deepEqual(members(all, 'RoleDetailList').map(field('RoleName')), ['app-role']);
    assert.deepEqual(members(all, 'Policies').map(field('Arn')).sort(), [S3_FULL, local].sort());
    assert.equal(text(all, 'IsTruncated'), 'false');
    assert.equal(has(all, 'Marker'), false);
  });

  it('UserDetail: GroupList names, attached policies, Tags always, UserPolicyList only when there are some', async () => {
    const users = members(await details(), 'UserDetailList');
    const full = byName(users, 'UserName', 'full-user');
    assert.deepEqual(sortedNames(full), [
      'Arn',
      'AttachedManagedPolicies',
      'CreateDate',
      'GroupList',
      'Path',
      'PermissionsBoundary',
      'Tags',
      'UserId',
      'UserName',
      'UserPolicyList',
    ]);
    assert.deepEqual(memberTexts(full, 'GroupList'), ['devs']);
    assert.deepEqual(
      members(full, 'AttachedManagedPolicies').map((m) => [text(m, 'PolicyName'), text(m, 'PolicyArn')]),
      [['local', local]],
    );
    assert.deepEqual(tagsOf(full, 'Tags'), [['team', 'red']]);
    const inline = members(full, 'UserPolicyList');
    assert.deepEqual(
      inline.map((m) => [text(m, 'PolicyName'), decodeURIComponent(text(m, 'PolicyDocument'))]),
      [['user-inline', policyDoc('sqs:*')]],
    );
    assert.equal(text(inline[0] as Xml, 'PolicyDocument'), rfc3986(policyDoc('sqs:*')));
    assert.equal(text(full, 'PermissionsBoundary', 'PermissionsBoundaryArn'), local);

    const plain = byName(users, 'UserName', 'plain-user');
    assert.deepEqual(sortedNames(plain), [
      'Arn',
      'AttachedManagedPolicies',
      'CreateDate',
      'GroupList',
      'Path',
      'Tags',
      'UserId',
      'UserName',
    ]);
    for (const list of ['GroupList', 'AttachedManagedPolicies', 'Tags']) assert.deepEqual(at(plain, list).children, []);
  });

  it('GroupDetail: GroupPolicyList (empty too) and AttachedManagedPolicies, no Tags', async () => {
    const groups = members(await details(), 'GroupDetailList');
    const devs = byName(groups, 'GroupName', 'devs');
    assert.deepEqual(sortedNames(devs), [
      'Arn',
      'AttachedManagedPolicies',
      'CreateDate',
      'GroupId',
      'GroupName',
      'GroupPolicyList',
      'Path',
    ]);
    assert.deepEqual(members(devs, 'GroupPolicyList').map(field('PolicyName')), ['group-inline']);
    assert.deepEqual(members(devs, 'AttachedManagedPolicies').map(field('PolicyArn')), [local]);
    const empty = byName(groups, 'GroupName', 'empty-group');
    assert.deepEqual(at(empty, 'GroupPolicyList').children, []);
    assert.deepEqual(at(empty, 'AttachedManagedPolicies').children, []);
  });

  it('RoleDetail: no Description or MaxSessionDuration; instance profiles without Tags; Tags and RoleLastUsed', async () => {
    const role = byName(members(await details(), 'RoleDetailList'), 'RoleName', 'app-role');
    assert.deepEqual(sortedNames(role), [
      'Arn',
      'AssumeRolePolicyDocument',
      'AttachedManagedPolicies',
      'CreateDate',
      'InstanceProfileList',
      'Path',
      'RoleId',
      'RoleLastUsed',
      'RoleName',
      'RolePolicyList',
      'Tags',
    ]);
    assert.equal(decodeURIComponent(text(role, 'AssumeRolePolicyDocument')), TRUST);
    assert.deepEqual(at(role, 'Tags').children, []);
    assert.deepEqual(at(role, 'RoleLastUsed').children, []);
    assert.deepEqual(members(role, 'RolePolicyList').map(field('PolicyName')), ['role-inline']);
    assert.deepEqual(members(role, 'AttachedManagedPolicies').map(field('PolicyArn')), [S3_FULL]);
    const profiles = members(role, 'InstanceProfileList');
    assert.equal(profiles.length, 1);
    const profile = profiles[0] as Xml;
    assert.deepEqual(sortedNames(profile), [
      'Arn',
      'CreateDate',
      'InstanceProfileId',
      'InstanceProfileName',
      'Path',
      'Roles',
    ]);
    assert.deepEqual(members(profile, 'Roles').map(sortedNames), [
      ['Arn', 'AssumeRolePolicyDocument', 'CreateDate', 'Path', 'RoleId', 'RoleName'],
    ]);
  });

  it('Policies: the list fields plus every version newest first, documents URL-encoded, no Tags', async () => {
    const policies = members(await details(), 'Policies');
    const mine = byName(policies, 'PolicyName', 'local');
    assert.deepEqual(sortedNames(mine), [...POLICY_FIELDS, 'Description', 'PolicyVersionList'].sort());
    assert.equal(text(mine, 'DefaultVersionId'), 'v3');
    assert.equal(text(mine, 'AttachmentCount'), '2');
    assert.equal(text(mine, 'PermissionsBoundaryUsageCount'), '1');
    const versions = members(mine, 'PolicyVersionList');
    assert.deepEqual(
      versions.map((v) => [text(v, 'VersionId'), text(v, 'IsDefaultVersion'), text(v, 'Document')]),
      [
        ['v3', 'true', rfc3986(docs[2] ?? '')],
        ['v2', 'false', rfc3986(docs[1] ?? '')],
        ['v1', 'false', rfc3986(docs[0] ?? '')],
      ],
    );
    for (const v of versions)
      assert.deepEqual(sortedNames(v), ['CreateDate', 'Document', 'IsDefaultVersion', 'VersionId']);
    const s3 = byName(policies, 'PolicyName', 'AmazonS3FullAccess');
    assert.equal(text(s3, 'AttachmentCount'), '1');
    assert.equal(has(s3, 'Tags'), false);
    assert.deepEqual(members(s3, 'PolicyVersionList').map(field('VersionId')), ['v2']);
  });

  it('Filter keeps the named types; the other lists come back empty', async () => {
    const roles = await details(listParams('Filter', ['Role']));
    assert.deepEqual(members(roles, 'RoleDetailList').map(field('RoleName')), ['app-role']);
    for (const list of ['UserDetailList', 'GroupDetailList', 'Policies'])
      assert.deepEqual(at(roles, list).children, []);
    const localOnly = await details(listParams('Filter', ['LocalManagedPolicy']));
    assert.deepEqual(members(localOnly, 'Policies').map(field('Arn')), [local]);
    const awsOnly = await details(listParams('Filter', ['AWSManagedPolicy']));
    assert.deepEqual(members(awsOnly, 'Policies').map(field('Arn')), [S3_FULL]);
    const usersAndGroups = await details(listParams('Filter', ['User', 'Group']));
    assert.equal(members(usersAndGroups, 'UserDetailList').length, 2);
    assert.equal(members(usersAndGroups, 'GroupDetailList').length, 2);
    assert.deepEqual(at(usersAndGroups, 'RoleDetailList').children, []);
    assert.deepEqual(at(usersAndGroups, 'Policies').children, []);
  });

  it('MaxItems pages across all types together; the pages add up to the whole', async () => {
    const whole = await details();
    const serialise = (page: Xml) =>
      Object.fromEntries(LISTS.map((list) => [list, members(page, list).map((m) => JSON.stringify(m))]));
    const expected = serialise(whole);
    const total = LISTS.reduce((n, list) => n + (expected[list]?.length ?? 0), 0);
    assert.equal(total, 7);
    for (const size of [1, 3]) {
      const pages = await allPages(a, { Action: 'GetAccountAuthorizationDetails', MaxItems: String(size) });
      assert.equal(pages.length, Math.ceil(total / size), `MaxItems=${size}`);
      const got: Record<string, string[]> = Object.fromEntries(LISTS.map((l) => [l, []]));
      for (const page of pages) {
        const items = serialise(page);
        assert.ok(LISTS.reduce((n, l) => n + (items[l]?.length ?? 0), 0) <= size);
        for (const list of LISTS) got[list]?.push(...(items[list] ?? []));
      }
      assert.deepEqual(got, expected, `MaxItems=${size}`);
    }
  });
});

describe('accounts are isolated', () => {
  it('account 111111111111 sees none of the other accounts’ policies, users, groups or keys', async () => {
    const other = ISOLATED;
    for (const [params, list] of [
      [{ Action: 'ListPolicies', Scope: 'Local' }, 'Policies'],
      [{ Action: 'ListUsers' }, 'Users'],
      [{ Action: 'ListGroups' }, 'Groups'],
      [{ Action: 'ListRoles' }, 'Roles'],
      [{ Action: 'ListAccessKeys' }, 'AccessKeyMetadata'],
    ] as const) {
      const reply = await other.ok(params);
      assert.match(reply.body, new RegExp(`<${list}/>`), params.Action);
    }
    const aws = members(await other.result({ Action: 'ListPolicies', Scope: 'AWS' }), 'Policies');
    assert.equal(aws.length, CATALOGUE.length);
    for (const p of aws) assert.equal(text(p, 'AttachmentCount'), '0', text(p, 'PolicyName'));
    const all = await other.result({ Action: 'GetAccountAuthorizationDetails' });
    for (const list of ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies']) {
      assert.deepEqual(at(all, list).children, [], list);
    }
    const summary = at(await other.result({ Action: 'GetAccountSummary' }), 'SummaryMap');
    for (const entry of summary.children) {
      if (['Users', 'Groups', 'Roles', 'Policies', 'PolicyVersionsInUse'].includes(text(entry, 'key'))) {
        assert.equal(text(entry, 'value'), '0', text(entry, 'key'));
      }
    }
  });

  it('another account’s policy, user and group are out of reach from 111111111111', async () => {
    const mine = DEFAULT.arn('policy', 'shape-policy');
    assertOk(await DEFAULT.iam({ Action: 'GetPolicy', PolicyArn: mine }));
    // Another account's policy is a cross-account resource with no resource policy: access is denied before
    // anything is looked up (IAM User Guide, cross-account policy evaluation).
    assertError(
      await ISOLATED.iam({ Action: 'GetPolicy', PolicyArn: mine }),
      403,
      'AccessDenied',
      `User: arn:aws:iam::111111111111:root is not authorized to perform: iam:GetPolicy on resource: ${mine} because no resource-based policy allows the iam:GetPolicy action`,
    );
    await ISOLATED.createUser('isolated-user');
    assertError(
      await ISOLATED.unchanged({ Action: 'AttachUserPolicy', UserName: 'isolated-user', PolicyArn: mine }),
      404,
      'NoSuchEntity',
      `Policy ${mine} does not exist or is not attachable.`,
    );
    await DEFAULT.createUser('default-only-user');
    assertError(
      await ISOLATED.iam({ Action: 'GetUser', UserName: 'default-only-user' }),
      404,
      'NoSuchEntity',
      'The user with name default-only-user cannot be found.',
    );
    const key = await DEFAULT.createKey('default-only-user');
    assertError(
      await ISOLATED.unchanged({ Action: 'DeleteAccessKey', UserName: 'isolated-user', AccessKeyId: key.id }),
      404,
      'NoSuchEntity',
      `The Access Key with id ${key.id} cannot be found.`,
    );
    assertError(
      await ISOLATED.iam({ Action: 'GetAccessKeyLastUsed', AccessKeyId: key.id }),
      403,
      'AccessDenied',
      `User: arn:aws:iam::111111111111:root is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key ${key.id}`,
    );
  });
});
