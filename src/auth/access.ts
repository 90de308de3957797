/** What a caller may do: `read` calls only the read-only tools; `create` calls every tool. */
export type Access = 'read' | 'create';

/** Who is calling over HTTP, as far as logs and tool filtering need to know. */
export interface Principal {
  kind: 'token' | 'oauth';
  access: Access;
  /** What logs name: a static token's label, or the OAuth subject. Never the credential. */
  subject: string;
  clientId?: string;
}
