import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import i18n from './i18n';
import { usePreferences } from './stores/preferences';
import { App } from './App';
import './styles.css';

// <html lang> follows the language at once (screen readers pick their voice from it).
i18n.on('languageChanged', (l) => {
  document.documentElement.lang = l;
});
void i18n.changeLanguage(usePreferences.getState().locale);
document.documentElement.lang = usePreferences.getState().locale;

const queryClient = new QueryClient({
  defaultOptions: {
    queries: { staleTime: 15_000, refetchOnWindowFocus: false, retry: (n, e) => n < 1 && (e as { code?: string }).code === 'INTERNAL' },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
