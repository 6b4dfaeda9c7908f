/**
 * GetFunction's Code.Location: AWS answers with a presigned URL from which the deployment package downloads,
 * valid for 10 minutes (Lambda API Reference, GetFunction: "a link to download the deployment package that's valid
 * for 10 minutes"). rolecall serves the package itself under /_rolecall/lambda/code/, and the URL carries its own
 * expiry and an HMAC of the package and expiry under a key derived from the server's token key, so only URLs that
 * rolecall issued download anything and nobody can list or guess packages.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { WireResponse } from '../../protocol/codec.ts';

export const CODE_LOCATION_PATH = '/_rolecall/lambda/code/';
const VALID_SECONDS = 600;

export class CodeLocations {
  private readonly key: Buffer;

  constructor(tokenKey: Buffer) {
    this.key = createHmac('sha256', tokenKey).update('rolecall lambda code location').digest();
  }

  private signature(hex: string, expires: number): Buffer {
    return createHmac('sha256', this.key).update(`${hex}\n${expires}`).digest();
  }

  /** The URL of a package (its CodeSha256) under rolecall's endpoint, valid for 10 minutes from `now`. */
  url(endpoint: string, codeSha256: string, now: Date): string {
    const hex = Buffer.from(codeSha256, 'base64').toString('hex');
    const expires = Math.floor(now.getTime() / 1000) + VALID_SECONDS;
    const signature = this.signature(hex, expires).toString('hex');
    return `${endpoint}${CODE_LOCATION_PATH}${hex}.zip?Expires=${expires}&Signature=${signature}`;
  }

  /** The package's CodeSha256 when the path and query are a URL this server issued and it has not expired. */
  verify(path: string, query: string, now: Date): string | 'expired' | undefined {
    const m = /^([0-9a-f]{64})\.zip$/.exec(path.slice(CODE_LOCATION_PATH.length));
    const params = new URLSearchParams(query);
    const expiresText = params.get('Expires') ?? '';
    const given = params.get('Signature') ?? '';
    if (!m || !/^\d{1,12}$/.test(expiresText) || !/^[0-9a-f]{64}$/.test(given)) return undefined;
    const hex = m[1] ?? '';
    const expires = Number(expiresText);
    if (!timingSafeEqual(this.signature(hex, expires), Buffer.from(given, 'hex'))) return undefined;
    if (now.getTime() / 1000 > expires) return 'expired';
    return Buffer.from(hex, 'hex').toString('base64');
  }
}

/** The answer to a GET of a package URL: the zip, or S3's wording for a URL that is not (or no longer) valid. */
export async function servePackage(
  locations: CodeLocations,
  zipPath: (codeSha256: string) => string,
  method: string,
  path: string,
  query: string,
  now: Date,
): Promise<WireResponse> {
  const s3Error = (status: number, code: string, message: string): WireResponse => ({
    status,
    headers: { 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  });
  if (method !== 'GET')
    return s3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
  const sha = locations.verify(path, query, now);
  if (sha === 'expired') return s3Error(403, 'AccessDenied', 'Request has expired');
  if (sha === undefined) {
    return s3Error(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.',
    );
  }
  try {
    const zip = await readFile(zipPath(sha));
    return {
      status: 200,
      headers: { 'content-type': 'application/zip', 'content-length': String(zip.length) },
      body: zip,
    };
  } catch {
    // The function's code was replaced and the old package swept since the URL was issued.
    return s3Error(404, 'NoSuchKey', 'The specified key does not exist.');
  }
}
