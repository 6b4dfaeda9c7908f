// Patterns with policy variables (IAM User Guide, "IAM policy elements: Variables and tags"): wildcards, variables
// with and without defaults, the ${*} ${?} ${$} escapes, missing and case-insensitive keys, Version 2008-10-17.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePattern, matchPattern, resolveText } from './pattern.ts';

const CONTEXT: Record<string, string> = { 'aws:username': 'alice', 'aws:principaltag/team': 'yellow', 'x:star': '*' };
const lookup = (key: string) => CONTEXT[key];

type Row = [pattern: string, text: string, expected: boolean | 'unresolved', variables?: boolean];
const ROWS: Row[] = [
  ['abc', 'abc', true],
  ['abc', 'ABC', false],
  ['a*c', 'abbbc', true],
  ['a?c', 'abc', true],
  ['a?c', 'ac', false],
  ['*', '', true],
  ['home/${aws:username}/*', 'home/alice/x', true],
  ['home/${aws:username}/*', 'home/bob/x', false],
  ['home/${AWS:UserName}/*', 'home/alice/x', true],
  ['home/${ aws:username }/*', 'home/alice/x', true],
  ['home/${aws:missing}/*', 'home/alice/x', 'unresolved'],
  ["bucket-${aws:principaltag/team, 'company-wide'}", 'bucket-yellow', true],
  ["bucket-${aws:principaltag/other, 'company-wide'}", 'bucket-company-wide', true],
  ["bucket-${aws:principaltag/other, 'company-wide'}", 'bucket-yellow', false],
  ['file${*}', 'file*', true],
  ['file${*}', 'fileX', false],
  ['why${?}', 'why?', true],
  ['why${?}', 'whyX', false],
  ['cost${$}', 'cost$', true],
  ['${$}{aws:username}', '${aws:username}', true],
  ['${$}{aws:username}', 'alice', false],
  ['a-${x:star}', 'a-*', true],
  ['a-${x:star}', 'a-b', false],
  ['${aws:username', '${aws:username', true],
  ['home/${aws:username}/*', 'home/${aws:username}/x', true, false],
  ['home/${aws:username}/*', 'home/alice/x', false, false],
  ['file${*}', 'file${*}', true, false],
];

describe('matchPattern', () => {
  for (const [pattern, text, expected, variables = true] of ROWS) {
    it(`${pattern} ${variables ? '' : '(no variables) '}against ${text}`, () => {
      assert.equal(matchPattern(compilePattern(pattern, variables), text, lookup), expected);
    });
  }

  it('can ignore case (for callers that need it)', () => {
    assert.equal(matchPattern(compilePattern('Home/${aws:username}/*', true), 'HOME/ALICE/x', lookup, true), true);
  });

  it('marks patterns without wildcards or variables as literal', () => {
    assert.equal(compilePattern('plain', true).literal, true);
    assert.equal(compilePattern('a${*}', true).literal, true);
    assert.equal(compilePattern('a*', true).literal, false);
    assert.equal(compilePattern('${aws:username}', true).hasVariables, true);
    assert.equal(compilePattern('${aws:username}', false).hasVariables, false);
  });
});

describe('resolveText', () => {
  const rows: [pattern: string, expected: string | undefined][] = [
    ['${aws:username}', 'alice'],
    ['a*?', 'a*?'],
    ['${*}${?}${$}', '*?$'],
    ["${aws:nothing, 'x'}", 'x'],
    ['${aws:nothing}', undefined],
  ];
  for (const [pattern, expected] of rows) {
    it(pattern, () => assert.equal(resolveText(compilePattern(pattern, true), lookup), expected));
  }
});
