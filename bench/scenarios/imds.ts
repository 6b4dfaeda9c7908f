/**
 * The instance metadata service (issue 6): how many credential fetches per second a workload gets from an
 * instance's metadata listener, against a bare node:http server giving the same two replies; and what each running
 * instance costs rolecall in memory and start-up time, with 10 and with 1,000 instances.
 *
 * 1. A credential fetch is what an SDK does on an instance: `PUT /latest/api/token` (TTL 21600 s), then
 *    `GET /latest/meta-data/iam/security-credentials/<role>` with that token, measured as one unit by the load
 *    generator (an HttpSequence). rolecall: one instance launched with a profile whose role trusts
 *    ec2.amazonaws.com, its listener found through `GET /_rolecall/instances/<id>`. bare: rolecall's two replies
 *    replayed byte for byte. Every reply is checked: 200, the token's length, the credentials' length and their
 *    `"Code": "Success"` and `"AccessKeyId": "ASIA`. No goal: the table gives the ratio. Before and after the
 *    table, 500 token PUTs alone on one connection show what the tokens minted meanwhile cost the next PUT.
 * 2. Per-instance cost, in a fresh rolecall: launch 10 instances, then 1,000 more (one RunInstances each, MaxCount),
 *    and measure the time until every new instance's metadata endpoint is listening, rolecall's CPU for the launch,
 *    its RSS (VmRSS) before and after, and its idle CPU with them all running; then fetch credentials from one of
 *    the 1,000 to show its endpoint answers.
 */
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { processCpuSeconds, processRssBytes } from '../lib/cpu.ts';
import { expectOk, send, type Endpoint, type Reply } from '../lib/http.ts';
import type { HttpSequence } from '../lib/load-protocol.ts';
import { table } from '../lib/report.ts';
import type {
  MeasuredPoint,
  PointRequest,
  Scenario,
  ScenarioContext,
  ScenarioResult,
  TargetReport,
} from '../lib/scenario.ts';
import type { QueryRequest } from '../lib/sign.ts';
import { HOST, startBareRoutesTarget, startRolecallTarget, type Target } from '../lib/targets.ts';

const ROLE_NAME = 'bench-imds-role';
const PROFILE_NAME = 'bench-imds-profile';
const IMAGE = 'ami-0abcdef1234567890';
const TOKEN_PATH = '/latest/api/token';
const CREDENTIALS_PATH = `/latest/meta-data/iam/security-credentials/${ROLE_NAME}`;
const TTL_HEADER = 'x-aws-ec2-metadata-token-ttl-seconds';
const TOKEN_HEADER = 'x-aws-ec2-metadata-token';
/** What the SDKs ask for: botocore and SDK v3 both request six-hour tokens. */
const TTL_SECONDS = '21600';
/** Instances stay pending this long on rolecall's clock (src/services/ec2/instances.ts, SETTLE_MS). */
const PENDING_MS = 500;
/** The batches of the per-instance cost, launched one after the other into the same server. */
const BATCHES: readonly number[] = [10, 1000];
const LAST_BATCH = BATCHES[BATCHES.length - 1] ?? 0;
/** Give up on a batch's listeners after this long. */
const LISTEN_TIMEOUT_MS = 60_000;
/** How often the last instance of a batch is polled for its metadata endpoint. */
const POLL_MS = 10;
/** The launch is over when rolecall used less than this share of a core for two samples in a row … */
const QUIET_CPU = 0.05;
const QUIET_SAMPLE_MS = 250;
/** … or after this long. */
const SETTLE_TIMEOUT_MS = 30_000;
/** Rolecall's CPU with every instance running and nothing asked of it. */
const IDLE_WINDOW_MS = 2_000;
/** Token PUTs, one after the other on one connection, of each probe of the PUT's latency. */
const PROBE_PUTS = 500;
/** Admin requests in flight while confirming every endpoint of a batch. */
const SWEEP_CONCURRENCY = 8;

const TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** Root of the default account (`test`/`test`). */
const ROOT = { region: 'us-east-1', accessKeyId: 'test', secretAccessKey: 'test', host: HOST } as const;
const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
const iam = (action: string, params: Record<string, string>): QueryRequest => ({
  ...ROOT,
  service: 'iam',
  body: form({ Action: action, ...params, Version: '2010-05-08' }),
});
const ec2 = (action: string, params: Record<string, string>): QueryRequest => ({
  ...ROOT,
  service: 'ec2',
  body: form({ Action: action, ...params, Version: '2016-11-15' }),
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The role (trusting ec2.amazonaws.com) and an instance profile holding it. */
async function createProfile(target: Target): Promise<void> {
  await expectOk(
    target,
    iam('CreateRole', { RoleName: ROLE_NAME, AssumeRolePolicyDocument: TRUST_POLICY }),
    'CreateRole',
  );
  await expectOk(target, iam('CreateInstanceProfile', { InstanceProfileName: PROFILE_NAME }), 'CreateInstanceProfile');
  await expectOk(
    target,
    iam('AddRoleToInstanceProfile', { InstanceProfileName: PROFILE_NAME, RoleName: ROLE_NAME }),
    'AddRoleToInstanceProfile',
  );
}

/** RunInstances of `count` instances with the profile; their ids, in launch order. */
async function launch(target: Target, count: number): Promise<string[]> {
  const reply = await expectOk(
    target,
    ec2('RunInstances', {
      ImageId: IMAGE,
      InstanceType: 't3.micro',
      MinCount: String(count),
      MaxCount: String(count),
      'IamInstanceProfile.Name': PROFILE_NAME,
    }),
    `RunInstances (${count})`,
  );
  const ids = [...reply.body.toString('utf8').matchAll(/<instanceId>(i-[0-9a-f]+)<\/instanceId>/g)].map((m) => m[1]);
  const unique = [...new Set(ids)].filter((id): id is string => id !== undefined);
  if (unique.length !== count) {
    throw new Error(
      `RunInstances of ${count} answered ${unique.length} instance ids:\n${reply.body.toString('utf8').slice(0, 2000)}`,
    );
  }
  return unique;
}

/**
 * The instance's metadata endpoint from `GET /_rolecall/instances/<id>`, or undefined while it has none. Over the
 * keep-alive `agent` when given, so that polling costs rolecall as little as it can.
 */
async function metadataEndpoint(target: Target, id: string, agent?: Agent): Promise<Endpoint | undefined> {
  const reply = await send(target, 'GET', `/_rolecall/instances/${id}`, {}, undefined, agent);
  if (reply.status !== 200) {
    throw new Error(`GET /_rolecall/instances/${id} answered ${reply.status}: ${reply.body.toString('utf8')}`);
  }
  const info = JSON.parse(reply.body.toString('utf8')) as { metadataEndpoint?: string };
  if (info.metadataEndpoint === undefined) return undefined;
  const url = new URL(info.metadataEndpoint);
  return { host: url.hostname, port: Number(url.port) };
}

/**
 * Polls one instance until its metadata endpoint is listening: milliseconds since `since` when it was seen, and
 * the slowest poll (rolecall answers it only when its event loop is free).
 */
async function awaitEndpoint(
  target: Target,
  id: string,
  since: number,
): Promise<{ endpoint: Endpoint; ms: number; slowestPollMs: number }> {
  const deadline = since + LISTEN_TIMEOUT_MS;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let slowestPollMs = 0;
  try {
    for (;;) {
      const t0 = performance.now();
      const endpoint = await metadataEndpoint(target, id, agent);
      slowestPollMs = Math.max(slowestPollMs, performance.now() - t0);
      if (endpoint !== undefined) return { endpoint, ms: performance.now() - since, slowestPollMs };
      if (performance.now() > deadline) throw new Error(`${id} has no metadata endpoint after ${LISTEN_TIMEOUT_MS} ms`);
      await sleep(POLL_MS);
    }
  } finally {
    agent.destroy();
  }
}

/** Every instance's endpoint, SWEEP_CONCURRENCY at a time; throws when one has none or two share a port. */
async function confirmEndpoints(target: Target, ids: readonly string[]): Promise<Endpoint[]> {
  const endpoints: Endpoint[] = new Array<Endpoint>(ids.length);
  const agent = new Agent({ keepAlive: true, maxSockets: SWEEP_CONCURRENCY });
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < ids.length; i = next++) {
      const id = ids[i] ?? '';
      const endpoint = await metadataEndpoint(target, id, agent);
      if (endpoint === undefined) throw new Error(`${id} reported no metadata endpoint after another had one`);
      endpoints[i] = endpoint;
    }
  };
  try {
    await Promise.all(Array.from({ length: SWEEP_CONCURRENCY }, worker));
  } finally {
    agent.destroy();
  }
  const ports = new Set(endpoints.map((e) => e.port));
  if (ports.size !== ids.length) throw new Error(`${ids.length} instances share ${ports.size} metadata ports`);
  return endpoints;
}

