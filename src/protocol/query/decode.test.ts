// decodeParams and parseForm: the query protocol's `X.member.N` lists and `X.entry.N` maps, the ec2 protocol's
// flattened lists and capitalised locationNames, and typed scalars, read through the generated models.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ec2Model } from '../generated/ec2.ts';
import { iamModel } from '../generated/iam.ts';
import type { ServiceModel } from '../model.ts';
import { decodeParams, parseForm, type Decoded } from './decode.ts';

const params = (entries: Record<string, string>): Map<string, string> => new Map(Object.entries(entries));
const iamDecoded = (shape: string, entries: Record<string, string>) => decodeParams(iamModel, shape, params(entries));
const iam = (shape: string, entries: Record<string, string>) => iamDecoded(shape, entries).input;
const ec2Decoded = (shape: string, entries: Record<string, string>) => decodeParams(ec2Model, shape, params(entries));
const ec2 = (shape: string, entries: Record<string, string>) => ec2Decoded(shape, entries).input;

/** A small query-protocol model with the shapes the generated models lack (maps, timestamps, floats, blobs). */
const synthetic: ServiceModel = {
  service: 'test',
  protocol: 'query',
  apiVersion: '2020-01-01',
  xmlNamespace: 'https://test.example/doc/2020-01-01/',
  source: 'decode.test.ts',
  operations: {},
  errors: {},
  shapes: {
    Input: {
      type: 'structure',
      members: {
        Attributes: { shape: 'AttributeMap' },
        Flat: { shape: 'FlatMap', locationName: 'Attribute' },
        When: { shape: 'Time' },
        Ratio: { shape: 'Double' },
        Data: { shape: 'Bytes' },
        Count: { shape: 'Long' },
        Names: { shape: 'FlatList', locationName: 'Name' },
        Nested: { shape: 'Inner' },
      },
    },
    Inner: { type: 'structure', members: { Label: { shape: 'Str' }, Items: { shape: 'StrList' } } },
    AttributeMap: { type: 'map', key: { shape: 'Str' }, value: { shape: 'Str' } },
    FlatMap: {
      type: 'map',
      key: { shape: 'Str', locationName: 'Name' },
      value: { shape: 'Long', locationName: 'Value' },
      flattened: true,
    },
    FlatList: { type: 'list', member: { shape: 'Str' }, flattened: true },
    StrList: { type: 'list', member: { shape: 'Str', locationName: 'item' } },
    Str: { type: 'string' },
    Long: { type: 'long' },
    Double: { type: 'double' },
    Time: { type: 'timestamp' },
    Bytes: { type: 'blob' },
  },
};
const synDecoded = (entries: Record<string, string>) => decodeParams(synthetic, 'Input', params(entries));
const syn = (entries: Record<string, string>) => synDecoded(entries).input;

/** A small ec2-protocol model with a queryName, which wins over the locationName. */
const syntheticEc2: ServiceModel = {
  ...synthetic,
  protocol: 'ec2',
  shapes: {
    Input: {
      type: 'structure',
      members: {
        Explicit: { shape: 'Str', locationName: 'explicitName', queryName: 'QueryName' },
        Lower: { shape: 'Str', locationName: 'lowerName' },
        Plain: { shape: 'Str' },
      },
    },
    Str: { type: 'string' },
  },
};

/** The value is left out of the input and reported once, at its lower-camel member path. */
function assertTypeError(fn: () => Decoded, param: RegExp, value: string, expected: string): void {
  const decoded = fn();
  assert.equal(decoded.problems.length, 1, JSON.stringify(decoded.problems));
  const [problem] = decoded.problems;
  assert.match(problem?.path ?? '', param);
  assert.equal(problem?.value, value);
  assert.equal(problem?.expected, expected);
}

