// encodeResult and encodeError: the exact XML of the query protocol (IAM, STS) and the ec2 protocol, from the
// generated models (docs/research/wire-facts.md §1 and §3).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsError } from '../errors.ts';
import { ec2Model } from '../generated/ec2.ts';
import { iamModel, NoSuchEntityException, type Role } from '../generated/iam.ts';
import { stsModel } from '../generated/sts.ts';
import type { ServiceModel } from '../model.ts';
import { encodeError, encodeResult, escapeXml } from './encode.ts';

const RID = '11111111-2222-3333-4444-555555555555';
const IAM_OPEN = '<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult>';
const IAM_CLOSE = `</GetRoleResult><ResponseMetadata><RequestId>${RID}</RequestId></ResponseMetadata></GetRoleResponse>`;

const role: Role = {
  Path: '/',
  RoleName: 'app',
  RoleId: 'AROAAAAAAAAAAAAAAAAAA',
  Arn: 'arn:aws:iam::000000000000:role/app',
  CreateDate: new Date('2026-01-02T03:04:05.678Z'),
  AssumeRolePolicyDocument: '%7B%7D',
};
const ROLE_XML =
  '<Path>/</Path><RoleName>app</RoleName><RoleId>AROAAAAAAAAAAAAAAAAAA</RoleId>' +
  '<Arn>arn:aws:iam::000000000000:role/app</Arn><CreateDate>2026-01-02T03:04:05Z</CreateDate>' +
  '<AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument>';

/** An ec2-protocol model with a timestamp, and a query one with a map, a flattened list and a blob. */
const ec2Like: ServiceModel = {
  service: 'ec2',
  protocol: 'ec2',
  apiVersion: '2016-11-15',
  xmlNamespace: 'http://ec2.amazonaws.com/doc/2016-11-15',
  source: 'encode.test.ts',
  errors: {},
  operations: { Probe: { name: 'Probe', output: 'Out', errors: [] } },
  shapes: {
    Out: {
      type: 'structure',
      members: { When: { shape: 'Time', locationName: 'when' }, Ids: { shape: 'Ids', locationName: 'idSet' } },
    },
    Ids: { type: 'list', member: { shape: 'Str', locationName: 'item' } },
    Str: { type: 'string' },
    Time: { type: 'timestamp' },
  },
};
const queryLike: ServiceModel = {
  service: 'test',
  protocol: 'query',
  apiVersion: '2020-01-01',
  xmlNamespace: 'https://test.example/doc/2020-01-01/',
  source: 'encode.test.ts',
  errors: {},
  operations: { Probe: { name: 'Probe', output: 'Out', resultWrapper: 'ProbeResult', errors: [] } },
  shapes: {
    Out: {
      type: 'structure',
      members: {
        Attrs: { shape: 'Attrs' },
        Flat: { shape: 'FlatList', locationName: 'Entry' },
        Data: { shape: 'Bytes' },
        When: { shape: 'Time' },
        Flag: { shape: 'Bool' },
        Count: { shape: 'Int' },
      },
    },
    Attrs: { type: 'map', key: { shape: 'Str' }, value: { shape: 'Str' } },
    FlatList: { type: 'list', member: { shape: 'Str', locationName: 'Item' }, flattened: true },
    Str: { type: 'string' },
    Bytes: { type: 'blob' },
    Time: { type: 'timestamp' },
    Bool: { type: 'boolean' },
    Int: { type: 'integer' },
  },
};

describe('escapeXml', () => {
  it('escapes the five XML specials and carriage return', () => {
    assert.equal(escapeXml(`a&b<c>d"e'f\rg`), 'a&amp;b&lt;c&gt;d&quot;e&apos;f&#13;g');
  });

  it('leaves other text alone, including newlines, tabs and non-ASCII', () => {
    assert.equal(escapeXml('plain\n\ttext ünï 😀'), 'plain\n\ttext ünï 😀');
  });

  it('escapes an existing entity again', () => {
    assert.equal(escapeXml('&amp;'), '&amp;amp;');
  });
});

