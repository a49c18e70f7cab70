import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import type { Locale } from '../../../shared/format';

interface Preferences {
  locale: Locale;
  setLocale: (l: Locale) => void;
}

export const usePreferences = create<Preferences>()(
  persist((set) => ({ locale: 'es-MX', setLocale: (locale) => set({ locale }) }), { name: 'nnp-preferences' }),
);
