/**
 * Signed requests to rolecall's admin API from the CLI: SigV4 with the caller's credentials (AWS_ACCESS_KEY_ID
 * and AWS_SECRET_ACCESS_KEY, else the default account's root, test/test), as the admin API asks of reads that
 * span accounts. Built from the same canonical-request functions the server verifies with.
 */
import {
  canonicalRequest,
  computeSignature,
  credentialScope,
  deriveSigningKey,
  sha256Hex,
  stringToSign,
  uriEncode,
} from '../protocol/sigv4/canonical.ts';

export interface AdminCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** The credentials in the environment, else the default account's root. */
export function credentialsFrom(env: Readonly<Record<string, string | undefined>>): AdminCredentials {
  const id = env['AWS_ACCESS_KEY_ID'];
  const secret = env['AWS_SECRET_ACCESS_KEY'];
  if (id && secret) {
    const token = env['AWS_SESSION_TOKEN'];
    return { accessKeyId: id, secretAccessKey: secret, ...(token ? { sessionToken: token } : {}) };
  }
  return { accessKeyId: 'test', secretAccessKey: 'test' };
}

/** `a=1&b=x%20y`, RFC 3986-encoded as SigV4 canonicalizes it, so the bytes sent are the bytes signed. */
export const queryString = (params: readonly (readonly [string, string])[]): string =>
  params.map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`).join('&');

/** GET `path?query` from rolecall's admin API, SigV4-signed; rejects when rolecall cannot be reached. */
export async function signedAdminGet(
  endpoint: string,
  path: string,
  query: string,
  creds: AdminCredentials,
  region = 'us-east-1',
): Promise<Response> {
  const url = new URL(`${path}${query ? `?${query}` : ''}`, endpoint);
  const amzDate = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const date = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    host: url.host,
    'x-amz-date': amzDate,
    ...(creds.sessionToken !== undefined && { 'x-amz-security-token': creds.sessionToken }),
  };
  const signedHeaders = Object.keys(headers).sort();
  const canonical = canonicalRequest({
    method: 'GET',
    path: url.pathname,
    query,
    headers,
    signedHeaders,
    payloadHash: sha256Hex(''),
  });
  const scope = credentialScope(date, region, 'rolecall');
  const signature = computeSignature(
    deriveSigningKey(creds.secretAccessKey, date, region, 'rolecall'),
    stringToSign(amzDate, scope, canonical),
  );
  const send: Record<string, string> = { ...headers };
  delete send['host'];
  send['authorization'] =
    `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return fetch(url, { headers: send });
}
