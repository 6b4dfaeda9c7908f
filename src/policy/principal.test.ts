// principalFromArn: the forms `rolecall simulate` and the simulator APIs accept for a principal.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { principalFromArn } from './principal.ts';
import type { RequestPrincipal } from './types.ts';

const A = '111122223333';
const ROWS: [text: string, expected: RequestPrincipal | undefined][] = [
  ['*', { type: 'anonymous', arn: '*', account: '' }],
  ['anonymous', { type: 'anonymous', arn: '*', account: '' }],
  [A, { type: 'root', arn: `arn:aws:iam::${A}:root`, account: A }],
  [`arn:aws:iam::${A}:root`, { type: 'root', arn: `arn:aws:iam::${A}:root`, account: A }],
  [`arn:aws:iam::${A}:user/alice`, { type: 'user', arn: `arn:aws:iam::${A}:user/alice`, account: A }],
  [`arn:aws:iam::${A}:user/dept/alice`, { type: 'user', arn: `arn:aws:iam::${A}:user/dept/alice`, account: A }],
  [`arn:aws:iam::${A}:role/app`, { type: 'role', arn: `arn:aws:iam::${A}:role/app`, account: A }],
  [
    `arn:aws:sts::${A}:assumed-role/app/i-0abc`,
    {
      type: 'assumed-role',
      arn: `arn:aws:sts::${A}:assumed-role/app/i-0abc`,
      account: A,
      roleArn: `arn:aws:iam::${A}:role/app`,
    },
  ],
  [
    `arn:aws-cn:sts::${A}:assumed-role/app/s`,
    {
      type: 'assumed-role',
      arn: `arn:aws-cn:sts::${A}:assumed-role/app/s`,
      account: A,
      roleArn: `arn:aws-cn:iam::${A}:role/app`,
    },
  ],
  [
    `arn:aws:sts::${A}:federated-user/carol`,
    { type: 'federated-user', arn: `arn:aws:sts::${A}:federated-user/carol`, account: A },
  ],
  ['ec2.amazonaws.com', { type: 'service', arn: 'ec2.amazonaws.com', account: '', service: 'ec2.amazonaws.com' }],
  [
    'elasticmapreduce.amazonaws.com',
    { type: 'service', arn: 'elasticmapreduce.amazonaws.com', account: '', service: 'elasticmapreduce.amazonaws.com' },
  ],
  [`arn:aws:sts::${A}:assumed-role/app`, undefined],
  [`arn:aws:iam::${A}:group/admins`, undefined],
  [`arn:aws:s3:::bucket`, undefined],
  ['12345', undefined],
  ['alice', undefined],
  ['', undefined],
];

describe('principalFromArn', () => {
  for (const [text, expected] of ROWS) {
    it(JSON.stringify(text), () => assert.deepEqual(principalFromArn(text), expected));
  }
});
