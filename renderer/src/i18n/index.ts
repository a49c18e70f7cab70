import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import * as common from './common';
import * as settings from './settings';
import * as members from './members';
import * as periods from './periods';
import * as dashboard from './dashboard';
import * as withdrawals from './withdrawals';
import * as payments from './payments';
import * as commissions from './commissions';
import * as autoship from './autoship';
import * as economics from './economics';
import * as fields from './fields';
import * as destinations from './destinations';
import * as stripekeys from './stripekeys';
import * as a11y from './a11y';
import * as auditlog from './auditlog';
import { errorText } from '../../../shared/error-messages';

/** Area files register here; es-MX is the default and the fallback. */
const areas = [
  common,
  fields,
  settings,
  members,
  withdrawals,
  periods,
  dashboard,
  payments,
  commissions,
  autoship,
  destinations,
  a11y,
  economics,
  auditlog,
  stripekeys,
];

const merge = (pick: (a: (typeof areas)[number]) => object) => Object.assign({}, ...areas.map(pick));

void i18n.use(initReactI18next).init({
  // Server errors are worded from the shared catalogue (shared/error-messages.ts) under `srv.`.
  resources: { 'es-MX': { translation: { ...merge((a) => a.es), srv: errorText.es } }, en: { translation: { ...merge((a) => a.en), srv: errorText.en } } },
  lng: 'es-MX',
  fallbackLng: 'es-MX',
  interpolation: { escapeValue: false },
});

export default i18n;
