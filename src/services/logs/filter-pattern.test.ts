// Filter patterns: the subset the module header documents, and AWS's refusals (FilterAndPatternSyntax in the
// CloudWatch Logs user guide; "Invalid filter pattern: Invalid character(s) in term" from defang#1008).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileFilterPattern, FilterPatternError, splitEvent, wildcardMatch } from './filter-pattern.ts';

const matches = (pattern: string, message: string): boolean => compileFilterPattern(pattern)(message);

function refused(pattern: string, message = 'Invalid filter pattern'): void {
  assert.throws(
    () => compileFilterPattern(pattern),
    (err: unknown) => err instanceof FilterPatternError && err.message === message,
    pattern,
  );
}

describe('empty patterns', () => {
  it('match every event', () => {
    for (const p of [undefined, '', '   ']) assert.equal(compileFilterPattern(p)('anything'), true);
  });
});

describe('terms', () => {
  it('require every term, case-sensitively, anywhere in the message', () => {
    assert.equal(matches('ERROR', '[ERROR] disk full'), true);
    assert.equal(matches('ERROR', 'error: disk full'), false);
    assert.equal(matches('ERROR disk', '[ERROR] disk full'), true);
    assert.equal(matches('ERROR memory', '[ERROR] disk full'), false);
    assert.equal(matches('ERROR', 'ERRORS everywhere'), true);
  });

  it('match quoted phrases exactly, with escapes', () => {
    assert.equal(matches('"disk full"', '[ERROR] disk full'), true);
    assert.equal(matches('"full disk"', '[ERROR] disk full'), false);
    assert.equal(matches('"ERROR:"', 'ERROR: x'), true);
    assert.equal(matches('"say \\"hi\\""', 'they say "hi" here'), true);
  });

  it('match any of the ? terms', () => {
    assert.equal(matches('?ERROR ?WARN', 'WARN low disk'), true);
    assert.equal(matches('?ERROR ?WARN', 'INFO ok'), false);
    assert.equal(matches('disk ?ERROR ?WARN', 'WARN low disk'), true);
    assert.equal(matches('disk ?ERROR ?WARN', 'WARN low memory'), false);
  });

  it('exclude - terms', () => {
    assert.equal(matches('-ERROR', 'INFO ok'), true);
    assert.equal(matches('-ERROR', 'ERROR bad'), false);
    assert.equal(matches('ERROR -Exiting', 'ERROR retrying'), true);
    assert.equal(matches('ERROR -Exiting', 'ERROR Exiting now'), false);
    assert.equal(matches('-"disk full"', 'disk is full'), true);
  });

  it('refuse bare terms with other characters, naming the term', () => {
    refused('email@domain.com', "Invalid filter pattern: Invalid character(s) in term 'email@domain.com'");
    refused('ERROR: x', "Invalid filter pattern: Invalid character(s) in term 'ERROR:'");
    refused('""', `Invalid filter pattern: Invalid character(s) in term '""'`);
    refused('?', "Invalid filter pattern: Invalid character(s) in term '?'");
    refused('"unterminated');
  });

  it('refuse regular expressions, which are not served', () => {
    refused('%ERROR|WARN%');
  });
});

