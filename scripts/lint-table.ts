// Writes the check tables of docs/LINT.md from the registries (src/lint/registry.ts, src/doctor/registry.ts),
// between the <!-- …:begin --> and <!-- …:end --> markers. test/codegen/lint-docs.test.ts fails when they differ.
//   node --import tsx scripts/lint-table.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { CHECKS } from '../src/lint/registry.ts';
import { DOCTOR_CHECKS } from '../src/doctor/registry.ts';

export const LINT_DOC = new URL('../docs/LINT.md', import.meta.url);

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function lintTable(): string {
  const rows = CHECKS.map(
    (c) =>
      `| [\`${c.code}\`](${c.learnMoreLink}) | ${c.severity} | ${c.origin === 'access-analyzer' ? 'Access Analyzer' : 'rolecall'} | ${cell(c.what)} | ${cell(c.why)} | ${cell(c.fix)} |`,
  );
  return [
    '| code | severity | from | what | why it matters | fix |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

export function doctorTable(): string {
  const rows = DOCTOR_CHECKS.map(
    (c) => `| \`${c.code}\` | ${c.severity} | ${c.resource} | ${cell(c.what)} | ${cell(c.why)} | \`${cell(c.fix)}\` |`,
  );
  return [
    '| code | severity | resource | what | why it matters | fix |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** The document with both tables replaced, formatted as Prettier formats the rest of the repository. */
export async function withTables(text: string): Promise<string> {
  const path = fileURLToPath(LINT_DOC);
  return format(replaceTables(text), { ...(await resolveConfig(path)), filepath: path });
}

function replaceTables(text: string): string {
  const put = (t: string, name: string, table: string) => {
    const begin = `<!-- ${name}:begin -->`;
    const end = `<!-- ${name}:end -->`;
    const i = t.indexOf(begin);
    const j = t.indexOf(end);
    if (i < 0 || j < i) throw new Error(`docs/LINT.md lacks the ${name} markers`);
    return `${t.slice(0, i + begin.length)}\n${table}\n${t.slice(j)}`;
  };
  return put(put(text, 'checks', lintTable()), 'doctor', doctorTable());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(LINT_DOC, await withTables(readFileSync(LINT_DOC, 'utf8')));
}
