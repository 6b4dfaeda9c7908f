/**
 * Deployment packages: each zip is kept as `<root>/zips/<sha256 hex>.zip` and unpacked once into
 * `<root>/code/<sha256 hex>/`, the folder the execution layer runs the handler from (FunctionSpec.codeDir). Files are
 * named by content, so functions sharing a package share its folder and an update never changes a folder a warm
 * process still reads. Both are written aside and renamed into place, so a crash leaves no half package under a
 * final name; `sweep` removes the packages no function names (at startup, after loading the functions).
 *
 * Zips are read with fflate; an entry that would land outside the folder (`../x`, `/etc/x`) makes the package
 * invalid rather than being written anywhere.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { unzipSync } from 'fflate';
import { AwsError } from '../../protocol/errors.ts';

/** "Unzipped size must be smaller than 262144000 bytes" (Lambda quotas: 250 MB unzipped). */
export const MAX_UNZIPPED_BYTES = 262_144_000;

export interface SavedCode {
  /** Base64 SHA-256 of the zip: AWS's CodeSha256. */
  readonly sha256: string;
  /** The zip's size in bytes: AWS's CodeSize. */
  readonly size: number;
}

// AWS's answer to a package it cannot open (CreateFunction/UpdateFunctionCode with a corrupt ZipFile).
const invalidZip = () =>
  new AwsError(
    'InvalidParameterValueException',
    400,
    'Could not unzip uploaded file. Please check your file, then try to upload again.',
  );

const hexOf = (sha256: string): string => Buffer.from(sha256, 'base64').toString('hex');

/** The files of a zip, by safe relative path; throws InvalidParameterValueException for anything else. */
export function readZip(zip: Uint8Array): Map<string, Uint8Array> {
  let total = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip, {
      filter: (file) => {
        total += file.originalSize;
        if (total > MAX_UNZIPPED_BYTES) {
          throw new AwsError(
            'InvalidParameterValueException',
            400,
            `Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`,
          );
        }
        return true;
      },
    });
  } catch (err) {
    if (err instanceof AwsError) throw err;
    throw invalidZip();
  }
  const files = new Map<string, Uint8Array>();
  for (const [name, data] of Object.entries(entries)) {
    if (name.endsWith('/')) continue; // a folder entry
    const path = normalize(name);
    if (isAbsolute(path) || path === '..' || path.startsWith(`..${sep}`) || path.includes('\0')) throw invalidZip();
    files.set(path, data);
  }
  return files;
}

export class CodeStore {
  private constructor(private readonly root: string) {}

  static async open(root: string): Promise<CodeStore> {
    await mkdir(join(root, 'zips'), { recursive: true });
    await mkdir(join(root, 'code'), { recursive: true });
    return new CodeStore(root);
  }

  /** Checks a package without keeping it (UpdateFunctionCode with DryRun). */
  inspect(zip: Uint8Array): SavedCode {
    readZip(zip);
    return { sha256: createHash('sha256').update(zip).digest('base64'), size: zip.byteLength };
  }

  /** Checks, keeps and unpacks a package; the same bytes twice are kept once. */
  async save(zip: Uint8Array): Promise<SavedCode> {
    const files = readZip(zip);
    const sha256 = createHash('sha256').update(zip).digest('base64');
    const hex = hexOf(sha256);
    const zipPath = join(this.root, 'zips', `${hex}.zip`);
    if (!existsSync(zipPath)) {
      const partial = `${zipPath}.${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(partial, zip);
      await rename(partial, zipPath);
    }
    await this.unpack(hex, files);
    return { sha256, size: zip.byteLength };
  }

  /** The folder holding the unpacked package, unpacking it again if it went missing. */
  async dir(sha256: string): Promise<string> {
    const hex = hexOf(sha256);
    const dir = join(this.root, 'code', hex);
    if (existsSync(dir)) return dir;
    const zip = await readFile(join(this.root, 'zips', `${hex}.zip`));
    await this.unpack(hex, readZip(zip));
    return dir;
  }

  /** The zip's bytes (GetFunction's code location serves nothing yet, but restarts re-unpack from them). */
  zipPath(sha256: string): string {
    return join(this.root, 'zips', `${hexOf(sha256)}.zip`);
  }

  /** Removes packages and folders no function names; returns how many packages went. */
  async sweep(referenced: ReadonlySet<string>): Promise<number> {
    const keep = new Set([...referenced].map(hexOf));
    let removed = 0;
    for (const name of await readdir(join(this.root, 'zips'))) {
      const hex = name.replace(/\.zip$/, '');
      if (name.endsWith('.zip') && keep.has(hex)) continue;
      await rm(join(this.root, 'zips', name), { force: true });
      if (name.endsWith('.zip')) removed++;
    }
    for (const name of await readdir(join(this.root, 'code'))) {
      if (!keep.has(name)) await rm(join(this.root, 'code', name), { recursive: true, force: true });
    }
    return removed;
  }

  private async unpack(hex: string, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
    const dir = join(this.root, 'code', hex);
    if (existsSync(dir)) return;
    const partial = `${dir}.${randomBytes(6).toString('hex')}.tmp`;
    for (const [path, data] of files) {
      const target = join(partial, path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, data);
    }
    await mkdir(partial, { recursive: true });
    try {
      await rename(partial, dir);
    } catch (err) {
      // Another save of the same package won the rename: its folder holds the same files.
      await rm(partial, { recursive: true, force: true });
      if (!existsSync(dir)) throw err;
    }
  }
}
