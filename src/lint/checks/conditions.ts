/**
 * Condition blocks: operators (IAM User Guide, "IAM JSON policy elements: Condition operators"), keys (the global
 * condition keys and each service's, from the Service Authorization Reference), the values each operator can
 * compare, set qualifiers against single- and multivalued keys ("Multivalued context keys"), and whether each
 * action of the statement supports each key: a key an action does not support is absent from its requests.
 */
import { conditionKeyInfo, expandAction, keyMatches, serviceKey, splitAction, vendorLoaded } from '../catalogue.ts';
import { location, type ConditionTest, type PolicyStatement } from '../document.ts';
import type { LintContext } from '../context.ts';
import { baseOperator } from '../../policy/validate.ts';
import { parseCidr } from '../../policy/ip.ts';

interface Operator {
  readonly qualifier?: 'ForAllValues' | 'ForAnyValue';
  /** Lower-cased base operator, without qualifier and IfExists. */
  readonly base: string;
  readonly ifExists: boolean;
}

function parseOperator(text: string): Operator | undefined {
  const base = baseOperator(text);
  if (base === undefined) return undefined;
  const q = /^(ForAllValues|ForAnyValue):/.exec(text)?.[1] as Operator['qualifier'];
  return { ...(q !== undefined && { qualifier: q }), base, ifExists: /IfExists$/.test(text) };
}

/** The operator family each key type is compared with (Service Authorization Reference, condition key types). */
const FAMILY_OF_TYPE: Record<string, readonly string[]> = {
  string: ['string'],
  arn: ['arn', 'string'],
  numeric: ['numeric'],
  date: ['date'],
  bool: ['bool'],
  ipaddress: ['ipaddress'],
  binary: ['binary'],
};

function family(base: string): string {
  if (base.startsWith('string')) return 'string';
  if (base.startsWith('arn')) return 'arn';
  if (base.startsWith('numeric')) return 'numeric';
  if (base.startsWith('date')) return 'date';
  if (base === 'bool') return 'bool';
  if (base === 'ipaddress' || base === 'notipaddress') return 'ipaddress';
  if (base === 'binaryequals') return 'binary';
  return 'null';
}

