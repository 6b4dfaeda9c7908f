/**
 * Questions about two wildcard patterns (`*` any run, `?` one character) rather than a pattern and a string:
 * does one cover the other (every string the narrower matches, the wider matches too), and can they match a
 * common string at all. Both are table walks over the two patterns, quadratic in their lengths and with no
 * regular expression built from policy text; policy elements are short, and a whole policy is at most a few KB.
 */

const STAR = 42; // '*'
const ANY = 63; // '?'

/**
 * Whether `wide` matches every string `narrow` matches. Sound but not complete: a `?` in `wide` never covers a
 * `*` in `narrow`, and wildcards of `narrow` are covered only by wildcards of `wide` at least as broad.
 */
export function covers(wide: string, narrow: string): boolean {
  if (!wide.includes('*') && !wide.includes('?'))
    return wide === narrow && !narrow.includes('*') && !narrow.includes('?');
  const m = narrow.length;
  // next[j]: wide[i + 1..] covers narrow[j..]; rows are filled from the end of `wide` backwards.
  let next = new Uint8Array(m + 1);
  let row = new Uint8Array(m + 1);
  next[m] = 1;
  for (let i = wide.length - 1; i >= 0; i--) {
    const w = wide.charCodeAt(i);
    row.fill(0);
    for (let j = m; j >= 0; j--) {
      if (w === STAR) {
        row[j] = next[j] === 1 || (j < m && row[j + 1] === 1) ? 1 : 0;
      } else if (j < m) {
        const c = narrow.charCodeAt(j);
        const single = w === ANY ? c !== STAR : c === w && c !== STAR && c !== ANY;
        row[j] = single && next[j + 1] === 1 ? 1 : 0;
      }
    }
    [next, row] = [row, next];
  }
  return next[0] === 1;
}

/**
 * Stand-ins for the variables of an ARN format: a variable is at least one character; one that names a single
 * thing (a bucket, a table, an instance id) has no `/` in it. Both are private-use characters no policy has.
 */
const NAME_LOOP = 0xe000; // like `*`, without `/`
const NAME_ONE = 0xe001; // like `?`, without `/`
const SLASH = 47;

const isLoop = (c: number) => c === STAR || c === NAME_LOOP;
const single = (c: number) => c === ANY || c === NAME_ONE;
const noSlash = (c: number) => c === NAME_LOOP || c === NAME_ONE;

/** Whether some string matches both patterns (`*`, `?`, and the stand-ins for format variables). */
export function intersects(a: string, b: string): boolean {
  const n = a.length;
  const m = b.length;
  const seen = new Uint8Array((n + 1) * (m + 1));
  const stack: number[] = [0];
  seen[0] = 1;
  const push = (i: number, j: number) => {
    const k = i * (m + 1) + j;
    if (seen[k] === 1) return;
    seen[k] = 1;
    stack.push(k);
  };
  while (stack.length > 0) {
    const k = stack.pop() ?? 0;
    const i = Math.floor(k / (m + 1));
    const j = k % (m + 1);
    if (i === n && j === m) return true;
    const ca = i < n ? a.charCodeAt(i) : -1;
    const cb = j < m ? b.charCodeAt(j) : -1;
    if (isLoop(ca)) push(i + 1, j);
    if (isLoop(cb)) push(i, j + 1);
    if (ca < 0 || cb < 0 || (isLoop(ca) && isLoop(cb))) continue;
    const wildA = isLoop(ca) || single(ca);
    const wildB = isLoop(cb) || single(cb);
    const compatible =
      wildA && wildB
        ? true
        : wildA
          ? !(noSlash(ca) && cb === SLASH)
          : wildB
            ? !(noSlash(cb) && ca === SLASH)
            : ca === cb;
    if (compatible) push(isLoop(ca) ? i : i + 1, isLoop(cb) ? j : j + 1);
  }
  return false;
}

/** Variables of ARN formats that name one thing and so never hold a `/` (Service Authorization Reference). */
const SINGLE_NAME_VARIABLES = new Set([
  'BucketName',
  'TableName',
  'QueueName',
  'TopicName',
  'FunctionName',
  'InstanceId',
  'KeyId',
  'ImageId',
  'SnapshotId',
  'VolumeId',
  'SecurityGroupId',
  'SubnetId',
  'VpcId',
  'Region',
  'Account',
  'Partition',
]);

/** An ARN format (`arn:${Partition}:s3:::${BucketName}`) as a pattern of the stand-ins above. */
export const formatPattern = (format: string): string =>
  format.replace(/\$\{([^}]*)\}/g, (_, name: string) =>
    SINGLE_NAME_VARIABLES.has(name) ? String.fromCharCode(NAME_ONE, NAME_LOOP) : '?*',
  );

/** ARNs split into partition, service, region, account and the rest (which keeps its colons). */
export function arnSegments(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [parts[1] ?? '', parts[2] ?? '', parts[3] ?? '', parts[4] ?? '', parts.slice(5).join(':')];
}

/** Policy variables (`${aws:username}`) stand for some text: as wildcards, they can match anything. */
export const variablesAsWildcards = (s: string): string => s.replace(/\$\{[^}]*\}/g, '*');

/** Whether a Resource pattern and a resource-type ARN format (`${…}` variables) can name the same resource. */
export function arnPatternMeetsFormat(pattern: string, format: string): boolean {
  const p = arnSegments(variablesAsWildcards(pattern));
  const f = formatSegments(format);
  if (!p || !f) return false;
  return p.every((segment, i) => intersects(segment, f[i] ?? ''));
}

/**
 * A format's segments as patterns, computed once per format: the reference has a few thousand formats, and each
 * policy asks about the same few many times.
 */
const FORMAT_SEGMENTS = new Map<string, string[] | undefined>();
export function formatSegments(format: string): string[] | undefined {
  if (!FORMAT_SEGMENTS.has(format)) FORMAT_SEGMENTS.set(format, arnSegments(formatPattern(format)));
  return FORMAT_SEGMENTS.get(format);
}

/** Whether Resource pattern `wide` covers `narrow`, segment by segment (a `*` stays within its segment). */
export function arnCovers(wide: string, narrow: string): boolean {
  if (wide === '*') return true;
  if (narrow === '*') return false;
  const w = arnSegments(wide);
  const n = arnSegments(narrow);
  if (!w || !n) return wide === narrow;
  return w.every((segment, i) => covers(segment, n[i] ?? ''));
}
