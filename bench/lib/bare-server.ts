/**
 * The runtime's ceiling: a bare node:http server, in its own process, that answers every request with one fixed
 * reply (status 200 and the body and headers recorded from rolecall), after reading the request body as rolecall
 * does. Whatever rate it reaches, no Node server doing real work on this machine and client can beat.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ToBare = {
  readonly type: 'serve';
  readonly host: string;
  /** base64, so the bytes are replayed exactly. */
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
};
export type FromBare = { readonly type: 'ready' } | { readonly type: 'listening'; readonly port: number };

const post = (message: FromBare) => process.send?.(message);

process.once('message', (message: ToBare) => {
  const body = Buffer.from(message.body, 'base64');
  const headers = { ...message.headers, 'content-length': String(body.length) };
  // The same keep-alive timeout as rolecall's listener (src/server/http-server.ts).
  const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    req.on('end', () => {
      res.writeHead(200, headers);
      res.end(body);
    });
    req.resume();
  });
  server.listen(0, message.host, () => post({ type: 'listening', port: (server.address() as AddressInfo).port }));
});
process.on('disconnect', () => process.exit(0));
post({ type: 'ready' });
