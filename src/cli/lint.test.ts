// `rolecall lint` as a command: its three output formats, --fail-on and the exit codes, --type and --account,
// and the refusal of bad options. Files are handed in through the command's I/O seam.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runLint, type LintIo } from './lint.ts';

const PASS_ROLE = JSON.stringify(
  { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }] },
  null,
  2,
);
const CLEAN = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*' }],
});
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' }],
});
const FILES: Record<string, string> = {
  'pass-role.json': PASS_ROLE,
  'clean.json': CLEAN,
  'trust.json': TRUST,
  '-': CLEAN,
};

async function lint(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: LintIo = {
    readFile: (path) => {
      const text = FILES[path];
      if (text === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      return text;
    },
    out: (t) => (out += `${t}\n`),
    err: (t) => (err += `${t}\n`),
  };
  const code = await runLint(args, io);
  return { code, out, err };
}

describe('rolecall lint', () => {
  it('prints each finding with file, line and column (1-based), severity, code, statement and path', async () => {
    const { code, out } = await lint('pass-role.json', 'clean.json');
    assert.equal(code, 0, 'a security warning does not fail the default --fail-on ERROR');
    assert.match(
      out,
      /^pass-role\.json:6:17: SECURITY_WARNING PASS_ROLE_WITH_STAR_IN_RESOURCE \(statement 0, \$\.Statement\[0\]\.Action\)$/m,
    );
    assert.match(out, /^ {2}Using the iam:PassRole action with wildcards/m);
    assert.match(out, /^clean\.json: no findings \(identity policy\)$/m);
    assert.match(out, /^2 file\(s\): 1 SECURITY_WARNING$/m);
  });

  it('fails at the --fail-on level and above, and never with none', async () => {
    assert.equal((await lint('--fail-on', 'SECURITY_WARNING', 'pass-role.json')).code, 1);
    assert.equal((await lint('--fail-on=suggestion', 'pass-role.json')).code, 1);
    assert.equal((await lint('--fail-on', 'none', 'pass-role.json')).code, 0);
    assert.equal((await lint('--fail-on', 'SUGGESTION', 'clean.json')).code, 0);
  });

  it("prints JSON with Access Analyzer's finding shape, the statement index and the JSON path", async () => {
    const { out } = await lint('--format', 'json', 'pass-role.json');
    const report = JSON.parse(out) as { files: { file: string; type: string; findings: Record<string, unknown>[] }[] };
    const [file] = report.files;
    assert.equal(file?.file, 'pass-role.json');
    assert.equal(file?.type, 'identity');
    const [finding] = file?.findings ?? [];
    assert.equal(finding?.['issueCode'], 'PASS_ROLE_WITH_STAR_IN_RESOURCE');
    assert.equal(finding?.['findingType'], 'SECURITY_WARNING');
    assert.equal(finding?.['statementIndex'], 0);
    assert.equal(finding?.['jsonPath'], '$.Statement[0].Action');
    assert.deepEqual((finding?.['locations'] as { span: unknown }[])[0]?.span, {
      start: { line: 6, column: 16, offset: 93 },
      end: { line: 6, column: 30, offset: 107 },
    });
  });

  it('prints SARIF 2.1.0 with a rule per code used and 1-based regions', async () => {
    const { out } = await lint('--format', 'sarif', 'pass-role.json');
    const sarif = JSON.parse(out) as {
      version: string;
      runs: { tool: { driver: { rules: { id: string }[] } }; results: Record<string, unknown>[] }[];
    };
    assert.equal(sarif.version, '2.1.0');
    const run = sarif.runs[0];
    assert.deepEqual(
      run?.tool.driver.rules.map((r) => r.id),
      ['PASS_ROLE_WITH_STAR_IN_RESOURCE'],
    );
    const result = run?.results[0] as {
      ruleId: string;
      level: string;
      locations: { physicalLocation: { artifactLocation: { uri: string }; region: Record<string, number> } }[];
    };
    assert.equal(result.ruleId, 'PASS_ROLE_WITH_STAR_IN_RESOURCE');
    assert.equal(result.level, 'error');
    assert.deepEqual(result.locations[0]?.physicalLocation, {
      artifactLocation: { uri: 'pass-role.json' },
      region: { startLine: 6, startColumn: 17, endLine: 6, endColumn: 31 },
    });
  });

  it('reads standard input without a file, guesses the type, and takes --type and --account', async () => {
    assert.match((await lint()).out, /^<stdin>: no findings \(identity policy\)$/m);
    assert.match((await lint('trust.json')).out, /CROSS_ACCOUNT_TRUST_WITHOUT_CONDITION/);
    assert.match(
      (await lint('--account', '111122223333', 'trust.json')).out,
      /^trust\.json: no findings \(trust policy\)$/m,
    );
    assert.match((await lint('--type', 'resource', 'trust.json')).out, /trust\.json:1:38: ERROR MISSING_RESOURCE/);
  });

  it('refuses bad options and unreadable files with exit code 2', async () => {
    for (const args of [
      ['--typ', 'identity'],
      ['--type', 'bucket'],
      ['--format', 'xml'],
      ['--fail-on', 'high'],
      ['--account', '12'],
      ['--type'],
    ]) {
      const r = await lint(...args, 'clean.json');
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, /^rolecall lint: /);
    }
    const missing = await lint('nowhere.json');
    assert.equal(missing.code, 2);
    assert.match(missing.err, /cannot read nowhere\.json: ENOENT/);
  });
});
