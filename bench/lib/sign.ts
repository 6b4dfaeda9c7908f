/**
 * SigV4 signing of query-protocol requests with the AWS SDK's own signer (@smithy/signature-v4), as the SDKs,
 * the CLI and boto3 send them: POST /, form-encoded body, Host, Content-Type and X-Amz-Date signed, and with
 * temporary credentials X-Amz-Security-Token too.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

/** What to sign. The same description goes to every target, so every target receives the same bytes. */
export interface QueryRequest {
  /** The form-encoded body, e.g. `Action=GetRole&RoleName=bench-role&Version=2010-05-08`. */
  readonly body: string;
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

export const CONTENT_TYPE = 'application/x-www-form-urlencoded; charset=utf-8';

/** The headers of a signed request (lower-case names), including Content-Length, valid for 15 minutes. */
export async function signQuery(
  request: QueryRequest,
  signingDate: Date = new Date(),
): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    service: request.service,
    region: request.region,
    credentials: {
      accessKeyId: request.accessKeyId,
      secretAccessKey: request.secretAccessKey,
      ...(request.sessionToken !== undefined && { sessionToken: request.sessionToken }),
    },
    sha256: Sha256,
    // botocore and the AWS CLI send no x-amz-content-sha256 to IAM, STS or EC2.
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: request.host,
      path: '/',
      query: {},
      headers: { host: request.host, 'content-type': CONTENT_TYPE },
      body: request.body,
    },
    { signingDate },
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = value;
  headers['content-length'] = String(Buffer.byteLength(request.body));
  return headers;
}
