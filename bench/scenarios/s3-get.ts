/**
 * S3 GetObject over HTTP (issue 7): a SigV4-signed, path-style `GET /bench-bucket/<key>` of a 4 KiB and of a
 * 1 MiB object, one table each, in requests/s and MiB/s. Targets: rolecall with the memory store (as the other
 * scenarios), rolecall with its default store (SQLite records, each body in a file of its own, read through
 * the page cache), and a bare node:http server that answers rolecall's own GetObject reply, body and headers,
 * byte for byte. Enforcement is on (rolecall's default): the request is signed by the account's root, and S3
 * has no root shortcut in rolecall, so every GET runs the identity and bucket-policy evaluation. No goal: the
 * tables give the ratios.
 */
import { randomBytes } from 'node:crypto';
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

const BUCKET = 'bench-bucket';
const MIB = 1024 * 1024;

interface Size {
  readonly label: string;
  readonly key: string;
  readonly bytes: number;
}

const SIZES: readonly Size[] = [
  { label: '4KiB', key: 'objects/4KiB.bin', bytes: 4 * 1024 },
  { label: '1MiB', key: 'objects/1MiB.bin', bytes: MIB },
];

/** The first line of each object, which the load generator looks for in the replies it checks. */
const marker = (size: Size) => `rolecall-bench ${size.label} object\n`;

/**
 * The object's body: printable (the signer takes a string) and random, so that nothing along the way can
 * compress or share it.
 */
const objectBody = (size: Size): string =>
  marker(size) +
  randomBytes(size.bytes)
    .toString('base64')
    .slice(0, size.bytes - marker(size).length);

/**
 * A path-style S3 request as SDK v3 signs it: the path not encoded a second time, and x-amz-content-sha256 sent
 * and signed, the SHA-256 of the (here empty) body on a GET (bench/lib/sign.ts).
 */
const s3 = (
  method: string,
  path: string,
  body = '',
  headers: Record<string, string> = {},
  creds: Credentials = ROOT,
): RestRequest => ({
  ...creds,
  region: REGION,
  host: HOST,
  service: 's3',
  method,
  path,
  headers,
  body,
  s3Payload: 'body',
});

const getObject = (size: Size, creds: Credentials = ROOT) => s3('GET', `/${BUCKET}/${size.key}`, '', {}, creds);

/**
 * The bucket and both objects, made as the root; then a GetObject by a user with no policy must be refused, and
 * the root's must give back the exact bytes. Returns rolecall's reply to each GetObject.
 */
async function prepare(target: Target, bodies: ReadonlyMap<Size, string>): Promise<Map<Size, Reply>> {
  const name = target.name;
  await expectOk(target, s3('PUT', `/${BUCKET}`), `${name} CreateBucket`);
  for (const [size, body] of bodies) {
    await expectOk(
      target,
      s3('PUT', `/${BUCKET}/${size.key}`, body, { 'content-type': 'application/octet-stream' }),
      `${name} PutObject ${size.label}`,
    );
  }
  const nobody = await policylessUser(target, 'bench-s3-nobody');
  const first = SIZES[0] as Size;
  await expectDenied(target, getObject(first, nobody), 403, '<Code>AccessDenied</Code>', 'GetObject');
  const samples = new Map<Size, Reply>();
  for (const [size, body] of bodies) {
    const reply = await expectOk(target, getObject(size), `${name} GetObject ${size.label}`);
    if (!reply.body.equals(Buffer.from(body, 'utf8'))) {
      throw new Error(`${name} GetObject ${size.label}: the body is not the object that was put`);
    }
    samples.set(size, reply);
  }
  return samples;
}

async function run(ctx: ScenarioContext): Promise<ScenarioResult[]> {
  const targets: Target[] = [];
  const results: ScenarioResult[] = [];
  try {
    const memory = await startRolecallTarget({ name: 'rolecall', cpuProfile: ctx.profilePath('rolecall') });
    targets.push(memory);
    const sqlite = await startRolecallTarget({
      name: 'rolecall-sqlite',
      store: 'sqlite',
      cpuProfile: ctx.profilePath('rolecall-sqlite'),
    });
    targets.push(sqlite);
    const bodies = new Map(SIZES.map((size) => [size, objectBody(size)]));
    const samples = new Map<Target, Map<Size, Reply>>();
    for (const target of [memory, sqlite]) samples.set(target, await prepare(target, bodies));

    for (const size of SIZES) {
      const sample = samples.get(memory)?.get(size) as Reply;
      ctx.log(
        `rolecall GetObject ${size.label} reply: ${sample.body.length} bytes of body, ` +
          `${Object.keys(sample.headers).length} headers`,
      );
      const bare = await startBareTarget(sample.body, flatHeaders(sample.headers), `GetObject ${size.label} reply`);
      targets.push(bare);
      const replayed = await expectOk(bare, getObject(size), `bare GetObject ${size.label}`);
      if (!replayed.body.equals(sample.body)) throw new Error(`the bare server does not replay ${size.label} exactly`);

      const measured = [memory, sqlite, bare];
      const load: Omit<PointRequest, 'concurrency'> = {
        request: getObject(size),
        expectBodyBytes: size.bytes,
        expectBodyText: marker(size),
      };
      ctx.log(`${size.label}: priming and measuring ${measured.map((t) => t.name).join(', ')}`);
      for (const target of measured) await ctx.prime(target, load);
      const points: MeasuredPoint[] = [];
      // Interleaved (every target at one concurrency, then the next), so the ratios compare neighbours in time.
      for (let round = 0; round < ctx.options.rounds; round++) {
        for (const concurrency of ctx.options.concurrency) {
          for (const target of measured) points.push(await ctx.measure(round, target, { ...load, concurrency }));
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
        name: `${scenario.name}/${size.label}`,
        description:
          `GetObject of a ${size.label} object (path-style GET /${BUCKET}/${size.key}, SigV4 with the empty body's ` +
          `SHA-256), signed by the root; enforcement on: identity and bucket policy evaluated per request`,
        targets: reports,
        points,
        baseline: 'bare',
        comparisons: [
          { target: 'rolecall', baseline: 'bare' },
          { target: 'rolecall-sqlite', baseline: 'bare' },
        ],
        throughput: { label: 'MiB/s', perUnit: size.bytes / MIB },
      });
    }
  } finally {
    for (const target of targets.reverse()) await target.stop();
  }
  return results;
}

export const scenario: Scenario = {
  name: 's3-get',
  description: 'S3 GetObject of 4 KiB and 1 MiB, signed by the root, enforcement on',
  defaultSeconds: 3,
  run,
};
