/**
 * The process the crash test kills: it writes blobs (crashBody(n)) from several concurrent writers and prints
 * "<n> <id>" for each only after write() has resolved, the point where the S3 service would commit and acknowledge.
 * One more write stalls mid-body for good, so a temp file is certain to exist when the kill comes.
 * Usage: node --import tsx crash-child.ts <dir>
 */
import { FileBlobStore } from '../../src/store/blobs/file-blob-store.ts';
import { chunked, crashBody, pattern } from './bodies.ts';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: crash-child.ts <dir>');
const store = new FileBlobStore(dir);
await store.open();

void store.write(
  (async function* () {
    yield pattern(100_000, 1);
    process.stdout.write('stalled\n');
    await new Promise(() => undefined);
  })(),
);

let next = 0;
const writer = async (): Promise<void> => {
  for (;;) {
    const n = next++;
    const { id } = await store.write(chunked(crashBody(n), 16_384 + (n % 7) * 1000));
    process.stdout.write(`${n} ${id}\n`);
  }
};
await Promise.all([writer(), writer(), writer(), writer()]);
