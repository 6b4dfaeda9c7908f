// applyFilters: EC2 describe filters. Values of one filter are ORed, filters are ANDed, `*` and `?` are
// wildcards, and an unknown filter name is InvalidParameterValue (EC2 API reference, "Filter").
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsError } from '../../protocol/errors.ts';
import type { Filter } from '../../protocol/generated/ec2.ts';
import { applyFilters, type FilterFields } from './filters.ts';

interface Item {
  readonly name: string;
  readonly state: string;
  readonly tags: readonly string[];
}

const ITEMS: readonly Item[] = [
  { name: 'us-east-1', state: 'available', tags: ['blue', 'green'] },
  { name: 'us-west-2', state: 'impaired', tags: ['red'] },
  { name: 'eu-west-1', state: 'available', tags: [] },
  { name: 'eu-central-1', state: 'unavailable', tags: ['green'] },
];

const FIELDS: FilterFields<Item> = {
  name: (i) => [i.name],
  state: (i) => [i.state],
  tag: (i) => i.tags,
};

const names = (filters: Filter[] | undefined) => applyFilters(ITEMS, filters, FIELDS).map((i) => i.name);

function refuses(filters: Filter[], message: string): void {
  assert.throws(
    () => applyFilters(ITEMS, filters, FIELDS),
    (err: unknown) => {
      assert.ok(err instanceof AwsError, String(err));
      assert.deepEqual([err.code, err.status, err.message], ['InvalidParameterValue', 400, message]);
      return true;
    },
  );
}

describe('applyFilters', () => {
  it('returns every item, as a new array, when there are no filters', () => {
    const all = applyFilters(ITEMS, undefined, FIELDS);
    assert.deepEqual(all, ITEMS);
    assert.notEqual(all, ITEMS);
    assert.deepEqual(applyFilters(ITEMS, [], FIELDS), ITEMS);
  });

  it('matches one exact value', () => {
    assert.deepEqual(names([{ Name: 'name', Values: ['eu-west-1'] }]), ['eu-west-1']);
  });

  it('ORs the values of one filter', () => {
    assert.deepEqual(names([{ Name: 'state', Values: ['impaired', 'unavailable'] }]), ['us-west-2', 'eu-central-1']);
  });

  it('ANDs several filters', () => {
    assert.deepEqual(
      names([
        { Name: 'state', Values: ['available'] },
        { Name: 'name', Values: ['eu-*'] },
      ]),
      ['eu-west-1'],
    );
  });

  it('supports * and ? wildcards in values', () => {
    assert.deepEqual(names([{ Name: 'name', Values: ['us-*'] }]), ['us-east-1', 'us-west-2']);
    assert.deepEqual(names([{ Name: 'name', Values: ['*-1'] }]), ['us-east-1', 'eu-west-1', 'eu-central-1']);
    assert.deepEqual(names([{ Name: 'name', Values: ['us-????-?'] }]), ['us-east-1', 'us-west-2']);
    assert.deepEqual(names([{ Name: 'name', Values: ['*'] }]), ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1']);
  });

  it('matches the whole value, case-sensitively', () => {
    assert.deepEqual(names([{ Name: 'name', Values: ['us-east'] }]), []);
    assert.deepEqual(names([{ Name: 'name', Values: ['US-EAST-1'] }]), []);
  });

  it('matches an item when any of its values of a multi-valued attribute matches', () => {
    assert.deepEqual(names([{ Name: 'tag', Values: ['green'] }]), ['us-east-1', 'eu-central-1']);
    assert.deepEqual(names([{ Name: 'tag', Values: ['*'] }]), ['us-east-1', 'us-west-2', 'eu-central-1']);
  });

  it('matches nothing with an empty or absent value list', () => {
    assert.deepEqual(names([{ Name: 'name', Values: [] }]), []);
    assert.deepEqual(names([{ Name: 'name' }]), []);
  });

  it('refuses an unknown filter name, even when other filters are known', () => {
    refuses([{ Name: 'colour', Values: ['x'] }], "The filter 'colour' is invalid");
    refuses(
      [
        { Name: 'name', Values: ['*'] },
        { Name: 'Name', Values: ['*'] },
      ],
      "The filter 'Name' is invalid",
    );
  });

  it('refuses a filter without a name', () => {
    refuses([{ Values: ['x'] }], "The filter 'null' is invalid");
  });

  it('does not treat Object.prototype names as filters', () => {
    refuses([{ Name: 'toString', Values: ['*'] }], "The filter 'toString' is invalid");
    refuses([{ Name: '__proto__', Values: ['*'] }], "The filter '__proto__' is invalid");
  });

  it('refuses an unknown filter even when there are no items', () => {
    assert.throws(() => applyFilters([], [{ Name: 'nope', Values: ['x'] }], FIELDS), AwsError);
  });
});
