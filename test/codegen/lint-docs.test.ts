// docs/LINT.md's check tables are generated from the registries: this fails when a check was added or changed
// without `node --import tsx scripts/lint-table.ts`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { LINT_DOC, withTables } from '../../scripts/lint-table.ts';

it('docs/LINT.md lists every lint and doctor check as the registries say', async () => {
  const text = readFileSync(LINT_DOC, 'utf8');
  assert.equal(text, await withTables(text), 'run: node --import tsx scripts/lint-table.ts');
});