interface Fetched {
  readonly token: Reply;
  readonly credentials: Reply;
  /** The literal texts of the reply that say Code Success and an ASIA key, as the load checks every reply for. */
  readonly checks: readonly string[];
  readonly ms: number;
}

/** One credential fetch (token PUT, credentials GET) on fresh connections, checked; throws with the reply. */
async function fetchCredentials(endpoint: Endpoint, what: string): Promise<Fetched> {
  const t0 = performance.now();
  const token = await send(endpoint, 'PUT', TOKEN_PATH, { [TTL_HEADER]: TTL_SECONDS, 'content-length': '0' });
  if (token.status !== 200 || token.body.length === 0) {
    throw new Error(`${what}: the token PUT answered ${token.status}: ${token.body.toString('utf8').slice(0, 500)}`);
  }
  if (token.headers[TTL_HEADER] !== TTL_SECONDS) {
    throw new Error(`${what}: the token PUT echoed TTL ${String(token.headers[TTL_HEADER])}, not ${TTL_SECONDS}`);
  }
  const credentials = await send(endpoint, 'GET', CREDENTIALS_PATH, { [TOKEN_HEADER]: token.body.toString('utf8') });
  const ms = performance.now() - t0;
  const text = credentials.body.toString('utf8');
  if (credentials.status !== 200)
    throw new Error(`${what}: the credentials GET answered ${credentials.status}: ${text}`);
  let parsed: { Code?: unknown; AccessKeyId?: unknown; SecretAccessKey?: unknown; Token?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new Error(`${what}: the credentials are not JSON:\n${text.slice(0, 2000)}`);
  }
  const code = /"Code"\s*:\s*"Success"/.exec(text)?.[0];
  const key = /"AccessKeyId"\s*:\s*"ASIA/.exec(text)?.[0];
  if (
    parsed.Code !== 'Success' ||
    typeof parsed.AccessKeyId !== 'string' ||
    !parsed.AccessKeyId.startsWith('ASIA') ||
    typeof parsed.SecretAccessKey !== 'string' ||
    typeof parsed.Token !== 'string' ||
    code === undefined ||
    key === undefined
  ) {
    throw new Error(`${what}: not role credentials with Code Success and an ASIA key:\n${text.slice(0, 2000)}`);
  }
  return { token, credentials, checks: [code, key], ms };
}

/**
 * The median and 90th percentile latency (µs) of PROBE_PUTS token PUTs sent one after the other on one keep-alive
 * connection. Each mints a token, as every fetch of the table does, so the figure before and after the table shows
 * what the tokens kept so far cost the next PUT.
 */
async function probePut(endpoint: Endpoint): Promise<{ p50: number; p90: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      const req = request(
        {
          agent,
          host: endpoint.host,
          port: endpoint.port,
          method: 'PUT',
          path: TOKEN_PATH,
          headers: { [TTL_HEADER]: TTL_SECONDS, 'content-length': '0' },
          timeout: 10_000,
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 200
              ? resolve((performance.now() - t0) * 1000)
              : reject(new Error(`a token PUT answered ${res.statusCode}`)),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('a token PUT got no reply in 10 s')));
      req.on('error', reject);
      req.end();
    });
  try {
    const times: number[] = [];
    for (let i = 0; i < PROBE_PUTS; i++) times.push(await once());
    times.sort((a, b) => a - b);
    return { p50: times[Math.floor(times.length / 2)] ?? 0, p90: times[Math.floor(times.length * 0.9)] ?? 0 };
  } finally {
    agent.destroy();
  }
}

/** rolecall's side of the table: the instance's metadata listener, inside the rolecall process. */
function listenerTarget(rolecall: Target, endpoint: Endpoint, id: string): Target {
  return {
    name: 'rolecall',
    description: `${id}'s metadata listener in ${rolecall.description}`,
    host: endpoint.host,
    port: endpoint.port,
    pid: rolecall.pid,
    stop: async () => {}, // the listener closes with rolecall
  };
}

interface PutProbes {
  readonly before: { p50: number; p90: number };
  readonly after: { p50: number; p90: number };
  /** Tokens the instance minted before the second probe, at least (the priming's are not counted). */
  readonly minted: number;
}

