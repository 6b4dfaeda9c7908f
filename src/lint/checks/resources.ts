/**
 * Resource and NotResource entries: the ARN's form (AWS General Reference, "Amazon Resource Names"), its service,
 * and its fit with the service's resource types and with the statement's actions (Service Authorization
 * Reference: each action lists the resource types it is authorized against; an action without any is authorized
 * against "*" only).
 */
import { expandAction, hasWildcard, splitAction, vendorLoaded, type CatalogueService } from '../catalogue.ts';
import { location, type ElementItem, type ElementList, type PolicyStatement } from '../document.ts';
import type { LintContext } from '../context.ts';
import {
  arnCovers,
  arnPatternMeetsFormat,
  arnSegments,
  formatSegments,
  intersects,
  variablesAsWildcards,
} from '../patterns.ts';

/** AWS partitions (AWS General Reference, "Amazon Resource Names: partition"). */
const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc'];

/** Why an ARN fits none of its service's resource types; undefined when it fits one. */
function arnProblem(service: CatalogueService, arn: string): { code: string; details: string } | undefined {
  const p = arnSegments(variablesAsWildcards(arn));
  const account = p?.[3] ?? '';
  // An account field is empty, 12 digits, "aws" (AWS managed policies) or a pattern (AWS General Reference, ARNs).
  if (account !== '' && !hasWildcard(account) && !/^\d{12}$/.test(account) && account !== 'aws') {
    return {
      code: 'INVALID_ARN_ACCOUNT',
      details: 'The resource ARN account ID is not valid. Provide a 12-digit account ID.',
    };
  }
  const formats = [...service.resourceTypes.values()].map((t) => t.arn);
  if (formats.some((f) => arnPatternMeetsFormat(arn, f))) return undefined;
  const svc = service.prefix;
  const invalid = {
    code: 'INVALID_ARN_RESOURCE',
    details:
      formats.length === 0
        ? `The service ${svc} has no resource types: its actions take "*" as their resource.`
        : 'Resource ARN does not match the expected ARN format. Update the resource portion of the ARN.',
  };
  if (!p) return invalid;
  const [, , region = '', , rest = ''] = p;
  // The formats whose resource part could be this one's: the Region and account are judged against those.
  const near = formats.map(formatSegments).filter((f) => f !== undefined && intersects(rest, f[4] ?? ''));
  if (near.length === 0) return invalid;
  if (region !== '' && !hasWildcard(region) && near.every((f) => f?.[2] === '')) {
    return {
      code: 'ARN_REGION_NOT_ALLOWED',
      details: `The service ${svc} does not support specifying a Region in the resource ARN.`,
    };
  }
  if (account !== '' && !hasWildcard(account) && near.every((f) => f?.[3] === '')) {
    return {
      code: 'ARN_ACCOUNT_NOT_ALLOWED',
      details: `The service ${svc} does not support specifying an account ID in the resource ARN.`,
    };
  }
  if (region === '' && near.every((f) => f?.[2] !== '')) {
    return { code: 'MISSING_ARN_REGION', details: `Add a Region to the ${svc} resource ARN.` };
  }
  return invalid;
}

/** Checks one entry; true when it is a well-formed ARN of a loaded service, fit for the action check. */
function entry(ctx: LintContext, s: PolicyStatement, item: ElementItem): boolean {
  const arn = item.value;
  if (arn === '*') return false;
  const loc = [location(item.path, item.node)];
  if (!arn.startsWith('arn:')) {
    ctx.report('INVALID_ARN_PREFIX', `Add the required prefix (arn) to the resource ARN ${arn}.`, loc, s);
    return false;
  }
  const fields = arn.split(':');
  if (fields.length < 6) {
    ctx.report(
      'MISSING_ARN_FIELD',
      'Resource ARNs must include at least 6 fields and include the following structure: arn:partition:service:region:account:resource.',
      loc,
      s,
    );
    return false;
  }
  const [, partition = '', service = ''] = fields;
  if (!hasWildcard(partition) && !PARTITIONS.includes(partition)) {
    ctx.report(
      'INVALID_PARTITION',
      `The resource ARN for the service ${service} does not support the partition ${partition}. Use the supported values: ${PARTITIONS.join(', ')}`,
      loc,
      s,
    );
    return false;
  }
  if (hasWildcard(service)) {
    ctx.report(
      'WILDCARD_IN_SERVICE_NAME',
      'Avoid using wildcards (*, ?) in the service name because it might grant unintended access to other AWS services with similar names.',
      loc,
      s,
    );
    return false;
  }
  if (service !== service.toLowerCase()) {
    ctx.report(
      'INVALID_ARN_SERVICE_CASE',
      'Update the service name in the resource ARN to use all lowercase letters.',
      loc,
      s,
    );
    return false;
  }
  if (!ctx.catalogue.isService(service)) {
    ctx.report('INVALID_SERVICE', `The service ${service} does not exist. Use a valid service name.`, loc, s);
    return false;
  }
  const known = ctx.catalogue.service(service);
  if (!known) return false;
  const problem = arnProblem(known, arn);
  if (problem) {
    ctx.report(problem.code, problem.details, loc, s);
    return false;
  }
  return true;
}

