import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { load as loadYaml } from 'js-yaml';
import Ajv from 'ajv';
import { projectRoot } from '../db/paths';
import { ensureRendererBuilt } from '../cli/renderer-build';
import { buildElectron } from './build';

const require = createRequire(import.meta.url);

interface BuilderConfig {
  files: string[];
  asarUnpack: string[];
  extraMetadata: { main: string };
  directories: { buildResources: string };
  win: { target: string[]; icon: string };
  mac: { target: string[]; icon: string };
  linux: { target: string[]; icon: string };
  productName: string;
}
const config = loadYaml(readFileSync(path.join(projectRoot, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

describe('electron-builder.yml', () => {
  it('is valid against electron-builder’s own JSON schema', () => {
    const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8'));
    const ajv = new Ajv({ strict: false, allowUnionTypes: true });
    const validate = ajv.compile(schema);
    const ok = validate(config);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    // …and the schema does bite: a misspelt key is refused.
    expect(validate({ ...config, asarUnpak: ['x'] })).toBe(false);
  });

  it('builds Windows NSIS, macOS dmg and Linux AppImage + deb with the app’s name and icon', () => {
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.productName).toBe('NNProtect Back Office');
    for (const icon of [config.win.icon, config.mac.icon, config.linux.icon]) expect(existsSync(path.join(projectRoot, icon))).toBe(true);
  });

  it('packs files that exist after `npm run build`', async () => {
    await ensureRendererBuilt(() => {});
    await buildElectron();
    const main = path.join(projectRoot, config.extraMetadata.main);
    expect(existsSync(main)).toBe(true);
    expect(existsSync(path.join(path.dirname(main), 'preload.cjs'))).toBe(true);
    expect(existsSync(path.join(projectRoot, 'dist/renderer/index.html'))).toBe(true);
    expect(readdirSync(path.join(projectRoot, 'drizzle')).filter((f) => f.endsWith('.sql')).length).toBeGreaterThan(0);
    for (const pattern of config.files.filter((f) => !f.startsWith('!'))) {
      const base = pattern.split('/*')[0]!;
      expect(existsSync(path.join(projectRoot, base)), pattern).toBe(true);
    }
    for (const pattern of config.asarUnpack) expect(existsSync(path.join(projectRoot, pattern.split('/*')[0]!)), pattern).toBe(true);
    // Everything the bundled main imports at run time must be a production dependency.
    const pkg = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const bundle = readFileSync(main, 'utf8');
    const imported = new Set([...bundle.matchAll(/from ["']([^"'./][^"']*)["']/g)].map((m) => m[1]!).filter((s) => !s.startsWith('node:')));
    const pkgName = (s: string) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!);
    const missing = [...imported].map(pkgName).filter((n) => n !== 'electron' && !(n in pkg.dependencies));
    expect(missing).toEqual([]);
  }, 120_000);
});
