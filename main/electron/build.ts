import path from 'node:path';
import { build } from 'esbuild';
import { projectRoot } from '../db/paths';

/** Bundles the Electron main (ESM) and preload (CommonJS, as sandboxed preloads must be). */
export async function buildElectron(): Promise<string> {
  const out = path.join(projectRoot, 'dist', 'electron');
  await build({
    entryPoints: [path.join(projectRoot, 'main/electron/main.ts')],
    outfile: path.join(out, 'main.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
  });
  await build({
    entryPoints: [path.join(projectRoot, 'main/electron/preload.cts')],
    outfile: path.join(out, 'preload.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['electron'],
  });
  return path.join(out, 'main.mjs');
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  buildElectron().then((p) => console.log(p));
}
