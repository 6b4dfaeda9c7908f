// Segment-aware ARN matching (IAM User Guide, "IAM JSON policy elements: Resource" and the ARN condition
// operators): the first five colon-separated segments are matched one by one, the resource part keeps its colons.
// Only rows on which Resource and ArnLike agree are here: a `*` ending one of the first five segments may run past
// colons in a Resource element but not in ArnLike; the corpus (resources/, conditions-arn/) covers both.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileArnPattern, matchArn } from './arn-match.ts';

const lookup = (key: string) => ({ 'aws:username': 'alice' })[key];
const ACCOUNT = '111122223333';

type Row = [pattern: string, arn: string, expected: boolean | 'unresolved'];
const ROWS: Row[] = [
  ['*', 'arn:aws:s3:::b', true],
  ['*', 'not an arn', true],
  ['arn:aws:s3:::b', 'arn:aws:s3:::b', true],
  ['arn:aws:s3:::b', 'arn:aws:s3:::B', false],
  ['arn:aws:s3:::b/*', 'arn:aws:s3:::b/x/y/z', true],
  ['arn:aws:s3:::b/*', 'arn:aws:s3:::b', false],
  ['arn:aws:s3:::b*', 'arn:aws:s3:::b2/x', true],
  ['arn:aws:s3:::b?', 'arn:aws:s3:::b', false],
  [`arn:aws:ec2:*:${ACCOUNT}:instance/*`, `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-1`, true],
  [`arn:aws:iam:*:${ACCOUNT}:user/*`, `arn:aws:iam::${ACCOUNT}:user/alice`, true],
  [`arn:aws:sns:us-east-1:${ACCOUNT}:*`, `arn:aws:sns:us-east-1:${ACCOUNT}:topic:sub-1`, true],
  [`arn:aws:sns:us-east-1:${ACCOUNT}:topic`, `arn:aws:sns:us-east-1:${ACCOUNT}:topic:sub-1`, false],
  [
    `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:app:*`,
    `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:app:log-stream:1`,
    true,
  ],
  ['arn:*:s3:::b', 'arn:aws-cn:s3:::b', true],
  [`arn:aws:ec2:us-east-?:${ACCOUNT}:*`, `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-1`, true],
  ['arn:aws:s3:::b/${aws:username}/*', 'arn:aws:s3:::b/alice/k', true],
  ['arn:aws:s3:::b/${aws:username}/*', 'arn:aws:s3:::b/bob/k', false],
  ['arn:aws:s3:::b/${aws:nobody}/*', 'arn:aws:s3:::b/alice/k', 'unresolved'],
  ['arn:aws:s3:::b', '*', false],
  ['arn:aws:s3:::b', 'arn:aws:s3', false],
];

describe('matchArn', () => {
  for (const [pattern, arn, expected] of ROWS) {
    it(`${pattern} against ${arn}`, () =>
      assert.equal(matchArn(compileArnPattern(pattern, true), arn, lookup), expected));
  }

  it('keeps ${…} as text when variables are off', () => {
    const pattern = compileArnPattern('arn:aws:s3:::b/${aws:username}/*', false);
    assert.equal(matchArn(pattern, 'arn:aws:s3:::b/${aws:username}/k', lookup), true);
    assert.equal(matchArn(pattern, 'arn:aws:s3:::b/alice/k', lookup), false);
  });
});
