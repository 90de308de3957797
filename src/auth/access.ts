/** What a caller may do: `read` reaches the read-only tools, `create` reaches every tool. */
export type Access = 'read' | 'create';

/** Who is calling, as established by a static bearer token or an OAuth access token. */
export interface Principal {
  access: Access;
  /** what logs name: a token label, or the OAuth subject */
  subject: string;
  clientId?: string;
  kind: 'token' | 'oauth';
}

/** The OAuth scope that grants each access level, in the order the metadata advertises them. */
export const OAUTH_SCOPES = { read: 'payments:read', create: 'payments:create' } as const satisfies Record<Access, string>;

/** The widest access the granted scopes give, or undefined when they give none (a 403 insufficient_scope). */
export function accessFromScopes(scopes: readonly string[]): Access | undefined {
  if (scopes.includes(OAUTH_SCOPES.create)) return 'create';
  if (scopes.includes(OAUTH_SCOPES.read)) return 'read';
  return undefined;
}
