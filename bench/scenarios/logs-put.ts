/**
 * CloudWatch Logs PutLogEvents over HTTP (issue 7): batches of 100 and of 1,000 events of about 100 bytes each
 * into one log stream, one table per batch size, in requests/s and events/s. The requests are what the SDKs send:
 * JSON 1.1 (`POST /`, `Content-Type: application/x-amz-json-1.1`, `X-Amz-Target: Logs_20140328.PutLogEvents`),
 * SigV4-signed by the account's root, enforcement on (rolecall's default). Targets: rolecall with the memory
 * store, rolecall with its default store (SQLite: each batch committed in a transaction), and a bare node:http
 * server that reads each request body whole and answers rolecall's own PutLogEvents reply, byte for byte.
 *
 * Every event of every batch carries the same timestamp (the time of the setup): a batch is then always appended
 * after the events already stored, as a live writer's batches are. Before each rolecall point the stream is
 * deleted and created again, so that no point pays for the events of the points before it. No goal: the tables
 * give the ratios.
 */
import { expectDenied, flatHeaders, policylessUser, REGION, ROOT, type Credentials } from '../lib/aws.ts';
import { expectOk, type Reply } from '../lib/http.ts';
import type {
  MeasuredPoint,
  PointRequest,
  Scenario,
  ScenarioContext,
  ScenarioResult,
  TargetReport,
} from '../lib/scenario.ts';
import type { RestRequest } from '../lib/sign.ts';
import { HOST, startBareTarget, startRolecallTarget, type Target } from '../lib/targets.ts';

const GROUP = '/rolecall/bench';
const STREAM = 'bench-stream';
const BATCHES: readonly number[] = [100, 1000];
const MESSAGE_BYTES = 100;
/** PutLogEvents' reply always names the next sequence token (56 digits in rolecall, src/services/logs/tokens.ts). */
const REPLY_TEXT = '"nextSequenceToken":"';

/**
 * A JSON 1.1 call to CloudWatch Logs, as botocore and SDK v3 send it (botocore's logs service-2.json: protocol
 * json, jsonVersion 1.1, targetPrefix Logs_20140328; no x-amz-content-sha256, the body's hash only signed).
 */
