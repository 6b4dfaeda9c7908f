/**
 * The audit trail in process: CloudTrail LookupEvents (SDK v3) with AWS's rules for lookup attributes, time
 * ranges, page sizes and tokens, scoped to the caller's account; GET /_rolecall/audit/events (account roots only);
 * and `rolecall audit tail/export` (runAudit) against it. The AWS CLI and a real instance role are exercised in
 * test/e2e/audit.test.ts.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  CloudTrailClient,
  LookupEventsCommand,
  paginateLookupEvents,
  type LookupEventsCommandInput,
} from '@aws-sdk/client-cloudtrail';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  GetUserCommand,
  IAMClient,
  ListRolesCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { inProcessServer } from '../support/in-process.ts';
import { queryString, signedAdminGet } from '../../src/cli/admin-client.ts';
import { runAudit } from '../../src/cli/audit.ts';
import type { AuditEvent } from '../../src/audit/types.ts';

const server = inProcessServer('rolecall-audit-');
const ACCOUNT = '000000000000';
const OTHER = '444455556666';
const ROOT = { accessKeyId: 'test', secretAccessKey: 'test' };
const clients: { destroy(): void }[] = [];

function client<T extends { destroy(): void }>(
  Ctor: new (o: object) => T,
  credentials: { accessKeyId: string; secretAccessKey: string } = ROOT,
): T {
  const c = new Ctor({ endpoint: server().endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  clients.push(c);
  return c;
}

const lookup = (input: LookupEventsCommandInput, creds = ROOT) =>
  client(CloudTrailClient, creds).send(new LookupEventsCommand(input));

async function errorOf(p: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode };
  }
  assert.fail('expected an error');
}

let alice: { accessKeyId: string; secretAccessKey: string };

describe('audit trail over HTTP', () => {
  before(async () => {
    const iam = client(IAMClient);
    await iam.send(new CreateUserCommand({ UserName: 'alice' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'alice',
        PolicyName: 'list',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Sid: 'ListThem', Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }],
        }),
      }),
    );
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }))).AccessKey;
    assert.ok(key?.AccessKeyId && key.SecretAccessKey);
    alice = { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
    const asAlice = client(IAMClient, alice);
    await asAlice.send(new ListRolesCommand({}));
    await assert.rejects(asAlice.send(new GetUserCommand({})));
    await assert.rejects(
      client(IAMClient, { accessKeyId: alice.accessKeyId, secretAccessKey: 'wrong' }).send(new GetUserCommand({})),
    );
    await client(IAMClient, { accessKeyId: OTHER, secretAccessKey: 'test' }).send(new ListRolesCommand({}));
  });

  it('looks up the allowed, the denied and the failed-authentication requests of the caller’s account', async () => {
    const { Events = [] } = await lookup({ LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'alice' }] });
    const records = Events.map((e) => JSON.parse(e.CloudTrailEvent ?? '{}') as AuditEvent);
    assert.deepEqual(
      records.map((r) => [r.eventName, r.errorCode ?? null, r.authorization?.decision]),
      [
        ['GetUser', 'AccessDenied', 'ImplicitlyDenied'],
        ['ListRoles', null, 'Allowed'],
      ],
    );
    const listed = records[1];
    assert.deepEqual(listed?.authorization?.checks[0]?.statements, [
      { kind: 'identity', policy: 'user/alice/inline/list', index: 0, sid: 'ListThem', effect: 'Allow' },
    ]);
    const first = Events[0];
    assert.equal(first?.ReadOnly, 'true');
    assert.equal(first?.AccessKeyId, alice.accessKeyId);
    assert.equal(first?.EventSource, 'iam.amazonaws.com');
    assert.ok(first?.EventTime instanceof Date);
    const failed = await lookup({
      LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: alice.accessKeyId }],
    });
    const codes = (failed.Events ?? []).map((e) => (JSON.parse(e.CloudTrailEvent ?? '{}') as AuditEvent).errorCode);
    assert.ok(codes.includes('SignatureDoesNotMatch'), `failed authentication recorded: ${codes.join(', ')}`);
    // Another account's requests are not in this account's history.
    const mine = await lookup({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'ListRoles' }] });
    assert.ok((mine.Events ?? []).every((e) => !(e.CloudTrailEvent ?? '').includes(OTHER)));
    const theirs = await lookup(
      { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'ListRoles' }] },
      { accessKeyId: OTHER, secretAccessKey: 'test' },
    );
    assert.equal(theirs.Events?.length, 1);
  });

  it('filters by each lookup attribute', async () => {
    const { Events: all = [] } = await lookup({});
    const some = all.find((e) => e.EventName === 'CreateUser');
    assert.ok(some?.EventId);
    const by = async (AttributeKey: string, AttributeValue: string) =>
      (
        (await lookup({ LookupAttributes: [{ AttributeKey: AttributeKey as 'EventId', AttributeValue }] })).Events ?? []
      ).map((e) => e.EventName);
    assert.deepEqual(await by('EventId', some.EventId), ['CreateUser']);
    assert.deepEqual(
      await by('ResourceName', `arn:aws:iam::${ACCOUNT}:user/alice`).then((n) => n.includes('GetUser')),
      true,
    );
    assert.ok((await by('ReadOnly', 'false')).every((n) => !/^(Get|List)/.test(n ?? '')));
    assert.ok((await by('EventSource', 'iam.amazonaws.com')).length >= 5);
    assert.deepEqual(await by('EventSource', 'ec2.amazonaws.com'), []);
  });

  it('pages with MaxResults and NextToken, and the SDK paginator walks every page', async () => {
    const page = await lookup({ MaxResults: 2 });
    assert.equal(page.Events?.length, 2);
    assert.ok(page.NextToken);
    const next = await lookup({ MaxResults: 2, NextToken: page.NextToken });
    assert.notEqual(next.Events?.[0]?.EventId, page.Events?.[0]?.EventId);
    const { Events: before = [] } = await lookup({});
    const ids: string[] = [];
    for await (const p of paginateLookupEvents({ client: client(CloudTrailClient), pageSize: 1 }, {})) {
      ids.push(...(p.Events ?? []).map((e) => e.EventId ?? ''));
    }
    // Every page's own request is recorded too, but only pages after it see older events: each event once.
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(
      before.every((e) => ids.includes(e.EventId ?? '')),
      `${ids.length} events over single-event pages`,
    );
  });

  it("answers with AWS's errors for bad lookups", async () => {
    const two = lookup({
      LookupAttributes: [
        { AttributeKey: 'EventName', AttributeValue: 'GetUser' },
        { AttributeKey: 'Username', AttributeValue: 'alice' },
      ],
    });
    assert.deepEqual(await errorOf(two), { name: 'InvalidLookupAttributesException', status: 400 });
    assert.deepEqual(await errorOf(lookup({ StartTime: new Date('2026-02-01'), EndTime: new Date('2026-01-01') })), {
      name: 'InvalidTimeRangeException',
      status: 400,
    });
    assert.deepEqual(await errorOf(lookup({ MaxResults: 51 })), { name: 'InvalidMaxResultsException', status: 400 });
    assert.deepEqual(await errorOf(lookup({ MaxResults: 0 })), { name: 'InvalidMaxResultsException', status: 400 });
    assert.deepEqual(await errorOf(lookup({ NextToken: 'not-a-token' })), {
      name: 'InvalidNextTokenException',
      status: 400,
    });
    const page = await lookup({ MaxResults: 1 });
    assert.deepEqual(
      await errorOf(
        lookup({
          MaxResults: 1,
          NextToken: page.NextToken,
          LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GetUser' }],
        }),
      ),
      { name: 'InvalidNextTokenException', status: 400 },
      'a token only works with the parameters it was issued for',
    );
    assert.deepEqual(
      await errorOf(lookup({ LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'maybe' }] })),
      { name: 'InvalidLookupAttributesException', status: 400 },
    );
    const { Events = [] } = await lookup({ StartTime: new Date(Date.now() + 3600_000) });
    assert.deepEqual(Events, []);
  });

  it('is denied to a user whose policies do not allow cloudtrail:LookupEvents', async () => {
    assert.deepEqual(await errorOf(lookup({}, alice)), { name: 'AccessDeniedException', status: 400 });
  });

  it('serves GET /_rolecall/audit/events to account roots only', async () => {
    const get = async (query: string, creds = ROOT) => {
      const res = await signedAdminGet(server().endpoint, '/_rolecall/audit/events', query, creds);
      return { status: res.status, body: JSON.parse(await res.text()) as { events: AuditEvent[]; next?: string } };
    };
    assert.equal((await get('', alice)).status, 403);
    const all = await get(queryString([['limit', '1000']]));
    assert.equal(all.status, 200);
    assert.ok(
      all.body.events.some((e) => e.recipientAccountId === OTHER),
      'every account',
    );
    const denied = await get(queryString([['denied', 'true']]));
    assert.ok(denied.body.events.length > 0);
    assert.ok(denied.body.events.every((e) => /^AccessDenied/.test(e.errorCode ?? '')));
    const byAlice = await get(queryString([['principal', `arn:aws:iam::${ACCOUNT}:user/alice`]]));
    assert.deepEqual(
      byAlice.body.events.map((e) => e.eventName),
      ['LookupEvents', 'GetUser', 'ListRoles'],
    );
    const one = await get(queryString([['limit', '1']]));
    assert.ok(one.body.next);
    const two = await get(
      queryString([
        ['limit', '1'],
        ['after', one.body.next],
      ]),
    );
    assert.notEqual(two.body.events[0]?.eventID, one.body.events[0]?.eventID);
    assert.equal((await get(queryString([['limit', '0']]))).status, 400);
    assert.equal((await get(queryString([['since', 'yesterday']]))).status, 400);
    assert.equal((await get(queryString([['bogus', '1']]))).status, 400);
    assert.equal((await get(queryString([['after', 'no-such-event']]))).status, 400);
  });

  it('`rolecall audit tail` and `export` read it', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      env: { ROLECALL_ENDPOINT: server().endpoint },
      out: (t: string) => out.push(t),
      err: (t: string) => err.push(t),
    };
    assert.equal(await runAudit(['tail', '--denied', '--principal', `arn:aws:iam::${ACCOUNT}:user/alice`], io), 0);
    assert.equal(out.length, 2, out.join('\n'));
    assert.match(
      out[0] ?? '',
      /^\S+Z {2}arn:aws:iam::000000000000:user\/alice {2}iam:GetUser {2}ImplicitlyDenied {2}AccessDenied$/,
    );
    assert.match(out[1] ?? '', /cloudtrail:LookupEvents {2}ImplicitlyDenied {2}AccessDeniedException$/);
    out.length = 0;
    assert.equal(await runAudit(['export', '--format', 'jsonl'], io), 0);
    const records = out.map((l) => JSON.parse(l) as AuditEvent);
    assert.ok(records.length > 8);
    assert.equal(records[0]?.eventName, 'CreateUser', 'oldest first');
    assert.equal(await runAudit(['export', '--format', 'csv'], io), 2);
    assert.match(err.pop() ?? '', /--format must be jsonl/);
    assert.equal(await runAudit(['tail', '--lines', '0'], io), 2);
    assert.equal(await runAudit(['frobnicate'], io), 2);

    // --follow prints what arrives after it started, until stopped.
    out.length = 0;
    const stop = new AbortController();
    const following = runAudit(['tail', '--follow', '--lines', '1'], { ...io, signal: stop.signal, pollMs: 20 });
    await new Promise((r) => setTimeout(r, 50));
    await client(IAMClient).send(new CreateUserCommand({ UserName: 'followed' }));
    const deadline = Date.now() + 5000;
    while (!out.some((l) => l.includes('iam:CreateUser')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    stop.abort();
    assert.equal(await following, 0);
    assert.ok(
      out.some((l) => l.includes('iam:CreateUser')),
      out.join('\n'),
    );
    for (const c of clients.splice(0)) c.destroy();
  });
});
