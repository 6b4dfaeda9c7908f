import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStore } from '../store/memory/memory-store.ts';
import { decodeBatch } from './chunk.ts';
import { AUDIT_KIND, StoredAuditTrail } from './trail.ts';
import type { AuditEvent } from './types.ts';

let n = 0;
function event(over: Partial<AuditEvent> = {}): AuditEvent {
  n++;
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLE',
      arn: 'arn:aws:iam::000000000000:user/alice',
      accountId: '000000000000',
      accessKeyId: 'AKIAALICE',
      userName: 'alice',
    },
    eventTime: '2026-01-01T00:00:00Z',
    eventSource: 'iam.amazonaws.com',
    eventName: 'GetUser',
    awsRegion: 'us-east-1',
    sourceIPAddress: '127.0.0.1',
    requestParameters: null,
    responseElements: null,
    requestID: `req-${n}`,
    eventID: `evt-${n}`,
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '000000000000',
    eventCategory: 'Management',
    ...over,
  };
}

const NOW = new Date('2026-01-01T00:00:10Z');

/** Events in the store, over every batch record. */
async function storedEvents(store: MemoryStore): Promise<number> {
  const batches = await store.list<Parameters<typeof decodeBatch>[0]>(AUDIT_KIND);
  return batches.reduce((n, b) => n + decodeBatch(b.value).length, 0);
}

async function open(store: MemoryStore, options: { maxEvents?: number; maxAgeMs?: number; now?: () => Date } = {}) {
  return StoredAuditTrail.load(store, { now: () => NOW, flushMs: 60_000, ...options });
}

