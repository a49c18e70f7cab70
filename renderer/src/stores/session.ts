import { create } from 'zustand';
import { persist, createJSONStorage } from 'zustand/middleware';
import type { OutputOf } from '../../../shared/contract';

type Staff = OutputOf<'auth.me'>;

interface SessionState {
  token: string | null;
  staff: Staff | null;
  signIn: (token: string | null, staff: Staff) => void;
  update: (staff: Staff) => void;
  signOut: () => void;
}

/** The session lives in this tab only (sessionStorage): closing the window logs out. */
export const useSession = create<SessionState>()(
  persist(
    (set) => ({
      token: null,
      staff: null,
      signIn: (token, staff) => set({ token, staff }),
      update: (staff) => set({ staff }),
      signOut: () => set({ token: null, staff: null }),
    }),
    { name: 'nnp-session', storage: createJSONStorage(() => sessionStorage) },
  ),
);