describe('encodeResult: query protocol', () => {
  it('wraps the output in <Op>Result, before ResponseMetadata, in the IAM namespace', () => {
    assert.equal(
      encodeResult(iamModel, 'GetRole', { Role: role }, RID),
      `${IAM_OPEN}<Role>${ROLE_XML}</Role>${IAM_CLOSE}`,
    );
  });

  it('writes IAM timestamps in whole seconds with Z', () => {
    const xml = encodeResult(
      iamModel,
      'GetRole',
      { Role: { ...role, CreateDate: new Date(Date.UTC(2026, 0, 1)) } },
      RID,
    );
    assert.ok(xml.includes('<CreateDate>2026-01-01T00:00:00Z</CreateDate>'), xml);
  });

  it('writes members in model order whatever the order of the object', () => {
    const shuffled = {
      AssumeRolePolicyDocument: '%7B%7D',
      CreateDate: role.CreateDate,
      Arn: role.Arn,
      RoleId: role.RoleId,
      RoleName: 'app',
      Path: '/',
    };
    assert.equal(
      encodeResult(iamModel, 'GetRole', { Role: shuffled }, RID),
      `${IAM_OPEN}<Role>${ROLE_XML}</Role>${IAM_CLOSE}`,
    );
  });

  it('leaves out undefined and null members', () => {
    assert.equal(
      encodeResult(iamModel, 'GetRole', { Role: { ...role, Description: undefined, Tags: null } }, RID),
      `${IAM_OPEN}<Role>${ROLE_XML}</Role>${IAM_CLOSE}`,
    );
  });

  it('writes lists with <member> items and an empty list as a self-closing element', () => {
    const tagged = {
      ...role,
      Tags: [
        { Key: 'k', Value: '' },
        { Key: 'a&b', Value: '<v>' },
      ],
    };
    assert.equal(
      encodeResult(iamModel, 'GetRole', { Role: tagged }, RID),
      `${IAM_OPEN}<Role>${ROLE_XML}<Tags><member><Key>k</Key><Value></Value></member>` +
        `<member><Key>a&amp;b</Key><Value>&lt;v&gt;</Value></member></Tags></Role>${IAM_CLOSE}`,
    );
    assert.equal(
      encodeResult(iamModel, 'ListRoles', { Roles: [], IsTruncated: false }, RID),
      '<ListRolesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListRolesResult><Roles/>' +
        `<IsTruncated>false</IsTruncated></ListRolesResult><ResponseMetadata><RequestId>${RID}</RequestId></ResponseMetadata></ListRolesResponse>`,
    );
  });

  it('writes integers and booleans as text', () => {
    const xml = encodeResult(iamModel, 'GetRole', { Role: { ...role, MaxSessionDuration: 3600 } }, RID);
    assert.ok(
      xml.includes(
        '<AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument><MaxSessionDuration>3600</MaxSessionDuration></Role>',
      ),
      xml,
    );
  });

  it('has no Result element for an operation without output', () => {
    assert.equal(
      encodeResult(iamModel, 'DeleteRole', undefined, RID),
      `<DeleteRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>${RID}</RequestId></ResponseMetadata></DeleteRoleResponse>`,
    );
  });

  it('writes STS in its own namespace', () => {
    assert.equal(
      encodeResult(
        stsModel,
        'GetCallerIdentity',
        { Arn: 'arn:aws:iam::000000000000:root', UserId: '000000000000', Account: '000000000000' },
        RID,
      ),
      '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
        '<UserId>000000000000</UserId><Account>000000000000</Account><Arn>arn:aws:iam::000000000000:root</Arn>' +
        `</GetCallerIdentityResult><ResponseMetadata><RequestId>${RID}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
    );
  });

  it('writes maps as entry/key/value, flattened lists without a wrapper, blobs as base64, other timestamps with millis', () => {
    assert.equal(
      encodeResult(
        queryLike,
        'Probe',
        {
          Attrs: { a: '1', b: '2' },
          Flat: ['x', 'y'],
          Data: Buffer.from('hi'),
          When: new Date('2026-01-02T03:04:05.678Z'),
          Flag: true,
          Count: 0,
        },
        RID,
      ),
      '<ProbeResponse xmlns="https://test.example/doc/2020-01-01/"><ProbeResult>' +
        '<Attrs><entry><key>a</key><value>1</value></entry><entry><key>b</key><value>2</value></entry></Attrs>' +
        '<Item>x</Item><Item>y</Item><Data>aGk=</Data><When>2026-01-02T03:04:05.678Z</When><Flag>true</Flag><Count>0</Count>' +
        `</ProbeResult><ResponseMetadata><RequestId>${RID}</RequestId></ResponseMetadata></ProbeResponse>`,
    );
  });
});

describe('encodeResult: ec2 protocol', () => {
  it('has the XML prolog, the http:// namespace with a slash, requestId first, no Result or ResponseMetadata', () => {
    assert.equal(
      encodeResult(
        ec2Model,
        'DescribeRegions',
        {
          Regions: [
            { RegionName: 'us-east-1', Endpoint: 'ec2.us-east-1.amazonaws.com', OptInStatus: 'opt-in-not-required' },
          ],
        },
        RID,
      ),
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${RID}</requestId>` +
        '<regionInfo><item><optInStatus>opt-in-not-required</optInStatus><regionName>us-east-1</regionName>' +
        '<regionEndpoint>ec2.us-east-1.amazonaws.com</regionEndpoint></item></regionInfo></DescribeRegionsResponse>',
    );
  });

  it('writes an empty list as a self-closing element', () => {
    assert.equal(
      encodeResult(ec2Model, 'DescribeRegions', { Regions: [] }, RID),
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${RID}</requestId>` +
        '<regionInfo/></DescribeRegionsResponse>',
    );
  });

  it('keeps milliseconds in timestamps and uses <item> for list members', () => {
    assert.equal(
      encodeResult(ec2Like, 'Probe', { When: new Date('2026-01-02T03:04:05.678Z'), Ids: ['a', 'b'] }, RID),
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<ProbeResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${RID}</requestId>` +
        '<when>2026-01-02T03:04:05.678Z</when><idSet><item>a</item><item>b</item></idSet></ProbeResponse>',
    );
    assert.ok(
      encodeResult(ec2Like, 'Probe', { When: new Date(Date.UTC(2026, 0, 1)) }, RID).includes(
        '<when>2026-01-01T00:00:00.000Z</when>',
      ),
    );
  });
});

