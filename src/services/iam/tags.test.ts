// IAM tag rules: keys compare case-insensitively, duplicates in one request are InvalidInput, TagX overwrites or
// appends up to 50, UntagX ignores keys that are not there (shared/AWS-FACTS.md, docs/research/wire-facts.md §5).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Tag } from '../../model/iam.ts';
import { AwsError } from '../../protocol/errors.ts';
import { checkRequestTags, MAX_TAGS, mergeTags, removeTags } from './tags.ts';

const DUPLICATE = 'Duplicate tag keys found. Please note that Tag keys are case insensitive.';
const tag = (Key: string, Value = 'v'): Tag => ({ Key, Value });
const many = (n: number, prefix = 'k') => Array.from({ length: n }, (_, i) => tag(`${prefix}${i}`));

function refuses(fn: () => unknown, code: string, status: number, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof AwsError, String(err));
    assert.deepEqual([err.code, err.status, err.message], [code, status, message]);
    return true;
  });
}

describe('checkRequestTags', () => {
  it('accepts distinct keys, none, and empty values', () => {
    assert.doesNotThrow(() => checkRequestTags([]));
    assert.doesNotThrow(() => checkRequestTags([tag('a'), tag('b', ''), tag('a b')]));
  });

  it('refuses the same key twice, in any case', () => {
    refuses(() => checkRequestTags([tag('Team'), tag('Team')]), 'InvalidInput', 400, DUPLICATE);
    refuses(() => checkRequestTags([tag('Team'), tag('x'), tag('TEAM')]), 'InvalidInput', 400, DUPLICATE);
    refuses(() => checkRequestTags([tag('Ümlaut'), tag('ümlaut')]), 'InvalidInput', 400, DUPLICATE);
  });
});

describe('mergeTags', () => {
  it('appends new keys in request order', () => {
    assert.deepEqual(mergeTags([tag('a', '1')], [tag('c', '3'), tag('b', '2')]), [
      tag('a', '1'),
      tag('c', '3'),
      tag('b', '2'),
    ]);
  });

  it('overwrites an existing key in place, taking the new key spelling and value', () => {
    assert.deepEqual(mergeTags([tag('Env', 'dev'), tag('x', '1')], [tag('ENV', 'prod')]), [
      tag('ENV', 'prod'),
      tag('x', '1'),
    ]);
    assert.deepEqual(mergeTags([tag('k', 'old')], [tag('k', '')]), [tag('k', '')]);
  });

  it('does not change its inputs', () => {
    const current = [tag('a', '1')];
    const added = [tag('a', '2'), tag('b', '3')];
    mergeTags(current, added);
    assert.deepEqual(current, [tag('a', '1')]);
    assert.deepEqual(added, [tag('a', '2'), tag('b', '3')]);
  });

  it('refuses duplicate keys in the request', () => {
    refuses(() => mergeTags([], [tag('k'), tag('K')]), 'InvalidInput', 400, DUPLICATE);
  });

  it('allows up to 50 tags in total, counting overwrites once', () => {
    assert.equal(MAX_TAGS, 50);
    assert.equal(mergeTags(many(30), many(20, 'n')).length, 50);
    assert.equal(mergeTags(many(50), many(50)).length, 50);
    assert.equal(mergeTags(many(50), [tag('K0', 'new')]).length, 50);
  });

  it('refuses a 51st tag with LimitExceeded 409', () => {
    refuses(
      () => mergeTags(many(30), many(21, 'n')),
      'LimitExceeded',
      409,
      'The number of tags has reached the maximum limit.',
    );
    refuses(
      () => mergeTags(many(50), [tag('one-more')]),
      'LimitExceeded',
      409,
      'The number of tags has reached the maximum limit.',
    );
  });
});

describe('removeTags', () => {
  it('removes keys case-insensitively and keeps the order of the rest', () => {
    assert.deepEqual(removeTags([tag('a'), tag('B'), tag('c'), tag('D')], ['b', 'D']), [tag('a'), tag('c')]);
  });

  it('ignores keys that are not there', () => {
    assert.deepEqual(removeTags([tag('a')], ['zzz']), [tag('a')]);
    assert.deepEqual(removeTags([], ['a']), []);
    assert.deepEqual(removeTags([tag('a')], []), [tag('a')]);
  });

  it('does not change its input', () => {
    const current = [tag('a'), tag('b')];
    removeTags(current, ['a']);
    assert.deepEqual(current, [tag('a'), tag('b')]);
  });
});
