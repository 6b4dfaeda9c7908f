// Log events: PutLogEvents' batch rules and rejected events, GetLogEvents' tokens in both directions to the end
// and back, FilterLogEvents across streams, and the cost of reading 100k events.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InputLogEvent, LogsOperations } from '../../protocol/generated/logs.ts';
import { AwsError } from '../../protocol/errors.ts';
import { rootPrincipal } from '../../auth/principal.ts';
import { MemoryStore } from '../../store/memory/memory-store.ts';
import type { Handler } from '../service.ts';
import { createLogsService, createLogsState } from './index.ts';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Op = keyof LogsOperations;
type In<K extends Op> = LogsOperations[K]['input'];
type Out<K extends Op> = LogsOperations[K]['output'];

async function harness() {
  const store = new MemoryStore();
  await store.open();
  const clock = { ms: T0, now: () => new Date(clock.ms) };
  const state = await createLogsState(store);
  const service = createLogsService({ state, clock });
  const call = async <K extends Op>(op: K, input: In<K>): Promise<Out<K>> => {
    const handler = service.handlers[op] as unknown as Handler<In<K>, Out<K>>;
    return handler(input, {
      requestId: 'req',
      service: 'logs',
      operation: op,
      principal: rootPrincipal(ACCOUNT, 'AKIAEXAMPLE'),
      account: ACCOUNT,
      headers: {},
      sourceIp: '127.0.0.1',
      allows: () => true,
      region: REGION,
      now: clock.now(),
    });
  };
  await call('CreateLogGroup', { logGroupName: 'app' });
  await call('CreateLogStream', { logGroupName: 'app', logStreamName: 's' });
  const put = (logEvents: InputLogEvent[], logStreamName = 's') =>
    call('PutLogEvents', { logGroupName: 'app', logStreamName, logEvents });
  const messages = (events: readonly { message?: string | undefined }[] | undefined) =>
    (events ?? []).map((e) => e.message);
  return { store, clock, state, call, put, messages };
}

async function refuses(promise: Promise<unknown>, code: string, message: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof AwsError, String(err));
    assert.deepEqual([err.code, err.message], [code, message]);
    return true;
  });
}

const events = (n: number, start = T0 - HOUR, step = 1, prefix = 'm'): InputLogEvent[] =>
  Array.from({ length: n }, (_, i) => ({ timestamp: start + i * step, message: `${prefix}${i}` }));

