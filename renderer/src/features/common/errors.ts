import type { TFunction } from 'i18next';
import i18n from 'i18next';
import type { AppError, FieldIssue, MessageParams } from '../../../../shared/errors';
import { wordParams } from '../../../../shared/error-messages';

/** Field labels a screen knows better than the shared dictionary (key → label). */
export type FieldLabels = Record<string, string>;

const isSpanish = () => (i18n.resolvedLanguage ?? i18n.language ?? 'es-MX').startsWith('es');

function params(t: TFunction, p: MessageParams | undefined): Record<string, unknown> {
  return wordParams(p ?? {}, (k) => (i18n.exists(`srv.${k}`) ? t(`srv.${k}`) : undefined));
}

/** The label of a field key: the screen's own, the full path, then its last named segment. */
export function fieldLabel(t: TFunction, path: string, labels?: FieldLabels): string {
  if (labels?.[path]) return labels[path];
  const generic = path.replace(/\.\d+(?=\.|$)/g, '.*');
  if (labels?.[generic]) return labels[generic];
  const last =
    path
      .split('.')
      .filter((s) => !/^\d+$/.test(s))
      .pop() ?? '';
  if (labels?.[last]) return labels[last];
  if (last && i18n.exists(`fields.${last}`)) return t(`fields.${last}`);
  return t('fields.unknown');
}

/** One field problem in the chosen language: "Correo: no es un correo válido". */
export function describeIssue(t: TFunction, issue: Partial<FieldIssue>, labels?: FieldLabels): string {
  const problem = issue.rule && i18n.exists(`srv.rule.${issue.rule}`) ? t(`srv.rule.${issue.rule}`, params(t, issue.params)) : t('srv.rule.invalid');
  return t('srv.validation.field', { label: fieldLabel(t, issue.path ?? '', labels), problem });
}

/**
 * The sentence a person reads for an error: the catalogue entry for its key in the chosen language;
 * without a key, the server's (Spanish) message in Spanish and the code's generic sentence otherwise.
 */
export function describeError(t: TFunction, error: AppError): string {
  if (error.key && i18n.exists(`srv.${error.key}`)) return t(`srv.${error.key}`, params(t, error.params));
  if (error.key && i18n.exists(error.key)) return t(error.key, params(t, error.params)); // the screen's own check
  if (isSpanish() && error.message) return error.message;
  return t(`srv.generic.${error.code}`, { defaultValue: t('srv.generic.INTERNAL') });
}

export function errorIssues(error: AppError): Partial<FieldIssue>[] {
  const issues = (error.details as { issues?: Partial<FieldIssue>[] } | undefined)?.issues;
  return Array.isArray(issues) ? issues : [];
}
