// Runs every *.test.ts under the given folders (default: src and test) with Node's test runner and tsx.
// Node 20's runner does not expand globs itself, so the files are listed here.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('-'));
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.ts')) files.push(path);
  }
};
for (const root of roots.length > 0 ? roots : ['src', 'test']) {
  if (statSync(root, { throwIfNoEntry: false })?.isFile()) files.push(root);
  else walk(root);
}
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
// The runner's TAP goes to our stdout as it comes; failures are repeated at the end, because CI shows only the
// tail of a long log and the failing test would otherwise scroll out of it.
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...flags, ...files], {
  stdio: ['inherit', 'pipe', 'inherit'],
});
const failures = [];
let current = null;
let pending = '';
const scan = (line) => {
  // A test marked TODO reports `not ok` without failing the run.
  if (/^\s*not ok \d+ /.test(line) && !/ # TODO/.test(line)) {
    current = [line];
    failures.push(current);
  } else if (current) {
    current.push(line);
    // The failure's YAML block ends with a line of three dots at the same indent as its "not ok" line.
    if (line.trim() === '...' || current.length >= 40) current = null;
  }
};
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const lines = (pending + chunk.toString('utf8')).split('\n');
  pending = lines.pop() ?? '';
  lines.forEach(scan);
});
child.on('close', (code, signal) => {
  if (pending) scan(pending);
  // A suite that fails because a test in it failed repeats that test's failure; only the innermost ones help.
  const innermost = failures.filter((f) => !f.some((l) => /failureType: 'subtestsFailed'/.test(l)));
  if (innermost.length > 0) {
    console.log(`\n# run-tests: ${innermost.length} failing test(s), repeated here:`);
    for (const f of innermost) console.log(f.map((l) => `# ${l}`).join('\n'));
  }
  process.exit(code ?? (signal ? 1 : 0));
});