/** ISO 8601 dates and times, or epoch seconds (IAM User Guide, "Date condition operators"). */
const isDate = (v: string): boolean =>
  /^-?\d+$/.test(v) ||
  /^\d{4}-\d{2}(-\d{2}([Tt]\d{2}(:\d{2}(:\d{2}(\.\d{1,9})?)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?)?)?$/.test(v);

const TAG_KEYS = ['aws:resourcetag/', 'aws:requesttag/'];
const isTagKey = (key: string): boolean => {
  const k = key.toLowerCase();
  return k === 'aws:tagkeys' || TAG_KEYS.some((p) => k.startsWith(p));
};

/** Keys of web identity and SAML providers (`accounts.google.com:aud`, `saml:sub`): not service keys. */
const isProviderKey = (prefix: string): boolean => prefix.includes('.') || prefix.includes('/');

function keyChecks(ctx: LintContext, s: PolicyStatement, t: ConditionTest, op: Operator): void {
  const keyLoc = [location(t.keyPath, t.valueNode)];
  const colon = t.key.indexOf(':');
  if (colon <= 0) {
    ctx.report(
      'INVALID_CONDITION_KEY_FORMAT',
      `The condition key ${t.key} format is not valid. Use the format service:keyname.`,
      keyLoc,
      s,
    );
    return;
  }
  const prefix = t.key.slice(0, colon).toLowerCase();
  if (prefix === 'aws') {
    if (!ctx.catalogue.globalKey(t.key)) {
      ctx.report(
        'INVALID_GLOBAL_CONDITION_KEY',
        `The condition key ${t.key} does not exist. Use a valid condition key.`,
        keyLoc,
        s,
      );
      return;
    }
  } else if (!isProviderKey(prefix) && !ctx.catalogue.globalKey(t.key)) {
    if (!ctx.catalogue.isConditionPrefix(prefix)) {
      ctx.report(
        'INVALID_SERVICE',
        `The service ${prefix} of the condition key ${t.key} does not exist. Use a valid service name.`,
        keyLoc,
        s,
      );
      return;
    }
    const service = ctx.catalogue.service(prefix);
    if (service && !serviceKey(service, t.key)) {
      ctx.report(
        'INVALID_SERVICE_CONDITION_KEY',
        `The condition key ${t.key} does not exist in the service ${prefix}. Use a valid condition key.`,
        keyLoc,
        s,
      );
      return;
    }
  }
  const info = conditionKeyInfo(ctx.catalogue, t.key);
  if (!info || op.base === 'null') return;
  const multivalued = info.type.startsWith('ArrayOf');
  if (op.qualifier === 'ForAllValues' && !multivalued) {
    ctx.report(
      'FORALLVALUES_WITH_SINGLE_VALUED_KEY',
      `Using ForAllValues qualifier with the single-valued condition key ${t.key} can be overly permissive. We recommend that you remove ForAllValues:.`,
      keyLoc,
      s,
    );
  }
  if (op.qualifier === undefined && multivalued) {
    ctx.report(
      'MISSING_QUALIFIER',
      `The request context key ${t.key} has multiple values. Use the ForAllValues or ForAnyValue condition key qualifiers in your policy.`,
      keyLoc,
      s,
    );
  }
  const keyType = info.type.replace(/^ArrayOf/, '').toLowerCase();
  const allowed = FAMILY_OF_TYPE[keyType];
  const used = family(op.base);
  if (allowed && !allowed.includes(used)) {
    ctx.report(
      'TYPE_MISMATCH',
      `Use the operator type ${info.type.replace(/^ArrayOf/, '')} instead of operator ${t.operator} for the condition key ${t.key}.`,
      keyLoc,
      s,
    );
  }
}

function valueChecks(ctx: LintContext, s: PolicyStatement, t: ConditionTest, op: Operator): void {
  if (t.valueNode.kind === 'array' && t.valueNode.items.length === 0) {
    ctx.report(
      'EMPTY_ARRAY_CONDITION',
      'There are no values for the condition key and it does not affect the policy. Specify conditions.',
      [location(t.keyPath, t.valueNode)],
      s,
    );
  }
  for (const v of t.values) {
    const loc = [location(v.path, v.node)];
    const text = v.text;
    switch (family(op.base)) {
      case 'bool':
      case 'null':
        if (!/^(true|false)$/i.test(text)) {
          ctx.report(
            'TYPE_MISMATCH_BOOLEAN',
            `Add a valid Boolean value (true or false) for the condition operator ${t.operator}.`,
            loc,
            s,
          );
        }
        break;
      case 'numeric':
        if (!/^-?\d+(\.\d+)?$/.test(text)) {
          ctx.report(
            'TYPE_MISMATCH_NUMBER',
            `Add a valid numeric value for the condition operator ${t.operator}.`,
            loc,
            s,
          );
        }
        break;
      case 'date':
        if (!isDate(text)) {
          ctx.report(
            'TYPE_MISMATCH_DATE',
            'The date condition operator is used with an invalid value. Specify a valid date using YYYY-MM-DD or other ISO 8601 date/time format.',
            loc,
            s,
          );
        }
        break;
      case 'ipaddress':
        if (!parseCidr(text)) {
          ctx.report(
            'TYPE_MISMATCH_IP_RANGE',
            'The condition operator is used with an invalid IP range value. Specify the IP range in standard CIDR format.',
            loc,
            s,
          );
        }
        break;
      case 'string':
        if (/^string(not)?equals(ignorecase)?$/.test(op.base) && /[*?]/.test(text.replace(/\$\{[^}]*\}/g, ''))) {
          ctx.report(
            'WILDCARD_WITHOUT_LIKE_OPERATOR',
            'Your condition value includes a * or ? character. If you meant to use a wildcard (*, ?), update the condition operator to include Like.',
            loc,
            s,
          );
        }
        break;
    }
  }
}

/** Whether an action supports a key: its own keys and its resource types' (Service Authorization Reference). */
const supports = (keys: readonly string[], key: string): boolean => keys.some((k) => keyMatches(k, key));

