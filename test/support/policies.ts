/** Policy documents and credentials the authorization tests build their cases from. */

export interface Creds {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** The root of an account: its 12-digit id (or `test` for the default account) with secret `test`. */
export const rootOf = (account: string): Creds => ({
  accessKeyId: account === '000000000000' ? 'test' : account,
  secretAccessKey: 'test',
});

export type Statement = Record<string, unknown>;

export const doc = (...statements: Statement[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });

export const allow = (action: string | string[], resource: string | string[] = '*', condition?: object): Statement => ({
  Effect: 'Allow',
  Action: action,
  Resource: resource,
  ...(condition && { Condition: condition }),
});

export const deny = (action: string | string[], resource: string | string[] = '*', condition?: object): Statement => ({
  ...allow(action, resource, condition),
  Effect: 'Deny',
});
