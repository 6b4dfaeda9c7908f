/** One-off HTTP requests for setting targets up and for sanity checks; the load itself is in load-worker.ts. */
import { request as httpRequest, type Agent, type IncomingHttpHeaders } from 'node:http';
import { restOf, signRequest, type QueryRequest, type RestRequest } from './sign.ts';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

const TIMEOUT_MS = 10_000;

/** Sends one request (on a fresh connection unless an agent is given) and reads the whole reply. */
export function send(
  endpoint: Endpoint,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
  agent?: Agent,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: endpoint.host, port: endpoint.port, method, path, headers, agent: agent ?? false, timeout: TIMEOUT_MS },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`no reply from ${endpoint.host}:${endpoint.port} in ${TIMEOUT_MS} ms`)),
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Signs and sends one request (query protocol, or any method and path). */
export async function sendSigned(endpoint: Endpoint, request: QueryRequest | RestRequest): Promise<Reply> {
  const rest = restOf(request);
  return send(endpoint, rest.method, rest.path, await signRequest(rest), rest.body === '' ? undefined : rest.body);
}

/** Sends a signed request and throws, with the reply, unless it answered 200. */
export async function expectOk(endpoint: Endpoint, request: QueryRequest | RestRequest, what: string): Promise<Reply> {
  const reply = await sendSigned(endpoint, request);
  if (reply.status !== 200) {
    throw new Error(`${what} answered ${reply.status}, not 200:\n${reply.body.toString('utf8').slice(0, 2000)}`);
  }
  return reply;
}

/** Polls until `path` answers at all (any status), or throws after `timeoutMs`. */
export async function waitForHttp(
  endpoint: Endpoint,
  path: string,
  timeoutMs: number,
  alive: () => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await send(endpoint, 'GET', path, {});
      return;
    } catch (err) {
      if (!alive()) throw new Error('the process exited before it answered', { cause: err });
      if (Date.now() > deadline) {
        throw new Error(`no answer on ${endpoint.host}:${endpoint.port} after ${timeoutMs} ms: ${String(err)}`, {
          cause: err,
        });
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