async function fetchTable(ctx: ScenarioContext): Promise<{ result: ScenarioResult; probes: PutProbes | undefined }> {
  const targets: Target[] = [];
  const reports: TargetReport[] = [];
  const points: MeasuredPoint[] = [];
  let probes: PutProbes | undefined;
  try {
    const rolecall = await startRolecallTarget({ cpuProfile: ctx.profilePath('rolecall') });
    targets.push(rolecall);
    await createProfile(rolecall);
    const [id] = await launch(rolecall, 1);
    if (id === undefined) throw new Error('RunInstances launched nothing');
    const { endpoint, ms } = await awaitEndpoint(rolecall, id, performance.now());
    ctx.log(`${id} metadata endpoint http://${endpoint.host}:${endpoint.port} (listening after ${ms.toFixed(0)} ms)`);
    const imds = listenerTarget(rolecall, endpoint, id);
    reports.push({ name: imds.name, description: imds.description, skipped: undefined });

    const sample = await fetchCredentials(endpoint, 'rolecall');
    ctx.log(
      `rolecall replies: token ${sample.token.body.length} bytes, credentials ${sample.credentials.body.length} bytes`,
    );
    const bare = await startBareRoutesTarget(
      [
        { method: 'PUT', path: TOKEN_PATH, body: sample.token.body, headers: flatHeaders(sample.token.headers) },
        {
          method: 'GET',
          path: CREDENTIALS_PATH,
          body: sample.credentials.body,
          headers: flatHeaders(sample.credentials.headers),
        },
      ],
      `the token PUT (${sample.token.body.length} bytes) and the credentials GET (${sample.credentials.body.length} bytes)`,
    );
    targets.push(bare);
    reports.push({ name: bare.name, description: bare.description, skipped: undefined });
    const replayed = await fetchCredentials(bare, 'bare');
    if (!replayed.token.body.equals(sample.token.body) || !replayed.credentials.body.equals(sample.credentials.body))
      throw new Error("the bare server does not replay rolecall's replies exactly");

    // The token is new on every PUT but always as long; the credentials are the instance's cached ones, so the
    // same bytes on every GET (rolecall replaces them only when less than an hour of their six is left).
    const sequence: HttpSequence = {
      steps: [
        {
          method: 'PUT',
          path: TOKEN_PATH,
          headers: { [TTL_HEADER]: TTL_SECONDS, 'content-length': '0' },
          expectBodyBytes: sample.token.body.length,
        },
        {
          method: 'GET',
          path: CREDENTIALS_PATH,
          headers: {},
          previousBodyAs: TOKEN_HEADER,
          expectBodyBytes: sample.credentials.body.length,
          expectTexts: sample.checks,
        },
      ],
    };
    const load: Omit<PointRequest, 'concurrency'> = {
      request: sequence,
      expectBodyBytes: undefined,
      expectBodyText: '',
    };
    const measured = [imds, bare];
    const before = await probePut(endpoint);
    for (const target of measured) await ctx.prime(target, load);
    // Interleaved (every target at one concurrency, then the next), so the ratios compare neighbours in time.
    for (let round = 0; round < ctx.options.rounds; round++) {
      for (const concurrency of ctx.options.concurrency) {
        for (const target of measured) points.push(await ctx.measure(round, target, { ...load, concurrency }));
      }
    }
    const after = await probePut(endpoint);
    const minted = PROBE_PUTS + points.filter((p) => p.target === imds.name).reduce((n, p) => n + p.result.finished, 0);
    probes = { before, after, minted };
    ctx.log(
      `token PUT on one connection: p50 ${micros(before.p50)} before the table, ${micros(after.p50)} after it ` +
        `(≥ ${int(minted)} tokens minted in between)`,
    );
  } finally {
    for (const target of targets.reverse()) await target.stop();
  }
  const result: ScenarioResult = {
    name: scenario.name,
    description:
      `IMDSv2 credential fetch = PUT ${TOKEN_PATH} (TTL ${TTL_SECONDS}) + GET ${CREDENTIALS_PATH} with the token, ` +
      'both over one keep-alive connection; 1 fetch = 2 requests, latency of the pair',
    targets: reports,
    points,
    baseline: 'bare',
    comparisons: [{ target: 'rolecall', baseline: 'bare' }],
    unit: 'fetch',
  };
  return { result, probes };
}

interface Batch {
  readonly launched: number;
  readonly running: number;
  readonly runInstancesMs: number;
  readonly listeningMs: number;
  /** The slowest admin poll while waiting for the batch: how long rolecall did not answer at all. */
  readonly slowestPollMs: number;
  readonly launchCpuMs: number | undefined;
  readonly settledMs: number;
  readonly rssBefore: number | undefined;
  readonly rssAfter: number | undefined;
  readonly idleCpu: number | undefined;
}

