// parseServeConfig: defaults, ROLECALL_* variables, flags (which win), and refusal of anything unknown or invalid.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, DEFAULTS, describeAudit, describeEnforcement, parseServeConfig, SETTINGS } from './config.ts';

const refuses = (args: string[], env: Record<string, string | undefined>, message: string) =>
  assert.throws(
    () => parseServeConfig(args, env),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.equal(err.name, 'ConfigError');
      assert.equal(err.message, message);
      return true;
    },
  );

const KNOWN_ENV =
  'ROLECALL_HOST, ROLECALL_PORT, ROLECALL_DATA_DIR, ROLECALL_STORE, ROLECALL_ENFORCE, ROLECALL_READY_FILE, ROLECALL_LOG_LEVEL, ' +
  'ROLECALL_AUDIT, ROLECALL_AUDIT_MAX_EVENTS, ROLECALL_AUDIT_MAX_AGE';

describe('parseServeConfig', () => {
  it('returns the defaults with no flags and no variables', () => {
    assert.deepEqual(parseServeConfig([], {}), {
      host: '127.0.0.1',
      port: 4566,
      dataDir: './.rolecall',
      store: 'sqlite',
      enforce: 'on',
      readyFile: undefined,
      logLevel: 'info',
      audit: 'on',
      auditMaxEvents: 100_000,
      auditMaxAgeMs: 7 * 86_400_000,
    });
    assert.deepEqual(parseServeConfig([], {}), DEFAULTS);
  });

  it('ignores variables that are not ROLECALL_* and ROLECALL_* set to undefined', () => {
    assert.deepEqual(
      parseServeConfig([], { PATH: '/bin', PORT: '1', AWS_REGION: 'x', ROLECALL_PORT: undefined }),
      DEFAULTS,
    );
  });

  it('reads every setting from its variable', () => {
    assert.deepEqual(
      parseServeConfig([], {
        ROLECALL_HOST: '0.0.0.0',
        ROLECALL_PORT: '1234',
        ROLECALL_DATA_DIR: '/var/lib/rc',
        ROLECALL_STORE: 'memory',
        ROLECALL_ENFORCE: 'audit',
        ROLECALL_READY_FILE: '/tmp/ready.json',
        ROLECALL_LOG_LEVEL: 'debug',
        ROLECALL_AUDIT: 'off',
        ROLECALL_AUDIT_MAX_EVENTS: '500',
        ROLECALL_AUDIT_MAX_AGE: '12h',
      }),
      {
        host: '0.0.0.0',
        port: 1234,
        dataDir: '/var/lib/rc',
        store: 'memory',
        enforce: 'audit',
        readyFile: '/tmp/ready.json',
        logLevel: 'debug',
        audit: 'off',
        auditMaxEvents: 500,
        auditMaxAgeMs: 12 * 3600_000,
      },
    );
  });

  it('reads every setting from its flag, in both --x y and --x=y forms', () => {
    const expected = {
      host: '::1',
      port: 8080,
      dataDir: 'data',
      store: 'memory',
      enforce: 'off',
      readyFile: 'r.json',
      logLevel: 'silent',
      audit: 'off',
      auditMaxEvents: 10,
      auditMaxAgeMs: 90_000,
    };
    assert.deepEqual(
      parseServeConfig(
        [
          '--host',
          '::1',
          '--port',
          '8080',
          '--data-dir',
          'data',
          '--store',
          'memory',
          '--enforce',
          'off',
          '--ready-file',
          'r.json',
          '--log-level',
          'silent',
          '--audit',
          'off',
          '--audit-max-events',
          '10',
          '--audit-max-age',
          '90s',
        ],
        {},
      ),
      expected,
    );
    assert.deepEqual(
      parseServeConfig(
        [
          '--host=::1',
          '--port=8080',
          '--data-dir=data',
          '--store=memory',
          '--enforce=off',
          '--ready-file=r.json',
          '--log-level=silent',
          '--audit=off',
          '--audit-max-events=10',
          '--audit-max-age=90s',
        ],
        {},
      ),
      expected,
    );
  });

  it('lets flags win over variables, and the last flag win over earlier ones', () => {
    const config = parseServeConfig(['--port', '5000', '--store=memory', '--port=6000'], {
      ROLECALL_PORT: '1234',
      ROLECALL_STORE: 'sqlite',
      ROLECALL_ENFORCE: 'audit',
    });
    assert.equal(config.port, 6000);
    assert.equal(config.store, 'memory');
    assert.equal(config.enforce, 'audit');
  });

  it('keeps everything after the first "=" as the value', () => {
    assert.equal(parseServeConfig(['--data-dir=a=b'], {}).dataDir, 'a=b');
  });

  it('allows --port 0 (pick a free port) and the top of the range', () => {
    assert.equal(parseServeConfig(['--port', '0'], {}).port, 0);
    assert.equal(parseServeConfig(['--port=0'], {}).port, 0);
    assert.equal(parseServeConfig([], { ROLECALL_PORT: '0' }).port, 0);
    assert.equal(parseServeConfig(['--port', '65535'], {}).port, 65535);
  });

  it('refuses audit settings it cannot use', () => {
    refuses(['--audit', 'maybe'], {}, "--audit: 'maybe' is not one of on, off");
    refuses([], { ROLECALL_AUDIT: 'yes' }, "ROLECALL_AUDIT: 'yes' is not one of on, off");
    refuses(['--audit-max-events', '0'], {}, "--audit-max-events: '0' is not a number of events (1-999999999)");
    refuses(['--audit-max-events=1e5'], {}, "--audit-max-events: '1e5' is not a number of events (1-999999999)");
    refuses(['--audit-max-age', '7'], {}, "--audit-max-age: '7' is not a duration such as 7d, 12h, 30m or 90s");
    refuses(
      [],
      { ROLECALL_AUDIT_MAX_AGE: '0d' },
      "ROLECALL_AUDIT_MAX_AGE: '0d' is not a duration such as 7d, 12h, 30m or 90s",
    );
    assert.equal(parseServeConfig(['--audit-max-age', '30m'], {}).auditMaxAgeMs, 1_800_000);
    assert.equal(parseServeConfig(['--audit-max-age', '7d'], {}).auditMaxAgeMs, 7 * 86_400_000);
  });

  it('refuses an unknown flag', () => {
    refuses(['--nope'], {}, "unknown option '--nope' (see rolecall serve --help)");
    refuses(['--nope=1'], {}, "unknown option '--nope=1' (see rolecall serve --help)");
    refuses(['serve'], {}, "unknown option 'serve' (see rolecall serve --help)");
    refuses(['-p', '1'], {}, "unknown option '-p' (see rolecall serve --help)");
  });

  it('refuses an unknown ROLECALL_* variable, listing the known ones', () => {
    refuses([], { ROLECALL_PROT: '1' }, `unknown environment variable ROLECALL_PROT (known: ${KNOWN_ENV})`);
  });

  it('refuses a flag without a value', () => {
    refuses(['--port'], {}, '--port: a value is required');
    refuses(['--data-dir='], {}, '--data-dir: a value is required');
    refuses(['--host', ''], {}, '--host: a value is required');
    refuses([], { ROLECALL_READY_FILE: '' }, 'ROLECALL_READY_FILE: a value is required');
  });

  it('refuses ports that are not whole numbers from 0 to 65535', () => {
    for (const bad of ['abc', '-1', '65536', '1.5', '', ' 80', '0x50', '1e3']) {
      refuses(['--port', bad], {}, `--port: '${bad}' is not a port (0-65535)`);
    }
    refuses([], { ROLECALL_PORT: '99999' }, "ROLECALL_PORT: '99999' is not a port (0-65535)");
  });

  it('takes the next argument as the value even when it looks like a flag', () => {
    refuses(['--port', '--store', 'memory'], {}, "--port: '--store' is not a port (0-65535)");
  });

  it('refuses values outside each set of choices', () => {
    refuses(['--store', 'postgres'], {}, "--store: 'postgres' is not one of sqlite, memory");
    refuses(['--enforce=yes'], {}, "--enforce: 'yes' is not one of on, audit, off");
    refuses(
      [],
      { ROLECALL_LOG_LEVEL: 'verbose' },
      "ROLECALL_LOG_LEVEL: 'verbose' is not one of fatal, error, warn, info, debug, trace, silent",
    );
    refuses(['--store', 'Memory'], {}, "--store: 'Memory' is not one of sqlite, memory");
  });

  it('checks variables even when a flag overrides them', () => {
    refuses(['--port', '1'], { ROLECALL_PORT: 'x' }, "ROLECALL_PORT: 'x' is not a port (0-65535)");
  });
});

