import { useTranslation } from 'react-i18next';
import { usePreferences } from '../../stores/preferences';

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const { locale, setLocale } = usePreferences();
  return (
    <label className="lang">
      {t('common.language')}
      <select
        value={locale}
        onChange={(e) => {
          const l = e.target.value as 'es-MX' | 'en';
          setLocale(l);
          void i18n.changeLanguage(l);
        }}
      >
        <option value="es-MX">Español (México)</option>
        <option value="en">English</option>
      </select>
    </label>
  );
}