function supportChecks(ctx: LintContext, s: PolicyStatement): void {
  const actions = s.action;
  if (!actions || actions.items.some((a) => a.value === '*') || s.conditions.length === 0) return;
  const vendorsLoaded = actions.items.every((a) => {
    const v = splitAction(a.value)?.vendor;
    return v !== undefined && vendorLoaded(ctx.catalogue, v);
  });
  if (!vendorsLoaded) return;
  const expanded = actions.items.map((item) => ({ item, actions: expandAction(ctx.catalogue, item.value) }));
  const done = new Set<string>();
  for (const t of s.conditions) {
    const key = t.key.toLowerCase();
    if (done.has(key)) continue;
    done.add(key);
    const colon = key.indexOf(':');
    const prefix = key.slice(0, colon);
    const tag = isTagKey(key);
    if (colon <= 0) continue;
    if (!tag && (prefix === 'aws' || ctx.catalogue.globalKey(t.key))) continue;
    // An identity provider's key (`cognito-identity.amazonaws.com:aud`) belongs to no service: it is judged only
    // when some action of the statement lists it. Any other key must be known; keyChecks reports unknown ones.
    const all = expanded.flatMap((e) => e.actions);
    if (tag) {
      // aws:ResourceTag, aws:RequestTag and aws:TagKeys: judged for every action.
    } else if (isProviderKey(prefix) || !ctx.catalogue.isService(prefix)) {
      if (!all.some(({ action }) => supports(action.conditionKeys, t.key))) continue;
    } else if (!conditionKeyInfo(ctx.catalogue, t.key)) {
      continue;
    }
    const unsupported = expanded.flatMap(({ item, actions: list }) =>
      list
        .filter(({ action }) => !supports(action.conditionKeys, t.key))
        .map(({ service, action }) => ({
          item,
          name: `${service.prefix}:${action.name}`,
          prefix: service.prefix,
        })),
    );
    if (unsupported.length === 0) continue;
    const names = [...new Set(unsupported.map((u) => u.name))];
    const shown =
      names.length > 10 ? `${names.slice(0, 10).join(', ')} and ${names.length - 10} more` : names.join(', ');
    const items = [...new Set(unsupported.map((u) => u.item))];
    const locs = [...items.map((i) => location(i.path, i.node)), location(t.keyPath, t.valueNode)];
    if (tag) {
      const prefixes = [...new Set(unsupported.map((u) => u.prefix))].join(', ');
      const deny = s.effect === 'Deny';
      ctx.report(
        deny
          ? 'DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE'
          : 'ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE',
        deny
          ? `Using the effect Deny with the tag condition key ${t.key} and actions for services with the following prefixes can be overly permissive: ${prefixes}. Actions for the listed services are not denied by this statement (${shown}). We recommend that you move these actions to a different statement without this condition key.`
          : `Using the effect Allow with the tag condition key ${t.key} and actions for services with the following prefixes does not affect the policy: ${prefixes}. Actions for the listed service are not allowed by this statement (${shown}). We recommend that you move these actions to a different statement without this condition key.`,
        locs,
        s,
      );
    } else {
      ctx.report(
        'UNSUPPORTED_ACTION_FOR_CONDITION_KEY',
        `The following actions: ${shown} are not supported by the condition key ${t.key}. The condition will not be evaluated for these actions. We recommend that you move these actions to a different statement without this condition key.`,
        locs,
        s,
      );
    }
  }
}

export function conditionChecks(ctx: LintContext): void {
  for (const s of ctx.doc.statements) {
    const reportedOperators = new Set<string>();
    const seenKeys = new Map<string, Map<string, string>>();
    for (const t of s.conditions) {
      const op = parseOperator(t.operator);
      if (!op) {
        if (!reportedOperators.has(t.operator)) {
          ctx.report(
            'INVALID_CONDITION_OPERATOR',
            `The condition operator ${t.operator} is not valid. Use a valid condition operator.`,
            [location(t.operatorPath, t.operatorNode)],
            s,
          );
        }
        reportedOperators.add(t.operator);
        continue;
      }
      if (op.base === 'null' && !reportedOperators.has(t.operator)) {
        reportedOperators.add(t.operator);
        if (op.ifExists) {
          ctx.report(
            'NULL_WITH_IF_EXISTS',
            'The Null condition operator cannot be used with the IfExists suffix. Update the operator or the suffix.',
            [location(t.operatorPath, t.operatorNode)],
            s,
          );
        }
        if (op.qualifier !== undefined) {
          ctx.report(
            'NULL_WITH_QUALIFIER',
            'Avoid using the Null condition operator with the ForAllValues or ForAnyValue qualifiers because they always return a true or false respectively.',
            [location(t.operatorPath, t.operatorNode)],
            s,
          );
        }
      }
      let keys = seenKeys.get(t.operator);
      if (!keys) {
        keys = new Map();
        seenKeys.set(t.operator, keys);
      }
      const earlier = keys.get(t.key.toLowerCase());
      if (earlier !== undefined && earlier !== t.key) {
        ctx.report(
          'DUPLICATE_KEYS_WITH_DIFFERENT_CASE',
          `The condition key ${t.key} appears more than once with different capitalization in the same condition block. Remove the duplicate condition keys.`,
          [location(t.keyPath, t.valueNode)],
          s,
        );
      }
      keys.set(t.key.toLowerCase(), t.key);
      keyChecks(ctx, s, t, op);
      valueChecks(ctx, s, t, op);
    }
    supportChecks(ctx, s);
  }
}
