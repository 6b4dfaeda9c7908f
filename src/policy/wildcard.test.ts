// wildcardMatch: a table of cases, a pathological pattern that must not blow up, and a property test against
// an obviously correct dynamic-programming reference.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { wildcardMatch } from './wildcard.ts';

/** The textbook O(n·m) matcher: dp[i][j] says whether pattern[0..i) matches text[0..j). */
function reference(pattern: string, text: string): boolean {
  const width = text.length + 1;
  let previous: boolean[] = Array.from({ length: width }, (_, j) => j === 0);
  for (let i = 1; i <= pattern.length; i++) {
    const p = pattern[i - 1];
    const row: boolean[] = new Array<boolean>(width).fill(false);
    row[0] = p === '*' && (previous[0] ?? false);
    for (let j = 1; j <= text.length; j++) {
      if (p === '*') row[j] = (previous[j] ?? false) || (row[j - 1] ?? false);
      else if (p === '?' || p === text[j - 1]) row[j] = previous[j - 1] ?? false;
    }
    previous = row;
  }
  return previous[text.length] ?? false;
}

const CASES: [pattern: string, text: string, expected: boolean][] = [
  ['', '', true],
  ['', 'a', false],
  ['a', '', false],
  ['*', '', true],
  ['*', 'anything at all', true],
  ['**', '', true],
  ['***', 'abc', true],
  ['?', '', false],
  ['?', 'a', true],
  ['?', 'ab', false],
  ['??', 'ab', true],
  ['abc', 'abc', true],
  ['abc', 'abd', false],
  ['abc', 'ab', false],
  ['ab', 'abc', false],
  ['ABC', 'abc', false],
  ['a*', 'a', true],
  ['a*', 'abc', true],
  ['a*', 'ba', false],
  ['*a', 'ba', true],
  ['*a', 'ab', false],
  ['a*c', 'abbbc', true],
  ['a*c', 'abbbcd', false],
  ['a**c', 'ac', true],
  ['a*b*c', 'axxbyyc', true],
  ['a*b*c', 'axxcyyb', false],
  ['*?', '', false],
  ['*?', 'x', true],
  ['?*?', 'x', false],
  ['?*?', 'xy', true],
  ['a?c', 'abc', true],
  ['a?c', 'ac', false],
  ['*ab', 'aab', true],
  ['*aab', 'aaab', true],
  ['*abc*', 'xxabxabcxx', true],
  ['*abc*', 'xxabxabxx', false],
  ['sts:AssumeRole*', 'sts:AssumeRoleWithSAML', true],
  ['sts:Assume*', 'sts:TagSession', false],
  ['arn:aws:iam::*:role/*', 'arn:aws:iam::123456789012:role/app', true],
  ['arn:aws:iam::*:role/*', 'arn:aws:iam::123456789012:user/app', false],
  ['us-*-1', 'us-east-1', true],
  ['us-*-1', 'us-east-2', false],
  ['a.b', 'axb', false],
  ['[ab]', 'a', false],
  ['[ab]', '[ab]', true],
  ['a+', 'aa', false],
  ['\\*', '\\x', true],
  ['ü*', 'über', true],
];

describe('wildcardMatch', () => {
  for (const [pattern, text, expected] of CASES) {
    it(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(text)}`, () => {
      assert.equal(wildcardMatch(pattern, text), expected);
      assert.equal(reference(pattern, text), expected, 'the reference agrees with the table');
    });
  }

  it('finishes on a pathological pattern against a long text (no backtracking blow-up)', () => {
    const pattern = `${'a*'.repeat(40)}b`;
    const text = 'a'.repeat(100_000);
    assert.equal(wildcardMatch(pattern, text), false);
    assert.equal(wildcardMatch(`*${'a*'.repeat(40)}`, text), true);
    assert.equal(wildcardMatch(`${'*a'.repeat(40)}*b*`, text), false);
  });

  it('agrees with the dynamic-programming reference on random strings over {a, b, *, ?}', () => {
    const over = (chars: string[], maxLength: number) => fc.string({ unit: fc.constantFrom(...chars), maxLength });
    fc.assert(
      fc.property(over(['a', 'b', '*', '?'], 8), over(['a', 'b', '*', '?'], 10), (pattern, text) => {
        assert.equal(wildcardMatch(pattern, text), reference(pattern, text), `${pattern} vs ${text}`);
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with the reference when the text is built to match', () => {
    // Texts made from the pattern itself, so matches are common rather than rare.
    const arb = fc
      .array(fc.constantFrom('a', 'b', '*', '?'), { maxLength: 8 })
      .chain((parts) =>
        fc
          .tuple(
            ...parts.map((p) =>
              p === '*'
                ? fc.string({ unit: fc.constantFrom('a', 'b'), maxLength: 3 })
                : p === '?'
                  ? fc.constantFrom('a', 'b')
                  : fc.constant(p),
            ),
          )
          .map((pieces) => ({ pattern: parts.join(''), text: pieces.join('') })),
      );
    fc.assert(
      fc.property(arb, ({ pattern, text }) => {
        assert.equal(wildcardMatch(pattern, text), true, `${pattern} vs ${text}`);
        assert.equal(reference(pattern, text), true);
      }),
      { numRuns: 1000 },
    );
  });
});
