/**
 * A root-signed GET of rolecall's admin API that answers JSON, for the commands that read reports from a running
 * rolecall (explain, suggest-policy): the endpoint from --endpoint or $ROLECALL_ENDPOINT, the error wording when
 * rolecall cannot be reached or refuses, exit code 2 for both.
 */
import { credentialsFrom, signedAdminGet } from './admin-client.ts';

export interface CommandIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export const processIo: CommandIo = {
  env: process.env,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

export const endpointOf = (flag: string | undefined, env: CommandIo['env']): string =>
  (flag ?? env['ROLECALL_ENDPOINT'] ?? 'http://127.0.0.1:4566').replace(/\/+$/, '');

/** The parsed JSON body of a 200 answer; otherwise prints why and resolves to undefined. */
export async function adminJson<T>(
  command: string,
  endpoint: string,
  path: string,
  query: string,
  io: CommandIo,
): Promise<T | undefined> {
  let res: Response;
  try {
    res = await signedAdminGet(endpoint, path, query, credentialsFrom(io.env), io.env['AWS_REGION'] ?? 'us-east-1');
  } catch {
    io.err(
      `rolecall ${command}: cannot reach rolecall at ${endpoint} (start it with \`rolecall serve\`, or pass --endpoint)`,
    );
    return undefined;
  }
  const body = await res.text();
  if (res.status !== 200) {
    let message = body;
    try {
      message = (JSON.parse(body) as { error?: string }).error ?? body;
    } catch {
      // not JSON: print it as it came
    }
    io.err(`rolecall ${command}: rolecall at ${endpoint} answered ${res.status}: ${message}`);
    return undefined;
  }
  return JSON.parse(body) as T;
}
