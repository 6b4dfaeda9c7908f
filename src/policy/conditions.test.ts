// Condition operators (IAM User Guide, "IAM JSON policy elements: Condition operators"): one table of operator,
// policy values, request values and the expected outcome, one of operators and values that must be refused, and
// the date parser.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileCondition, ConditionError, evaluateCondition, parseDate } from './conditions.ts';

type Row = [operator: string, values: unknown[], actual: string[] | undefined, result: boolean, missing?: boolean];

const lookup = (key: string) => ({ 'aws:username': 'alice', 'aws:principaltag/team': 'blue' })[key];

const ROWS: Row[] = [
  // strings
  ['StringEquals', ['blue'], ['blue'], true],
  ['StringEquals', ['blue'], ['Blue'], false],
  ['StringEquals', ['b*'], ['blue'], false],
  ['StringEquals', ['b*'], ['b*'], true],
  ['StringEquals', ['red', 'blue'], ['blue'], true],
  ['StringEquals', ['blue'], undefined, false, true],
  ['StringEquals', ['blue'], [], false, true],
  ['StringEquals', ['${aws:username}'], ['alice'], true],
  ['StringEquals', ['${aws:missing}'], ['alice'], false],
  ['StringNotEquals', ['blue'], ['red'], true],
  ['StringNotEquals', ['red', 'blue'], ['blue'], false],
  ['StringNotEquals', ['blue'], undefined, true, false],
  ['StringNotEquals', ['${aws:missing}'], ['alice'], true],
  ['StringEqualsIgnoreCase', ['BLUE'], ['blue'], true],
  ['StringNotEqualsIgnoreCase', ['BLUE'], ['blue'], false],
  ['StringLike', ['home/*'], ['home/alice/x'], true],
  ['StringLike', ['v?'], ['v10'], false],
  ['StringLike', ['Home/*'], ['home/x'], false],
  ['StringLike', ['home/${aws:username}/*'], ['home/alice/x'], true],
  ['StringLike', ['*'], ['anything'], true],
  ['StringNotLike', ['private/*'], ['public/x'], true],
  ['StringNotLike', ['private/*'], undefined, true, false],
  // numbers
  ['NumericEquals', ['10'], ['10.0'], true],
  ['NumericEquals', [10], ['10'], true],
  ['NumericNotEquals', ['10'], ['9'], true],
  ['NumericLessThan', ['10'], ['9.5'], true],
  ['NumericLessThanEquals', ['10'], ['10'], true],
  ['NumericGreaterThan', ['-1'], ['0'], true],
  ['NumericGreaterThanEquals', ['10'], ['9'], false],
  ['NumericEquals', ['10'], ['ten'], false],
  ['NumericLessThan', ['10'], undefined, false, true],
  // dates
  ['DateEquals', ['2020-01-01T00:00:00Z'], ['1577836800'], true],
  ['DateNotEquals', ['2020-01-01T00:00:00Z'], ['2020-01-01T00:00:00Z'], false],
  ['DateLessThan', ['1577836800'], ['2019-12-31T23:59:59Z'], true],
  ['DateLessThanEquals', ['2020-01-01'], ['2020-01-01T00:00:00Z'], true],
  ['DateGreaterThan', ['2020-01-01T00:00:00Z'], ['2020-01-01T01:00:00+01:00'], false],
  ['DateGreaterThanEquals', ['2020-01-01T00:00:00Z'], ['1600000000'], true],
  ['DateGreaterThan', ['2020-01-01T00:00:00Z'], ['not a date'], false],
  ['DateNotEquals', ['2020-01-01T00:00:00Z'], undefined, true, false],
  // booleans, binary
  ['Bool', ['true'], ['true'], true],
  ['Bool', ['false'], ['true'], false],
  ['Bool', ['false'], undefined, false, true],
  ['BinaryEquals', ['QmluYXJ5'], ['QmluYXJ5'], true],
  ['BinaryEquals', ['QmluYXJ5'], ['QmluYXJ6'], false],
  // IP addresses
  ['IpAddress', ['203.0.113.0/24'], ['203.0.113.200'], true],
  ['IpAddress', ['203.0.113.5'], ['203.0.113.6'], false],
  ['IpAddress', ['2001:DB8:1234:5678::/64'], ['2001:db8:1234:5678::1'], true],
  ['IpAddress', ['2001:DB8:1234:5678::/64'], ['203.0.113.1'], false],
  ['IpAddress', ['10.0.0.0/8'], ['not-an-ip'], false],
  ['NotIpAddress', ['10.0.0.0/8'], ['192.0.2.1'], true],
  ['NotIpAddress', ['10.0.0.0/8'], undefined, true, false],
  // ARNs
  ['ArnEquals', ['arn:aws:sns:*:111122223333:t-*'], ['arn:aws:sns:us-east-1:111122223333:t-1'], true],
  ['ArnLike', ['arn:aws:s:*:111122223333:f/*'], ['arn:aws:s:us-east-2:999999999999:s/a:111122223333:f/d'], false],
  ['StringLike', ['arn:aws:s:*:111122223333:f/*'], ['arn:aws:s:us-east-2:999999999999:s/a:111122223333:f/d'], true],
  ['ArnLike', ['arn:aws:sns:*'], ['arn:aws:sns:us-east-1:111122223333:t'], false],
  ['ArnLike', ['arn:aws:sns:*:111122223333:*'], ['arn:aws:sns:us-east-1:111122223333:t'], true],
  ['ArnLike', ['arn:aws:iam::111122223333:user/${aws:username}'], ['arn:aws:iam::111122223333:user/alice'], true],
  ['ArnNotLike', ['arn:aws:sns:*:*:t'], undefined, true, false],
  ['ArnNotEquals', ['arn:aws:sns:*:*:t'], ['arn:aws:sns:us-east-1:111122223333:t'], false],
  // IfExists, Null
  ['StringEqualsIfExists', ['blue'], undefined, true, false],
  ['StringEqualsIfExists', ['blue'], ['red'], false],
  ['StringNotEqualsIfExists', ['blue'], undefined, true, false],
  ['Null', ['true'], undefined, true, false],
  ['Null', ['true'], ['x'], false],
  ['Null', ['false'], ['x'], true],
  ['Null', ['false'], undefined, false, false],
  // set qualifiers
  ['ForAllValues:StringEquals', ['a', 'b'], ['a', 'b'], true],
  ['ForAllValues:StringEquals', ['a', 'b'], ['a', 'c'], false],
  ['ForAllValues:StringEquals', ['a'], undefined, true, false],
  ['ForAllValues:StringEquals', ['a'], [], true, false],
  ['ForAnyValue:StringEquals', ['a', 'b'], ['c', 'b'], true],
  ['ForAnyValue:StringEquals', ['a'], ['c'], false],
  ['ForAnyValue:StringEquals', ['a'], undefined, false, true],
  ['ForAnyValue:StringNotEquals', ['a'], ['a', 'b'], true],
  ['ForAnyValue:StringNotEquals', ['a'], ['a'], false],
  ['ForAllValues:StringNotEquals', ['a', 'b'], ['c', 'd'], true],
  ['ForAllValues:StringNotEquals', ['a', 'b'], ['c', 'a'], false],
  ['ForAnyValue:StringLikeIfExists', ['a*'], undefined, true, false],
];

