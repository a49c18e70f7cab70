import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { projectRoot, rendererDir } from '../db/paths';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the renderer when dist/ is missing or older than its sources (a fresh clone, an edit). */
export async function ensureRendererBuilt(log: (m: string) => void): Promise<string> {
  const index = path.join(rendererDir, 'index.html');
  const sources = [path.join(projectRoot, 'renderer'), path.join(projectRoot, 'shared')];
  const stale = !existsSync(index) || Math.max(...sources.map(newestMtime)) > statSync(index).mtimeMs;
  if (stale) {
    log('construyendo la interfaz (vite build)…');
    const { build } = await import('vite');
    await build({ configFile: path.join(projectRoot, 'vite.config.ts'), logLevel: 'warn' });
  }
  return rendererDir;
}
