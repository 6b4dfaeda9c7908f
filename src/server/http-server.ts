/**
 * The HTTP listener: reads each request's body (bounded), hands AWS requests to the pipeline and /_rolecall/
 * requests to the admin API, and on shutdown stops accepting, lets in-flight requests finish, then closes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { ADMIN_PREFIX, handleAdmin, type AdminDeps } from './admin.ts';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RequestBody } from './authenticate.ts';
import type { GatewayRequest, GatewayResponse } from './pipeline.ts';

export interface HttpDeps {
  readonly pipeline: (req: GatewayRequest) => Promise<GatewayResponse>;
  readonly admin: AdminDeps;
  readonly log: Logger;
}

export interface RunningHttpServer {
  readonly server: Server;
  readonly address: AddressInfo;
  /** Stops accepting connections and resolves once in-flight requests have been answered. */
  close(): Promise<void>;
}

/** The request body, read on demand: whole and bounded, or streamed (S3 object bodies), never both. */
function requestBody(req: IncomingMessage): RequestBody {
  let whole: Promise<Buffer | undefined> | undefined;
  let cached: Buffer | undefined;
  return {
    read(limit) {
      whole ??= new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= limit) chunks.push(chunk);
        });
        // The whole body is drained even when too large, so the connection can carry the answer.
        req.on('end', () => {
          cached = size > limit ? undefined : Buffer.concat(chunks, size);
          resolve(cached);
        });
        req.on('error', reject);
      });
      return whole;
    },
    stream() {
      if (whole) {
        return (async function* () {
          const body = cached ?? (await whole);
          if (body && body.length > 0) yield body;
        })();
      }
      return req as AsyncIterable<Uint8Array>;
    },
  };
}

/**
 * The status line and headers, written so that nothing Node has queued for the response can follow them.
 *
 * A response queued behind an earlier one on the same connection (the client sent its next request as soon as it
 * had the earlier answer's bytes, before that answer's stream had ended) has no socket yet, and Node buffers what
 * it writes. Node writes `100 Continue` into that buffer as soon as an `Expect: 100-continue` request arrives; but
 * when the first body chunk is bytes, Node puts the head at the front of the buffer, before that 100 Continue
 * (Node 20, lib/_http_outgoing.js, OutgoingMessage._send: outputData.unshift(header)). The client then reads the head
 * followed by `HTTP/1.1 100 Continue` in place of the first bytes of the body: botocore, denied a PutObject,
 * reported `403 Forbidden` for the unparseable S3 error. Flushing the head on its own queues it in order.
 */
function writeHead(res: ServerResponse, status: number, headers: Record<string, string>): void {
  res.writeHead(status, headers);
  if (res.socket === null) res.flushHeaders();
}

async function send(res: ServerResponse, response: GatewayResponse, head: boolean): Promise<void> {
  const { body } = response;
  const headers: Record<string, string> = { ...response.headers };
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    // A HEAD answer keeps the length the service set (S3 HeadObject: the object's size).
    if (!(head && headers['content-length'] !== undefined)) headers['content-length'] = String(bytes.length);
    writeHead(res, response.status, headers);
    res.end(head ? undefined : bytes);
    return;
  }
  writeHead(res, response.status, headers);
  if (head) {
    res.end();
    return;
  }
  // A Readable (an object body from the blob store) is piped as it is; other iterables are wrapped once.
  await pipeline(body instanceof Readable ? body : Readable.from(body), res);
}

/** The admin API takes small JSON documents. */
const ADMIN_BODY_BYTES = 1024 * 1024;

export function startHttpServer(deps: HttpDeps, host: string, port: number): Promise<RunningHttpServer> {
  let inFlight = 0;
  let drained: (() => void) | undefined;

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    inFlight++;
    void (async () => {
      try {
        const url = req.url ?? '/';
        const q = url.indexOf('?');
        const path = q >= 0 ? url.slice(0, q) : url;
        const request = {
          method: req.method ?? 'GET',
          path,
          query: q >= 0 ? url.slice(q + 1) : '',
          // headersDistinct keeps repeated headers apart: SigV4 joins them with ',' where Node uses ', '.
          headers: req.headersDistinct,
          body: requestBody(req),
          sourceIp: req.socket.remoteAddress ?? '',
        };
        if (path.startsWith(ADMIN_PREFIX)) {
          const body = await request.body.read(ADMIN_BODY_BYTES);
          const response =
            body === undefined
              ? { status: 413, headers: { 'content-type': 'text/plain' }, body: 'request body too large\n' }
              : await handleAdmin(deps.admin, { ...request, body });
          await send(res, response, req.method === 'HEAD');
          return;
        }
        const response = await deps.pipeline(request);
        await send(res, response, req.method === 'HEAD');
      } catch (err) {
        deps.log.error({ err }, 'request failed outside the pipeline');
        if (!res.headersSent) await send(res, { status: 500, headers: {}, body: '' }, false).catch(() => res.destroy());
        else res.destroy();
      } finally {
        inFlight--;
        if (inFlight === 0) drained?.();
      }
    })();
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        server,
        address: server.address() as AddressInfo,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
            const finish = () => server.closeAllConnections();
            if (inFlight === 0) finish();
            else drained = finish;
          }),
      });
    });
  });
}