describe('evaluateCondition', () => {
  for (const [operator, values, actual, result, missing] of ROWS) {
    it(`${operator} ${JSON.stringify(values)} with ${JSON.stringify(actual)} is ${result}`, () => {
      const condition = compileCondition(operator, 'Some:Key', values, true);
      const outcome = evaluateCondition(condition, actual, lookup);
      assert.equal(outcome.result, result);
      if (missing !== undefined) assert.equal(outcome.missing, missing);
    });
  }

  it('keeps the key as written and a lower-cased copy for lookups', () => {
    const condition = compileCondition('StringEquals', 'AWS:PrincipalTag/Team', ['blue'], true);
    assert.equal(condition.key, 'AWS:PrincipalTag/Team');
    assert.equal(condition.lowerKey, 'aws:principaltag/team');
  });

  it('treats ${…} as text in policies without variables (Version 2008-10-17)', () => {
    const condition = compileCondition('StringEquals', 'k', ['${aws:username}'], false);
    assert.equal(evaluateCondition(condition, ['${aws:username}'], lookup).result, true);
    assert.equal(evaluateCondition(condition, ['alice'], lookup).result, false);
  });
});

describe('compileCondition refuses what it cannot evaluate', () => {
  const refused: [operator: string, values: unknown[]][] = [
    ['StringEqualz', ['x']],
    ['ForSomeValues:StringEquals', ['x']],
    ['NullIfExists', ['true']],
    ['NumericEquals', ['ten']],
    ['DateEquals', ['next tuesday']],
    ['Bool', ['yes']],
    ['Null', ['maybe']],
    ['IpAddress', ['10.0.0.0/33']],
    ['IpAddress', ['300.0.0.1']],
    ['StringEquals', [{ nested: true }]],
    ['StringEquals', [null]],
    // Operator names that are also properties of every JavaScript object.
    ['constructor', ['x']],
    ['__proto__', ['x']],
    ['ForAnyValue:constructor', ['x']],
  ];
  for (const [operator, values] of refused) {
    it(`${operator} ${JSON.stringify(values)}`, () => {
      assert.throws(() => compileCondition(operator, 'k', values, true), ConditionError);
    });
  }
});

describe('parseDate', () => {
  const dates: [text: string, ms: number | undefined][] = [
    ['2020-01-01T00:00:00Z', Date.UTC(2020, 0, 1)],
    ['2020-01-01', Date.UTC(2020, 0, 1)],
    ['2020-01-01T01:00:00+01:00', Date.UTC(2020, 0, 1)],
    ['1577836800', Date.UTC(2020, 0, 1)],
    ['1577836800.5', Date.UTC(2020, 0, 1) + 500],
    ['2020-01-01T00:00:00.250Z', Date.UTC(2020, 0, 1) + 250],
    ['yesterday', undefined],
    ['', undefined],
  ];
  for (const [text, ms] of dates) it(`${JSON.stringify(text)}`, () => assert.equal(parseDate(text), ms));
});
