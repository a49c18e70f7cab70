import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorText } from '../shared/error-messages';
import { AUDIT_ENTITIES, AUDIT_ENUM_VALUES, AUDIT_EXTRA_ACTIONS, AUDIT_FIELD_TYPES } from '../shared/audit';
import { contract } from '../shared/contract';
import * as auditlog from '../renderer/src/i18n/auditlog';

/**
 * Every text a person reads exists in both languages: the area files (es and en of the same shape),
 * the server's error catalogue, and no literal words written straight into a screen's JSX.
 */
const dir = path.join(import.meta.dirname, '..', 'renderer', 'src', 'i18n');
const areaFiles = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'index.ts');

function leaves(o: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof o === 'string') {
    out.set(prefix, o);
    return out;
  }
  for (const [k, v] of Object.entries(o as object)) for (const [kk, vv] of leaves(v, prefix ? `${prefix}.${k}` : k)) out.set(kk, vv);
  return out;
}
/** i18next plural forms (_one, _other, …) count as one key. */
const base = (k: string) => k.replace(/_(zero|one|two|few|many|other)$/, '');
const vars = (s: string) =>
  [...s.matchAll(/\{\{\s*(\w+)/g)]
    .map((m) => m[1])
    .sort()
    .join(',');

/** Words the same in every language: each language's own name in the language switch, a type name. */
const ALLOWED = new Set(['English', 'Español', 'AsyncIterable', 'NN', 'MXN', 'USD', 'COP', 'DOP']);

describe('i18n', () => {
  it.each(areaFiles)('%s has the same keys and placeholders in Spanish and English, none empty', async (file) => {
    const mod = (await import(path.join(dir, file))) as { es: unknown; en: unknown };
    const es = leaves(mod.es);
    const en = leaves(mod.en);
    expect([...new Set([...en.keys()].map(base))].sort(), `${file}: keys only in one language`).toEqual([...new Set([...es.keys()].map(base))].sort());
    for (const [k, v] of es) {
      expect(v.trim(), `${file}: es ${k} is empty`).not.toBe('');
      const other = en.get(k) ?? en.get(`${base(k)}_other`) ?? en.get(`${base(k)}_one`);
      if (other !== undefined) expect(vars(other), `${file}: ${k} placeholders`).toEqual(vars(v));
    }
  });

  it('the audit log words every action, entity, field and enum value it can show (issue 20)', () => {
    const es = leaves(auditlog.es.auditLog);
    const en = leaves(auditlog.en.auditLog);
    const mutations = Object.entries(contract)
      .filter(([, p]) => p.kind === 'mutation')
      .map(([name]) => name);
    const needed = [
      ...[...mutations, ...AUDIT_EXTRA_ACTIONS].map((a) => `actions.${a}`),
      ...AUDIT_ENTITIES.map((e) => `entities.${e}`),
      ...Object.keys(AUDIT_FIELD_TYPES).map((f) => `fields.${f}`),
      ...Object.entries(AUDIT_ENUM_VALUES).flatMap(([f, vs]) => vs.map((v) => `values.${f}.${v}`)),
    ];
    expect(needed.filter((k) => !es.has(k) || !en.has(k))).toEqual([]);
  });

  it('the error catalogue has both languages with the same keys', () => {
    expect([...leaves(errorText.en).keys()].sort()).toEqual([...leaves(errorText.es).keys()].sort());
  });

  it('screens render no literal words outside t()', () => {
    const root = path.join(dir, '..', 'features');
    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d)) {
        const p = path.join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.tsx')) files.push(p);
      }
    };
    walk(root);
    const offenders: string[] = [];
    for (const f of files) {
      const src = readFileSync(f, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '') // comments
        .replace(/^\s*\/\/.*$/gm, '');
      // Text between a tag's end and the next tag or expression: two or more letters in a row.
      for (const m of src.matchAll(/>([^<>{}`]*?)</g)) {
        const text = m[1]!.trim();
        if (!/[A-Za-zÁÉÍÓÚáéíóúÑñ]{2,}/.test(text)) continue;
        if (/[=;()]|&&|\?|^:/.test(text)) continue; // code between comparisons, not text
        if (/^[·\s]*(PV|PVG|VN)\b[\s≥]*$/.test(text)) continue; // the plan's own abbreviations, the same in both languages
        if (ALLOWED.has(text)) continue;
        {
          offenders.push(`${path.relative(root, f)}: "${text}"`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
