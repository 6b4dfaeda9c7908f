/**
 * CloudWatch Logs end to end: a real `rolecall serve` driven by the AWS CLI, boto3 and SDK v3 (in process), as
 * issue 7 part 5 asks — groups and streams (prefix, pages, order by LastEventTime), PutLogEvents' batch rules,
 * GetLogEvents' tokens in both directions, FilterLogEvents' patterns across interleaved streams, retention,
 * both tagging APIs, AWS's error codes and messages, authorization by log-stream ARN and aws:ResourceTag, and
 * `aws logs tail [--follow]` with the AWS CLI v2.
 *
 * One server for the file; every test names its own log groups, so tests do not depend on each other. The AWS
 * CLI is the slowest client (a Python start per call), so most state is set up through SDK v3 and the CLI
 * makes only the calls whose output it is tested on. AWS's texts and their sources are in MSG below.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { Agent } from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  paginateDescribeLogGroups,
  paginateDescribeLogStreams,
  paginateFilterLogEvents,
  paginateGetLogEvents,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  TagResourceCommand,
  type InputLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { clientEnv, noAwsCli, noBoto3 } from '../support/clients.ts';
import {
  awsError,
  boto3Run,
  cliErrorLine,
  cliOk,
  cliRun,
  cliServiceErrorStatus,
  DEFAULT_ACCOUNT,
  py,
  ROOT_CREDENTIALS,
  useServer,
  validationMessage,
  type Attempt,
} from './helpers.ts';
import { allow, Cloud, doc, type Creds } from './imds-helpers.ts';

const REGION = 'us-east-1';
const groupArn = (group: string) => `arn:aws:logs:${REGION}:${DEFAULT_ACCOUNT}:log-group:${group}`;
const streamArn = (group: string, stream: string) => `${groupArn(group)}:log-stream:${stream}`;
const userArn = (name: string) => `arn:aws:iam::${DEFAULT_ACCOUNT}:user/${name}`;

/** CloudWatch Logs' own texts, word for word, each with where it was seen. */
const MSG = {
  /** aws-sdk-js v2 response recorded in 2017 (find_string "The specified log group already exists"). */
  groupExists: 'The specified log group already exists',
  streamExists: 'The specified log stream already exists',
  /** lumigo-io/SAR-Propagate-CFN-Tags#1, aws/aws-logging-dotnet#134 (with the trailing period). */
  groupNotFound: 'The specified log group does not exist.',
  streamNotFound: 'The specified log stream does not exist.',
  /** dibog/cloudwatch-logback-appender#17, aws-greengrass-log-manager#59 and many client libraries. */
  notChronological: 'Log events in a single PutLogEvents request must be in chronological order.',
  /** nhs-england-tools/terraform-aws-opennext#27: "Upload too large: 1049882 bytes exceeds limit of 1048576". */
  uploadTooLarge: (bytes: number) => `Upload too large: ${bytes} bytes exceeds limit of 1048576`,
  /** turbot/steampipe-plugin-aws#1949 (a DescribeLogStreams trace). */
  orderByWithPrefix: 'Cannot order by LastEventTime with a logStreamNamePrefix.',
  /** boto3#4104, cloud-nuke#1150: the tagging APIs refuse the `:*` form of a group ARN. */
  invalidResourceArn: 'Invalid resourceArn',
  /**
   * AccessDeniedException from Logs names the log-stream ARN, unquoted (amazon-cloudwatch-agent's test data:
   * "User: arn:aws:sts::…:assumed-role/testRole/i-99999999 is not authorized to perform: logs:PutLogEvents on
   * resource: arn:aws:logs:us-east-2:…:log-group:testlog.log:log-stream:i-99999999 because no identity-based
   * policy allows the logs:PutLogEvents action"; Glue's copy shows "Status Code: 400").
   */
  denied: (who: string, action: string, resource: string) =>
    `User: ${who} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
} as const;

/**
 * A retention outside the allowed set: the code and the standard validation opening are AWS's; the rest of the
 * sentence (the enum list) is rolecall's reading, not confirmed from a recorded response (services/logs/errors.ts).
 */
const RETENTION_REFUSED = /^1 validation error detected: Value '2' at 'retentionInDays' failed to satisfy constraint: /;

/** The log group pattern failure, as a real CLI printed it (find_string "at 'logGroupName' failed to satisfy"). */
const GROUP_PATTERN = 'Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+';

// -----------------------------------------------------------------------------------------------------------------
// Clients and small helpers

/**
 * SDK v3 clients open a connection per request: the CLI and boto3 calls block this process's event loop
 * (spawnSync) for longer than the server keeps an idle connection (5 s), so a pooled socket the server closed
 * meanwhile would be picked before its close is seen, and fail with ECONNRESET (no retries: maxAttempts 1).
 */
const logsClient = (endpoint: string, creds: Creds = ROOT_CREDENTIALS) =>
  new CloudWatchLogsClient({
    endpoint,
    region: REGION,
    credentials: creds,
    maxAttempts: 1,
    requestHandler: { httpAgent: new Agent({ keepAlive: false }) },
  });

interface LogsError {
  readonly name: string;
  readonly message: string;
  readonly status: number | undefined;
}

/** The error an SDK v3 call must fail with: the exception's name is the AWS error code. */
async function logsErrorOf(call: Promise<unknown>): Promise<LogsError> {
  try {
    await call;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  assert.fail('the call succeeded, but an AWS error was expected');
}

const sdkError = (name: string, message: string): LogsError => ({ name, message, status: 400 });

/** Events one second apart, ending `agoMs` before now: recent enough for every rule of PutLogEvents. */
function recent(messages: readonly string[], agoMs = 60_000): InputLogEvent[] {
  const start = Date.now() - agoMs - messages.length * 1000;
  return messages.map((message, i) => ({ timestamp: start + i * 1000, message }));
}

/** Creates a log group with streams, as root through SDK v3. */
async function makeGroup(
  logs: CloudWatchLogsClient,
  group: string,
  streams: readonly string[] = [],
  tags?: Record<string, string>,
): Promise<void> {
  await logs.send(new CreateLogGroupCommand({ logGroupName: group, ...(tags && { tags }) }));
  for (const stream of streams) {
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
  }
}

async function put(logs: CloudWatchLogsClient, group: string, stream: string, events: InputLogEvent[]) {
  return logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events }));
}

/** Messages of GetLogEvents from the start of a stream (one page is enough for these tests). */
async function messagesOf(logs: CloudWatchLogsClient, group: string, stream: string): Promise<string[]> {
  const r = await logs.send(
    new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true }),
  );
  return (r.events ?? []).map((e) => e.message ?? '');
}

async function until(what: string, probe: () => boolean, timeoutMs: number, detail: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}:\n${detail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// -----------------------------------------------------------------------------------------------------------------
// The AWS CLI v2, for `aws logs tail` (the v1 CLI has no `logs tail`)

/** The first `aws` that is version 2: on PATH, or Debian's package (`apt-get install awscli`, bookworm: 2.9). */
function findCliV2(): string | undefined {
  for (const cmd of ['aws', '/usr/bin/aws', '/usr/local/bin/aws']) {
    const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
    if (r.status === 0 && /^aws-cli\/2\./.test(`${r.stdout}${r.stderr}`.trim())) return cmd;
  }
  return undefined;
}

const CLI_V2 = findCliV2();

/** Why the `aws logs tail` tests cannot run here; RC_TEST_REQUIRE_CLIENTS=1 (CI) makes this a failure. */
const noCliV2: string | false = (() => {
  if (CLI_V2 !== undefined) return false;
  const reason =
    'the AWS CLI v2 is not installed (only v2 has `aws logs tail`; on Debian: apt-get install awscli, /usr/bin/aws)';
  if (process.env['RC_TEST_REQUIRE_CLIENTS'] === '1') throw new Error(`${reason}, and RC_TEST_REQUIRE_CLIENTS=1`);
  return reason;
})();

/**
 * The v2 CLI's arguments and environment. Debian's 2.9 predates AWS_ENDPOINT_URL (2.13), so the endpoint goes on
 * the command line; PYTHONUNBUFFERED makes `tail --follow` write each event as it comes, not when a pipe buffer
 * fills (the tail command writes to stdout without flushing).
 */
const cliV2 = (endpoint: string, args: readonly string[]) => ({
  command: CLI_V2 ?? 'aws',
  args: ['--endpoint-url', endpoint, ...args],
  env: { ...clientEnv(endpoint), PYTHONUNBUFFERED: '1' },
});

// =================================================================================================================

describe('CloudWatch Logs through the AWS CLI, boto3 and SDK v3', () => {
  const server = useServer();
  const endpoint = () => server().endpoint;
  const run = <T>(script: string) => boto3Run<T>(endpoint(), `logs = client('logs')\n${script}`);
  let logs: CloudWatchLogsClient;
  before(() => {
    logs = logsClient(endpoint());
  });
  after(() => logs.destroy());

  // ---------------------------------------------------------------------------------------------------------------
  describe('log groups', () => {
    it(
      'the AWS CLI: create, a duplicate refused, describe by prefix page by page, delete, then not found',
      {
        skip: noAwsCli,
      },
      async () => {
        cliOk(endpoint(), ['logs', 'create-log-group', '--log-group-name', '/cli/groups/b', '--tags', 'team=blue']);
        for (const g of ['/cli/groups/a', '/cli/groups/c', '/cli/groups-other']) await makeGroup(logs, g);

        const again = cliRun(endpoint(), ['logs', 'create-log-group', '--log-group-name', '/cli/groups/b']);
        assert.deepEqual(
          { status: again.status, stderr: again.stderr },
          {
            status: cliServiceErrorStatus(),
            stderr: cliErrorLine('ResourceAlreadyExistsException', 'CreateLogGroup', MSG.groupExists),
          },
        );

        // --page-size 1: the CLI follows nextToken itself, one group a request; --max-items stops after two and
        // hands out the CLI's own token, from which --starting-token resumes.
        type Groups = { logGroups: Record<string, unknown>[]; NextToken?: string };
        const prefix = ['logs', 'describe-log-groups', '--log-group-name-prefix', '/cli/groups/', '--page-size', '1'];
        const first = cliOk<Groups>(endpoint(), [...prefix, '--max-items', '2']);
        assert.deepEqual(
          first.logGroups.map((g) => g['logGroupName']),
          ['/cli/groups/a', '/cli/groups/b'],
        );
        const b = first.logGroups[1] ?? {};
        assert.deepEqual(
          [b['arn'], b['logGroupArn'], b['storedBytes'], b['retentionInDays']],
          [`${groupArn('/cli/groups/b')}:*`, groupArn('/cli/groups/b'), 0, undefined],
        );
        assert.ok(first.NextToken, 'a NextToken after two of three groups');
        const rest = cliOk<Groups>(endpoint(), [...prefix, '--starting-token', first.NextToken]);
        assert.deepEqual(
          rest.logGroups.map((g) => g['logGroupName']),
          ['/cli/groups/c'],
        );

        cliOk(endpoint(), ['logs', 'delete-log-group', '--log-group-name', '/cli/groups/c']);
        const gone = cliRun(endpoint(), ['logs', 'delete-log-group', '--log-group-name', '/cli/groups/c']);
        assert.deepEqual(
          { status: gone.status, stderr: gone.stderr },
          {
            status: cliServiceErrorStatus(),
            stderr: cliErrorLine('ResourceNotFoundException', 'DeleteLogGroup', MSG.groupNotFound),
          },
        );
      },
    );

    it(
      'boto3: the DescribeLogGroups paginator, and errors with AWS’s code, message and status 400',
      {
        skip: noBoto3,
      },
      () => {
        const r = run<{ pages: string[][]; again: Attempt; missing: Attempt; stream_in_missing: Attempt }>(`
for name in ['/py/groups/a', '/py/groups/b', '/py/groups/c']:
    logs.create_log_group(logGroupName=name)
pages = logs.get_paginator('describe_log_groups').paginate(logGroupNamePrefix='/py/groups/', PaginationConfig={'PageSize': 2})
out({
    'pages': [[g['logGroupName'] for g in p['logGroups']] for p in pages],
    'again': attempt(logs.create_log_group, logGroupName='/py/groups/a'),
    'missing': attempt(logs.delete_log_group, logGroupName='/py/groups/none'),
    'stream_in_missing': attempt(logs.create_log_stream, logGroupName='/py/groups/none', logStreamName='s'),
})
`);
        assert.deepEqual(r, {
          pages: [['/py/groups/a', '/py/groups/b'], ['/py/groups/c']],
          again: awsError('ResourceAlreadyExistsException', 400, MSG.groupExists),
          missing: awsError('ResourceNotFoundException', 400, MSG.groupNotFound),
          stream_in_missing: awsError('ResourceNotFoundException', 400, MSG.groupNotFound),
        });
      },
    );

    it('SDK v3: paginateDescribeLogGroups, and the errors as their exception classes', async () => {
      for (const g of ['/sdk/groups/a', '/sdk/groups/b', '/sdk/groups/c', '/sdk/groupsX']) await makeGroup(logs, g);
      const pages: string[][] = [];
      for await (const page of paginateDescribeLogGroups(
        { client: logs, pageSize: 1 },
        { logGroupNamePrefix: '/sdk/groups/' },
      )) {
        pages.push((page.logGroups ?? []).map((g) => g.logGroupName ?? ''));
      }
      assert.deepEqual(pages, [['/sdk/groups/a'], ['/sdk/groups/b'], ['/sdk/groups/c']]);
      assert.deepEqual(
        await logsErrorOf(logs.send(new CreateLogGroupCommand({ logGroupName: '/sdk/groups/a' }))),
        sdkError('ResourceAlreadyExistsException', MSG.groupExists),
      );
      await logs.send(new DeleteLogGroupCommand({ logGroupName: '/sdk/groups/a' }));
      assert.deepEqual(
        await logsErrorOf(logs.send(new DeleteLogGroupCommand({ logGroupName: '/sdk/groups/a' }))),
        sdkError('ResourceNotFoundException', MSG.groupNotFound),
      );
      const left = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/sdk/groups' }));
      assert.deepEqual(
        left.logGroups?.map((g) => g.logGroupName),
        ['/sdk/groups/b', '/sdk/groups/c', '/sdk/groupsX'],
      );
    });
  });

  // ---------------------------------------------------------------------------------------------------------------
  describe('log streams', () => {
    const G = '/streams/order';
    before(async () => {
      // Last events: api-b oldest, then api-c, then api-a; worker has none.
      await makeGroup(logs, G, ['api-a', 'api-b', 'api-c', 'worker']);
      await put(logs, G, 'api-b', recent(['b'], 30_000));
      await put(logs, G, 'api-c', recent(['c'], 20_000));
      await put(logs, G, 'api-a', recent(['a'], 10_000));
    });

    it(
      'the AWS CLI: --order-by LastEventTime --descending, and that order refused with a prefix',
      {
        skip: noAwsCli,
      },
      () => {
        const r = cliOk<{ logStreams: { logStreamName: string; arn: string; lastEventTimestamp?: number }[] }>(
          endpoint(),
          ['logs', 'describe-log-streams', '--log-group-name', G, '--order-by', 'LastEventTime', '--descending'],
        );
        assert.deepEqual(
          r.logStreams.map((s) => s.logStreamName),
          ['api-a', 'api-c', 'api-b', 'worker'],
        );
        assert.equal(r.logStreams[0]?.arn, streamArn(G, 'api-a'));
        assert.equal(r.logStreams[3]?.lastEventTimestamp, undefined, 'a stream without events has no last event');

        const refused = cliRun(endpoint(), [
          'logs',
          'describe-log-streams',
          '--log-group-name',
          G,
          '--order-by',
          'LastEventTime',
          '--log-stream-name-prefix',
          'api',
        ]);
        assert.deepEqual(
          { status: refused.status, stderr: refused.stderr },
          {
            status: cliServiceErrorStatus(),
            stderr: cliErrorLine('InvalidParameterException', 'DescribeLogStreams', MSG.orderByWithPrefix),
          },
        );
      },
    );

    it(
      'boto3: create, a duplicate refused, describe by prefix with the paginator, delete, then not found',
      {
        skip: noBoto3,
      },
      () => {
        const r = run<{
          again: Attempt;
          pages: string[][];
          deleted: string[];
          gone: Attempt;
          put_gone: Attempt;
        }>(`
g = '/py/streams'
logs.create_log_group(logGroupName=g)
for s in ['web-1', 'web-2', 'web-3', 'db-1']:
    logs.create_log_stream(logGroupName=g, logStreamName=s)
again = attempt(logs.create_log_stream, logGroupName=g, logStreamName='web-2')
pages = logs.get_paginator('describe_log_streams').paginate(logGroupName=g, logStreamNamePrefix='web-',
                                                             PaginationConfig={'PageSize': 2})
pages = [[s['logStreamName'] for s in p['logStreams']] for p in pages]
logs.delete_log_stream(logGroupName=g, logStreamName='web-2')
deleted = [s['logStreamName'] for s in logs.describe_log_streams(logGroupName=g)['logStreams']]
out({'again': again, 'pages': pages, 'deleted': deleted,
     'gone': attempt(logs.delete_log_stream, logGroupName=g, logStreamName='web-2'),
     'put_gone': attempt(logs.put_log_events, logGroupName=g, logStreamName='web-2',
                         logEvents=[{'timestamp': ${Date.now()}, 'message': 'x'}])})
`);
        assert.deepEqual(r, {
          again: awsError('ResourceAlreadyExistsException', 400, MSG.streamExists),
          pages: [['web-1', 'web-2'], ['web-3']],
          deleted: ['db-1', 'web-1', 'web-3'],
          gone: awsError('ResourceNotFoundException', 400, MSG.streamNotFound),
          put_gone: awsError('ResourceNotFoundException', 400, MSG.streamNotFound),
        });
      },
    );

    it('SDK v3: paginateDescribeLogStreams by LastEventTime, one stream a page, oldest first', async () => {
      const names: string[] = [];
      let pages = 0;
      for await (const page of paginateDescribeLogStreams(
        { client: logs, pageSize: 1 },
        { logGroupName: G, orderBy: 'LastEventTime' },
      )) {
        pages++;
        names.push(...(page.logStreams ?? []).map((s) => s.logStreamName ?? ''));
      }
      assert.deepEqual(names, ['worker', 'api-b', 'api-c', 'api-a']);
      assert.equal(pages, 4);
      assert.deepEqual(
        await logsErrorOf(logs.send(new CreateLogStreamCommand({ logGroupName: G, logStreamName: 'worker' }))),
        sdkError('ResourceAlreadyExistsException', MSG.streamExists),
      );
      assert.deepEqual(
        await logsErrorOf(logs.send(new DescribeLogStreamsCommand({ logGroupName: '/streams/none' }))),
        sdkError('ResourceNotFoundException', MSG.groupNotFound),
      );
    });
  });

  // ---------------------------------------------------------------------------------------------------------------
  describe('PutLogEvents', () => {
    const DAY = 86_400_000;
    const HOUR = 3_600_000;

    it(
      'the AWS CLI: rejectedLogEventsInfo for too-old and too-new events; an out-of-order batch fails whole',
      {
        skip: noAwsCli,
      },
      async () => {
        const G = '/cli/put';
        await makeGroup(logs, G, ['s']);
        const now = Date.now();
        // Older than 14 days, two good ones, more than 2 hours ahead (PutLogEvents API reference).
        const batch = [
          { timestamp: now - 15 * DAY, message: 'too old' },
          { timestamp: now - 2000, message: 'kept 1' },
          { timestamp: now - 1000, message: 'kept 2' },
          { timestamp: now + 3 * HOUR, message: 'too new' },
        ];
        const r = cliOk<{ nextSequenceToken?: string; rejectedLogEventsInfo?: unknown }>(endpoint(), [
          'logs',
          'put-log-events',
          '--log-group-name',
          G,
          '--log-stream-name',
          's',
          '--log-events',
          JSON.stringify(batch),
        ]);
        // tooNewLogEventStartIndex is the first too-new event; tooOldLogEventEndIndex the count of too-old ones.
        assert.deepEqual(r.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 1, tooNewLogEventStartIndex: 3 });
        assert.deepEqual(await messagesOf(logs, G, 's'), ['kept 1', 'kept 2']);

        const unordered = cliRun(endpoint(), [
          'logs',
          'put-log-events',
          '--log-group-name',
          G,
          '--log-stream-name',
          's',
          '--log-events',
          JSON.stringify([
            { timestamp: now, message: 'later' },
            { timestamp: now - 500, message: 'earlier' },
          ]),
        ]);
        assert.deepEqual(
          { status: unordered.status, stderr: unordered.stderr },
          {
            status: cliServiceErrorStatus(),
            stderr: cliErrorLine('InvalidParameterException', 'PutLogEvents', MSG.notChronological),
          },
        );
        assert.deepEqual(
          await messagesOf(logs, G, 's'),
          ['kept 1', 'kept 2'],
          'nothing of the refused batch is stored',
        );
      },
    );

    it(
      'boto3: the rejected events are not stored; out-of-order and oversize batches are refused whole',
      {
        skip: noBoto3,
      },
      () => {
        const r = run<{ rejected: unknown; unordered: Attempt; oversize: Attempt; stored: string[] }>(`
import time
g, s = '/py/put', 'app'
logs.create_log_group(logGroupName=g)
logs.create_log_stream(logGroupName=g, logStreamName=s)
now = int(time.time() * 1000)
res = logs.put_log_events(logGroupName=g, logStreamName=s, logEvents=[
    {'timestamp': now - 20 * 86400000, 'message': 'old 1'},
    {'timestamp': now - 15 * 86400000, 'message': 'old 2'},
    {'timestamp': now - 1000, 'message': 'kept'},
    {'timestamp': now + 3 * 3600000, 'message': 'new 1'},
    {'timestamp': now + 4 * 3600000, 'message': 'new 2'},
])
unordered = attempt(logs.put_log_events, logGroupName=g, logStreamName=s, logEvents=[
    {'timestamp': now, 'message': 'b'}, {'timestamp': now - 1, 'message': 'a'}])
# Two events of 600,000 bytes: 2 * (600,000 + 26) bytes, over the 1,048,576-byte batch limit.
oversize = attempt(logs.put_log_events, logGroupName=g, logStreamName=s, logEvents=[
    {'timestamp': now, 'message': 'x' * 600000}, {'timestamp': now, 'message': 'y' * 600000}])
stored = [e['message'] for e in logs.get_log_events(logGroupName=g, logStreamName=s, startFromHead=True)['events']]
out({'rejected': res.get('rejectedLogEventsInfo'), 'unordered': unordered, 'oversize': oversize, 'stored': stored})
`);
        assert.deepEqual(r, {
          rejected: { tooOldLogEventEndIndex: 2, tooNewLogEventStartIndex: 3 },
          unordered: awsError('InvalidParameterException', 400, MSG.notChronological),
          oversize: awsError('InvalidParameterException', 400, MSG.uploadTooLarge(2 * 600_026)),
          stored: ['kept'],
        });
      },
    );

    it('SDK v3: the same refusals as InvalidParameterException; a batch of exactly 1,048,576 bytes is accepted', async () => {
      const G = '/sdk/put';
      await makeGroup(logs, G, ['s']);
      const now = Date.now();
      assert.deepEqual(
        await logsErrorOf(
          put(logs, G, 's', [
            { timestamp: now, message: 'b' },
            { timestamp: now - 1, message: 'a' },
          ]),
        ),
        sdkError('InvalidParameterException', MSG.notChronological),
      );
      // The limit counts UTF-8 message bytes plus 26 per event (PutLogEvents API reference): two events of
      // 524,262 bytes fill it exactly; one more byte is too many.
      const half = 1_048_576 / 2 - 26;
      const exact = [
        { timestamp: now, message: 'a'.repeat(half) },
        { timestamp: now, message: 'b'.repeat(half) },
      ];
      assert.equal((await put(logs, G, 's', exact)).rejectedLogEventsInfo, undefined);
      const over = [
        { timestamp: now, message: 'a'.repeat(half) },
        { timestamp: now, message: 'b'.repeat(half + 1) },
      ];
      assert.deepEqual(
        await logsErrorOf(put(logs, G, 's', over)),
        sdkError('InvalidParameterException', MSG.uploadTooLarge(1_048_577)),
      );
      assert.equal((await messagesOf(logs, G, 's')).length, 2);
    });
  });

  // ---------------------------------------------------------------------------------------------------------------
  describe('GetLogEvents', () => {
    const G = '/read/tokens';
    const M = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6'];
    before(async () => {
      await makeGroup(logs, G, ['boto3', 'sdk', 'cli']);
      for (const s of ['boto3', 'sdk', 'cli']) await put(logs, G, s, recent(M));
    });

    it(
      'boto3: forward pages until the token repeats, where a later event is then found; backward from the newest',
      {
        skip: noBoto3,
      },
      () => {
        const r = run<{ forward: string[][]; backward: string[][]; later: string[] }>(`
import time
g, s = ${py(G)}, 'boto3'

def walk(direction):
    token, pages = None, []
    while len(pages) < 10:
        kw = {'logGroupName': g, 'logStreamName': s, 'limit': 3}
        if token is not None:
            kw['nextToken'] = token
        elif direction == 'forward':
            kw['startFromHead'] = True
        r = logs.get_log_events(**kw)
        pages.append([e['message'] for e in r['events']])
        following = r['nextForwardToken' if direction == 'forward' else 'nextBackwardToken']
        if following == token:
            break
        token = following
    return pages, token

forward, end = walk('forward')
backward, _ = walk('backward')
logs.put_log_events(logGroupName=g, logStreamName=s, logEvents=[{'timestamp': int(time.time() * 1000), 'message': 'm7'}])
later = [e['message'] for e in logs.get_log_events(logGroupName=g, logStreamName=s, nextToken=end)['events']]
out({'forward': forward, 'backward': backward, 'later': later})
`);
        // "If you have reached the end of the stream, it returns the same token you passed in" (GetLogEvents API
        // reference); without startFromHead the newest events come first, each page in time order.
        assert.deepEqual(r, {
          forward: [['m0', 'm1', 'm2'], ['m3', 'm4', 'm5'], ['m6'], []],
          backward: [['m4', 'm5', 'm6'], ['m1', 'm2', 'm3'], ['m0'], []],
          later: ['m7'],
        });
      },
    );

    it('SDK v3: paginateGetLogEvents with stopOnSameToken reads the stream from the head and stops', async () => {
      const pages: string[][] = [];
      for await (const page of paginateGetLogEvents(
        { client: logs, pageSize: 3, stopOnSameToken: true },
        { logGroupName: G, logStreamName: 'sdk', startFromHead: true },
      )) {
        pages.push((page.events ?? []).map((e) => e.message ?? ''));
      }
      assert.deepEqual(pages, [['m0', 'm1', 'm2'], ['m3', 'm4', 'm5'], ['m6'], []]);
      assert.deepEqual(
        await logsErrorOf(logs.send(new GetLogEventsCommand({ logGroupName: G, logStreamName: 'none' }))),
        sdkError('ResourceNotFoundException', MSG.streamNotFound),
      );
    });

    it('the AWS CLI: --start-from-head reads the oldest events, without it the newest', { skip: noAwsCli }, () => {
      type Page = { events: { message: string; timestamp: number; ingestionTime: number }[] };
      const args = ['logs', 'get-log-events', '--log-group-name', G, '--log-stream-name', 'cli', '--limit', '2'];
      const head = cliOk<Page>(endpoint(), [...args, '--start-from-head']);
      const tail = cliOk<Page>(endpoint(), args);
      assert.deepEqual(
        [head.events.map((e) => e.message), tail.events.map((e) => e.message)],
        [
          ['m0', 'm1'],
          ['m5', 'm6'],
        ],
      );
      const e = head.events[0];
      assert.ok(e && e.ingestionTime >= e.timestamp, 'ingestionTime is when rolecall received the event');
    });
  });

  // ---------------------------------------------------------------------------------------------------------------
  describe('FilterLogEvents', () => {
    const G = '/filter/app';
    // Two streams written in turns, so a time-ordered read interleaves them.
    const EVENTS: [stream: string, message: string][] = [
      ['api', 'INFO request started id=1'],
      ['worker', 'ERROR disk full on /var'],
      ['api', '{"level":"ERROR","msg":"db timeout"}'],
      ['worker', 'WARN retrying job 7'],
      ['api', 'ERROR db connection refused'],
      ['worker', '{"level":"INFO","msg":"job done"}'],
      ['api', 'INFO request finished id=1'],
      ['worker', 'ERROR disk quota exceeded'],
    ];
    const at = (...indexes: number[]) => indexes.map((i) => EVENTS[i]);
    before(async () => {
      await makeGroup(logs, G, ['api', 'worker']);
      const base = Date.now() - 120_000;
      for (const stream of ['api', 'worker']) {
        const events = EVENTS.flatMap(([s, message], i) =>
          s === stream ? [{ timestamp: base + i * 1000, message }] : [],
        );
        await put(logs, G, stream, events);
      }
    });

    /** Pattern → the events it selects (FilterAndPatternSyntax.html; "-ERROR": Lightsail's filterPattern docs). */
    const CASES: [pattern: string, expected: ReturnType<typeof at>][] = [
      ['', at(0, 1, 2, 3, 4, 5, 6, 7)],
      ['ERROR', at(1, 2, 4, 7)],
      ['ERROR disk', at(1, 7)],
      ['"disk full"', at(1)],
      ['?WARN ?disk', at(1, 3, 7)],
      ['-ERROR', at(0, 3, 5, 6)],
      ['{ $.level = "ERROR" }', at(2)],
      ['{ $.level = "INFO" }', at(5)],
    ];

    it('SDK v3: terms, quoted phrases, ?OR, exclusion and JSON tests across interleaved streams', async () => {
      for (const [filterPattern, expected] of CASES) {
        const r = await logs.send(new FilterLogEventsCommand({ logGroupName: G, filterPattern }));
        assert.deepEqual(
          (r.events ?? []).map((e) => [e.logStreamName, e.message]),
          expected,
          `pattern ${JSON.stringify(filterPattern)}`,
        );
        assert.equal(r.nextToken, undefined);
      }
      const one = await logs.send(
        new FilterLogEventsCommand({ logGroupName: G, logStreamNames: ['api'], filterPattern: 'ERROR' }),
      );
      assert.deepEqual(
        one.events?.map((e) => e.message),
        [EVENTS[2]?.[1], EVENTS[4]?.[1]],
      );
      assert.deepEqual(
        await logsErrorOf(logs.send(new FilterLogEventsCommand({ logGroupName: G, logStreamNames: ['none'] }))),
        sdkError('ResourceNotFoundException', MSG.streamNotFound),
      );
    });

    it('SDK v3: paginateFilterLogEvents walks the pages until no nextToken, each event once', async () => {
      const pages: [string | undefined, string | undefined][][] = [];
      for await (const page of paginateFilterLogEvents({ client: logs, pageSize: 3 }, { logGroupName: G })) {
        pages.push((page.events ?? []).map((e) => [e.logStreamName, e.message]));
      }
      assert.ok(pages.length >= 3, `three events a page take at least three pages, not ${pages.length}`);
      assert.deepEqual(pages.flat(), EVENTS);
    });

    it('the AWS CLI: filter-log-events with ?OR terms, following the pages itself', { skip: noAwsCli }, () => {
      const r = cliOk<{ events: { logStreamName: string; message: string; eventId: string }[] }>(endpoint(), [
        'logs',
        'filter-log-events',
        '--log-group-name',
        G,
        '--filter-pattern',
        '?WARN ?disk',
        '--page-size',
        '1',
      ]);
      assert.deepEqual(
        r.events.map((e) => [e.logStreamName, e.message]),
        at(1, 3, 7),
      );
      assert.equal(new Set(r.events.map((e) => e.eventId)).size, 3, 'event ids are distinct');
    });

    it('boto3: the filter_log_events paginator with a JSON pattern and a stream prefix', { skip: noBoto3 }, () => {
      const r = run<{ events: [string, string][] }>(`
pages = logs.get_paginator('filter_log_events').paginate(logGroupName=${py(G)}, logStreamNamePrefix='work',
                                                          filterPattern='{ $.level = "INFO" }', PaginationConfig={'PageSize': 1})
out({'events': [[e['logStreamName'], e['message']] for p in pages for e in p['events']]})
`);
      assert.deepEqual(r.events, at(5));
    });
  });

  // ---------------------------------------------------------------------------------------------------------------
  describe('retention', () => {
    it(
      'the AWS CLI: put, shown by describe, delete, and a value outside AWS’s set refused',
      {
        skip: noAwsCli,
      },
      async () => {
        const G = '/cli/retention';
        await makeGroup(logs, G);
        cliOk(endpoint(), ['logs', 'put-retention-policy', '--log-group-name', G, '--retention-in-days', '7']);
        const shown = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: G }));
        assert.equal(shown.logGroups?.[0]?.retentionInDays, 7);

        const bad = cliRun(endpoint(), [
          'logs',
          'put-retention-policy',
          '--log-group-name',
          G,
          '--retention-in-days',
          '2',
        ]);
        assert.equal(bad.status, cliServiceErrorStatus());
        const prefix = 'An error occurred (InvalidParameterException) when calling the PutRetentionPolicy operation: ';
        assert.ok(bad.stderr.startsWith(prefix), bad.stderr);
        assert.match(bad.stderr.slice(prefix.length), RETENTION_REFUSED);

        cliOk(endpoint(), ['logs', 'delete-retention-policy', '--log-group-name', G]);
        const after = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: G }));
        assert.deepEqual(
          after.logGroups?.map((g) => [g.logGroupName, g.retentionInDays]),
          [[G, undefined]],
        );
      },
    );

    it('boto3 and SDK v3: the value outside the set is InvalidParameterException; a missing group is not found', async (t) => {
      const G = '/mixed/retention';
      await makeGroup(logs, G);
      const e = await logsErrorOf(logs.send(new PutRetentionPolicyCommand({ logGroupName: G, retentionInDays: 2 })));
      assert.deepEqual([e.name, e.status], ['InvalidParameterException', 400]);
      assert.match(e.message, RETENTION_REFUSED);
      assert.deepEqual(
        await logsErrorOf(logs.send(new PutRetentionPolicyCommand({ logGroupName: '/none', retentionInDays: 7 }))),
        sdkError('ResourceNotFoundException', MSG.groupNotFound),
      );
      if (noBoto3) return t.skip(noBoto3);
      const r = run<{ bad: Attempt; ok: Attempt; days: number }>(`
g = ${py(G)}
bad = attempt(logs.put_retention_policy, logGroupName=g, retentionInDays=2)
ok = attempt(logs.put_retention_policy, logGroupName=g, retentionInDays=3653)
out({'bad': bad, 'ok': ok, 'days': logs.describe_log_groups(logGroupNamePrefix=g)['logGroups'][0]['retentionInDays']})
`);
      assert.ok('error' in r.bad, JSON.stringify(r.bad));
      assert.deepEqual([r.bad.error.Code, r.bad.error.HTTPStatusCode], ['InvalidParameterException', 400]);
      assert.match(r.bad.error.Message, RETENTION_REFUSED);
      assert.deepEqual([r.ok, r.days], [{ ok: {} }, 3653]);
    });
  });

  // ---------------------------------------------------------------------------------------------------------------
  describe('tags', () => {
    it(
      'the AWS CLI: tag-resource and list-tags-for-resource by ARN; tag-log-group and list-tags-log-group by name',
      {
        skip: noAwsCli,
      },
      async () => {
        const G = '/cli/tags';
        await makeGroup(logs, G, [], { team: 'blue', env: 'dev' });
        const arn = groupArn(G);
        cliOk(endpoint(), ['logs', 'tag-resource', '--resource-arn', arn, '--tags', 'owner=ops,env=prod']);
        assert.deepEqual(cliOk(endpoint(), ['logs', 'list-tags-for-resource', '--resource-arn', arn]), {
          tags: { team: 'blue', env: 'prod', owner: 'ops' },
        });
        cliOk(endpoint(), ['logs', 'tag-log-group', '--log-group-name', G, '--tags', 'stage=beta']);
        assert.deepEqual(cliOk(endpoint(), ['logs', 'list-tags-log-group', '--log-group-name', G]), {
          tags: { team: 'blue', env: 'prod', owner: 'ops', stage: 'beta' },
        });
      },
    );

    it(
      'boto3: both tagging APIs, by ARN and by name, see the same tags; a missing group is not found',
      {
        skip: noBoto3,
      },
      () => {
        const G = '/py/tags';
        const r = run<Record<string, Attempt>>(`
g, arn = ${py(G)}, ${py(groupArn(G))}
logs.create_log_group(logGroupName=g, tags={'team': 'red', 'env': 'dev'})
logs.tag_log_group(logGroupName=g, tags={'cost': '42'})
res = {'by_arn': attempt(logs.list_tags_for_resource, resourceArn=arn)}
logs.untag_resource(resourceArn=arn, tagKeys=['env'])
logs.untag_log_group(logGroupName=g, tags=['team'])
res['by_name'] = attempt(logs.list_tags_log_group, logGroupName=g)
res['missing'] = attempt(logs.tag_resource, resourceArn=${py(groupArn('/py/none'))}, tags={'a': 'b'})
out(res)
`);
        assert.deepEqual(r, {
          by_arn: { ok: { tags: { team: 'red', env: 'dev', cost: '42' } } },
          by_name: { ok: { tags: { cost: '42' } } },
          missing: awsError('ResourceNotFoundException', 400, MSG.groupNotFound),
        });
      },
    );

    it(
      'boto3: the ARN with the trailing :* (as DescribeLogGroups gives it) is ValidationException',
      {
        skip: noBoto3,
      },
      async () => {
        const G = '/py/tags-star';
        await makeGroup(logs, G);
        const r = run<{ star: Attempt }>(`
out({'star': attempt(logs.list_tags_for_resource, resourceArn=${py(`${groupArn(G)}:*`)})})
`);
        assert.deepEqual(r.star, awsError('ValidationException', 400, MSG.invalidResourceArn));
      },
    );
  });

  // ---------------------------------------------------------------------------------------------------------------
  describe('validation', () => {
    it(
      'boto3 (its own checks off): InvalidParameterException, "1 validation error detected: …"',
      {
        skip: noBoto3,
      },
      () => {
        const r = run<Record<string, Attempt>>(`
logs.create_log_group(logGroupName='/py/valid')
out({
    'group': attempt(logs.create_log_group, logGroupName='C:/Program Files/Git/app'),
    'stream': attempt(logs.create_log_stream, logGroupName='/py/valid', logStreamName='a:b'),
    'limit': attempt(logs.describe_log_groups, limit=51),
    'zero': attempt(logs.describe_log_streams, logGroupName='/py/valid', limit=0),
})
`);
        assert.deepEqual(r, {
          group: awsError(
            'InvalidParameterException',
            400,
            validationMessage('C:/Program Files/Git/app', 'logGroupName', GROUP_PATTERN),
          ),
          stream: awsError(
            'InvalidParameterException',
            400,
            validationMessage('a:b', 'logStreamName', 'Member must satisfy regular expression pattern: [^:*]*'),
          ),
          limit: awsError(
            'InvalidParameterException',
            400,
            validationMessage('51', 'limit', 'Member must have value less than or equal to 50'),
          ),
          zero: awsError(
            'InvalidParameterException',
            400,
            validationMessage('0', 'limit', 'Member must have value greater than or equal to 1'),
          ),
        });
      },
    );

    it('the AWS CLI and SDK v3: a log group name outside the pattern', async (t) => {
      const expected = validationMessage('bad name!', 'logGroupName', GROUP_PATTERN);
      assert.deepEqual(
        await logsErrorOf(logs.send(new CreateLogGroupCommand({ logGroupName: 'bad name!' }))),
        sdkError('InvalidParameterException', expected),
      );
      if (noAwsCli) return t.skip(noAwsCli);
      const r = cliRun(endpoint(), ['logs', 'create-log-group', '--log-group-name', 'bad name!']);
      assert.deepEqual(
        { status: r.status, stderr: r.stderr },
        {
          status: cliServiceErrorStatus(),
          stderr: cliErrorLine('InvalidParameterException', 'CreateLogGroup', expected),
        },
      );
    });
  });

  // ---------------------------------------------------------------------------------------------------------------
  describe('authorization', () => {
    const ALLOWED = '/auth/allowed';
    const OTHER = '/auth/other';
    let cloud: Cloud;
    let writer: Creds;
    let tagged: Creds;
    let asWriter: CloudWatchLogsClient;
    before(async () => {
      cloud = new Cloud(endpoint());
      for (const g of [ALLOWED, OTHER]) await makeGroup(logs, g, ['app']);
      await makeGroup(logs, '/auth/blue', ['app'], { team: 'blue' });
      await makeGroup(logs, '/auth/red', ['app'], { team: 'red' });
      writer = await cloud.user('log-writer', doc(allow('logs:PutLogEvents', `${groupArn(ALLOWED)}:log-stream:*`)));
      tagged = await cloud.user(
        'blue-writer',
        doc(allow('logs:PutLogEvents', '*', { StringEquals: { 'aws:ResourceTag/team': 'blue' } })),
      );
      asWriter = logsClient(endpoint(), writer);
    });
    after(() => {
      asWriter.destroy();
      cloud.destroy();
    });
    const denied = (user: string, group: string) =>
      MSG.denied(userArn(user), 'logs:PutLogEvents', streamArn(group, 'app'));

    it('SDK v3: PutLogEvents is allowed on the streams of the one group, and denied on another', async () => {
      await put(asWriter, ALLOWED, 'app', recent(['allowed']));
      assert.deepEqual(await messagesOf(logs, ALLOWED, 'app'), ['allowed']);
      assert.deepEqual(
        await logsErrorOf(put(asWriter, OTHER, 'app', recent(['refused']))),
        sdkError('AccessDeniedException', denied('log-writer', OTHER)),
      );
      // Nothing else is allowed: reading its own group back is denied too, on the stream.
      assert.deepEqual(
        await logsErrorOf(asWriter.send(new GetLogEventsCommand({ logGroupName: ALLOWED, logStreamName: 'app' }))),
        sdkError(
          'AccessDeniedException',
          MSG.denied(userArn('log-writer'), 'logs:GetLogEvents', streamArn(ALLOWED, 'app')),
        ),
      );
      assert.deepEqual(await messagesOf(logs, OTHER, 'app'), []);
    });

    it('the AWS CLI and boto3 show the same denial', async (t) => {
      const events = JSON.stringify(recent(['refused']));
      if (!noAwsCli) {
        const r = cliRun(
          endpoint(),
          ['logs', 'put-log-events', '--log-group-name', OTHER, '--log-stream-name', 'app', '--log-events', events],
          { id: writer.accessKeyId, secret: writer.secretAccessKey },
        );
        assert.deepEqual(
          { status: r.status, stderr: r.stderr },
          {
            status: cliServiceErrorStatus(),
            stderr: cliErrorLine('AccessDeniedException', 'PutLogEvents', denied('log-writer', OTHER)),
          },
        );
      }
      if (noBoto3) return t.skip(noBoto3);
      const r = run<{ other: Attempt; allowed: Attempt }>(`
w = client('logs', ${py(writer.accessKeyId)}, ${py(writer.secretAccessKey)})
events = ${py(recent(['boto3']))}
out({'other': attempt(w.put_log_events, logGroupName=${py(OTHER)}, logStreamName='app', logEvents=events),
     'allowed': attempt(w.put_log_events, logGroupName=${py(ALLOWED)}, logStreamName='app', logEvents=events)})
`);
      assert.deepEqual(r.other, awsError('AccessDeniedException', 400, denied('log-writer', OTHER)));
      assert.ok('ok' in r.allowed, JSON.stringify(r.allowed));
    });

    it('aws:ResourceTag/team in a condition follows the log group’s tags, and a retag applies at once', async () => {
      const client = logsClient(endpoint(), tagged);
      try {
        await put(client, '/auth/blue', 'app', recent(['blue']));
        assert.deepEqual(
          await logsErrorOf(put(client, '/auth/red', 'app', recent(['red']))),
          sdkError('AccessDeniedException', denied('blue-writer', '/auth/red')),
        );
        await logs.send(new TagResourceCommand({ resourceArn: groupArn('/auth/red'), tags: { team: 'blue' } }));
        await put(client, '/auth/red', 'app', recent(['now blue']));
        assert.deepEqual(await messagesOf(logs, '/auth/red', 'app'), ['now blue']);
      } finally {
        client.destroy();
      }
    });
  });

  // ---------------------------------------------------------------------------------------------------------------
  describe('aws logs tail (AWS CLI v2)', { skip: noCliV2 }, () => {
    it('prints the group’s recent events, one line each: time, stream, message', async () => {
      const G = '/tail/once';
      await makeGroup(logs, G, ['web']);
      await put(logs, G, 'web', recent(['first line', 'second line'], 5000));
      const { command, args, env } = cliV2(endpoint(), ['logs', 'tail', G]);
      const r = spawnSync(command, args, { env, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines.length, 2, r.stdout);
      assert.match(lines[0] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 web first line$/);
      assert.match(lines[1] ?? '', /^\S+ web second line$/);
    });

    it('--follow prints an event put after it started', async () => {
      const G = '/tail/follow';
      await makeGroup(logs, G, ['web']);
      await put(logs, G, 'web', recent(['before follow'], 5000));
      const { command, args, env } = cliV2(endpoint(), ['logs', 'tail', G, '--follow', '--format', 'short']);
      const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise((done) => child.once('exit', done));
      const detail = () => `stdout:\n${stdout}\nstderr:\n${stderr}`;
      try {
        await until('the event put before --follow', () => stdout.includes('before follow'), 30_000, detail);
        await put(logs, G, 'web', [{ timestamp: Date.now(), message: 'after follow' }]);
        // The CLI polls FilterLogEvents every 5 seconds (awscli/customizations/logs/tail.py, _TIME_TO_SLEEP).
        await until('the event put after --follow started', () => stdout.includes('after follow'), 30_000, detail);
      } finally {
        child.kill('SIGTERM');
        await exited;
      }
      const lines = stdout.trim().split('\n');
      assert.deepEqual(
        lines.map((l) => l.replace(/^\S+ /, '')),
        ['before follow', 'after follow'],
        'each event once, in order',
      );
    });
  });
});
