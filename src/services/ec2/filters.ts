/**
 * EC2 describe filters: several values of one filter match if any matches, several filters must all match, and
 * values may use `*` and `?` wildcards (EC2 API reference, "Filter"). An unknown filter name is an error.
 */
import type { Filter } from '../../protocol/generated/ec2.ts';
import { AwsError } from '../../protocol/errors.ts';
import { wildcardMatch } from '../../policy/wildcard.ts';

/** Reads each filterable attribute of an item; an attribute may have several values. */
export type FilterFields<T> = Readonly<Record<string, (item: T) => readonly string[]>>;

export function applyFilters<T>(
  items: readonly T[],
  filters: readonly Filter[] | undefined,
  fields: FilterFields<T>,
): T[] {
  if (!filters || filters.length === 0) return [...items];
  for (const filter of filters) {
    if (filter.Name === undefined || !Object.hasOwn(fields, filter.Name)) {
      throw new AwsError('InvalidParameterValue', 400, `The filter '${filter.Name ?? 'null'}' is invalid`);
    }
  }
  return items.filter((item) =>
    filters.every((filter) => {
      const read = fields[filter.Name ?? ''];
      const values = read ? read(item) : [];
      return (filter.Values ?? []).some((pattern) => values.some((v) => wildcardMatch(pattern, v)));
    }),
  );
}
