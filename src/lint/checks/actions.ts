/**
 * Action and NotAction entries against the Service Authorization Reference: the service exists, the action (or
 * some action the pattern matches) exists, no wildcard in the service name, no entry another one already covers.
 * Action names are case-insensitive (IAM User Guide, "IAM JSON policy elements: Action").
 */
import { expandAction, hasWildcard, splitAction, vendorLoaded } from '../catalogue.ts';
import { location, type ElementList, type PolicyStatement } from '../document.ts';
import type { LintContext } from '../context.ts';
import { covers } from '../patterns.ts';
import { wildcardMatch } from '../../policy/wildcard.ts';

const WILDCARD_SERVICE =
  'Avoid using wildcards (*, ?) in the service name because it might grant unintended access to other AWS services with similar names.';

function entries(ctx: LintContext, s: PolicyStatement, list: ElementList): void {
  for (const item of list.items) {
    const action = item.value;
    if (action === '*') continue;
    const loc = [location(item.path, item.node)];
    const parts = splitAction(action);
    if (!parts || parts.name.includes(':') || parts.vendor === '' || parts.name === '') {
      ctx.report(
        'INVALID_ACTION',
        `The action ${action} does not exist: actions are written service:ActionName.`,
        loc,
        s,
      );
      continue;
    }
    if (hasWildcard(parts.vendor)) {
      ctx.report('WILDCARD_IN_SERVICE_NAME', WILDCARD_SERVICE, loc, s);
      if (!ctx.catalogue.prefixes().some((p) => wildcardMatch(parts.vendor, p))) {
        ctx.report(
          'INVALID_SERVICE_IN_ACTION',
          `The service specified in the action ${action} does not exist.`,
          loc,
          s,
        );
      }
      continue;
    }
    if (!ctx.catalogue.isService(parts.vendor)) {
      ctx.report(
        'INVALID_SERVICE_IN_ACTION',
        `The service ${action.slice(0, action.indexOf(':'))} specified in the action ${action} does not exist.`,
        loc,
        s,
      );
      continue;
    }
    if (vendorLoaded(ctx.catalogue, parts.vendor) && expandAction(ctx.catalogue, action).length === 0) {
      ctx.report('INVALID_ACTION', `The action ${action} does not exist.`, loc, s);
    }
  }
  // An entry is redundant when another covers it; of two equal entries the later one is. Only entries of the same
  // service (or with a wildcard in theirs) can cover each other, which keeps long lists (ReadOnlyAccess) quick.
  const vendorOf = (v: string) => v.slice(0, Math.max(0, v.indexOf(':'))).toLowerCase();
  const byVendor = new Map<string, { value: string; index: number }[]>();
  const wildVendors: { value: string; index: number }[] = [];
  list.items.forEach((item, index) => {
    const vendor = vendorOf(item.value);
    const entry = { value: item.value.toLowerCase(), index };
    if (item.value === '*' || hasWildcard(vendor)) wildVendors.push(entry);
    else byVendor.set(vendor, [...(byVendor.get(vendor) ?? []), entry]);
  });
  list.items.forEach((item, i) => {
    const narrow = item.value.toLowerCase();
    const candidates = [...(byVendor.get(vendorOf(item.value)) ?? []), ...wildVendors];
    const by = candidates.find(({ value: wide, index: j }) => {
      if (j === i) return false;
      if (wide === narrow) return j < i;
      return covers(wide, narrow);
    });
    if (by) {
      const other = list.items[by.index]?.value ?? '';
      ctx.report(
        'REDUNDANT_ACTION',
        `The action(s) ${item.value} and ${other} are redundant because they provide similar permissions. Update the policy to remove the redundant action such as: ${item.value}.`,
        [location(item.path, item.node)],
        s,
      );
    }
  });
}

export function actionChecks(ctx: LintContext): void {
  for (const s of ctx.doc.statements) {
    if (s.action) entries(ctx, s, s.action);
    if (s.notAction) entries(ctx, s, s.notAction);
  }
}
