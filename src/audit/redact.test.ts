import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ec2Model } from '../protocol/generated/ec2.ts';
import { iamModel } from '../protocol/generated/iam.ts';
import { lambdaModel } from '../protocol/generated/lambda.ts';
import { logsModel } from '../protocol/generated/logs.ts';
import { s3Model } from '../protocol/generated/s3.ts';
import { stsModel } from '../protocol/generated/sts.ts';
import { elementName, redacted } from './redact.ts';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TOKEN = 'RC1sealedTokenTextThatMustNeverBeRecorded==';

describe('redacted', () => {
  it("names elements in CloudTrail's lower camel case", () => {
    assert.equal(elementName('RoleName'), 'roleName');
    assert.equal(elementName('AssumeRolePolicyDocument'), 'assumeRolePolicyDocument');
    assert.equal(elementName('SSECustomerAlgorithm'), 'sseCustomerAlgorithm');
    assert.equal(elementName('ACL'), 'acl');
    assert.equal(elementName('logGroupName'), 'logGroupName');
  });

  it('keeps the declared members of an input and drops members the model does not declare', () => {
    const out = redacted(iamModel, 'CreateRoleRequest', {
      RoleName: 'web',
      AssumeRolePolicyDocument: '{}',
      Tags: [{ Key: 'team', Value: 'a' }],
      NotInTheModel: 'x',
    });
    assert.deepEqual(out, { roleName: 'web', assumeRolePolicyDocument: '{}', tags: [{ key: 'team', value: 'a' }] });
  });

  it('keeps an AssumeRole answer without the secret key and session token', () => {
    const out = redacted(stsModel, 'AssumeRoleResponse', {
      Credentials: {
        AccessKeyId: 'ASIAEXAMPLE',
        SecretAccessKey: SECRET,
        SessionToken: TOKEN,
        Expiration: new Date(0),
      },
      AssumedRoleUser: { AssumedRoleId: 'AROA:s', Arn: 'arn:aws:sts::000000000000:assumed-role/r/s' },
    });
    assert.deepEqual(out, {
      credentials: { accessKeyId: 'ASIAEXAMPLE', expiration: '1970-01-01T00:00:00.000Z' },
      assumedRoleUser: { assumedRoleId: 'AROA:s', arn: 'arn:aws:sts::000000000000:assumed-role/r/s' },
    });
  });

  it('keeps a CreateAccessKey answer without the secret key', () => {
    const out = redacted(iamModel, 'CreateAccessKeyResponse', {
      AccessKey: { UserName: 'u', AccessKeyId: 'AKIAEXAMPLE', Status: 'Active', SecretAccessKey: SECRET },
    });
    assert.deepEqual(out, { accessKey: { userName: 'u', accessKeyId: 'AKIAEXAMPLE', status: 'Active' } });
  });

  it('drops object bodies, Lambda code, payloads and environment variables, EC2 user data and log messages', () => {
    const put = redacted(s3Model, 'PutObjectRequest', {
      Bucket: 'b',
      Key: 'k',
      Body: Buffer.from('secret body'),
      SSECustomerKey: SECRET,
      Metadata: { note: 'x' },
    });
    assert.deepEqual(put, { bucketName: 'b', key: 'k' });
    const fn = redacted(lambdaModel, 'CreateFunctionRequest', {
      FunctionName: 'f',
      Role: 'arn:aws:iam::000000000000:role/r',
      Code: { ZipFile: Buffer.from('zip') },
      Environment: { Variables: { DB_PASSWORD: SECRET, MODE: 'prod' } },
    });
    assert.deepEqual(fn, {
      functionName: 'f',
      role: 'arn:aws:iam::000000000000:role/r',
      code: {},
      environment: {},
    });
    assert.deepEqual(redacted(lambdaModel, 'InvocationRequest', { FunctionName: 'f', Payload: Buffer.from('{}') }), {
      functionName: 'f',
    });
    assert.deepEqual(
      redacted(ec2Model, 'RunInstancesRequest', {
        ImageId: 'ami-1',
        MinCount: 1,
        MaxCount: 1,
        UserData: 'IyEvYmluL3No',
      }),
      { imageId: 'ami-1', minCount: 1, maxCount: 1 },
    );
    assert.deepEqual(
      redacted(logsModel, 'PutLogEventsRequest', {
        logGroupName: 'g',
        logStreamName: 's',
        logEvents: [{ timestamp: 1, message: SECRET }],
      }),
      { logGroupName: 'g', logStreamName: 's' },
    );
  });

  it('answers null when nothing is left to record', () => {
    assert.equal(redacted(stsModel, 'GetCallerIdentityRequest', {}), null);
    assert.equal(redacted(stsModel, undefined, { a: 1 }), null);
  });
});
