import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The renderer is built to static files: served by the 127.0.0.1 bridge in browser mode and
// loaded from disk by Electron, hence relative asset paths.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: { outDir: '../dist/renderer', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
});