describe('StoredAuditTrail', () => {
  it('builds deferred events only when read or written, and keeps them across a reload', async () => {
    const store = new MemoryStore();
    await store.open();
    const trail = await open(store);
    let built = 0;
    trail.defer(() => {
      built++;
      return event({ requestID: 'deferred' });
    });
    assert.equal(built, 0);
    assert.equal(trail.byRequestId('deferred')?.requestID, 'deferred');
    assert.equal(built, 1);
    trail.record(event());
    assert.equal(await storedEvents(store), 0, 'nothing written before the batch');
    await trail.close();
    assert.equal(await storedEvents(store), 2);
    assert.equal((await store.list(AUDIT_KIND)).length, 1, 'one record per batch');
    const again = await open(store);
    assert.deepEqual(
      again.find({}, 10).map((e) => e.requestID),
      [`req-${n}`, 'deferred'],
      'newest first after a reload',
    );
    again.record(event({ requestID: 'after-reload' }));
    assert.equal(again.find({}, 1)[0]?.requestID, 'after-reload', 'new events go after the loaded ones');
    await again.close();
  });

  it('keeps at most maxEvents, in memory and in the store', async () => {
    const store = new MemoryStore();
    await store.open();
    const trail = await open(store, { maxEvents: 3 });
    for (let i = 0; i < 5; i++) trail.record(event({ requestID: `c${i}` }));
    await trail.flush();
    for (let i = 5; i < 7; i++) trail.record(event({ requestID: `c${i}` }));
    await trail.close();
    assert.deepEqual(
      trail.find({}, 10).map((e) => e.requestID),
      ['c6', 'c5', 'c4'],
    );
    // c0 and c1 went before they were written; the first batch (c2–c4) keeps c4, so it stays, and c2 and c3
    // are skipped when the trail loads.
    assert.equal(await storedEvents(store), 5);
    const reloaded = await open(store, { maxEvents: 3 });
    assert.deepEqual(
      reloaded.find({}, 10).map((e) => e.requestID),
      ['c6', 'c5', 'c4'],
    );
    for (let i = 7; i < 10; i++) reloaded.record(event({ requestID: `c${i}` }));
    await reloaded.close();
    assert.deepEqual(
      (await store.list<{ first: number }>(AUDIT_KIND)).map((b) => b.value.first),
      [8],
      'batches whose events are all let go are removed',
    );
    assert.equal(trail.byRequestId('c0'), undefined);
  });

  it('lets go of events older than maxAge, at load too', async () => {
    const store = new MemoryStore();
    await store.open();
    let now = NOW;
    const trail = await open(store, { maxAgeMs: 60_000, now: () => now });
    trail.record(event({ requestID: 'old', eventTime: '2026-01-01T00:00:00Z' }));
    trail.record(event({ requestID: 'new', eventTime: '2026-01-01T00:00:50Z' }));
    await trail.close();
    now = new Date('2026-01-01T00:01:30Z');
    const later = await open(store, { maxAgeMs: 60_000, now: () => now });
    assert.deepEqual(
      later.find({}, 10).map((e) => e.requestID),
      ['new'],
    );
    later.record(event({ requestID: 'newer', eventTime: '2026-01-01T00:01:20Z' }));
    await later.flush();
    now = new Date('2026-01-01T00:02:00Z');
    later.record(event({ requestID: 'newest', eventTime: '2026-01-01T00:01:59Z' }));
    await later.flush();
    assert.deepEqual(
      later.find({}, 10).map((e) => e.requestID),
      ['newest', 'newer'],
    );
    assert.equal(await storedEvents(store), 2, 'the batch of expired events is removed from the store');
    await later.close();
  });

  it('filters by principal (a role matches its sessions), denial, name, key and resource, and pages', async () => {
    const store = new MemoryStore();
    await store.open();
    const trail = await open(store);
    const role = 'arn:aws:iam::000000000000:role/web';
    trail.record(
      event({
        requestID: 'session',
        eventName: 'GetObject',
        eventSource: 's3.amazonaws.com',
        userIdentity: {
          type: 'AssumedRole',
          arn: 'arn:aws:sts::000000000000:assumed-role/web/i-0123',
          accessKeyId: 'ASIAWEB',
          sessionContext: {
            sessionIssuer: { type: 'Role', principalId: 'AROA', arn: role, accountId: '000000000000', userName: 'web' },
            attributes: { creationDate: '2026-01-01T00:00:00Z', mfaAuthenticated: 'false' },
          },
        },
        resources: [{ ARN: 'arn:aws:s3:::bucket/key', accountId: '000000000000', type: 'AWS::S3::Object' }],
        errorCode: 'AccessDenied',
        authorization: { mode: 'on', decision: 'ImplicitlyDenied', checks: [] },
      }),
    );
    for (let i = 0; i < 4; i++) trail.record(event({ requestID: `u${i}` }));
    trail.record(event({ requestID: 'other-account', recipientAccountId: '111111111111' }));
    const ids = (f: Parameters<typeof trail.find>[0], limit = 10, after?: string) =>
      trail.find(f, limit, after).map((e) => e.requestID);
    assert.deepEqual(ids({ principalArn: role }), ['session']);
    assert.deepEqual(ids({ principalArn: 'arn:aws:sts::000000000000:assumed-role/web/i-0123' }), ['session']);
    assert.deepEqual(ids({ deniedOnly: true }), ['session']);
    assert.deepEqual(ids({ eventName: 'GetObject' }), ['session']);
    assert.deepEqual(ids({ accessKeyId: 'ASIAWEB' }), ['session']);
    assert.deepEqual(ids({ resourceName: 'arn:aws:s3:::bucket/key' }), ['session']);
    assert.deepEqual(ids({ resourceType: 'AWS::S3::Object' }), ['session']);
    assert.deepEqual(ids({ userName: 'i-0123' }), ['session']);
    assert.deepEqual(ids({ account: '111111111111' }), ['other-account']);
    const first = trail.find({ account: '000000000000' }, 2);
    assert.deepEqual(
      first.map((e) => e.requestID),
      ['u3', 'u2'],
    );
    assert.deepEqual(ids({ account: '000000000000' }, 2, first[1]?.eventID), ['u1', 'u0']);
    assert.equal(trail.has('no-such-event'), false);
    assert.deepEqual(ids({}, 10, 'no-such-event'), []);
    await trail.close();
  });

  it('searches records stored, being compressed and still open alike, newest first, and pages across them', async () => {
    const store = new MemoryStore();
    await store.open();
    const trail = await open(store);
    for (let i = 0; i < 3; i++) trail.record(event({ requestID: `stored${i}` }));
    await trail.flush();
    for (let i = 0; i < 3; i++) trail.record(event({ requestID: `closing${i}` }));
    const closing = trail.flush();
    for (let i = 0; i < 3; i++) trail.record(event({ requestID: `open${i}` }));
    const all = trail.find({}, 100);
    assert.deepEqual(
      all.map((e) => e.requestID),
      ['open2', 'open1', 'open0', 'closing2', 'closing1', 'closing0', 'stored2', 'stored1', 'stored0'],
    );
    const page = (after?: string) => trail.find({}, 4, after).map((e) => e.requestID);
    assert.deepEqual(page(all[3]?.eventID), ['closing1', 'closing0', 'stored2', 'stored1']);
    assert.equal(trail.byRequestId('closing1')?.requestID, 'closing1');
    assert.equal(trail.size, 9);
    await closing;
    assert.deepEqual(page(all[1]?.eventID), ['open0', 'closing2', 'closing1', 'closing0']);
    await trail.close();
    assert.equal(await storedEvents(store), 9);
  });

  it('never stores a batch that retention let go of while it was being compressed', async () => {
    const store = new MemoryStore();
    await store.open();
    const trail = await open(store, { maxEvents: 2 });
    for (let i = 0; i < 2; i++) trail.record(event({ requestID: `early${i}` }));
    const first = trail.flush();
    for (let i = 0; i < 2; i++) trail.record(event({ requestID: `late${i}` }));
    assert.equal(trail.size, 2);
    await Promise.all([first, trail.close()]);
    const batches = await store.list<Parameters<typeof decodeBatch>[0]>(AUDIT_KIND);
    assert.deepEqual(
      batches.flatMap((b) => decodeBatch(b.value).map((e) => e.requestID)),
      ['late0', 'late1'],
    );
  });

  it('loses nothing recorded before close, and never builds an event twice', async () => {
    const store = new MemoryStore();
    await store.open();
    const trail = await open(store);
    let built = 0;
    for (let i = 0; i < 100; i++) {
      trail.defer(() => {
        built++;
        return event();
      });
    }
    const flushing = trail.flush();
    trail.record(event());
    await Promise.all([flushing, trail.close()]);
    assert.equal(built, 100);
    assert.equal(await storedEvents(store), 101);
  });
});
