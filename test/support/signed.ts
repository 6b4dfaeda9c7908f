/**
 * Sends AWS query-protocol requests (IAM, STS, EC2) to a rolecall endpoint the way an SDK does: a form-encoded
 * POST signed with SigV4 by the SDK's own signer (@smithy/signature-v4), over Node's fetch. `tamper` sees the
 * signed request before it goes out, so a test can break one thing after signing. `errorOf` reads either error
 * envelope with plain regular expressions, so tests do not depend on an XML parser agreeing with rolecall.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export type QueryService = 'iam' | 'sts' | 'ec2';

/** The API version each service's clients send (botocore service-2.json metadata). */
export const API_VERSIONS: Readonly<Record<QueryService, string>> = {
  iam: '2010-05-08',
  sts: '2011-06-15',
  ec2: '2016-11-15',
};

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded; charset=utf-8';

/** The request as it will be sent; `tamper` may change any of it. Header names are lower-case. */
export interface OutgoingRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface SignedQueryOptions {
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly region?: string;
  readonly signingDate?: Date;
  readonly sessionToken?: string;
  readonly tamper?: (req: OutgoingRequest) => void;
}

export interface Reply {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** RFC 3986 form encoding, as the SDKs write query-protocol bodies (`!'()*` encoded too). */
export const rfc3986 = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export const formBody = (params: Readonly<Record<string, string>>): string =>
  Object.entries(params)
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .join('&');

async function send(endpoint: string, req: OutgoingRequest): Promise<Reply> {
  const headers = { ...req.headers };
  // fetch sets Host itself, from the URL, to the same value that was signed.
  delete headers['host'];
  const res = await fetch(new URL(req.path, endpoint), {
    method: req.method,
    headers,
    ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body: req.body }),
  });
  const out: Record<string, string> = {};
  res.headers.forEach((value, name) => (out[name.toLowerCase()] = value));
  return { status: res.status, headers: out, body: await res.text() };
}

/**
 * POSTs `params` (plus `Version` for the service, when absent) signed for `service` with the given credentials
 * (default: the root of account 000000000000, `test`/`test`, region us-east-1).
 */
export async function signedQuery(
  endpoint: string,
  service: QueryService,
  params: Readonly<Record<string, string>>,
  opts: SignedQueryOptions = {},
): Promise<Reply> {
  const url = new URL(endpoint);
  const body = formBody({ ...params, Version: params['Version'] ?? API_VERSIONS[service] });
  const signer = new SignatureV4({
    service,
    region: opts.region ?? 'us-east-1',
    credentials: {
      accessKeyId: opts.accessKeyId ?? 'test',
      secretAccessKey: opts.secretAccessKey ?? 'test',
      ...(opts.sessionToken === undefined ? {} : { sessionToken: opts.sessionToken }),
    },
    sha256: Sha256,
    // botocore signs IAM, STS and EC2 requests without an x-amz-content-sha256 header.
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port === '' ? {} : { port: Number(url.port) }),
      path: '/',
      query: {},
      headers: { host: url.host, 'content-type': FORM_CONTENT_TYPE },
      body,
    },
    opts.signingDate === undefined ? {} : { signingDate: opts.signingDate },
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = value;
  const req: OutgoingRequest = { method: 'POST', path: '/', headers, body };
  opts.tamper?.(req);
  return send(endpoint, req);
}

/** A raw request with no signature: POST `body` to `/` with a form content type unless `headers` says otherwise. */
export function unsigned(
  endpoint: string,
  body: string,
  headers: Readonly<Record<string, string>> = {},
  method = 'POST',
  path = '/',
): Promise<Reply> {
  const lower: Record<string, string> = { 'content-type': FORM_CONTENT_TYPE };
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  return send(endpoint, { method, path, headers: lower, body });
}

export interface WireError {
  /** `Sender`/`Receiver` in IAM/STS bodies; EC2 bodies have no Type. */
  readonly type: string | undefined;
  readonly code: string | undefined;
  readonly message: string | undefined;
  /** `<RequestId>` (IAM/STS) or `<RequestID>` (EC2). */
  readonly requestId: string | undefined;
}

const unescapeXml = (s: string): string =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#13;/g, '\r')
    .replace(/&amp;/g, '&');

const inner = (body: string, tag: RegExp): string | undefined => {
  const m = tag.exec(body);
  return m?.[1] === undefined ? undefined : unescapeXml(m[1]);
};

/** The error in an IAM/STS `<ErrorResponse>` or an EC2 `<Response><Errors>` body. */
export function errorOf(body: string): WireError {
  return {
    type: inner(body, /<Type>([^<]*)<\/Type>/),
    code: inner(body, /<Code>([^<]*)<\/Code>/),
    message: inner(body, /<Message>([^<]*)<\/Message>/),
    requestId: inner(body, /<RequestI[dD]>([^<]*)<\/RequestI[dD]>/),
  };
}