function redundant(ctx: LintContext, s: PolicyStatement, list: ElementList): void {
  list.items.forEach((item, i) => {
    const by = list.items.find((other, j) =>
      j === i ? false : other.value === item.value ? j < i : arnCovers(other.value, item.value),
    );
    if (by) {
      ctx.report(
        'REDUNDANT_RESOURCE',
        `The resource ARN(s) ${item.value} and ${by.value} are redundant because they reference the same resource. Review the use of wildcards (*)`,
        [location(item.path, item.node)],
        s,
      );
    }
  });
}

/** The ARN formats an action is authorized against; undefined when one of them is not in the catalogue. */
function formatsOf(service: CatalogueService, names: readonly string[]): string[] | undefined {
  const out: string[] = [];
  for (const name of names) {
    const type = service.resourceTypes.get(name);
    if (!type) return undefined;
    out.push(type.arn);
  }
  return out;
}

function mismatch(ctx: LintContext, s: PolicyStatement, fit: readonly ElementItem[]): void {
  const actions = s.action;
  const resources = s.resource;
  if (
    !actions ||
    !resources ||
    actions.items.length === 0 ||
    resources.items.length === 0 ||
    actions.items.some((a) => a.value === '*') ||
    resources.items.some((r) => r.value === '*')
  )
    return;
  if (fit.length !== resources.items.length) return; // a bad ARN is reported already; judging the rest would mislead
  const perEntry = actions.items.map((item) => {
    const vendor = splitAction(item.value)?.vendor;
    if (vendor === undefined || !vendorLoaded(ctx.catalogue, vendor)) return undefined;
    return expandAction(ctx.catalogue, item.value).map(({ service, action }) => ({
      types: action.resourceTypes.map((t) => t.name),
      formats: formatsOf(
        service,
        action.resourceTypes.map((t) => t.name),
      ),
    }));
  });
  if (perEntry.some((e) => e === undefined || e.length === 0)) return;
  const expanded = perEntry.flatMap((e) => e ?? []);
  const meets = new Map<string, boolean>();
  const meetsFormat = (arn: string, format: string) => {
    const key = `${arn}\n${format}`;
    let answer = meets.get(key);
    if (answer === undefined) {
      answer = arnPatternMeetsFormat(arn, format);
      meets.set(key, answer);
    }
    return answer;
  };
  const fits = (arn: string, a: { formats: string[] | undefined }) =>
    a.formats === undefined || a.formats.some((f) => meetsFormat(arn, f));

  for (const r of resources.items) {
    if (!expanded.some((a) => fits(r.value, a))) {
      ctx.report(
        'RESOURCE_MISMATCH',
        `No action of this statement is authorized against ${r.value}: it matches none of their resource types, so it grants nothing here.`,
        [location(r.path, r.node)],
        s,
      );
    }
  }
  actions.items.forEach((item, i) => {
    const mine = perEntry[i] ?? [];
    if (mine.some((a) => resources.items.some((r) => fits(r.value, a)))) return;
    const types = [...new Set(mine.flatMap((a) => a.types))];
    ctx.report(
      'RESOURCE_MISMATCH',
      types.length === 0
        ? `The action ${item.value} takes "*" as its resource (it has no resource types), and this statement names none: it grants nothing here.`
        : `The action ${item.value} is authorized against ${types.join(', ')}, and none of this statement's resources is one: it grants nothing here.`,
      [location(item.path, item.node)],
      s,
    );
  });
}

export function resourceChecks(ctx: LintContext): void {
  for (const s of ctx.doc.statements) {
    for (const list of [s.resource, s.notResource]) {
      if (!list) continue;
      const fit = list.items.filter((item) => entry(ctx, s, item));
      redundant(ctx, s, list);
      if (list === s.resource) mismatch(ctx, s, fit);
    }
  }
}