describe('PutLogEvents', () => {
  it('accepts a batch, ignores the sequence token and returns the next one', async () => {
    const { call, messages } = await harness();
    const first = await call('PutLogEvents', {
      logGroupName: 'app',
      logStreamName: 's',
      logEvents: events(3),
      sequenceToken: 'whatever',
    });
    assert.match(first.nextSequenceToken ?? '', /^\d{56}$/);
    assert.equal(first.rejectedLogEventsInfo, undefined);
    // "PutLogEvents actions are always accepted … even if the sequence token is not valid."
    const second = await call('PutLogEvents', {
      logGroupName: 'app',
      logStreamName: 's',
      logEvents: events(1, T0, 1, 'n'),
      sequenceToken: first.nextSequenceToken ?? '',
    });
    assert.notEqual(second.nextSequenceToken, first.nextSequenceToken);
    await call('PutLogEvents', {
      logGroupName: 'app',
      logStreamName: 's',
      logEvents: events(1, T0, 1, 'o'),
      sequenceToken: '1',
    });
    const got = await call('GetLogEvents', { logGroupName: 'app', logStreamName: 's', startFromHead: true });
    assert.deepEqual(messages(got.events), ['m0', 'm1', 'm2', 'n0', 'o0']);
    assert.deepEqual(got.events?.[0], { timestamp: T0 - HOUR, message: 'm0', ingestionTime: T0 });
  });

  it('refuses whole batches that break the rules, storing nothing', async () => {
    const { store, put } = await harness();
    const before = JSON.stringify(await store.list('logs.events'));
    await refuses(
      put([
        { timestamp: T0, message: 'b' },
        { timestamp: T0 - 1, message: 'a' },
      ]),
      'InvalidParameterException',
      'Log events in a single PutLogEvents request must be in chronological order.',
    );
    await refuses(
      put([
        { timestamp: T0 - 2 * DAY, message: 'a' },
        { timestamp: T0 - 1, message: 'b' },
      ]),
      'InvalidParameterException',
      'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.',
    );
    // 1,048,576 bytes counts messages in UTF-8 plus 26 per event: 2 × (524,263 + 26) = 1,048,578.
    const half = 'x'.repeat(524_263);
    await refuses(
      put([
        { timestamp: T0, message: half },
        { timestamp: T0, message: half },
      ]),
      'InvalidParameterException',
      'Upload too large: 1048578 bytes exceeds limit of 1048576',
    );
    await refuses(
      put([{ timestamp: T0, message: 'é'.repeat(524_276) }]),
      'InvalidParameterException',
      'Log event too large: 1048578 bytes exceeds limit of 1048576',
    );
    await refuses(
      put([{ timestamp: T0, message: 'x' }], 'missing'),
      'ResourceNotFoundException',
      'The specified log stream does not exist.',
    );
    assert.equal(JSON.stringify(await store.list('logs.events')), before);
  });

  it('accepts exactly 1,048,576 bytes', async () => {
    const { put } = await harness();
    const half = 'x'.repeat(524_262);
    await put([
      { timestamp: T0, message: half },
      { timestamp: T0, message: half },
    ]);
  });

  it('rejects too old, expired and too new events and keeps the rest', async () => {
    const { call, put, messages } = await harness();
    const batch: InputLogEvent[] = [
      { timestamp: T0 - 15 * DAY, message: 'too old' },
      { timestamp: T0 - 14 * DAY - 1, message: 'too old too' },
      { timestamp: T0 - HOUR, message: 'ok 1' },
      { timestamp: T0 + 2 * HOUR, message: 'ok 2' },
      { timestamp: T0 + 2 * HOUR + 1, message: 'too new' },
    ];
    const result = await put(batch);
    assert.deepEqual(result.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 2, tooNewLogEventStartIndex: 4 });
    const got = await call('GetLogEvents', { logGroupName: 'app', logStreamName: 's', startFromHead: true });
    assert.deepEqual(messages(got.events), ['ok 1', 'ok 2']);

    await call('PutRetentionPolicy', { logGroupName: 'app', retentionInDays: 1 });
    const expired = await put([
      { timestamp: T0 - 3 * DAY, message: 'expired' },
      { timestamp: T0 - DAY - 1, message: 'expired too' },
      { timestamp: T0 - 1, message: 'kept' },
    ]);
    assert.deepEqual(expired.rejectedLogEventsInfo, { expiredLogEventEndIndex: 2 });
  });

  it('judges the 24-hour span on the accepted events only', async () => {
    const { put } = await harness();
    const result = await put([
      { timestamp: T0 - 20 * DAY, message: 'too old' },
      { timestamp: T0 - 10 * HOUR, message: 'a' },
      { timestamp: T0, message: 'b' },
    ]);
    assert.deepEqual(result.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 1 });
  });

  it('answers a batch with nothing accepted without storing a record', async () => {
    const { store, put } = await harness();
    const result = await put([{ timestamp: T0 + 3 * HOUR, message: 'future' }]);
    assert.deepEqual(result.rejectedLogEventsInfo, { tooNewLogEventStartIndex: 0 });
    assert.equal((await store.list('logs.events')).length, 0);
  });
});

