// CloudWatch Logs groups, streams, retention, tags and authorization resources, called as the gateway calls the
// handlers: typed input and an OperationContext, over a MemoryStore and a clock the test moves.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogsOperations } from '../../protocol/generated/logs.ts';
import { AwsError } from '../../protocol/errors.ts';
import { rootPrincipal } from '../../auth/principal.ts';
import { MemoryStore } from '../../store/memory/memory-store.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore } from '../../store/open-store.ts';
import type { Store, StoreTx } from '../../store/store.ts';
import type { Handler } from '../service.ts';
import { appendEvents, createLogsService, createLogsState, logsResources, type LogsState } from './index.ts';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

class FakeClock {
  constructor(public ms: number) {}
  now(): Date {
    return new Date(this.ms);
  }
}

type Op = keyof LogsOperations;
type In<K extends Op> = LogsOperations[K]['input'];
type Out<K extends Op> = LogsOperations[K]['output'];

async function harness(store: Store = new MemoryStore(), clock = new FakeClock(T0)) {
  await store.open();
  const state = await createLogsState(store);
  const service = createLogsService({ state, clock });
  const call = async <K extends Op>(
    op: K,
    input: In<K>,
    where: { account?: string; region?: string } = {},
  ): Promise<Out<K>> => {
    const handler = service.handlers[op] as unknown as Handler<In<K>, Out<K>>;
    const account = where.account ?? ACCOUNT;
    return handler(input, {
      requestId: 'req',
      service: 'logs',
      operation: op,
      principal: rootPrincipal(account, 'AKIAEXAMPLE'),
      account,
      region: where.region ?? REGION,
      now: clock.now(),
      headers: {},
      sourceIp: '127.0.0.1',
      allows: () => true,
    });
  };
  return { store, state, clock, call };
}

/** Every record in the store, to show a refused call changed nothing. */
async function dump(store: Store): Promise<string> {
  const kinds = ['logs.group', 'logs.stream', 'logs.events'];
  return JSON.stringify(await Promise.all(kinds.map((k) => store.list(k))));
}

async function refuses(promise: Promise<unknown>, code: string, message: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof AwsError, String(err));
    assert.deepEqual([err.code, err.status, err.message], [code, 400, message]);
    return true;
  });
}

/** Asserts the call is refused as given and leaves the store as it was. */
async function refusesUnchanged(
  store: Store,
  run: () => Promise<unknown>,
  code: string,
  message: string,
): Promise<void> {
  const before = await dump(store);
  await refuses(run(), code, message);
  assert.equal(await dump(store), before);
}

const GROUP_MISSING = 'The specified log group does not exist.';
const STREAM_MISSING = 'The specified log stream does not exist.';