const logs = (action: string, input: unknown, creds: Credentials = ROOT): RestRequest => ({
  ...creds,
  region: REGION,
  host: HOST,
  service: 'logs',
  method: 'POST',
  path: '/',
  headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Logs_20140328.${action}` },
  body: JSON.stringify(input),
});

/** An access-log-like line of exactly MESSAGE_BYTES bytes, different for each event. */
function message(i: number, timestamp: number): string {
  const line = `${new Date(timestamp).toISOString()} INFO GET /api/items/${i} status=200 latency_ms=${i % 97} req=`;
  return (line + 'x'.repeat(MESSAGE_BYTES)).slice(0, MESSAGE_BYTES);
}

const putLogEvents = (events: number, timestamp: number, creds: Credentials = ROOT) =>
  logs(
    'PutLogEvents',
    {
      logGroupName: GROUP,
      logStreamName: STREAM,
      logEvents: Array.from({ length: events }, (_, i) => ({ timestamp, message: message(i, timestamp) })),
    },
    creds,
  );

/** Deletes the stream (with its events) when it exists and creates it empty. */
async function freshStream(target: Target): Promise<void> {
  if (target.name !== 'bare') {
    await expectOk(target, logs('DeleteLogStream', { logGroupName: GROUP, logStreamName: STREAM }), 'DeleteLogStream');
    await expectOk(target, logs('CreateLogStream', { logGroupName: GROUP, logStreamName: STREAM }), 'CreateLogStream');
  }
}

/**
 * The group and stream, made as the root; then a PutLogEvents by a user with no policy must be refused, and the
 * root's batches must all be accepted. Returns rolecall's reply to each batch size.
 */
async function prepare(target: Target, timestamp: number): Promise<Map<number, Reply>> {
  const name = target.name;
  await expectOk(target, logs('CreateLogGroup', { logGroupName: GROUP }), `${name} CreateLogGroup`);
  await expectOk(target, logs('CreateLogStream', { logGroupName: GROUP, logStreamName: STREAM }), `${name} stream`);
  const nobody = await policylessUser(target, 'bench-logs-nobody');
  // JSON protocols send AccessDeniedException as a 400 (src/auth/denials.ts, from botocore's logs model).
  await expectDenied(target, putLogEvents(1, timestamp, nobody), 400, 'AccessDeniedException', 'PutLogEvents');
  const samples = new Map<number, Reply>();
  for (const events of BATCHES) {
    const reply = await expectOk(target, putLogEvents(events, timestamp), `${name} PutLogEvents ×${events}`);
    const text = reply.body.toString('utf8');
    if (!text.includes(REPLY_TEXT) || text.includes('rejectedLogEventsInfo')) {
      throw new Error(`${name} PutLogEvents ×${events}: not every event was accepted:\n${text.slice(0, 2000)}`);
    }
    samples.set(events, reply);
  }
  return samples;
}

async function run(ctx: ScenarioContext): Promise<ScenarioResult[]> {
  const targets: Target[] = [];
  const results: ScenarioResult[] = [];
  // Whole milliseconds, as the API takes them; well inside the 14 days and 2 hours PutLogEvents accepts.
  const timestamp = Date.now();
  try {
    const memory = await startRolecallTarget({ name: 'rolecall', cpuProfile: ctx.profilePath('rolecall') });
    targets.push(memory);
    const sqlite = await startRolecallTarget({
      name: 'rolecall-sqlite',
      store: 'sqlite',
      cpuProfile: ctx.profilePath('rolecall-sqlite'),
    });
    targets.push(sqlite);
    const samples = new Map<Target, Map<number, Reply>>();
    for (const target of [memory, sqlite]) samples.set(target, await prepare(target, timestamp));

    for (const events of BATCHES) {
      const request = putLogEvents(events, timestamp);
      const sample = samples.get(memory)?.get(events) as Reply;
      ctx.log(
        `rolecall PutLogEvents ×${events}: request body ${Buffer.byteLength(request.body)} bytes, ` +
          `reply ${sample.body.length} bytes`,
      );
      const bare = await startBareTarget(sample.body, flatHeaders(sample.headers), `PutLogEvents reply`);
      targets.push(bare);
      const replayed = await expectOk(bare, request, `bare PutLogEvents ×${events}`);
      if (!replayed.body.equals(sample.body)) throw new Error('the bare server does not replay rolecall’s reply');

      const measured = [memory, sqlite, bare];
      const load: Omit<PointRequest, 'concurrency'> = {
        request,
        // The token's digits change, its length does not: every reply has the sample's length.
        expectBodyBytes: sample.body.length,
        expectBodyText: REPLY_TEXT,
      };
      ctx.log(`×${events}: priming and measuring ${measured.map((t) => t.name).join(', ')}`);
      for (const target of measured) {
        await freshStream(target);
        await ctx.prime(target, load);
      }
      const points: MeasuredPoint[] = [];
      // Interleaved (every target at one concurrency, then the next), so the ratios compare neighbours in time.
      for (let round = 0; round < ctx.options.rounds; round++) {
        for (const concurrency of ctx.options.concurrency) {
          for (const target of measured) {
            await freshStream(target);
            points.push(await ctx.measure(round, target, { ...load, concurrency }));
          }
        }
      }
      await bare.stop();
      targets.splice(targets.indexOf(bare), 1);
      const reports: TargetReport[] = measured.map((t) => ({
        name: t.name,
        description: t.description,
        skipped: undefined,
      }));
      results.push({
        name: `${scenario.name}/${events}`,
        description:
          `PutLogEvents of ${events.toLocaleString('en-US')} events of ${MESSAGE_BYTES} bytes into one stream ` +
          `(JSON 1.1, ${Buffer.byteLength(request.body).toLocaleString('en-US')} bytes of body), signed by the root; ` +
          'enforcement on',
        targets: reports,
        points,
        baseline: 'bare',
        comparisons: [
          { target: 'rolecall', baseline: 'bare' },
          { target: 'rolecall-sqlite', baseline: 'bare' },
        ],
        throughput: { label: 'events/s', perUnit: events },
      });
    }
  } finally {
    for (const target of targets.reverse()) await target.stop();
  }
  return results;
}

export const scenario: Scenario = {
  name: 'logs-put',
  description: 'CloudWatch Logs PutLogEvents, batches of 100 and 1,000 events, signed by the root, enforcement on',
  defaultSeconds: 3,
  run,
};