describe('decodeParams: query protocol (IAM)', () => {
  it('reads scalars by member name and leaves absent members out', () => {
    assert.deepEqual(iam('GetRoleRequest', { RoleName: 'app' }), { RoleName: 'app' });
    assert.deepEqual(iam('GetRoleRequest', {}), {});
    assert.deepEqual(iam('ListRolesRequest', { PathPrefix: '/a/', MaxItems: '10' }), {
      PathPrefix: '/a/',
      MaxItems: 10,
    });
  });

  it('ignores unknown parameters, Action and Version', () => {
    assert.deepEqual(iam('GetRoleRequest', { Action: 'GetRole', Version: '2010-05-08', RoleName: 'r', Junk: 'x' }), {
      RoleName: 'r',
    });
  });

  it('reads X.member.N lists of structures in order', () => {
    assert.deepEqual(
      iam('TagRoleRequest', {
        RoleName: 'r',
        'Tags.member.2.Value': 'v2',
        'Tags.member.1.Key': 'k1',
        'Tags.member.1.Value': 'v1',
        'Tags.member.2.Key': 'k2',
      }),
      {
        RoleName: 'r',
        Tags: [
          { Key: 'k1', Value: 'v1' },
          { Key: 'k2', Value: 'v2' },
        ],
      },
    );
  });

  it('reads X.member.N lists of strings', () => {
    assert.deepEqual(iam('UntagRoleRequest', { RoleName: 'r', 'TagKeys.member.1': 'a', 'TagKeys.member.2': 'b' }), {
      RoleName: 'r',
      TagKeys: ['a', 'b'],
    });
  });

  it('stops a list at the first missing index', () => {
    assert.deepEqual(iam('UntagRoleRequest', { 'TagKeys.member.1': 'a', 'TagKeys.member.3': 'c' }), { TagKeys: ['a'] });
  });

  it('keeps a list item with a missing field (validation reports it later)', () => {
    assert.deepEqual(iam('TagRoleRequest', { 'Tags.member.1.Key': 'k' }), { Tags: [{ Key: 'k' }] });
  });

  it('reads an empty list sent as the bare name with an empty value (`Tags=`)', () => {
    assert.deepEqual(iam('CreateRoleRequest', { RoleName: 'r', Tags: '' }), { RoleName: 'r', Tags: [] });
    assert.deepEqual(iam('UntagRoleRequest', { TagKeys: '' }), { TagKeys: [] });
  });

  it('does not read EC2-style flattened names for a non-flattened query list', () => {
    assert.deepEqual(iam('UntagRoleRequest', { 'TagKeys.1': 'a' }), { TagKeys: [] });
  });

  it('reads integers, including negative ones (range checks come later)', () => {
    assert.deepEqual(iam('UpdateRoleRequest', { RoleName: 'r', MaxSessionDuration: '7200' }), {
      RoleName: 'r',
      MaxSessionDuration: 7200,
    });
    assert.deepEqual(iam('ListRolesRequest', { MaxItems: '-5' }), { MaxItems: -5 });
  });

  it('reports a value that is not an integer as a type problem', () => {
    assertTypeError(
      () => iamDecoded('CreateRoleRequest', { MaxSessionDuration: 'abc' }),
      /^maxsessionduration$/i,
      'abc',
      'an integer',
    );
    assertTypeError(() => iamDecoded('ListRolesRequest', { MaxItems: '1.5' }), /^maxitems$/i, '1.5', 'an integer');
    assertTypeError(() => iamDecoded('ListRolesRequest', { MaxItems: '' }), /^maxitems$/i, '', 'an integer');
    assertTypeError(() => iamDecoded('ListRolesRequest', { MaxItems: '1e3' }), /^maxitems$/i, '1e3', 'an integer');
  });

  it('keeps strings exactly, whitespace and all', () => {
    assert.deepEqual(iam('UpdateRoleDescriptionRequest', { RoleName: 'r', Description: '  two\nlines ' }), {
      RoleName: 'r',
      Description: '  two\nlines ',
    });
  });

  it('returns {} for an operation without input', () => {
    assert.deepEqual(decodeParams(iamModel, undefined, params({ RoleName: 'x' })), { input: {}, problems: [] });
  });
});

describe('decodeParams: ec2 protocol', () => {
  it('reads flattened lists under the capitalised locationName (RegionName.N)', () => {
    assert.deepEqual(ec2('DescribeRegionsRequest', { 'RegionName.1': 'us-east-1', 'RegionName.2': 'eu-west-1' }), {
      RegionNames: ['us-east-1', 'eu-west-1'],
    });
  });

  it('reads Filter.N.Name and Filter.N.Value.M', () => {
    assert.deepEqual(
      ec2('DescribeRegionsRequest', {
        'Filter.1.Name': 'region-name',
        'Filter.1.Value.1': 'us-*',
        'Filter.1.Value.2': 'eu-west-1',
        'Filter.2.Name': 'opt-in-status',
        'Filter.2.Value.1': 'opt-in-not-required',
      }),
      {
        Filters: [
          { Name: 'region-name', Values: ['us-*', 'eu-west-1'] },
          { Name: 'opt-in-status', Values: ['opt-in-not-required'] },
        ],
      },
    );
  });

  it('does not read the query protocol spelling (Filter.member.N) or the member name (Filters.N)', () => {
    assert.deepEqual(ec2('DescribeRegionsRequest', { 'Filter.member.1.Name': 'x', 'Filters.1.Name': 'y' }), {
      Filters: [],
    });
  });

  it('capitalises a lower-case locationName (dryRun → DryRun) and ignores the lower-case spelling', () => {
    assert.deepEqual(ec2('DescribeRegionsRequest', { DryRun: 'true' }), { DryRun: true });
    assert.deepEqual(ec2('DescribeRegionsRequest', { dryRun: 'true' }), {});
  });

  it('uses the member name when there is no locationName (AllRegions)', () => {
    assert.deepEqual(ec2('DescribeRegionsRequest', { AllRegions: 'false' }), { AllRegions: false });
  });

  it('prefers queryName to locationName', () => {
    assert.deepEqual(
      decodeParams(syntheticEc2, 'Input', params({ QueryName: 'q', ExplicitName: 'x', LowerName: 'l', Plain: 'p' }))
        .input,
      { Explicit: 'q', Lower: 'l', Plain: 'p' },
    );
  });

  it('reads booleans case-insensitively and refuses anything else', () => {
    assert.deepEqual(ec2('DescribeRegionsRequest', { AllRegions: 'TRUE' }), { AllRegions: true });
    assert.deepEqual(ec2('DescribeRegionsRequest', { AllRegions: 'False' }), { AllRegions: false });
    assertTypeError(
      () => ec2Decoded('DescribeRegionsRequest', { AllRegions: 'yes' }),
      /^allregions$/i,
      'yes',
      'a boolean',
    );
    assertTypeError(() => ec2Decoded('DescribeRegionsRequest', { AllRegions: '1' }), /^allregions$/i, '1', 'a boolean');
  });
});

