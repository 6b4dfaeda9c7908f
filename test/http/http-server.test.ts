/**
 * The HTTP listener on its own (startHttpServer with a stand-in pipeline), over a raw socket, for what only the
 * bytes on the wire show: the order of an interim `100 Continue` and the final answer on a kept-alive connection.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { AdminDeps } from '../../src/server/admin.ts';
import { startHttpServer, type RunningHttpServer } from '../../src/server/http-server.ts';
import type { GatewayRequest, GatewayResponse } from '../../src/server/pipeline.ts';

const DENIAL =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>denied</Message></Error>';

/** One response read off the wire: its status, headers (lower-cased names) and body. */
interface WireResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Splits raw bytes into HTTP/1.1 responses; 1xx answers have no body, the others carry Content-Length bytes.
 * Bytes that do not start a response come back as one of status 0, so that a comparison shows them.
 */
function parseResponses(raw: string): WireResponse[] {
  const out: WireResponse[] = [];
  let rest = raw;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    const [statusLine = '', ...lines] = rest.slice(0, Math.max(end, 0)).split('\r\n');
    const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine)?.[1] ?? 0);
    if (end < 0 || status === 0) {
      out.push({ status: 0, headers: {}, body: rest });
      break;
    }
    const headers = Object.fromEntries(
      lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
    );
    const length = status < 200 ? 0 : Number(headers['content-length'] ?? 0);
    out.push({ status, headers, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
  return out;
}

/** Writes `requests` in one go and reads until `done` says the answers are all in. */
function exchange(port: number, requests: string, done: (raw: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let raw = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer in time; got ${JSON.stringify(raw)}`));
    }, 5000);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      raw += chunk;
      if (done(raw)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(raw);
      }
    });
    socket.on('error', reject);
    socket.write(requests, 'latin1');
  });
}

describe('the HTTP listener', () => {
  let server: RunningHttpServer;
  // The slow request is answered only once the denied one has been answered, so the denial is written while the
  // connection still carries the slow answer: Node queues the denial behind it.
  let denied: () => void = () => undefined;
  let deniedOnce = new Promise<void>((resolve) => (denied = resolve));

  const pipeline = async (req: GatewayRequest): Promise<GatewayResponse> => {
    if (req.path === '/slow') {
      await deniedOnce;
      await new Promise((resolve) => setTimeout(resolve, 20));
      // An object body, streamed as GetObject's is.
      return { status: 200, headers: { 'content-length': '4' }, body: Readable.from([Buffer.from('slow')]) };
    }
    if (req.path === '/streamed') {
      setImmediate(denied);
      return { status: 200, headers: { 'content-length': '6' }, body: Readable.from([Buffer.from('stream')]) };
    }
    // Denied before the body is read, as S3's authorization step does; the codec's body is bytes.
    setImmediate(denied);
    return { status: 403, headers: { 'content-type': 'application/xml' }, body: Buffer.from(DENIAL) };
  };

  before(async () => {
    server = await startHttpServer(
      { pipeline, admin: {} as AdminDeps, log: pino({ level: 'silent' }) },
      '127.0.0.1',
      0,
    );
  });
  after(() => server.close());

  /** A request carrying Expect: 100-continue and its one-byte body in one go, as botocore sends a bytes body. */
  const expecting = (path: string) =>
    `PUT ${path} HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx`;

  /** Sends the requests at once and returns the answers as [status, body] pairs, and the last one's headers. */
  async function answers(requests: string, done: (raw: string) => boolean) {
    const raw = await exchange(server.address.port, requests, done);
    const responses = parseResponses(raw);
    return { raw, statuses: responses.map((r) => [r.status, r.body]), last: responses.at(-1)?.headers ?? {} };
  }

  it('a lone Expect: 100-continue request gets 100 Continue, then the denial, on a kept connection', async () => {
    deniedOnce = new Promise<void>((resolve) => (denied = resolve));
    const got = await answers(expecting('/bucket/key'), (r) => r.includes('</Error>'));
    assert.deepEqual(got.statuses, [
      [100, ''],
      [403, DENIAL],
    ]);
    assert.equal(got.last['connection'], 'keep-alive');
  });

  it('keeps 100 Continue before the head of a denial queued behind an earlier answer on the connection', async () => {
    deniedOnce = new Promise<void>((resolve) => (denied = resolve));
    const got = await answers(
      'GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n' + expecting('/bucket/key'),
      (r) => r.includes('</Error>') && r.includes('slow'),
    );
    assert.deepEqual(
      got.statuses,
      [
        [200, 'slow'],
        [100, ''],
        [403, DENIAL],
      ],
      `the wire: ${JSON.stringify(got.raw)}`,
    );
    // The body was sent, and is read and dropped: the connection can carry the next request.
    assert.equal(got.last['connection'], 'keep-alive');
  });

  it('keeps 100 Continue before the head of a streamed answer queued behind an earlier one', async () => {
    deniedOnce = new Promise<void>((resolve) => (denied = resolve));
    const got = await answers('GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n' + expecting('/streamed'), (r) =>
      r.endsWith('stream'),
    );
    assert.deepEqual(
      got.statuses,
      [
        [200, 'slow'],
        [100, ''],
        [200, 'stream'],
      ],
      `the wire: ${JSON.stringify(got.raw)}`,
    );
  });
});
