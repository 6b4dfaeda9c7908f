import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressArn, addressOf } from './names.ts';

describe('addressOf', () => {
  const here = ['111111111111', 'us-east-1'] as const;

  it('reads a name, a name with a qualifier, a partial ARN and a full ARN', () => {
    assert.deepEqual(addressOf('fn', ...here), { account: '111111111111', region: 'us-east-1', name: 'fn' });
    assert.deepEqual(addressOf('fn:$LATEST', ...here), {
      account: '111111111111',
      region: 'us-east-1',
      name: 'fn',
      qualifier: '$LATEST',
    });
    assert.deepEqual(addressOf('222222222222:function:fn', ...here), {
      account: '222222222222',
      region: 'us-east-1',
      name: 'fn',
    });
    assert.deepEqual(addressOf('arn:aws:lambda:eu-west-1:333333333333:function:fn:prod', ...here), {
      account: '333333333333',
      region: 'eu-west-1',
      name: 'fn',
      qualifier: 'prod',
    });
  });

  it('refuses what names no function', () => {
    assert.equal(addressOf('arn:aws:s3:::bucket', ...here), undefined);
    assert.equal(addressOf('a:b:c', ...here), undefined);
    assert.equal(addressOf('with space', ...here), undefined);
  });

  it('names the qualified ARN only when a qualifier is given', () => {
    const a = { account: '111111111111', region: 'us-east-1', name: 'fn' };
    assert.equal(addressArn(a), 'arn:aws:lambda:us-east-1:111111111111:function:fn');
    assert.equal(addressArn({ ...a, qualifier: '7' }), 'arn:aws:lambda:us-east-1:111111111111:function:fn:7');
  });
});