describe('CreateLogGroup and DescribeLogGroups', () => {
  it('creates a group that describes as AWS shows it', async () => {
    const { call } = await harness();
    await call('CreateLogGroup', { logGroupName: '/aws/lambda/fn' });
    const { logGroups, nextToken } = await call('DescribeLogGroups', {});
    assert.equal(nextToken, undefined);
    assert.deepEqual(logGroups, [
      {
        logGroupName: '/aws/lambda/fn',
        creationTime: T0,
        metricFilterCount: 0,
        arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/fn:*`,
        storedBytes: 0,
        logGroupClass: 'STANDARD',
        logGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/fn`,
        deletionProtectionEnabled: false,
      },
    ]);
  });

  it('keeps class, KMS key and tags given at creation', async () => {
    const { call } = await harness();
    await call('CreateLogGroup', {
      logGroupName: 'app',
      logGroupClass: 'INFREQUENT_ACCESS',
      kmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/k',
      tags: { team: 'a' },
    });
    const [group] = (await call('DescribeLogGroups', {})).logGroups ?? [];
    assert.equal(group?.logGroupClass, 'INFREQUENT_ACCESS');
    assert.equal(group?.kmsKeyId, 'arn:aws:kms:us-east-1:111122223333:key/k');
    assert.deepEqual(await call('ListTagsLogGroup', { logGroupName: 'app' }), { tags: { team: 'a' } });
  });

  it('refuses a name that exists, and names under aws/', async () => {
    const { store, call } = await harness();
    await call('CreateLogGroup', { logGroupName: 'app' });
    await refusesUnchanged(
      store,
      () => call('CreateLogGroup', { logGroupName: 'app', tags: { x: 'y' } }),
      'ResourceAlreadyExistsException',
      'The specified log group already exists',
    );
    for (const name of ['aws/x', 'AWS/x', 'Aws/lambda']) {
      await refusesUnchanged(
        store,
        () => call('CreateLogGroup', { logGroupName: name }),
        'InvalidParameterException',
        'Log groups starting with AWS/ are reserved for AWS.',
      );
    }
  });

  it('refuses tag keys under aws:', async () => {
    const { store, call } = await harness();
    await refusesUnchanged(
      store,
      () => call('CreateLogGroup', { logGroupName: 'app', tags: { 'aws:x': 'y' } }),
      'InvalidParameterException',
      "Tag keys cannot start with 'aws:': aws:x",
    );
  });

  it('keeps groups apart by account and region', async () => {
    const { call } = await harness();
    await call('CreateLogGroup', { logGroupName: 'app' });
    await call('CreateLogGroup', { logGroupName: 'app' }, { region: 'eu-west-1' });
    await call('CreateLogGroup', { logGroupName: 'other' }, { account: '444455556666' });
    assert.deepEqual(
      (await call('DescribeLogGroups', {}, { region: 'eu-west-1' })).logGroups?.map((g) => g.arn),
      [`arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:app:*`],
    );
    assert.deepEqual(
      (await call('DescribeLogGroups', {}, { account: '444455556666' })).logGroups?.map((g) => g.logGroupName),
      ['other'],
    );
  });

  it('filters by prefix, by pattern (substring, with the short view), by class and by identifiers', async () => {
    const { call } = await harness();
    for (const name of ['DataLogs', 'aa/DataLogs', 'GroupDataLogs', 'datalogs', 'Data/log/s']) {
      await call('CreateLogGroup', { logGroupName: name.replace(/^aa/, 'x') });
    }
    await call('CreateLogGroup', { logGroupName: 'rare', logGroupClass: 'INFREQUENT_ACCESS' });
    const names = async (input: In<'DescribeLogGroups'>) =>
      ((await call('DescribeLogGroups', input)).logGroups ?? []).map((g) => g.logGroupName);
    assert.deepEqual(await names({ logGroupNamePrefix: 'Data' }), ['Data/log/s', 'DataLogs']);
    // The API reference's own example: DataLogs, aws/DataLogs and GroupDataLogs match "DataLogs".
    assert.deepEqual(await names({ logGroupNamePattern: 'DataLogs' }), ['DataLogs', 'GroupDataLogs', 'x/DataLogs']);
    assert.deepEqual(await names({ logGroupClass: 'INFREQUENT_ACCESS' }), ['rare']);
    assert.deepEqual(
      await names({ logGroupIdentifiers: ['rare', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:DataLogs`, 'none'] }),
      ['DataLogs', 'rare'],
    );
    const [short] = (await call('DescribeLogGroups', { logGroupNamePattern: 'rare' })).logGroups ?? [];
    assert.deepEqual(short, {
      logGroupName: 'rare',
      creationTime: T0,
      arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:rare:*`,
    });
    await refuses(
      call('DescribeLogGroups', { logGroupNamePrefix: 'a', logGroupNamePattern: 'b' }),
      'InvalidParameterException',
      'LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters.',
    );
  });

  it('pages in name order with the last name as the token', async () => {
    const { call } = await harness();
    for (const name of ['e', 'b', 'd', 'a', 'c']) await call('CreateLogGroup', { logGroupName: name });
    const first = await call('DescribeLogGroups', { limit: 2 });
    assert.deepEqual(
      first.logGroups?.map((g) => g.logGroupName),
      ['a', 'b'],
    );
    assert.equal(first.nextToken, 'b');
    const second = await call('DescribeLogGroups', { limit: 2, nextToken: 'b' });
    assert.deepEqual(
      second.logGroups?.map((g) => g.logGroupName),
      ['c', 'd'],
    );
    const third = await call('DescribeLogGroups', { limit: 2, nextToken: second.nextToken ?? '' });
    assert.deepEqual(
      third.logGroups?.map((g) => g.logGroupName),
      ['e'],
    );
    assert.equal(third.nextToken, undefined);
  });
});

describe('DeleteLogGroup', () => {
  it('deletes the group with its streams and events', async () => {
    const { store, call } = await harness();
    await call('CreateLogGroup', { logGroupName: 'app' });
    await call('CreateLogStream', { logGroupName: 'app', logStreamName: 's' });
    await call('PutLogEvents', {
      logGroupName: 'app',
      logStreamName: 's',
      logEvents: [{ timestamp: T0, message: 'x' }],
    });
    await call('DeleteLogGroup', { logGroupName: 'app' });
    assert.deepEqual((await call('DescribeLogGroups', {})).logGroups, []);
    assert.equal(await dump(store), '[[],[],[]]');
    // A new group of the same name starts empty.
    await call('CreateLogGroup', { logGroupName: 'app' });
    assert.deepEqual((await call('DescribeLogStreams', { logGroupName: 'app' })).logStreams, []);
  });

  it('refuses a missing group and a protected one', async () => {
    const { store, call } = await harness();
    await refuses(call('DeleteLogGroup', { logGroupName: 'none' }), 'ResourceNotFoundException', GROUP_MISSING);
    await call('CreateLogGroup', { logGroupName: 'keep', deletionProtectionEnabled: true });
    assert.equal((await call('DescribeLogGroups', {})).logGroups?.[0]?.deletionProtectionEnabled, true);
    await refusesUnchanged(
      store,
      () => call('DeleteLogGroup', { logGroupName: 'keep' }),
      'ValidationException',
      'The log group has deletion protection enabled. Disable it before deleting the log group.',
    );
  });
});

describe('retention', () => {
  it('sets and removes retention', async () => {
    const { call } = await harness();
    await call('CreateLogGroup', { logGroupName: 'app' });
    await call('PutRetentionPolicy', { logGroupName: 'app', retentionInDays: 14 });
    assert.equal((await call('DescribeLogGroups', {})).logGroups?.[0]?.retentionInDays, 14);
    await call('PutRetentionPolicy', { logGroupName: 'app', retentionInDays: 3653 });
    assert.equal((await call('DescribeLogGroups', {})).logGroups?.[0]?.retentionInDays, 3653);
    await call('DeleteRetentionPolicy', { logGroupName: 'app' });
    assert.equal((await call('DescribeLogGroups', {})).logGroups?.[0]?.retentionInDays, undefined);
  });

  it('refuses values outside the allowed set, and missing groups', async () => {
    const { store, call } = await harness();
    await call('CreateLogGroup', { logGroupName: 'app' });
    for (const days of [0, 2, 10, 4000, -1]) {
      await refusesUnchanged(
        store,
        () => call('PutRetentionPolicy', { logGroupName: 'app', retentionInDays: days }),
        'InvalidParameterException',
        `1 validation error detected: Value '${days}' at 'retentionInDays' failed to satisfy constraint: Member ` +
          'must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, ' +
          '1827, 2192, 2557, 2922, 3288, 3653]',
      );
    }
    await refuses(
      call('PutRetentionPolicy', { logGroupName: 'none', retentionInDays: 1 }),
      'ResourceNotFoundException',
      GROUP_MISSING,
    );
    await refuses(call('DeleteRetentionPolicy', { logGroupName: 'none' }), 'ResourceNotFoundException', GROUP_MISSING);
  });
});

describe('tags', () => {
  const arn = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:app`;

  it('tags, lists and untags by ARN and by name', async () => {
    const { call } = await harness();
    await call('CreateLogGroup', { logGroupName: 'app', tags: { a: '1' } });
    await call('TagResource', { resourceArn: arn, tags: { b: '2', a: 'one' } });
    assert.deepEqual(await call('ListTagsForResource', { resourceArn: arn }), { tags: { a: 'one', b: '2' } });
    await call('UntagResource', { resourceArn: arn, tagKeys: ['a', 'absent'] });
    assert.deepEqual(await call('ListTagsLogGroup', { logGroupName: 'app' }), { tags: { b: '2' } });
    await call('TagLogGroup', { logGroupName: 'app', tags: { c: '' } });
    await call('UntagLogGroup', { logGroupName: 'app', tags: ['b'] });
    assert.deepEqual(await call('ListTagsForResource', { resourceArn: arn }), { tags: { c: '' } });
  });

  it('refuses the ARN with :*, other resources, and groups that do not exist', async () => {
    const { store, call } = await harness();
    await call('CreateLogGroup', { logGroupName: 'app' });
    await refusesUnchanged(
      store,
      () => call('TagResource', { resourceArn: `${arn}:*`, tags: { a: '1' } }),
      'ValidationException',
      'Invalid resourceArn',
    );
    await refuses(
      call('ListTagsForResource', { resourceArn: `${arn}:*` }),
      'ValidationException',
      'Invalid resourceArn',
    );
    await refuses(
      call('ListTagsForResource', { resourceArn: `arn:aws:logs:${REGION}:${ACCOUNT}:destination:d` }),
      'ValidationException',
      'Invalid resourceArn',
    );
    await refuses(
      call('ListTagsForResource', { resourceArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:none` }),
      'ResourceNotFoundException',
      GROUP_MISSING,
    );
    await refuses(
      call('ListTagsForResource', { resourceArn: `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:app` }),
      'ResourceNotFoundException',
      GROUP_MISSING,
    );
    await refuses(
      call('TagLogGroup', { logGroupName: 'none', tags: { a: '1' } }),
      'ResourceNotFoundException',
      GROUP_MISSING,
    );
  });

  it('holds at most 50 tags', async () => {
    const { store, call } = await harness();
    const tags = (n: number, p: string) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${p}${i}`, 'v']));
    await call('CreateLogGroup', { logGroupName: 'app', tags: tags(40, 'k') });
    await call('TagResource', { resourceArn: arn, tags: { ...tags(10, 'n'), k0: 'changed' } });
    await refusesUnchanged(
      store,
      () => call('TagResource', { resourceArn: arn, tags: { extra: 'v' } }),
      'TooManyTagsException',
      `A resource can have no more than 50 tags. Resource: ${arn}`,
    );
    await refusesUnchanged(
      store,
      () => call('TagLogGroup', { logGroupName: 'app', tags: { extra: 'v' } }),
      'InvalidParameterException',
      'A resource can have no more than 50 tags.',
    );
    await refusesUnchanged(
      store,
      () => call('TagResource', { resourceArn: arn, tags: { 'AWS:x': 'v' } }),
      'InvalidParameterException',
      "Tag keys cannot start with 'aws:': AWS:x",
    );
  });
});

describe('streams', () => {
  it('creates, describes and deletes streams', async () => {
    const { call, clock } = await harness();
    await call('CreateLogGroup', { logGroupName: 'app' });
    await call('CreateLogStream', { logGroupName: 'app', logStreamName: 'b' });
    clock.ms += 1000;
    await call('CreateLogStream', { logGroupName: 'app', logStreamName: '2026/01/15/[$LATEST]abc' });
    const { logStreams } = await call('DescribeLogStreams', { logGroupName: 'app' });
    assert.deepEqual(logStreams, [
      {
        logStreamName: '2026/01/15/[$LATEST]abc',
        creationTime: T0 + 1000,
        arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:app:log-stream:2026/01/15/[$LATEST]abc`,
        storedBytes: 0,
      },
      {
        logStreamName: 'b',
        creationTime: T0,
        arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:app:log-stream:b`,
        storedBytes: 0,
      },
    ]);
    await call('DeleteLogStream', { logGroupName: 'app', logStreamName: 'b' });
    assert.deepEqual(
      (await call('DescribeLogStreams', { logGroupName: 'app' })).logStreams?.map((s) => s.logStreamName),
      ['2026/01/15/[$LATEST]abc'],
    );
  });

  it('shows event times, ingestion time and the sequence token once events arrive', async () => {
    const { call, clock } = await harness();
    await call('CreateLogGroup', { logGroupName: 'app' });
    await call('CreateLogStream', { logGroupName: 'app', logStreamName: 's' });
    clock.ms += 5000;
    await call('PutLogEvents', {
      logGroupName: 'app',
      logStreamName: 's',
      logEvents: [
        { timestamp: T0 - 100, message: 'a' },
        { timestamp: T0 + 100, message: 'b' },
      ],
    });
    const [stream] = (await call('DescribeLogStreams', { logGroupName: 'app' })).logStreams ?? [];
    assert.equal(stream?.firstEventTimestamp, T0 - 100);
    assert.equal(stream?.lastEventTimestamp, T0 + 100);
    assert.equal(stream?.lastIngestionTime, T0 + 5000);
    assert.match(stream?.uploadSequenceToken ?? '', /^\d{56}$/);
    assert.equal(stream?.storedBytes, 0);
  });

  it('refuses duplicates and missing groups or streams', async () => {
    const { store, call } = await harness();
    await refuses(
      call('CreateLogStream', { logGroupName: 'none', logStreamName: 's' }),
      'ResourceNotFoundException',
      GROUP_MISSING,
    );
    await call('CreateLogGroup', { logGroupName: 'app' });
    await call('CreateLogStream', { logGroupName: 'app', logStreamName: 's' });
    await refusesUnchanged(
      store,
      () => call('CreateLogStream', { logGroupName: 'app', logStreamName: 's' }),
      'ResourceAlreadyExistsException',
      'The specified log stream already exists',
    );
    await refuses(
      call('DeleteLogStream', { logGroupName: 'app', logStreamName: 'x' }),
      'ResourceNotFoundException',
      STREAM_MISSING,
    );
    await refuses(
      call('DeleteLogStream', { logGroupName: 'none', logStreamName: 's' }),
      'ResourceNotFoundException',
      GROUP_MISSING,
    );
    await refuses(call('DescribeLogStreams', { logGroupName: 'none' }), 'ResourceNotFoundException', GROUP_MISSING);
  });

  it('filters by prefix, orders by last event time either way, and pages', async () => {
    const { call } = await harness();
    await call('CreateLogGroup', { logGroupName: 'app' });
    const times: Record<string, number> = { web1: 30, web2: 10, db1: 20, web3: 40 };
    for (const [name, t] of Object.entries(times)) {
      await call('CreateLogStream', { logGroupName: 'app', logStreamName: name });
      await call('PutLogEvents', {
        logGroupName: 'app',
        logStreamName: name,
        logEvents: [{ timestamp: T0 - 1000 + t, message: name }],
      });
    }
    await call('CreateLogStream', { logGroupName: 'app', logStreamName: 'empty' });
    const names = async (input: In<'DescribeLogStreams'>) =>
      ((await call('DescribeLogStreams', { logGroupName: 'app', ...input })).logStreams ?? []).map(
        (s) => s.logStreamName,
      );
    assert.deepEqual(await names({ logStreamNamePrefix: 'web' }), ['web1', 'web2', 'web3']);
    assert.deepEqual(await names({ descending: true }), ['web3', 'web2', 'web1', 'empty', 'db1']);
    assert.deepEqual(await names({ orderBy: 'LastEventTime' }), ['empty', 'web2', 'db1', 'web1', 'web3']);
    assert.deepEqual(await names({ orderBy: 'LastEventTime', descending: true }), [
      'web3',
      'web1',
      'db1',
      'web2',
      'empty',
    ]);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await call('DescribeLogStreams', {
        logGroupName: 'app',
        orderBy: 'LastEventTime',
        descending: true,
        limit: 2,
        ...(token !== undefined && { nextToken: token }),
      });
      seen.push(...(page.logStreams ?? []).map((s) => s.logStreamName ?? ''));
      token = page.nextToken;
    } while (token !== undefined);
    assert.deepEqual(seen, ['web3', 'web1', 'db1', 'web2', 'empty']);
    await refuses(
      call('DescribeLogStreams', { logGroupName: 'app', orderBy: 'LastEventTime', logStreamNamePrefix: 'w' }),
      'InvalidParameterException',
      'Cannot order by LastEventTime with a logStreamNamePrefix.',
    );
    await refuses(
      call('DescribeLogStreams', { logGroupName: 'app', nextToken: 'garbage' }),
      'InvalidParameterException',
      'The specified nextToken is invalid.',
    );
  });

  it('finds the group by name or ARN identifier, but not both', async () => {
    const { call } = await harness();
    await call('CreateLogGroup', { logGroupName: 'app' });
    await call('CreateLogStream', { logGroupName: 'app', logStreamName: 's' });
    const arn = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:app`;
    for (const logGroupIdentifier of ['app', arn]) {
      assert.equal((await call('DescribeLogStreams', { logGroupIdentifier })).logStreams?.length, 1);
    }
    await refuses(
      call('DescribeLogStreams', { logGroupIdentifier: `arn:aws:logs:${REGION}:444455556666:log-group:app` }),
      'ResourceNotFoundException',
      GROUP_MISSING,
    );
    await refuses(
      call('DescribeLogStreams', { logGroupName: 'app', logGroupIdentifier: arn }),
      'InvalidParameterException',
      'LogGroup name and LogGroup ARN are mutually exclusive parameters.',
    );
    await refuses(
      call('DescribeLogStreams', {}),
      'InvalidParameterException',
      'Should provide either name or ARN of the log group.',
    );
  });
});