describe('SETTINGS and describeEnforcement', () => {
  it('has one flag and one variable per setting, each with help', () => {
    assert.deepEqual(
      SETTINGS.map((s) => [s.flag, s.env]),
      [
        ['--host', 'ROLECALL_HOST'],
        ['--port', 'ROLECALL_PORT'],
        ['--data-dir', 'ROLECALL_DATA_DIR'],
        ['--store', 'ROLECALL_STORE'],
        ['--enforce', 'ROLECALL_ENFORCE'],
        ['--ready-file', 'ROLECALL_READY_FILE'],
        ['--log-level', 'ROLECALL_LOG_LEVEL'],
        ['--audit', 'ROLECALL_AUDIT'],
        ['--audit-max-events', 'ROLECALL_AUDIT_MAX_EVENTS'],
        ['--audit-max-age', 'ROLECALL_AUDIT_MAX_AGE'],
      ],
    );
    for (const s of SETTINGS) assert.notEqual(s.help, '');
  });

  it('describes each enforcement mode', () => {
    assert.match(describeEnforcement('on'), /^ON: /);
    assert.match(describeEnforcement('audit'), /^AUDIT: /);
    assert.match(describeEnforcement('off'), /^OFF: .*NOT enforced/);
  });

  it('describes auditing', () => {
    assert.match(describeAudit(DEFAULTS), /^ON: every request is recorded \(last 100000 events, 7 day\(s\)\)/);
    assert.match(describeAudit({ ...DEFAULTS, audit: 'off' }), /^OFF: /);
  });
});