describe('JSON patterns', () => {
  const event = JSON.stringify({
    level: 'ERROR',
    status: 503,
    latency: 12.5,
    user: { id: 7, name: 'ann', tags: ['a', 'b'] },
    items: [{ id: 1 }, { id: 2 }],
    ok: false,
    gone: null,
    source: '10.0.0.12',
  });

  it('compare strings, with wildcards', () => {
    assert.equal(matches('{ $.level = "ERROR" }', event), true);
    assert.equal(matches('{ $.level = "WARN" }', event), false);
    assert.equal(matches('{ $.level != "WARN" }', event), true);
    assert.equal(matches('{ $.level = ERR* }', event), true);
    assert.equal(matches('{ $.source = 10.0.* }', event), true);
    assert.equal(matches('{ $.source != 10.0.* }', event), false);
    assert.equal(matches('{$.level="ERROR"}', event), true);
  });

  it('compare numbers', () => {
    assert.equal(matches('{ $.status = 503 }', event), true);
    assert.equal(matches('{ $.status != 200 }', event), true);
    assert.equal(matches('{ $.status >= 500 }', event), true);
    assert.equal(matches('{ $.status < 500 }', event), false);
    assert.equal(matches('{ $.latency > 12 }', event), true);
    assert.equal(matches('{ $.latency <= 12 }', event), false);
    assert.equal(matches('{ $.level > 1 }', event), false);
  });

  it('follow nested selectors and array indexes', () => {
    assert.equal(matches('{ $.user.id = 7 }', event), true);
    assert.equal(matches('{ $.user.tags[1] = "b" }', event), true);
    assert.equal(matches('{ $.items[1].id = 2 }', event), true);
    assert.equal(matches('{ $.items[5].id = 2 }', event), false);
  });

  it('combine with && and ||, && binding tighter, and parentheses', () => {
    assert.equal(matches('{ $.level = "ERROR" && $.status = 503 }', event), true);
    assert.equal(matches('{ $.level = "ERROR" && $.status = 200 }', event), false);
    assert.equal(matches('{ $.status = 200 || $.user.name = "ann" }', event), true);
    assert.equal(matches('{ $.status = 200 && $.ok IS TRUE || $.level = "ERROR" }', event), true);
    assert.equal(matches('{ $.status = 200 && ($.ok IS FALSE || $.level = "ERROR") }', event), false);
    assert.equal(matches('{ ($.status = 503) && ($.ok IS FALSE) }', event), true);
  });

  it('test null, booleans and existence', () => {
    assert.equal(matches('{ $.gone IS NULL }', event), true);
    assert.equal(matches('{ $.level IS NULL }', event), false);
    assert.equal(matches('{ $.ok IS FALSE }', event), true);
    assert.equal(matches('{ $.ok IS TRUE }', event), false);
    assert.equal(matches('{ $.nothing NOT EXISTS }', event), true);
    assert.equal(matches('{ $.level NOT EXISTS }', event), false);
    assert.equal(matches('{ $.nothing = "x" }', event), false);
    assert.equal(matches('{ $.nothing != "x" }', event), false);
  });

  it('never match events that are not JSON', () => {
    assert.equal(matches('{ $.level = "ERROR" }', 'ERROR plain text'), false);
    assert.equal(matches('{ $.x NOT EXISTS }', '{not json'), false);
  });

  it('refuse malformed patterns', () => {
    for (const p of [
      '{ $.level = "ERROR"',
      '{ level = "ERROR" }',
      '{ $.level }',
      '{ $.level > "a" }',
      '{ $.a = 1 && }',
      '{ ($.a = 1 }',
      '{ $.a[x] = 1 }',
      '{ $.a[*] = 1 }',
      '{ $.a IS MAYBE }',
      '{ $.a = 1 } extra',
      '{ $.a ! 1 }',
    ]) {
      refused(p);
    }
  });
});

describe('space-delimited patterns', () => {
  const line = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534';

  it('split events on spaces, keeping quoted and bracketed fields whole', () => {
    assert.deepEqual(splitEvent(line), [
      '127.0.0.1',
      '-',
      'frank',
      '10/Oct/2000:13:25:15 -0700',
      'GET /apache_pb.gif HTTP/1.0',
      '404',
      '1534',
    ]);
  });

  it('bind fields by position and test their conditions', () => {
    assert.equal(matches('[ip, id, user, timestamp, request, status, size]', line), true);
    assert.equal(matches('[ip, id, user, timestamp, request, status=404, size]', line), true);
    assert.equal(matches('[ip, id, user, timestamp, request, status=4*, size]', line), true);
    assert.equal(matches('[ip, id, user, timestamp, request, status=200, size]', line), false);
    assert.equal(matches('[ip, id, user, timestamp, request = "*.gif*", status, size > 1000]', line), true);
    assert.equal(matches('[ip, id, user=bob, timestamp, request, status, size]', line), false);
    assert.equal(matches('[ip, id, user, timestamp, request, status >= 400 && status < 500, size]', line), true);
    assert.equal(matches('[ip, id, user, timestamp, request, status = 200 || status = 404, size]', line), true);
  });

  it('need the field count to match, unless ... absorbs the rest', () => {
    assert.equal(matches('[ip, id, user]', line), false);
    assert.equal(matches('[ip, ..., size]', line), true);
    assert.equal(matches('[ip=127.*, ...]', line), true);
    assert.equal(matches('[..., status=404, size]', line), true);
    assert.equal(matches('[..., status=500, size]', line), false);
  });

  it('refuse malformed patterns', () => {
    for (const p of ['[ip, id', '[]', '[ip,, id]', '[ip, ... x]', '[ip > abc]', '[ip =]']) refused(p);
  });
});

describe('wildcardMatch', () => {
  it('matches * across any run and nothing else', () => {
    assert.equal(wildcardMatch('a*c', 'abbbc'), true);
    assert.equal(wildcardMatch('a*c', 'abbb'), false);
    assert.equal(wildcardMatch('*', ''), true);
    assert.equal(wildcardMatch('a**b*', 'ab'), true);
    assert.equal(wildcardMatch('abc', 'abc'), true);
    assert.equal(wildcardMatch('abc', 'abcd'), false);
  });

  it('stays fast on patterns that make a backtracking matcher exponential', () => {
    const started = Date.now();
    assert.equal(wildcardMatch('a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(5000)), false);
    const pattern = compileFilterPattern(`{ $.x = "${'*a'.repeat(20)}b" }`);
    assert.equal(pattern(JSON.stringify({ x: 'a'.repeat(5000) })), false);
    assert.ok(Date.now() - started < 2000);
  });
});
