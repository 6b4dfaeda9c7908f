/**
 * Statements that cannot change a decision: one equal to another (Access Analyzer's REDUNDANT_STATEMENT), one a
 * broader statement of the same effect already covers, and an Allow an unconditional Deny covers (explicit deny
 * wins: IAM User Guide, "Policy evaluation logic"). Coverage is judged on Action and Resource lists only, with
 * wildcard containment (./patterns.ts); statements with NotAction or NotResource are left alone.
 */
import { plain } from '../json.ts';
import { hasConditions, location, type PolicyStatement } from '../document.ts';
import type { LintContext } from '../context.ts';
import { arnSegments, covers } from '../patterns.ts';

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

/** What coverage compares, computed once per statement (a policy may hold hundreds of statements). */
interface Prepared {
  readonly s: PolicyStatement;
  readonly text: string;
  readonly principal: string;
  readonly anyPrincipal: boolean;
  readonly condition: string;
  readonly conditional: boolean;
  /** Lower-cased Action entries; undefined for NotAction statements. */
  readonly actions?: readonly string[];
  /** Resource entries as ARN segments (or the entry itself when it is not an ARN); undefined for NotResource. */
  readonly resources?: readonly { readonly text: string; readonly segments?: readonly string[] }[];
}

function prepare(s: PolicyStatement): Prepared {
  return {
    s,
    text: canonical(s),
    principal: principalText(s),
    anyPrincipal: s.principal !== undefined && plain(s.principal) === '*',
    condition: normalCondition(s),
    conditional: hasConditions(s),
    ...(s.action && !s.notPrincipal && { actions: s.action.items.map((i) => i.value.toLowerCase()) }),
    ...(s.resource && {
      resources: s.resource.items.map((i) => {
        const segments = arnSegments(i.value);
        return { text: i.value, ...(segments && { segments }) };
      }),
    }),
  };
}

const resourceCovers = (
  w: NonNullable<Prepared['resources']>[number],
  n: NonNullable<Prepared['resources']>[number],
) => {
  if (w.text === '*') return true;
  if (n.text === '*') return false;
  if (!w.segments || !n.segments) return w.text === n.text;
  return w.segments.every((segment, k) => covers(segment, n.segments?.[k] ?? ''));
};

function coversStatement(wide: Prepared, narrow: Prepared): boolean {
  const [wa, na, wr, nr] = [wide.actions, narrow.actions, wide.resources, narrow.resources];
  if (!wa || !na || !wr || !nr || na.length === 0 || nr.length === 0) return false;
  if (!wide.anyPrincipal && wide.principal !== narrow.principal) return false;
  if (wide.conditional && wide.condition !== narrow.condition) return false;
  return nr.every((n) => wr.some((w) => resourceCovers(w, n))) && na.every((n) => wa.some((w) => covers(w, n)));
}

export function statementChecks(ctx: LintContext): void {
  const statements = ctx.doc.statements.filter((s) => s.effect !== undefined).map(prepare);
  statements.forEach((p, i) => {
    const s = p.s;
    const twin = statements.find((q, j) => j < i && q.text === p.text);
    if (twin) {
      ctx.report(
        'REDUNDANT_STATEMENT',
        'The statements are redundant because they provide identical permissions. Update the policy to remove the redundant statement.',
        [location(s.path, s.node), location(twin.s.path, twin.s.node)],
        s,
      );
      return;
    }
    const denier =
      s.effect === 'Allow'
        ? statements.find((w) => w !== p && w.s.effect === 'Deny' && !w.conditional && coversStatement(w, p))
        : undefined;
    // Of two statements that cover each other, the later one is the one to drop.
    const wider = statements.find(
      (w, j) =>
        j !== i &&
        w.s.effect === s.effect &&
        w.text !== p.text &&
        coversStatement(w, p) &&
        (j < i || !coversStatement(p, w)),
    );
    const by = (denier ?? wider)?.s;
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
