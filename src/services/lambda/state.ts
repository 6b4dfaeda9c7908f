/**
 * Lambda functions of every account and region, in memory for reads and written through the Store (as
 * src/services/logs/state.ts does for Logs): a write runs under one lock, goes to the store in one transaction, and
 * changes memory only after the commit, so a restart (LambdaState.load) sees exactly what was acknowledged.
 *
 * Records: `lambda.function`, key `region:name` (function names cannot hold `:`, the model's FunctionName
 * pattern). A record holds the configuration, tags, the resource policy and the code's CodeSha256; the deployment
 * package itself is a file of the CodeStore (code.ts), named by the SHA-256.
 */
import type { Store } from '../../store/store.ts';

export const LAMBDA_FUNCTION_KIND = 'lambda.function';

/** One statement of a function's resource policy, as AddPermission wrote it. */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Principal: string | Readonly<Record<string, string>>;
  readonly Action: string;
  readonly Resource: string;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export interface FunctionRecord {
  readonly region: string;
  readonly name: string;
  readonly arn: string;
  readonly runtime: string;
  readonly handler: string;
  readonly role: string;
  readonly description: string;
  readonly timeout: number;
  readonly memorySize: number;
  readonly environment?: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  /** Base64 SHA-256 of the zip, as AWS reports CodeSha256. */
  readonly codeSha256: string;
  readonly codeSize: number;
  /** Milliseconds since the epoch. */
  readonly lastModified: number;
  /** Changes with every change of the function (configuration, code, policy), as AWS's RevisionId does. */
  readonly revisionId: string;
  /** The resource policy's statements (AddPermission); none means no policy (GetPolicy: not found). */
  readonly policy: readonly PolicyStatement[];
}

const keyOf = (region: string, name: string): string => `${region}:${name}`;
const scopeOf = (account: string, region: string): string => `${account}/${region}`;

export interface LambdaWrite {
  put(account: string, record: FunctionRecord): Promise<void>;
  delete(account: string, region: string, name: string): Promise<void>;
}

export class LambdaState {
  /** `account/region` → name → record. */
  private readonly scopes = new Map<string, Map<string, FunctionRecord>>();
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(private readonly store: Store) {}

  static async load(store: Store): Promise<LambdaState> {
    const state = new LambdaState(store);
    for (const r of await store.list<FunctionRecord>(LAMBDA_FUNCTION_KIND)) state.set(r.account, r.value);
    return state;
  }

  get(account: string, region: string, name: string): FunctionRecord | undefined {
    return this.scopes.get(scopeOf(account, region))?.get(name);
  }

  /** An account's functions in a region, ordered by name (ListFunctions' order). */
  list(account: string, region: string): FunctionRecord[] {
    const scope = this.scopes.get(scopeOf(account, region));
    return scope ? [...scope.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) : [];
  }

  /** Every CodeSha256 a function names, for removing unused packages at startup. */
  referencedCode(): Set<string> {
    const shas = new Set<string>();
    for (const scope of this.scopes.values()) for (const f of scope.values()) shas.add(f.codeSha256);
    return shas;
  }

  /** Runs fn with exclusive write access; memory changes apply when the store transaction commits. */
  write<T>(fn: (w: LambdaWrite) => Promise<T>): Promise<T> {
    const run = this.tail.then(async () => {
      const applied: (() => void)[] = [];
      const result = await this.store.transaction((tx) =>
        fn({
          put: async (account, record) => {
            await tx.put(LAMBDA_FUNCTION_KIND, account, keyOf(record.region, record.name), record);
            applied.push(() => this.set(account, record));
          },
          delete: async (account, region, name) => {
            await tx.delete(LAMBDA_FUNCTION_KIND, account, keyOf(region, name));
            applied.push(() => this.scopes.get(scopeOf(account, region))?.delete(name));
          },
        }),
      );
      for (const apply of applied) apply();
      return result;
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  private set(account: string, record: FunctionRecord): void {
    const key = scopeOf(account, record.region);
    let scope = this.scopes.get(key);
    if (!scope) {
      scope = new Map();
      this.scopes.set(key, scope);
    }
    scope.set(record.name, record);
  }
}
