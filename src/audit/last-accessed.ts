/**
 * Service last accessed data (IAM's access advisor) from the audit trail, for GenerateServiceLastAccessedDetails
 * and GetServiceLastAccessedDetails. Pure: the entity's recorded requests and the services its permissions
 * policies allow come in, ServicesLastAccessed comes out.
 *
 * AWS's rules followed (IAM API reference, GenerateServiceLastAccessedDetails and GetServiceLastAccessedDetails):
 *  - "The service last accessed data includes all attempts to access an AWS API, not just the successful ones":
 *    denied requests count;
 *  - the report lists "every AWS service that the resource could access using permissions policies", and a
 *    service never attempted is listed "without details about the most recent attempt" (no LastAuthenticated);
 *  - it "does not use other policy types" (boundaries, SCPs, resource policies): only permissions policies;
 *  - TotalAuthenticatedEntities is the number of entities (users or roles) that attempted to access the service;
 *  - ACTION_LEVEL adds TrackedActionsLastAccessed, the actions attempted (AWS tracks a subset of services'
 *    management actions; rolecall reports every action it recorded).
 * A service counts as allowed when an Allow statement's Action names it (its vendor part matches, wildcards
 * included) or the statement uses NotAction (which allows nearly everything); the action part is not expanded.
 */
import { wildcardMatch } from '../policy/wildcard.ts';
import { entityArnOf } from './event-principal.ts';
import type { AuditEvent } from './types.ts';
import { allowStatements } from './allow-statements.ts';

export interface TrackedAction {
  readonly ActionName: string;
  readonly LastAccessedEntity: string;
  readonly LastAccessedTime: Date;
  readonly LastAccessedRegion: string;
}

export interface ServiceAccess {
  readonly ServiceName: string;
  readonly ServiceNamespace: string;
  readonly LastAuthenticated?: Date;
  readonly LastAuthenticatedEntity?: string;
  readonly LastAuthenticatedRegion?: string;
  readonly TotalAuthenticatedEntities: number;
  readonly TrackedActionsLastAccessed?: readonly TrackedAction[];
}

/** The service prefixes a set of permissions policies allow, out of the prefixes known. */
export function allowedServices(documents: readonly string[], known: readonly string[]): string[] {
  const allowed = new Set<string>();
  const vendors: string[] = [];
  let everything = false;
  for (const st of allowStatements(documents)) {
    if (st.notActions !== undefined) everything = true;
    for (const a of st.actions) {
      if (a === '*') everything = true;
      else if (a.includes(':')) vendors.push(a.slice(0, a.indexOf(':')).toLowerCase());
    }
  }
  for (const prefix of known) {
    if (everything || vendors.some((v) => v === prefix || wildcardMatch(v, prefix))) allowed.add(prefix);
  }
  return [...allowed].sort();
}

interface Usage {
  time: number;
  region: string;
  entity: string;
}

/**
 * ServicesLastAccessed for the allowed services, from the entities' recorded requests, sorted by service name.
 * `serviceName` gives a prefix's full name (`Amazon S3`); events of other entities are ignored.
 */
export function servicesLastAccessed(
  events: readonly AuditEvent[],
  entities: ReadonlySet<string>,
  allowed: readonly string[],
  serviceName: (prefix: string) => string,
  granularity: 'SERVICE_LEVEL' | 'ACTION_LEVEL',
): ServiceAccess[] {
  const byService = new Map<
    string,
    { last: Usage; entities: Set<string>; actions: Map<string, Usage & { name: string }> }
  >();
  for (const e of events) {
    const entity = entityArnOf(e.userIdentity);
    if (entity === undefined || !entities.has(entity)) continue;
    const time = Date.parse(e.eventTime);
    const usage = { time, region: e.awsRegion, entity };
    for (const c of e.authorization?.checks ?? []) {
      const colon = c.action.indexOf(':');
      if (colon < 0) continue;
      const prefix = c.action.slice(0, colon).toLowerCase();
      let s = byService.get(prefix);
      if (!s) byService.set(prefix, (s = { last: usage, entities: new Set(), actions: new Map() }));
      if (time >= s.last.time) s.last = usage;
      s.entities.add(entity);
      const name = c.action.slice(colon + 1);
      const action = s.actions.get(name.toLowerCase());
      if (!action || time >= action.time) s.actions.set(name.toLowerCase(), { ...usage, name });
    }
  }
  const out = allowed.map((prefix): ServiceAccess => {
    const s = byService.get(prefix);
    const base = { ServiceName: serviceName(prefix), ServiceNamespace: prefix };
    if (!s) return { ...base, TotalAuthenticatedEntities: 0 };
    const tracked = [...s.actions.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((a) => ({
        ActionName: a.name,
        LastAccessedEntity: a.entity,
        LastAccessedTime: new Date(a.time),
        LastAccessedRegion: a.region,
      }));
    return {
      ...base,
      LastAuthenticated: new Date(s.last.time),
      LastAuthenticatedEntity: s.last.entity,
      LastAuthenticatedRegion: s.last.region,
      TotalAuthenticatedEntities: s.entities.size,
      ...(granularity === 'ACTION_LEVEL' && { TrackedActionsLastAccessed: tracked }),
    };
  });
  return out.sort((a, b) => (a.ServiceName < b.ServiceName ? -1 : a.ServiceName > b.ServiceName ? 1 : 0));
}
