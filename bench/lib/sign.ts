/**
 * SigV4 signing with the AWS SDK's own signer (@smithy/signature-v4), as the SDKs, the CLI and boto3 send
 * requests: query-protocol requests (POST /, form-encoded body, Host, Content-Type and X-Amz-Date signed, and with
 * temporary credentials X-Amz-Security-Token too), and any other method, path and body (S3's REST calls, the
 * JSON 1.1 protocol of CloudWatch Logs).
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

/** Who signs, and for which service, region and Host. */
interface Signing {
  readonly service: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /**
   * The session token of temporary credentials (AssumeRole, GetSessionToken). The signer sends it as
   * X-Amz-Security-Token and signs that header, as the SDKs do.
   */
  readonly sessionToken?: string;
  /**
   * The Host header, signed. Fixed rather than taken from each target's port, so that every target receives
   * byte-identical requests; each server verifies (or ignores) the signature over the header it received.
   */
  readonly host: string;
}

/** What to sign. The same description goes to every target, so every target receives the same bytes. */
export interface QueryRequest extends Signing {
  /** The form-encoded body, e.g. `Action=GetRole&RoleName=bench-role&Version=2010-05-08`. */
  readonly body: string;
}

/** A request of any shape, e.g. S3's GET /bucket/key or a JSON 1.1 POST with X-Amz-Target. */
export interface RestRequest extends Signing {
  readonly method: string;
  /** The path as sent, already URI-encoded, without a query string. */
  readonly path: string;
  /** Headers to send and sign besides Host, X-Amz-Date and the token (lower-case names). */
  readonly headers: Readonly<Record<string, string>>;
  /** '' sends no body (and no Content-Length). */
  readonly body: string;
  /**
   * S3 only: the x-amz-content-sha256 header, sent and signed: `body` (the SHA-256 of the body, which for an empty
   * body is e3b0c442…b855, what SDK v3 sends on a GET) or `UNSIGNED-PAYLOAD`. Other services get no such header,
   * as botocore and the SDKs send none to them. S3 also signs the path as sent (no second URI encoding), as
   * client-s3 configures its signer (`signingEscapePath: false` in @aws-sdk/client-s3's runtime config).
   */
  readonly s3Payload?: 'body' | 'UNSIGNED-PAYLOAD';
}

/** Tells a RestRequest from a QueryRequest. */
export const isRest = (request: QueryRequest | RestRequest): request is RestRequest => 'method' in request;

export const CONTENT_TYPE = 'application/x-www-form-urlencoded; charset=utf-8';

/** A query-protocol request as the RestRequest it is on the wire. */
export function restOf(request: QueryRequest | RestRequest): RestRequest {
  if (isRest(request)) return request;
  return { ...request, method: 'POST', path: '/', headers: { 'content-type': CONTENT_TYPE } };
}

/** The headers of a signed request (lower-case names), including Content-Length when there is a body. */
export async function signRequest(
  request: QueryRequest | RestRequest,
  signingDate: Date = new Date(),
): Promise<Record<string, string>> {
  const rest = restOf(request);
  const s3 = rest.s3Payload !== undefined;
  const signer = new SignatureV4({
    service: rest.service,
    region: rest.region,
    credentials: {
      accessKeyId: rest.accessKeyId,
      secretAccessKey: rest.secretAccessKey,
      ...(rest.sessionToken !== undefined && { sessionToken: rest.sessionToken }),
    },
    sha256: Sha256,
    // With applyChecksum the signer adds x-amz-content-sha256 = the body's hash (S3 wants it); botocore and the
    // AWS CLI send no such header to IAM, STS, EC2 or Logs.
    applyChecksum: s3 && rest.s3Payload === 'body',
    uriEscapePath: !s3,
  });
  const headers: Record<string, string> = { host: rest.host, ...rest.headers };
  if (rest.s3Payload === 'UNSIGNED-PAYLOAD') headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  const signed = await signer.sign(
    {
      method: rest.method,
      protocol: 'http:',
      hostname: rest.host,
      path: rest.path,
      query: {},
      headers,
      ...(rest.body !== '' && { body: rest.body }),
    },
    { signingDate },
  );
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) out[name.toLowerCase()] = value;
  if (rest.body !== '' || rest.method === 'POST') out['content-length'] = String(Buffer.byteLength(rest.body));
  return out;
}

/** The headers of a signed query-protocol request, including Content-Length, valid for 15 minutes. */
export const signQuery = (request: QueryRequest, signingDate?: Date): Promise<Record<string, string>> =>
  signRequest(request, signingDate);
