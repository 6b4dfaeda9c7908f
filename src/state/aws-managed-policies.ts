/**
 * The catalogue of AWS managed policies (`arn:aws:iam::aws:policy/…`): real documents as AWS publishes them,
 * one file each under data/aws-managed-policies/ with its source recorded. They belong to no account: every
 * account sees them, may attach them, and may not change or delete them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { ManagedPolicyRecord } from '../model/iam.ts';

interface CatalogueFile {
  readonly PolicyName: string;
  readonly Arn: string;
  readonly Path: string;
  readonly PolicyId?: string;
  readonly Description?: string;
  readonly CreateDate: string;
  readonly UpdateDate: string;
  readonly DefaultVersionId: string;
  readonly Document: unknown;
}

const FOLDER = new URL('../../data/aws-managed-policies/', import.meta.url);

/** A stable id for catalogue entries whose source gives none: ANPA and 17 characters derived from the name. */
function derivedId(name: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let hash = 2166136261;
  let id = 'ANPA';
  for (let i = 0; i < 17; i++) {
    for (const c of name) hash = Math.imul(hash ^ c.charCodeAt(0), 16777619) >>> 0;
    hash = Math.imul(hash ^ i, 16777619) >>> 0;
    id += alphabet.charAt(hash & 31);
  }
  return id;
}

function toRecord(file: CatalogueFile): ManagedPolicyRecord {
  const createDate = new Date(file.CreateDate).toISOString();
  const updateDate = new Date(file.UpdateDate).toISOString();
  return {
    name: file.PolicyName,
    id: file.PolicyId ?? derivedId(file.PolicyName),
    path: file.Path,
    arn: file.Arn,
    ...(file.Description !== undefined && { description: file.Description }),
    createDate,
    updateDate,
    defaultVersionId: file.DefaultVersionId,
    versions: [{ versionId: file.DefaultVersionId, document: JSON.stringify(file.Document), createDate: updateDate }],
    nextVersion: Number(file.DefaultVersionId.slice(1)) + 1,
    tags: [],
  };
}

export class AwsManagedPolicies {
  private readonly byArn: ReadonlyMap<string, ManagedPolicyRecord>;

  constructor(records: readonly ManagedPolicyRecord[]) {
    this.byArn = new Map(records.map((r) => [r.arn, r]));
  }

  /** Reads the catalogue shipped in data/aws-managed-policies/. */
  static load(): AwsManagedPolicies {
    const records = readdirSync(FOLDER)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => toRecord(JSON.parse(readFileSync(new URL(f, FOLDER), 'utf8')) as CatalogueFile));
    return new AwsManagedPolicies(records);
  }

  get(arn: string): ManagedPolicyRecord | undefined {
    return this.byArn.get(arn);
  }

  /** Every catalogue entry, ordered by name. */
  list(): ManagedPolicyRecord[] {
    return [...this.byArn.values()].sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1));
  }
}

export const isAwsManagedArn = (arn: string): boolean => arn.startsWith('arn:aws:iam::aws:policy/');
