// The positioned JSON parser: values and keys with Access Analyzer's positions, JSON.parse's answers, and the
// position of the first syntax error.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { member, parseJson, plain } from './json.ts';

describe('parseJson', () => {
  it('gives values the same meaning JSON.parse does', () => {
    for (const text of ['{"a":[1,-2.5e3,true,false,null,"x\\u00e9\\n"]}', '[]', '"s"', '{"a":1,"a":2}', ' {} ']) {
      const parsed = parseJson(text);
      assert.ok(parsed.ok, text);
      assert.deepEqual(plain(parsed.node), JSON.parse(text));
    }
  });

  it('spans each value from its first character to just after its last (line 1-based, column 0-based)', () => {
    const parsed = parseJson('{\n  "Sid": "",\n  "Effect": "Allow"\n}');
    assert.ok(parsed.ok && parsed.node.kind === 'object');
    const sid = member(parsed.node, 'Sid');
    assert.deepEqual(sid?.value.span, {
      start: { line: 2, column: 9, offset: 11 },
      end: { line: 2, column: 11, offset: 13 },
    });
    assert.deepEqual(sid?.keySpan, {
      start: { line: 2, column: 2, offset: 4 },
      end: { line: 2, column: 7, offset: 9 },
    });
    assert.deepEqual(parsed.node.span.end, { line: 4, column: 1, offset: 36 });
  });

  it('takes the last of two equal keys, as JSON.parse does, and keeps both entries', () => {
    const parsed = parseJson('{"a":1,"a":2}');
    assert.ok(parsed.ok && parsed.node.kind === 'object');
    assert.equal(parsed.node.entries.length, 2);
    assert.deepEqual(plain(member(parsed.node, 'a')?.value ?? parsed.node), 2);
  });

  it('reports where the first syntax error is', () => {
    const cases: [string, number, number][] = [
      ['{"a": 1,}', 1, 8],
      ['{\n  "a": tru\n}', 2, 7],
      ['[1 2]', 1, 3],
      ['{"a": "b', 1, 8],
      ['{} x', 1, 3],
      ['', 1, 0],
    ];
    for (const [text, line, column] of cases) {
      const parsed = parseJson(text);
      assert.ok(!parsed.ok, text);
      assert.deepEqual([parsed.at.line, parsed.at.column], [line, column], text);
    }
  });

  it('refuses documents nested deeper than any policy instead of recursing without end', () => {
    const parsed = parseJson('['.repeat(10_000) + ']'.repeat(10_000));
    assert.ok(!parsed.ok);
    assert.match(parsed.message, /nests too deeply/);
  });
});
