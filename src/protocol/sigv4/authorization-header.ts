/**
 * Parsing of the SigV4 `Authorization` header:
 * `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=hex`.
 * Structure only: nothing here looks at keys, clocks or the request, so the gateway's router can use
 * `credentialScopeService` to pick a service before any verification.
 */
import {
  fail,
  MSG_MISSING_AUTH_TOKEN,
  MSG_REQUIRES_CREDENTIAL,
  MSG_REQUIRES_DATE,
  MSG_REQUIRES_SIGNATURE,
  MSG_REQUIRES_SIGNED_HEADERS,
  msgCredentialParts,
  msgNotKeyValue,
  msgUnsupportedAlgorithm,
} from './failure.ts';
import type { SigV4Failure } from './failure.ts';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';

/** Last element of every SigV4 credential scope. */
export const SCOPE_TERMINATOR = 'aws4_request';

export interface ParsedAuthorization {
  ok: true;
  /** Always AWS4-HMAC-SHA256 once parsed (other algorithms are refused). */
  algorithm: string;
  /** The Credential value as sent, e.g. `AKID/20260101/us-east-1/iam/aws4_request`. */
  credential: string;
  accessKeyId: string;
  /** yyyymmdd from the credential scope (not yet compared with X-Amz-Date: the verifier does that). */
  date: string;
  region: string;
  service: string;
  /** Last scope element; should be `aws4_request`, checked by the verifier together with the date (AWS reports both in one message). */
  terminator: string;
  /** Names as listed in SignedHeaders, in the order sent (clients send them sorted and lower-case). */
  signedHeaders: string[];
  signature: string;
}

export interface ParseAuthorizationOptions {
  /**
   * Whether the request carries X-Amz-Date or Date. AWS folds a missing date into the same IncompleteSignature
   * message as missing Credential/Signature/SignedHeaders, so the parser needs to know. Defaults to true.
   */
  hasDateHeader?: boolean;
}

// AWS accepts commas, whitespace, or both between the parameters: scylladb's test/alternator/test_authorization.py
// (written to pass against DynamoDB too) sends `Credential=... SignedHeaders=... Signature=...` with spaces only and
// commas only; architect/dynalite splits on /,| /.
export const SEPARATORS = /[\s,]+/;

/**
 * Parses an Authorization header value. Errors follow AWS's order for the header itself: a scheme that is not
 * `AWS4-*` means "no token"; a parameter without '=' and missing parameters are IncompleteSignature; then the
 * algorithm and the five-part credential are checked.
 */
export function parseAuthorizationHeader(
  value: string,
  options: ParseAuthorizationOptions = {},
): ParsedAuthorization | SigV4Failure {
  const header = value.trim();
  const algorithm = /^[^\s,]*/.exec(header)?.[0] ?? '';
  // architect/dynalite: a header that does not start with "AWS4-" (Basic, Bearer, SigV2's "AWS ") is treated as no token.
  if (!algorithm.startsWith('AWS4-')) return fail('MissingAuthenticationToken', MSG_MISSING_AUTH_TOKEN);

  const params = new Map<string, string>();
  for (const part of header.slice(algorithm.length).split(SEPARATORS)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) return fail('IncompleteSignature', msgNotKeyValue(part, header));
    // A repeated parameter overrides the earlier one (dacut/scratchstack-aws-signature, rule 6c).
    params.set(part.slice(0, eq), part.slice(eq + 1));
  }

  const credential = params.get('Credential');
  const signature = params.get('Signature');
  // An empty SignedHeaders is accepted here (architect/dynalite notes AWS allows it at this point); it then fails the
  // "Host must be signed" check.
  const signedHeaders = params.get('SignedHeaders');
  const missing: string[] = [];
  if (credential === undefined || credential === '') missing.push(MSG_REQUIRES_CREDENTIAL);
  if (signature === undefined || signature === '') missing.push(MSG_REQUIRES_SIGNATURE);
  if (signedHeaders === undefined) missing.push(MSG_REQUIRES_SIGNED_HEADERS);
  if (options.hasDateHeader === false) missing.push(MSG_REQUIRES_DATE);
  if (missing.length > 0 || credential === undefined || signature === undefined || signedHeaders === undefined) {
    return fail('IncompleteSignature', `${missing.join(' ')} Authorization=${algorithm}`);
  }

  if (algorithm !== SIGV4_ALGORITHM) return fail('IncompleteSignature', msgUnsupportedAlgorithm(algorithm));

  const scope = splitCredential(credential);
  if (scope === undefined) return fail('IncompleteSignature', msgCredentialParts(credential));
  const [accessKeyId, date, region, service, terminator] = scope;

  return {
    ok: true,
    algorithm,
    credential,
    accessKeyId,
    date,
    region,
    service,
    terminator,
    signedHeaders: signedHeaders === '' ? [] : signedHeaders.split(';'),
    signature,
  };
}

/**
 * Reads the service name from the credential scope of an Authorization header, without verifying anything.
 * For the gateway's router: cheap, never throws, undefined when the header is absent or not SigV4.
 */
export function credentialScopeService(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): string | undefined {
  const raw = headers['authorization'];
  const value = typeof raw === 'string' ? raw : raw?.[0];
  if (value === undefined || !value.trimStart().startsWith('AWS4-')) return undefined;
  const at = value.indexOf('Credential=');
  if (at < 0) return undefined;
  const rest = value.slice(at + 'Credential='.length);
  const end = rest.search(SEPARATORS);
  const scope = splitCredential(end < 0 ? rest : rest.slice(0, end));
  const service = scope?.[3];
  return service === '' ? undefined : service;
}

export type CredentialParts = [accessKeyId: string, date: string, region: string, service: string, terminator: string];

/** keyid/date/region/service/term; trailing slashes are ignored, as AWS does (architect/dynalite). */
export function splitCredential(credential: string): CredentialParts | undefined {
  let end = credential.length;
  while (end > 0 && credential.charCodeAt(end - 1) === 0x2f /* '/' */) end--;
  const parts = credential.slice(0, end).split('/');
  if (parts.length !== 5) return undefined;
  const [accessKeyId = '', date = '', region = '', service = '', terminator = ''] = parts;
  return [accessKeyId, date, region, service, terminator];
}