/** Waits until rolecall used less than QUIET_CPU of a core in two samples in a row (or SETTLE_TIMEOUT_MS). */
async function settle(pid: number | undefined): Promise<void> {
  const deadline = performance.now() + SETTLE_TIMEOUT_MS;
  let quiet = 0;
  const first = processCpuSeconds(pid);
  if (first === undefined) {
    await sleep(QUIET_SAMPLE_MS * 4);
    return;
  }
  let last: number = first;
  while (quiet < 2 && performance.now() < deadline) {
    await sleep(QUIET_SAMPLE_MS);
    const now: number = processCpuSeconds(pid) ?? last;
    quiet = (now - last) / (QUIET_SAMPLE_MS / 1000) < QUIET_CPU ? quiet + 1 : 0;
    last = now;
  }
}

async function measureBatch(
  rolecall: Target,
  count: number,
  runningBefore: number,
): Promise<Batch & { ids: string[] }> {
  const pid = rolecall.pid;
  const rssBefore = processRssBytes(pid);
  const cpuBefore = processCpuSeconds(pid);
  const t0 = performance.now();
  const ids = await launch(rolecall, count);
  const runInstancesMs = performance.now() - t0;
  // A reconcile opens every listener that is due in one synchronous pass, so the batch's last instance listening
  // means they all are (confirmEndpoints checks every one, after the figures are taken).
  const { ms: listeningMs, slowestPollMs } = await awaitEndpoint(rolecall, ids[ids.length - 1] ?? '', t0);
  await settle(pid);
  const settledMs = performance.now() - t0;
  const cpuAfter = processCpuSeconds(pid);
  const idleStart = processCpuSeconds(pid);
  await sleep(IDLE_WINDOW_MS);
  const idleEnd = processCpuSeconds(pid);
  const rssAfter = processRssBytes(pid);
  await confirmEndpoints(rolecall, ids);
  return {
    ids,
    launched: count,
    running: runningBefore + count,
    runInstancesMs,
    listeningMs,
    slowestPollMs,
    launchCpuMs: cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) * 1000,
    settledMs,
    rssBefore,
    rssAfter,
    idleCpu:
      idleStart === undefined || idleEnd === undefined ? undefined : (idleEnd - idleStart) / (IDLE_WINDOW_MS / 1000),
  };
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : `${(bytes / 2 ** 20).toFixed(1)} MiB`);
const kib = (bytes: number) => `${bytes < 0 ? '−' : ''}${int(Math.abs(bytes) / 1024)} KiB`;
const msText = (n: number) => (n >= 100 ? `${int(n)} ms` : `${n.toFixed(1)} ms`);
const micros = (n: number) => `${int(n)} µs`;
const pct = (n: number | undefined) => (n === undefined ? 'n/a' : `${(n * 100).toFixed(1)}%`);

interface Check {
  readonly id: string;
  readonly endpoint: Endpoint;
  readonly ms: number;
}

