// Wildcard pattern against wildcard pattern: coverage (for redundant entries and statements) and intersection
// (for resource ARNs against the ARN formats of resource types).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { wildcardMatch } from '../policy/wildcard.ts';
import { arnCovers, arnPatternMeetsFormat, covers, intersects } from './patterns.ts';

describe('covers', () => {
  it('knows the obvious cases', () => {
    assert.ok(covers('iam:get*', 'iam:getrole'));
    assert.ok(covers('*', 'anything*'));
    assert.ok(covers('iam:get*', 'iam:get*role'));
    assert.ok(covers('a?c', 'abc'));
    assert.ok(!covers('iam:get*', 'iam:*credentialreport'));
    assert.ok(!covers('a?c', 'a*c'));
    assert.ok(!covers('abc', 'ab?'));
    assert.ok(covers('', ''));
    assert.ok(!covers('', 'a'));
  });

  it('is sound: whatever the narrow pattern matches, the wide one matches (generated)', () => {
    const pattern = fc.stringMatching(/^[ab*?]{0,6}$/);
    const text = fc.stringMatching(/^[ab]{0,8}$/);
    fc.assert(
      fc.property(pattern, pattern, text, (wide, narrow, t) => {
        if (covers(wide, narrow) && wildcardMatch(narrow, t))
          assert.ok(wildcardMatch(wide, t), `${wide} ⊇ ${narrow} on ${t}`);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('intersects', () => {
  it('agrees with a shared matching string (generated)', () => {
    const pattern = fc.stringMatching(/^[ab*?]{0,5}$/);
    const text = fc.stringMatching(/^[ab]{0,7}$/);
    fc.assert(
      fc.property(pattern, pattern, text, (a, b, t) => {
        if (wildcardMatch(a, t) && wildcardMatch(b, t)) assert.ok(intersects(a, b), `${a} ∩ ${b} holds ${t}`);
      }),
      { numRuns: 3000 },
    );
    assert.ok(!intersects('abc', 'abd'));
    assert.ok(!intersects('a*', 'b*'));
  });

  it('keeps a bucket name apart from object keys: ${BucketName} has no slash', () => {
    const bucket = 'arn:${Partition}:s3:::${BucketName}';
    const object = 'arn:${Partition}:s3:::${BucketName}/${ObjectName}';
    assert.ok(arnPatternMeetsFormat('arn:aws:s3:::reports', bucket));
    assert.ok(!arnPatternMeetsFormat('arn:aws:s3:::reports/*', bucket));
    assert.ok(arnPatternMeetsFormat('arn:aws:s3:::reports/*', object));
    assert.ok(arnPatternMeetsFormat('arn:aws:s3:::*', object));
    assert.ok(!arnPatternMeetsFormat('arn:aws:s3:::reports', object));
    assert.ok(
      !arnPatternMeetsFormat(
        'arn:aws:dynamodb::111122223333:table/t',
        'arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}',
      ),
    );
  });
});

describe('arnCovers', () => {
  it('compares segment by segment: a star in the Region does not reach into the account', () => {
    assert.ok(arnCovers('arn:aws:s3:::reports/*', 'arn:aws:s3:::reports/2024/*'));
    assert.ok(arnCovers('*', 'arn:aws:s3:::x'));
    assert.ok(!arnCovers('arn:aws:s3:::x', '*'));
    assert.ok(arnCovers('arn:aws:ec2:*:*:instance/*', 'arn:aws:ec2:us-east-1:111122223333:instance/i-1'));
    assert.ok(!arnCovers('arn:aws:ec2:us-*:111122223333:instance/*', 'arn:aws:ec2:*:111122223333:instance/i-1'));
  });
});
