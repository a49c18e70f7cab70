import 'vitest';
export {};

declare module 'vitest' {
  export interface ProvidedContext {
    pgCluster: { host: string; port: number; user: string; password: string };
    pgTemplate: string;
    /** The owner login (nnp_owner) the template and every copy belong to, as on an installation. */
    pgOwner: { user: string; password: string };
  }
}