async function instanceCost(
  ctx: ScenarioContext,
): Promise<{ lines: string[]; data: { batches: Batch[]; check: Check | null } }> {
  const rolecall = await startRolecallTarget({ name: 'rolecall-cost' });
  const batches: Batch[] = [];
  let check: Check | undefined;
  try {
    await createProfile(rolecall);
    // One instance first, not counted: the first RunInstances and the first listener compile their code paths,
    // which is a one-off cost of the process, not of each instance.
    const [warm] = await launch(rolecall, 1);
    if (warm === undefined) throw new Error('RunInstances launched nothing');
    await awaitEndpoint(rolecall, warm, performance.now());
    await settle(rolecall.pid);
    let running = 1;
    for (const count of BATCHES) {
      ctx.log(`per-instance cost: launching ${int(count)} instances (${int(running)} running)`);
      const batch = await measureBatch(rolecall, count, running);
      running = batch.running;
      const { ids, ...figures } = batch;
      batches.push(figures);
      ctx.log(
        `  all ${int(count)} listening after ${msText(batch.listeningMs)}; RunInstances answered in ` +
          `${msText(batch.runInstancesMs)}; settled after ${msText(batch.settledMs)}; RSS ${mib(batch.rssBefore)} → ${mib(batch.rssAfter)}`,
      );
      if (count === LAST_BATCH) {
        const id = ids[Math.floor(ids.length / 2)] ?? '';
        const endpoint = await metadataEndpoint(rolecall, id);
        if (endpoint === undefined) throw new Error(`${id} lost its metadata endpoint`);
        const fetched = await fetchCredentials(endpoint, `${id} after the ${int(count)} launch`);
        check = { id, endpoint, ms: fetched.ms };
      }
    }
  } finally {
    await rolecall.stop();
  }

  const header = [
    'launched',
    'running',
    'RunInstances',
    'all listening',
    'listening/instance',
    'slowest poll',
    'launch cpu',
    'cpu/instance',
    'RSS before',
    'RSS after',
    'RSS/instance',
    'idle cpu',
  ];
  const rows = [
    header,
    ...batches.map((b) => {
      const grew = b.rssBefore === undefined || b.rssAfter === undefined ? undefined : b.rssAfter - b.rssBefore;
      return [
        int(b.launched),
        int(b.running),
        msText(b.runInstancesMs),
        msText(b.listeningMs),
        msText(b.listeningMs / b.launched),
        msText(b.slowestPollMs),
        b.launchCpuMs === undefined ? 'n/a' : `${int(b.launchCpuMs)} ms`,
        b.launchCpuMs === undefined ? 'n/a' : msText(b.launchCpuMs / b.launched),
        mib(b.rssBefore),
        mib(b.rssAfter),
        grew === undefined ? 'n/a' : kib(grew / b.launched),
        pct(b.idleCpu),
      ];
    }),
  ];
  const lines = [
    `imds/instances: memory and start-up cost per running instance, in a fresh ${rolecall.description}`,
    `  after one uncounted instance, one RunInstances per batch (MaxCount, with the profile), into the same server`,
    '',
    ...table(
      rows,
      header.map(() => true),
    ).map((l) => `  ${l}`),
    '',
    `  all listening: from sending RunInstances until GET /_rolecall/instances/<id> of the batch's last instance`,
    `    (polled every ${POLL_MS} ms on one keep-alive connection) gives its metadata endpoint. One reconcile opens`,
    `    every listener that is due; each instance's own port was checked afterwards. ${PENDING_MS} ms of it is the`,
    `    pending state on rolecall's clock, and up to 200 ms the wait for the next reconcile.`,
    `  slowest poll: the longest of those polls; meanwhile rolecall answered nothing, its metadata listeners included.`,
    `  launch cpu: rolecall's CPU (10 ms ticks) from RunInstances until it was quiet (< ${pct(QUIET_CPU)} of a core`,
    `    for ${(2 * QUIET_SAMPLE_MS) / 1000} s), the polls included.`,
    `  RSS: VmRSS of /proc/<pid>/status before the batch and after ${IDLE_WINDOW_MS / 1000} s idle once quiet, garbage`,
    `    not yet collected included. idle cpu: rolecall's CPU over those ${IDLE_WINDOW_MS / 1000} s.`,
    check === undefined
      ? '  (no endpoint checked)'
      : `  after the ${int(LAST_BATCH)} launch, ${check.id} (http://${check.endpoint.host}:${check.endpoint.port}) ` +
        `answered a token PUT and a credentials GET (ASIA key, Code Success) in ${msText(check.ms)}`,
  ];
  return { lines, data: { batches, check: check ?? null } };
}

function probeLines(probes: PutProbes | undefined): string[] {
  if (probes === undefined) return [];
  const { before, after, minted } = probes;
  return [
    `imds/token-put: rolecall's token PUT alone, ${PROBE_PUTS} one after the other on one keep-alive connection, ` +
      `before and after the table`,
    `  before: p50 ${micros(before.p50)}, p90 ${micros(before.p90)}; after: p50 ${micros(after.p50)}, p90 ` +
      `${micros(after.p90)} (${(after.p50 / before.p50).toFixed(1)}× the p50), with ≥ ${int(minted)} tokens minted in ` +
      `between, each kept for its ${TTL_SECONDS} s`,
    '',
  ];
}

async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const { result, probes } = await fetchTable(ctx);
  const cost = await instanceCost(ctx);
  return {
    ...result,
    appendix: { lines: [...probeLines(probes), ...cost.lines], data: { tokenPut: probes ?? null, ...cost.data } },
  };
}

export const scenario: Scenario = {
  name: 'imds',
  description: 'instance metadata credential fetches (IMDSv2 token + GET) and the cost of each running instance',
  run,
};
