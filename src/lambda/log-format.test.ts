// The lines and documents Lambda itself writes: REPORT's fields and rounding, the log stream name, the timeout
// and crash documents.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  billedDurationMs,
  endLine,
  logStreamName,
  reportLine,
  runtimeExited,
  startLine,
  timedOut,
} from './log-format.ts';

describe('lambda log lines', () => {
  it('writes START and END as AWS does, each ending with a newline', () => {
    assert.equal(startLine('abc', '$LATEST').message, 'START RequestId: abc Version: $LATEST\n');
    assert.equal(endLine('abc').message, 'END RequestId: abc\n');
  });

  it('writes REPORT with tab-separated fields, Init Duration and Status only when they apply', () => {
    const warm = reportLine({ requestId: 'abc', durationMs: 1.234, memorySizeMb: 128, maxMemoryUsedMb: 41 });
    assert.equal(
      warm.message,
      'REPORT RequestId: abc\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 41 MB\t\n',
    );
    const cold = reportLine({
      requestId: 'abc',
      durationMs: 3000.004,
      memorySizeMb: 512,
      maxMemoryUsedMb: 60,
      initDurationMs: 120.5,
      status: 'timeout',
    });
    assert.equal(
      cold.message,
      'REPORT RequestId: abc\tDuration: 3000.00 ms\tBilled Duration: 3121 ms\tMemory Size: 512 MB\t' +
        'Max Memory Used: 60 MB\tInit Duration: 120.50 ms\tStatus: timeout\t\n',
    );
    const failed = reportLine({
      requestId: 'abc',
      durationMs: 0,
      memorySizeMb: 128,
      maxMemoryUsedMb: 1,
      status: 'error',
      errorType: 'Runtime.ExitError',
    });
    assert.match(failed.message, /\tStatus: error\tError Type: Runtime.ExitError\t\n$/);
  });

  it('bills whole milliseconds, at least one, with the init phase of a cold start', () => {
    assert.equal(billedDurationMs(0.2), 1);
    assert.equal(billedDurationMs(2.01), 3);
    assert.equal(billedDurationMs(2.5, 100.25), 103);
  });

  it('names a process’s log stream by its start date, version and 32 hex digits', () => {
    const name = logStreamName('$LATEST', new Date('2026-12-05T01:02:03Z'));
    assert.match(name, /^2026\/12\/05\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.notEqual(logStreamName('$LATEST'), logStreamName('$LATEST'));
  });

  it('makes the timeout and crash documents', () => {
    const t = timedOut('abc', 3);
    assert.deepEqual(JSON.parse(t.payload), {
      errorType: 'Sandbox.Timedout',
      errorMessage: 'RequestId: abc Error: Task timed out after 3.00 seconds',
    });
    assert.match(t.line.message, /^\d{4}-\d\d-\d\dT[\d:.]+Z abc Task timed out after 3.00 seconds\n$/);
    assert.deepEqual(JSON.parse(runtimeExited('abc', 1, null).payload), {
      errorType: 'Runtime.ExitError',
      errorMessage: 'RequestId: abc Error: Runtime exited with error: exit status 1',
    });
    assert.match(JSON.parse(runtimeExited('abc', null, 'SIGKILL').payload).errorMessage, /signal: killed$/);
    assert.equal(
      runtimeExited('abc', 1, null).line.message,
      'RequestId: abc Error: Runtime exited with error: exit status 1\nRuntime.ExitError\n',
    );
  });
});
