/**
 * `--since` for suggest-policy and last-accessed reports: a duration back from now (`90s`, `30m`, `24h`, `7d`,
 * `2w`) or an ISO-8601 time. Durations count back from rolecall's clock, which tests may have moved forward.
 */
const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** The time `since` names, or undefined when it is neither a duration nor an ISO time. */
export function parseSince(since: string, now: Date): Date | undefined {
  const m = /^(\d{1,9})([smhdw])$/.exec(since.trim());
  if (m) return new Date(now.getTime() - Number(m[1]) * (UNITS[m[2] ?? 's'] ?? 1) * 1000);
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(since.trim())) return undefined;
  const t = Date.parse(since.trim());
  return Number.isNaN(t) ? undefined : new Date(t);
}