describe('GetLogEvents', () => {
  it('pages forward to the end, returns the same token there, and finds events that arrive later', async () => {
    const { call, put, messages } = await harness();
    await put(events(25));
    const seen: string[] = [];
    let token: string | undefined;
    let page = await call('GetLogEvents', { logGroupName: 'app', logStreamName: 's', startFromHead: true, limit: 10 });
    const sizes: number[] = [];
    for (;;) {
      sizes.push(page.events?.length ?? 0);
      seen.push(...(messages(page.events) as string[]));
      assert.match(page.nextForwardToken ?? '', /^f\/\d{56}$/);
      assert.match(page.nextBackwardToken ?? '', /^b\/\d{56}$/);
      if (page.nextForwardToken === token) break;
      token = page.nextForwardToken;
      page = await call('GetLogEvents', {
        logGroupName: 'app',
        logStreamName: 's',
        startFromHead: true,
        limit: 10,
        nextToken: token ?? '',
      });
    }
    assert.deepEqual(sizes, [10, 10, 5, 0]);
    assert.deepEqual(
      seen,
      events(25).map((e) => e.message),
    );
    // A poll with the end token picks up what arrives afterwards, in order.
    await put(events(2, T0, 1, 'late'));
    const late = await call('GetLogEvents', {
      logGroupName: 'app',
      logStreamName: 's',
      startFromHead: true,
      nextToken: token ?? '',
    });
    assert.deepEqual(messages(late.events), ['late0', 'late1']);
  });

  it('reads the newest events first by default and pages backward to the start', async () => {
    const { call, put, messages } = await harness();
    await put(events(25));
    const first = await call('GetLogEvents', { logGroupName: 'app', logStreamName: 's', limit: 10 });
    assert.deepEqual(
      messages(first.events),
      events(25)
        .slice(15)
        .map((e) => e.message),
    );
    const pages: string[][] = [];
    let token = first.nextBackwardToken ?? '';
    for (;;) {
      const page = await call('GetLogEvents', { logGroupName: 'app', logStreamName: 's', limit: 10, nextToken: token });
      pages.push(messages(page.events) as string[]);
      if (page.nextBackwardToken === token) break;
      token = page.nextBackwardToken ?? '';
    }
    assert.deepEqual(
      pages.map((p) => p.length),
      [10, 5, 0],
    );
    assert.deepEqual(pages[1], ['m0', 'm1', 'm2', 'm3', 'm4']);
    // And forward again from the start: the backward page's forward token continues after it.
    const back = await call('GetLogEvents', { logGroupName: 'app', logStreamName: 's', limit: 5, nextToken: token });
    const forward = await call('GetLogEvents', {
      logGroupName: 'app',
      logStreamName: 's',
      startFromHead: true,
      limit: 5,
      nextToken: back.nextForwardToken ?? '',
    });
    assert.deepEqual(messages(forward.events), ['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  it('answers an empty stream with tokens that later find new events', async () => {
    const { call, put, messages } = await harness();
    const empty = await call('GetLogEvents', { logGroupName: 'app', logStreamName: 's' });
    assert.deepEqual(empty.events, []);
    await put(events(3));
    const next = await call('GetLogEvents', {
      logGroupName: 'app',
      logStreamName: 's',
      startFromHead: true,
      nextToken: empty.nextForwardToken ?? '',
    });
    assert.deepEqual(messages(next.events), ['m0', 'm1', 'm2']);
  });

  it('keeps startTime inclusive and endTime exclusive', async () => {
    const { call, put, messages } = await harness();
    await put(events(10, T0 - HOUR, 1000));
    const got = await call('GetLogEvents', {
      logGroupName: 'app',
      logStreamName: 's',
      startFromHead: true,
      startTime: T0 - HOUR + 2000,
      endTime: T0 - HOUR + 5000,
    });
    assert.deepEqual(messages(got.events), ['m2', 'm3', 'm4']);
  });

  it('orders events from late batches by timestamp', async () => {
    const { call, put, messages } = await harness();
    await put(events(3, T0 - 100, 10, 'a'));
    await put(events(3, T0 - 95, 10, 'b'));
    await put(events(1, T0 - 200, 1, 'c'));
    const got = await call('GetLogEvents', { logGroupName: 'app', logStreamName: 's', startFromHead: true });
    assert.deepEqual(messages(got.events), ['c0', 'a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
  });

  it('caps a page at 1 MB', async () => {
    const { call, put } = await harness();
    const big = 'x'.repeat(100_000);
    for (let i = 0; i < 3; i++) {
      await put(Array.from({ length: 10 }, (_, j) => ({ timestamp: T0 - HOUR + i * 10 + j, message: big })));
    }
    const got = await call('GetLogEvents', { logGroupName: 'app', logStreamName: 's', startFromHead: true });
    assert.equal(got.events?.length, 10);
  });

  it('hides events older than the retention', async () => {
    const { call, put, clock, messages } = await harness();
    await put(events(2, T0 - 10 * DAY, 1, 'old'));
    await put(events(2, T0 - HOUR, 1, 'new'));
    const bytes = async () => (await call('DescribeLogGroups', {})).logGroups?.[0]?.storedBytes;
    assert.equal(await bytes(), 16);
    await call('PutRetentionPolicy', { logGroupName: 'app', retentionInDays: 7 });
    const got = await call('GetLogEvents', { logGroupName: 'app', logStreamName: 's', startFromHead: true });
    assert.deepEqual(messages(got.events), ['new0', 'new1']);
    assert.deepEqual(messages((await call('FilterLogEvents', { logGroupName: 'app' })).events), ['new0', 'new1']);
    assert.equal(await bytes(), 8);
    clock.ms += 8 * DAY;
    assert.equal(await bytes(), 0);
  });

  it('finds the group by ARN identifier and refuses foreign tokens', async () => {
    const { call, put } = await harness();
    await put(events(1));
    const got = await call('GetLogEvents', {
      logGroupIdentifier: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:app`,
      logStreamName: 's',
    });
    assert.equal(got.events?.length, 1);
    for (const nextToken of ['x', 'f/123', 'b/abc', 'c/' + '0'.repeat(56)]) {
      await refuses(
        call('GetLogEvents', { logGroupName: 'app', logStreamName: 's', nextToken }),
        'InvalidParameterException',
        'The specified nextToken is invalid.',
      );
    }
    await refuses(
      call('GetLogEvents', { logGroupName: 'app', logStreamName: 'none' }),
      'ResourceNotFoundException',
      'The specified log stream does not exist.',
    );
  });
});

describe('FilterLogEvents', () => {
  async function twoStreams() {
    const h = await harness();
    await h.call('CreateLogStream', { logGroupName: 'app', logStreamName: 'other' });
    await h.call('CreateLogStream', { logGroupName: 'app', logStreamName: 'x-1' });
    await h.put([
      { timestamp: T0 - 50, message: 'ERROR one' },
      { timestamp: T0 - 30, message: 'INFO two' },
      { timestamp: T0 - 10, message: '{"level":"ERROR","code":500}' },
    ]);
    await h.put(
      [
        { timestamp: T0 - 40, message: 'INFO three' },
        { timestamp: T0 - 30, message: 'ERROR four' },
      ],
      'other',
    );
    await h.put([{ timestamp: T0 - 20, message: 'WARN five' }], 'x-1');
    return h;
  }

  it('interleaves the streams in time order with stream names, ids and ingestion times', async () => {
    const { call } = await twoStreams();
    const got = await call('FilterLogEvents', { logGroupName: 'app' });
    assert.deepEqual(
      got.events?.map((e) => [e.logStreamName, e.message]),
      [
        ['s', 'ERROR one'],
        ['other', 'INFO three'],
        ['s', 'INFO two'],
        ['other', 'ERROR four'],
        ['x-1', 'WARN five'],
        ['s', '{"level":"ERROR","code":500}'],
      ],
    );
    assert.deepEqual(got.searchedLogStreams, []);
    assert.equal(got.nextToken, undefined);
    for (const e of got.events ?? []) {
      assert.match(e.eventId ?? '', /^\d{56}$/);
      assert.equal(e.ingestionTime, T0);
    }
    assert.equal(new Set(got.events?.map((e) => e.eventId)).size, 6);
  });

  it('narrows by stream names, prefix, time range and pattern', async () => {
    const { call, messages } = await twoStreams();
    const filter = async (input: Partial<In<'FilterLogEvents'>>) =>
      messages((await call('FilterLogEvents', { logGroupName: 'app', ...input })).events);
    assert.deepEqual(await filter({ logStreamNames: ['other', 'x-1'] }), ['INFO three', 'ERROR four', 'WARN five']);
    assert.deepEqual(await filter({ logStreamNamePrefix: 'x-' }), ['WARN five']);
    // startTime and endTime are both inclusive here.
    assert.deepEqual(await filter({ startTime: T0 - 40, endTime: T0 - 20 }), [
      'INFO three',
      'INFO two',
      'ERROR four',
      'WARN five',
    ]);
    assert.deepEqual(await filter({ filterPattern: 'ERROR' }), [
      'ERROR one',
      'ERROR four',
      '{"level":"ERROR","code":500}',
    ]);
    assert.deepEqual(await filter({ filterPattern: '?WARN ?INFO' }), ['INFO three', 'INFO two', 'WARN five']);
    assert.deepEqual(await filter({ filterPattern: '{ $.code >= 500 }' }), ['{"level":"ERROR","code":500}']);
    assert.deepEqual(await filter({ filterPattern: 'ERROR -four' }), ['ERROR one', '{"level":"ERROR","code":500}']);
  });

  it('refuses bad patterns, names with a prefix, and missing streams', async () => {
    const { call } = await twoStreams();
    await refuses(
      call('FilterLogEvents', { logGroupName: 'app', filterPattern: '{ $.level = ' }),
      'InvalidParameterException',
      'Invalid filter pattern',
    );
    await refuses(
      call('FilterLogEvents', { logGroupName: 'app', filterPattern: 'a:b' }),
      'InvalidParameterException',
      "Invalid filter pattern: Invalid character(s) in term 'a:b'",
    );
    await refuses(
      call('FilterLogEvents', { logGroupName: 'app', logStreamNames: ['s'], logStreamNamePrefix: 's' }),
      'InvalidParameterException',
      'logStreamNames and logStreamNamePrefix are mutually exclusive parameters.',
    );
    await refuses(
      call('FilterLogEvents', { logGroupName: 'app', logStreamNames: ['nope'] }),
      'ResourceNotFoundException',
      'The specified log stream does not exist.',
    );
    await refuses(
      call('FilterLogEvents', { logGroupName: 'app', nextToken: 'bogus' }),
      'InvalidParameterException',
      'The specified nextToken is invalid.',
    );
  });

  it('pages with nextToken until it is absent', async () => {
    const { call, messages } = await twoStreams();
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await call('FilterLogEvents', {
        logGroupName: 'app',
        filterPattern: '-WARN',
        limit: 2,
        ...(token !== undefined && { nextToken: token }),
      });
      seen.push(...(messages(page.events) as string[]));
      token = page.nextToken;
      pages++;
    } while (token !== undefined);
    assert.deepEqual(seen, ['ERROR one', 'INFO three', 'INFO two', 'ERROR four', '{"level":"ERROR","code":500}']);
    assert.equal(pages, 3);
  });
});

describe('100k events', () => {
  it('are stored as batches and read page by page without quadratic cost', async () => {
    const { store, call, put, state } = await harness();
    await call('CreateLogStream', { logGroupName: 'app', logStreamName: 't' });
    const started = Date.now();
    for (let b = 0; b < 10; b++) {
      const base = T0 - 20 * HOUR + b * 10_000 * 2;
      await put(
        Array.from({ length: 5_000 }, (_, i) => ({
          timestamp: base + i * 2,
          message: `s ${b} ${i}${i % 100 === 0 ? ' ERROR' : ''}`,
        })),
      );
      await put(
        Array.from({ length: 5_000 }, (_, i) => ({ timestamp: base + i * 2 + 1, message: `t ${b} ${i}` })),
        't',
      );
    }
    assert.equal((await store.list('logs.events')).length, 20);
    assert.equal(state.stream(ACCOUNT, REGION, 'app', 's')?.events.length, 50_000);

    let forward = 0;
    let token: string | undefined;
    for (;;) {
      const page = await call('GetLogEvents', {
        logGroupName: 'app',
        logStreamName: 's',
        startFromHead: true,
        ...(token !== undefined && { nextToken: token }),
      });
      forward += page.events?.length ?? 0;
      if (page.nextForwardToken === token) break;
      token = page.nextForwardToken;
    }
    assert.equal(forward, 50_000);

    let all = 0;
    let filterToken: string | undefined;
    do {
      const page = await call('FilterLogEvents', {
        logGroupName: 'app',
        ...(filterToken !== undefined && { nextToken: filterToken }),
      });
      all += page.events?.length ?? 0;
      filterToken = page.nextToken;
    } while (filterToken !== undefined);
    assert.equal(all, 100_000);

    const errors = await call('FilterLogEvents', { logGroupName: 'app', filterPattern: 'ERROR' });
    assert.equal(errors.events?.length, 500);
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
  });
});
