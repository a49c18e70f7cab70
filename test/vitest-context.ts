import 'vitest';
export {};

declare module 'vitest' {
  export interface ProvidedContext {
    pgCluster: { host: string; port: number; user: string; password: string };
    pgTemplate: string;
  }
}
