/**
 * The runtime's ceiling: a bare node:http server, in its own process, that answers every request with one fixed
 * reply (status 200 and the body and headers recorded from rolecall), after reading the request body as rolecall
 * does. Whatever rate it reaches, no Node server doing real work on this machine and client can beat.
 *
 * With `routes`, it answers each method and path with that route's fixed reply instead (404 for anything else),
 * e.g. the metadata service's token PUT and credentials GET: still no work beyond a map lookup.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BareReply {
  /** base64, so the bytes are replayed exactly. */
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface BareRoute extends BareReply {
  readonly method: string;
  /** The request's path, query string included, matched exactly. */
  readonly path: string;
}

export type ToBare = {
  readonly type: 'serve';
  readonly host: string;
  /** Routes by method and path; when given, the top-level body and headers are unused. */
  readonly routes?: readonly BareRoute[];
} & BareReply;
export type FromBare = { readonly type: 'ready' } | { readonly type: 'listening'; readonly port: number };

const post = (message: FromBare) => process.send?.(message);

interface Fixed {
  readonly status: number;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

function fixed(status: number, reply: BareReply): Fixed {
  const body = Buffer.from(reply.body, 'base64');
  return { status, body, headers: { ...reply.headers, 'content-length': String(body.length) } };
}

process.once('message', (message: ToBare) => {
  const single = fixed(200, message);
  const routes = new Map(message.routes?.map((r) => [`${r.method} ${r.path}`, fixed(200, r)]));
  const missing = fixed(404, { body: '', headers: {} });
  const replyTo =
    message.routes === undefined
      ? () => single
      : (method: string | undefined, url: string | undefined) => routes.get(`${method} ${url}`) ?? missing;
  // The same keep-alive timeout as rolecall's listener (src/server/http-server.ts).
  const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    req.on('end', () => {
      const reply = replyTo(req.method, req.url);
      res.writeHead(reply.status, reply.headers);
      res.end(reply.body);
    });
    req.resume();
  });
  server.listen(0, message.host, () => post({ type: 'listening', port: (server.address() as AddressInfo).port }));
});
process.on('disconnect', () => process.exit(0));
post({ type: 'ready' });
