/**
 * Step 1 of the pipeline: which service a request is for. In order: the service named in the SigV4 credential
 * scope (Authorization header or presigned X-Amz-Credential), the JSON protocols' X-Amz-Target, the first label
 * of the Host header (`iam.amazonaws.com`, `sts.localhost`), an S3 virtual-hosted bucket
 * (`bucket.s3.localhost`), and for unsigned query-protocol requests the API version they name, so even a
 * request without credentials is answered in its service's own error format. An unsigned request that names
 * nothing else is an anonymous S3 request (`GET /bucket/key`), as on AWS's S3 endpoints.
 */
import { credentialScopeService } from '../protocol/sigv4/authorization-header.ts';
import { parseForm } from '../protocol/query/decode.ts';
import { bucketFromHost } from '../protocol/s3/codec.ts';
import { targetPrefixMatches } from '../protocol/json/codec.ts';
import type { ServiceDefinition } from '../services/service.ts';
import type { GatewayRequest } from './pipeline.ts';
import { MAX_DOCUMENT_BODY_BYTES, tooLarge } from './authenticate.ts';

export type Services = ReadonlyMap<string, ServiceDefinition>;

export type Route =
  | { readonly ok: true; readonly service: ServiceDefinition }
  | { readonly ok: false; readonly named: string | undefined };

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** The service of a presigned URL's X-Amz-Credential (`AKIA…/20260101/us-east-1/s3/aws4_request`). */
function presignedService(query: string): string | undefined {
  const m = /(?:^|&)X-Amz-Credential=([^&]*)/.exec(query);
  if (!m) return undefined;
  let credential: string;
  try {
    credential = decodeURIComponent(m[1] ?? '');
  } catch {
    return undefined;
  }
  return credential.split('/')[3];
}

export async function routeRequest(services: Services, req: GatewayRequest): Promise<Route> {
  const { headers } = req;
  const scoped = credentialScopeService(headers) ?? presignedService(req.query);
  if (scoped !== undefined) {
    const service = services.get(scoped);
    return service ? { ok: true, service } : { ok: false, named: scoped };
  }
  const target = first(headers['x-amz-target']);
  if (target !== undefined) {
    const prefix = target.slice(0, target.lastIndexOf('.'));
    for (const service of services.values()) {
      if (targetPrefixMatches(service.model.targetPrefix, prefix)) return { ok: true, service };
    }
  }
  const host = first(headers['host']);
  const label = host?.split('.')[0]?.toLowerCase();
  if (label !== undefined && host?.includes('.')) {
    const service = services.get(label);
    if (service) return { ok: true, service };
  }
  const s3 = services.get('s3');
  if (s3 && bucketFromHost(host) !== undefined) return { ok: true, service: s3 };
  let version = parseForm(req.query).get('Version');
  const contentType = first(headers['content-type']) ?? '';
  if (version === undefined && contentType.startsWith('application/x-www-form-urlencoded')) {
    const body = await req.body.read(MAX_DOCUMENT_BODY_BYTES);
    if (body === undefined) throw tooLarge();
    version = parseForm(body.toString('utf8')).get('Version');
  }
  if (version !== undefined) {
    for (const service of services.values()) if (service.model.apiVersion === version) return { ok: true, service };
  }
  // A form body is a query-protocol request that named no service it could be for; anything else is S3's.
  const formBody = contentType.startsWith('application/x-www-form-urlencoded');
  if (s3 && target === undefined && !formBody) return { ok: true, service: s3 };
  return { ok: false, named: undefined };
}
