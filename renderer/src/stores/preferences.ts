import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import type { Locale } from '../../../shared/format';

/** 'auto': the menu folds to icons in a narrow window (or at high zoom) and opens in a wide one. */
export type SidebarMode = 'auto' | 'open' | 'collapsed';

interface Preferences {
  locale: Locale;
  setLocale: (l: Locale) => void;
  sidebar: SidebarMode;
  setSidebar: (s: SidebarMode) => void;
}

export const usePreferences = create<Preferences>()(
  persist(
    (set) => ({
      locale: 'es-MX',
      setLocale: (locale) => set({ locale }),
      sidebar: 'auto',
      setSidebar: (sidebar) => set({ sidebar }),
    }),
    { name: 'nnp-preferences' },
  ),
);
