/**
 * Step 1 of the pipeline: which service a request is for. In order: the service named in the SigV4 credential
 * scope, the first label of the Host header (`iam.amazonaws.com`, `sts.localhost`), and for unsigned
 * query-protocol requests the API version they name, so even a request without credentials is answered in its
 * service's own error format.
 */
import { credentialScopeService } from '../protocol/sigv4/authorization-header.ts';
import type { ServiceDefinition } from '../services/service.ts';

export type Services = ReadonlyMap<string, ServiceDefinition>;

export type Route =
  | { readonly ok: true; readonly service: ServiceDefinition }
  | { readonly ok: false; readonly named: string | undefined };

export function routeRequest(
  services: Services,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  params: ReadonlyMap<string, string>,
): Route {
  const scoped = credentialScopeService(headers);
  if (scoped !== undefined) {
    const service = services.get(scoped);
    return service ? { ok: true, service } : { ok: false, named: scoped };
  }
  const rawHost = headers['host'];
  const host = Array.isArray(rawHost) ? rawHost[0] : rawHost;
  const label = host?.split('.')[0]?.toLowerCase();
  if (label !== undefined && host?.includes('.')) {
    const service = services.get(label);
    if (service) return { ok: true, service };
  }
  const version = params.get('Version');
  if (version !== undefined) {
    for (const service of services.values()) if (service.model.apiVersion === version) return { ok: true, service };
  }
  return { ok: false, named: undefined };
}