describe('logsResources', () => {
  it('names the ARNs AWS authorizes each action against, with the group tags', async () => {
    const { state, call } = await harness();
    await call('CreateLogGroup', { logGroupName: 'app', tags: { team: 'a' } });
    const base = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group`;
    const of = (operation: string, input: Record<string, unknown>) =>
      logsResources(state, ACCOUNT, REGION, operation, input);
    assert.deepEqual(of('DescribeLogGroups', {}), { arns: [`${base}::log-stream:`] });
    assert.deepEqual(of('CreateLogGroup', { logGroupName: 'new' }), { arns: [`${base}:new:log-stream:`] });
    for (const op of ['DeleteLogGroup', 'PutRetentionPolicy', 'DescribeLogStreams', 'FilterLogEvents', 'TagLogGroup']) {
      assert.deepEqual(of(op, { logGroupName: 'app' }), { arns: [`${base}:app:log-stream:`], tags: { team: 'a' } }, op);
    }
    assert.deepEqual(of('FilterLogEvents', { logGroupIdentifier: `${base}:app` }), {
      arns: [`${base}:app:log-stream:`],
      tags: { team: 'a' },
    });
    for (const op of ['CreateLogStream', 'DeleteLogStream', 'PutLogEvents', 'GetLogEvents']) {
      assert.deepEqual(of(op, { logGroupName: 'app', logStreamName: 's/1' }), {
        arns: [`${base}:app:log-stream:s/1`],
        tags: { team: 'a' },
      });
    }
    for (const op of ['TagResource', 'UntagResource', 'ListTagsForResource']) {
      assert.deepEqual(of(op, { resourceArn: `${base}:app` }), { arns: [`${base}:app`], tags: { team: 'a' } });
    }
    assert.deepEqual(
      of('GetLogEvents', { logGroupIdentifier: `arn:aws:logs:eu-west-1:444455556666:log-group:x`, logStreamName: 's' }),
      {
        arns: ['arn:aws:logs:eu-west-1:444455556666:log-group:x:log-stream:s'],
      },
    );
    assert.deepEqual(of('PutLogEvents', {}), { arns: ['*'] });
  });
});

describe('durability', () => {
  it('a new state loaded from the same store sees every acknowledged write', async () => {
    const store = new MemoryStore();
    const first = await harness(store);
    await first.call('CreateLogGroup', { logGroupName: 'app', tags: { team: 'a' } });
    await first.call('PutRetentionPolicy', { logGroupName: 'app', retentionInDays: 30 });
    await first.call('CreateLogStream', { logGroupName: 'app', logStreamName: 's1' });
    await first.call('CreateLogStream', { logGroupName: 'app', logStreamName: 's2' });
    await first.call('CreateLogStream', { logGroupName: 'app', logStreamName: 'gone' });
    await first.call('DeleteLogStream', { logGroupName: 'app', logStreamName: 'gone' });
    await first.call('CreateLogGroup', { logGroupName: 'other' }, { region: 'eu-west-1' });
    for (let i = 0; i < 3; i++) {
      for (const s of ['s1', 's2']) {
        await first.call('PutLogEvents', {
          logGroupName: 'app',
          logStreamName: s,
          logEvents: [
            { timestamp: T0 - 10_000 + i * 10, message: `${s} ${i} a` },
            { timestamp: T0 - 10_000 + i * 10 + 1, message: `${s} ${i} b` },
          ],
        });
      }
    }
    const snapshot = async (h: Awaited<ReturnType<typeof harness>>) => ({
      groups: await h.call('DescribeLogGroups', {}),
      eu: await h.call('DescribeLogGroups', {}, { region: 'eu-west-1' }),
      streams: await h.call('DescribeLogStreams', { logGroupName: 'app' }),
      tags: await h.call('ListTagsLogGroup', { logGroupName: 'app' }),
      get: await h.call('GetLogEvents', { logGroupName: 'app', logStreamName: 's1', startFromHead: true }),
      filter: await h.call('FilterLogEvents', { logGroupName: 'app' }),
    });
    const before = await snapshot(first);
    assert.equal(before.filter.events?.length, 12);
    const second = await harness(store);
    assert.deepEqual(await snapshot(second), before);
    // Sequence numbers continue after a restart: new events get new ids and sort after the old ones.
    await second.call('PutLogEvents', {
      logGroupName: 'app',
      logStreamName: 's1',
      logEvents: [{ timestamp: T0 - 10_000 + 21, message: 'after restart' }],
    });
    const ids = (await second.call('FilterLogEvents', { logGroupName: 'app' })).events?.map((e) => e.eventId);
    assert.equal(new Set(ids).size, 13);
  });

  it('survives closing and reopening a SQLite store', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rolecall-logs-'));
    try {
      const first = await harness(createStore({ backend: 'sqlite', dataDir }));
      await first.call('CreateLogGroup', { logGroupName: '/aws/lambda/fn', tags: { a: 'b' } });
      await first.call('CreateLogStream', { logGroupName: '/aws/lambda/fn', logStreamName: 's' });
      const logEvents = Array.from({ length: 10_000 }, (_, i) => ({ timestamp: T0 - 20_000 + i, message: `é ${i}` }));
      await first.call('PutLogEvents', { logGroupName: '/aws/lambda/fn', logStreamName: 's', logEvents });
      const before = await first.call('FilterLogEvents', { logGroupName: '/aws/lambda/fn', limit: 5 });
      await first.store.close();
      const second = await harness(createStore({ backend: 'sqlite', dataDir }));
      assert.deepEqual(await second.call('FilterLogEvents', { logGroupName: '/aws/lambda/fn', limit: 5 }), before);
      const groups = await second.call('DescribeLogGroups', {});
      assert.equal(
        groups.logGroups?.[0]?.storedBytes,
        logEvents.reduce((n, e) => n + Buffer.byteLength(e.message), 0),
      );
      await second.store.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('stores one record per PutLogEvents batch, not one per event', async () => {
    const { store, call } = await harness();
    await call('CreateLogGroup', { logGroupName: 'app' });
    await call('CreateLogStream', { logGroupName: 'app', logStreamName: 's' });
    const logEvents = Array.from({ length: 500 }, (_, i) => ({ timestamp: T0 - 1000 + i, message: `m${i}` }));
    await call('PutLogEvents', { logGroupName: 'app', logStreamName: 's', logEvents });
    await call('PutLogEvents', { logGroupName: 'app', logStreamName: 's', logEvents });
    assert.equal((await store.list('logs.events')).length, 2);
  });

  it('changes nothing in memory when the store refuses the write', async () => {
    class FailingStore extends MemoryStore {
      fail = false;
      override async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
        return super.transaction(async (tx) => {
          const result = await fn(tx);
          if (this.fail) throw new Error('disk full');
          return result;
        });
      }
    }
    const store = new FailingStore();
    const { call } = await harness(store);
    await call('CreateLogGroup', { logGroupName: 'app' });
    await call('CreateLogStream', { logGroupName: 'app', logStreamName: 's' });
    store.fail = true;
    await assert.rejects(call('CreateLogGroup', { logGroupName: 'second' }), /disk full/);
    await assert.rejects(call('DeleteLogGroup', { logGroupName: 'app' }), /disk full/);
    await assert.rejects(call('TagLogGroup', { logGroupName: 'app', tags: { a: 'b' } }), /disk full/);
    await assert.rejects(
      call('PutLogEvents', { logGroupName: 'app', logStreamName: 's', logEvents: [{ timestamp: T0, message: 'x' }] }),
      /disk full/,
    );
    store.fail = false;
    assert.deepEqual(
      (await call('DescribeLogGroups', {})).logGroups?.map((g) => g.logGroupName),
      ['app'],
    );
    assert.deepEqual(await call('ListTagsLogGroup', { logGroupName: 'app' }), { tags: {} });
    const got = await call('GetLogEvents', { logGroupName: 'app', logStreamName: 's' });
    assert.deepEqual(got.events, []);
    // The sequence numbers the failed write took are free again.
    await call('PutLogEvents', {
      logGroupName: 'app',
      logStreamName: 's',
      logEvents: [{ timestamp: T0, message: 'y' }],
    });
    assert.equal((await call('FilterLogEvents', { logGroupName: 'app' })).events?.[0]?.message, 'y');
  });
});

describe('appendEvents', () => {
  it('creates the group and stream when asked, sorts, and refuses otherwise', async () => {
    const { state, clock, call } = await harness();
    const deps = { state: state as LogsState, clock };
    await refuses(
      appendEvents(deps, { account: ACCOUNT, region: REGION, group: '/aws/lambda/fn', stream: 's', events: [] }),
      'ResourceNotFoundException',
      GROUP_MISSING,
    );
    const result = await appendEvents(deps, {
      account: ACCOUNT,
      region: REGION,
      group: '/aws/lambda/fn',
      stream: '2026/01/15/[$LATEST]abc',
      events: [
        { timestamp: T0 + 2, message: 'END' },
        { timestamp: T0 + 1, message: 'START' },
        { timestamp: T0 + 3 * 3_600_000, message: 'too new' },
      ],
      create: true,
    });
    assert.deepEqual(result, { accepted: 2, rejected: 1 });
    const got = await call('GetLogEvents', {
      logGroupName: '/aws/lambda/fn',
      logStreamName: '2026/01/15/[$LATEST]abc',
      startFromHead: true,
    });
    assert.deepEqual(
      got.events?.map((e) => e.message),
      ['START', 'END'],
    );
    await refuses(
      appendEvents(deps, { account: ACCOUNT, region: REGION, group: '/aws/lambda/fn', stream: 'other', events: [] }),
      'ResourceNotFoundException',
      STREAM_MISSING,
    );
  });

  it('splits more than 10,000 events into batches', async () => {
    const { state, clock, store } = await harness();
    const events = Array.from({ length: 25_000 }, (_, i) => ({ timestamp: T0 - 30_000 + i, message: 'x' }));
    await appendEvents(
      { state, clock },
      { account: ACCOUNT, region: REGION, group: 'g', stream: 's', events, create: true },
    );
    assert.equal((await store.list('logs.events')).length, 3);
    assert.equal(state.stream(ACCOUNT, REGION, 'g', 's')?.events.length, 25_000);
  });
});