describe('decodeParams: maps and other scalars', () => {
  it('reads X.entry.N.key / .value maps', () => {
    assert.deepEqual(
      syn({
        'Attributes.entry.1.key': 'color',
        'Attributes.entry.1.value': 'blue',
        'Attributes.entry.2.key': 'size',
        'Attributes.entry.2.value': '',
      }),
      { Attributes: { color: 'blue', size: '' } },
    );
  });

  it('reads flattened maps with locationNames for key and value, typed', () => {
    assert.deepEqual(
      syn({ 'Attribute.1.Name': 'a', 'Attribute.1.Value': '1', 'Attribute.2.Name': 'b', 'Attribute.2.Value': '2' }),
      { Flat: { a: 1, b: 2 } },
    );
  });

  it('skips a map entry without a key', () => {
    assert.deepEqual(
      syn({ 'Attributes.entry.1.value': 'orphan', 'Attributes.entry.2.key': 'k', 'Attributes.entry.2.value': 'v' }),
      { Attributes: { k: 'v' } },
    );
  });

  it('reads flattened query lists without `member`', () => {
    assert.deepEqual(syn({ 'Name.1': 'a', 'Name.2': 'b' }), { Names: ['a', 'b'] });
  });

  it('reads nested structures and a list with a custom member locationName', () => {
    assert.deepEqual(syn({ 'Nested.Label': 'l', 'Nested.Items.item.1': 'x', 'Nested.Items.item.2': 'y' }), {
      Nested: { Label: 'l', Items: ['x', 'y'] },
    });
  });

  it('reads timestamps as ISO 8601 or epoch seconds', () => {
    assert.deepEqual(syn({ When: '2026-01-02T03:04:05Z' }), { When: new Date('2026-01-02T03:04:05Z') });
    assert.deepEqual(syn({ When: '1767323045' }), { When: new Date('2026-01-02T03:04:05Z') });
    assert.deepEqual(syn({ When: '1767323045.5' }), { When: new Date('2026-01-02T03:04:05.500Z') });
    assertTypeError(() => synDecoded({ When: 'yesterday' }), /^when$/i, 'yesterday', 'a timestamp');
  });

  it('reads doubles, longs and base64 blobs', () => {
    assert.deepEqual(syn({ Ratio: '0.25', Count: '9007199254740991', Data: 'aGk=' }), {
      Ratio: 0.25,
      Count: 9007199254740991,
      Data: Buffer.from('hi'),
    });
    assertTypeError(() => synDecoded({ Ratio: 'x' }), /^ratio$/i, 'x', 'a number');
    assertTypeError(() => synDecoded({ Ratio: ' ' }), /^ratio$/i, ' ', 'a number');
  });
});

describe('parseForm', () => {
  it('decodes percent escapes and + as a space', () => {
    assert.deepEqual(
      [...parseForm('Action=GetRole&RoleName=a%2Bb+c&Doc=%7B%22a%22%3A1%7D')],
      [
        ['Action', 'GetRole'],
        ['RoleName', 'a+b c'],
        ['Doc', '{"a":1}'],
      ],
    );
  });

  it('lets the last of repeated names win', () => {
    assert.equal(parseForm('RoleName=a&RoleName=b').get('RoleName'), 'b');
  });

  it('keeps empty values and names without "="', () => {
    const form = parseForm('Tags=&Flag');
    assert.equal(form.get('Tags'), '');
    assert.equal(form.get('Flag'), '');
  });

  it('never throws on malformed escapes', () => {
    assert.doesNotThrow(() => parseForm('%%%&a=%E0%A4%A&b=%ZZ'));
    assert.equal(parseForm('b=%ZZ').get('b'), '%ZZ');
  });
});
