/**
 * The HTTP listener: reads each request's body (bounded), hands AWS requests to the pipeline and /_rolecall/
 * requests to the admin API, and on shutdown stops accepting, lets in-flight requests finish, then closes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { ADMIN_PREFIX, handleAdmin, type AdminDeps } from './admin.ts';
import type { GatewayRequest, GatewayResponse } from './pipeline.ts';

/** Query-protocol requests are small; IAM's largest document is 131,072 characters (model: policyDocumentType). */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

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

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: GatewayResponse, head: boolean): void {
  const body = Buffer.from(response.body, 'utf8');
  res.writeHead(response.status, { ...response.headers, 'content-length': String(body.length) });
  res.end(head ? undefined : body);
}

export function startHttpServer(deps: HttpDeps, host: string, port: number): Promise<RunningHttpServer> {
  let inFlight = 0;
  let drained: (() => void) | undefined;

  const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    inFlight++;
    void (async () => {
      try {
        const url = req.url ?? '/';
        const q = url.indexOf('?');
        const path = q >= 0 ? url.slice(0, q) : url;
        const body = await readBody(req);
        if (body === undefined) {
          send(
            res,
            { status: 413, headers: { 'content-type': 'text/plain' }, body: 'request body too large\n' },
            false,
          );
          return;
        }
        const request = {
          method: req.method ?? 'GET',
          path,
          query: q >= 0 ? url.slice(q + 1) : '',
          // headersDistinct keeps repeated headers apart: SigV4 joins them with ',' where Node uses ', '.
          headers: req.headersDistinct,
          body,
          sourceIp: req.socket.remoteAddress ?? '',
        };
        if (path.startsWith(ADMIN_PREFIX)) {
          send(res, await handleAdmin(deps.admin, request), req.method === 'HEAD');
          return;
        }
        const response = await deps.pipeline(request);
        send(res, response, req.method === 'HEAD');
      } catch (err) {
        deps.log.error({ err }, 'request failed outside the pipeline');
        if (!res.headersSent) send(res, { status: 500, headers: {}, body: '' }, false);
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