describe('encodeError', () => {
  it('IAM: ErrorResponse with Type, Code, Message, then RequestId', () => {
    assert.equal(
      encodeError(iamModel, new NoSuchEntityException('The role with name x cannot be found.'), RID),
      '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>' +
        '<Code>NoSuchEntity</Code><Message>The role with name x cannot be found.</Message></Error>' +
        `<RequestId>${RID}</RequestId></ErrorResponse>`,
    );
  });

  it('Receiver for server faults; the message is escaped', () => {
    assert.equal(
      encodeError(stsModel, new AwsError('InternalFailure', 500, 'a <b> & "c"'), RID),
      '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Receiver</Type>' +
        '<Code>InternalFailure</Code><Message>a &lt;b&gt; &amp; &quot;c&quot;</Message></Error>' +
        `<RequestId>${RID}</RequestId></ErrorResponse>`,
    );
  });

  it('without a model: an ErrorResponse with no namespace', () => {
    assert.equal(
      encodeError(undefined, new AwsError('UnknownService', 400, 'no'), RID),
      `<ErrorResponse><Error><Type>Sender</Type><Code>UnknownService</Code><Message>no</Message></Error><RequestId>${RID}</RequestId></ErrorResponse>`,
    );
  });

  it('EC2: Response/Errors/Error with Code and Message, no Type, then RequestID (capital ID)', () => {
    assert.equal(
      encodeError(
        ec2Model,
        new AwsError('AuthFailure', 401, 'AWS was not able to validate the provided access credentials'),
        RID,
      ),
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<Response><Errors><Error><Code>AuthFailure</Code>' +
        '<Message>AWS was not able to validate the provided access credentials</Message></Error></Errors>' +
        `<RequestID>${RID}</RequestID></Response>`,
    );
  });
});
