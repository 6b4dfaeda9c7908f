/**
 * Statements that cannot change a decision: one equal to another (Access Analyzer's REDUNDANT_STATEMENT), one a
 * broader statement of the same effect already covers, and an Allow an unconditional Deny covers (explicit deny
 * wins: IAM User Guide, "Policy evaluation logic"). Coverage is judged on Action and Resource lists only, with
 * wildcard containment (./patterns.ts); statements with NotAction or NotResource are left alone.
 */
import { plain } from '../json.ts';
import { hasConditions, location, type PolicyStatement } from '../document.ts';
import type { LintContext } from '../context.ts';
import { arnCovers, covers } from '../patterns.ts';

const sortedLower = (values: readonly string[] | undefined) => values && [...values.map((v) => v.toLowerCase())].sort();
const sorted = (values: readonly string[] | undefined) => values && [...values].sort();

function normalCondition(s: PolicyStatement): string {
  const tests = s.conditions
    .map((t) =>
      JSON.stringify([t.operator.toLowerCase(), t.key.toLowerCase(), [...t.values.map((v) => v.text)].sort()]),
    )
    .sort();
  return JSON.stringify(tests);
}

const principalText = (s: PolicyStatement): string =>
  JSON.stringify([s.principal && plain(s.principal), s.notPrincipal && plain(s.notPrincipal)]);

/** The statement as a canonical text: equal texts grant the same. Sid does not count. */
function canonical(s: PolicyStatement): string {
  return JSON.stringify([
    s.effect,
    principalText(s),
    sortedLower(s.action?.items.map((i) => i.value)),
    sortedLower(s.notAction?.items.map((i) => i.value)),
    sorted(s.resource?.items.map((i) => i.value)),
    sorted(s.notResource?.items.map((i) => i.value)),
    normalCondition(s),
  ]);
}

function coversStatement(wide: PolicyStatement, narrow: PolicyStatement): boolean {
  if (!wide.action || !wide.resource || !narrow.action || !narrow.resource) return false;
  if (wide.notPrincipal || narrow.notPrincipal) return false;
  const wp = wide.principal && plain(wide.principal);
  if (wp !== '*' && principalText(wide) !== principalText(narrow)) return false;
  if (hasConditions(wide) && normalCondition(wide) !== normalCondition(narrow)) return false;
  const actionsCovered = narrow.action.items.every((n) =>
    wide.action?.items.some((w) => covers(w.value.toLowerCase(), n.value.toLowerCase())),
  );
  const resourcesCovered = narrow.resource.items.every((n) =>
    wide.resource?.items.some((w) => arnCovers(w.value, n.value)),
  );
  return actionsCovered && resourcesCovered && narrow.action.items.length > 0 && narrow.resource.items.length > 0;
}

export function statementChecks(ctx: LintContext): void {
  const statements = ctx.doc.statements.filter((s) => s.effect !== undefined);
  const texts = statements.map(canonical);
  statements.forEach((s, i) => {
    const twin = statements.findIndex((_, j) => j < i && texts[j] === texts[i]);
    const other = statements[twin];
    if (other) {
      ctx.report(
        'REDUNDANT_STATEMENT',
        'The statements are redundant because they provide identical permissions. Update the policy to remove the redundant statement.',
        [location(s.path, s.node), location(other.path, other.node)],
        s,
      );
      return;
    }
    const denier =
      s.effect === 'Allow'
        ? statements.find((w) => w !== s && w.effect === 'Deny' && !hasConditions(w) && coversStatement(w, s))
        : undefined;
    // Of two statements that cover each other, the later one is the one to drop.
    const wider = statements.find(
      (w, j) =>
        j !== i &&
        w.effect === s.effect &&
        texts[j] !== texts[i] &&
        coversStatement(w, s) &&
        (j < i || !coversStatement(s, w)),
    );
    const by = denier ?? wider;
    if (!by) return;
    ctx.report(
      'SHADOWED_STATEMENT',
      denier
        ? `Statement ${s.index} allows nothing: statement ${by.index} denies all of it without any condition, and an explicit deny always wins.`
        : `Statement ${s.index} adds nothing: statement ${by.index} already ${s.effect === 'Allow' ? 'allows' : 'denies'} all of it.`,
      [location(s.path, s.node), location(by.path, by.node)],
      s,
    );
  });
}
