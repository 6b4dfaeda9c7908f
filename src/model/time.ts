/** Time forms AWS uses in IAM records. */

/** Whole seconds, as IAM reports creation times (`2026-01-01T00:00:00Z` on the wire). */
export const isoSeconds = (date: Date): string => new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString();
