import { defineConfig } from 'vite';

// Preact through the automatic JSX runtime: no Babel, no plugin.
export default defineConfig({
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  build: {
    outDir: 'dist',
    target: 'es2022',
    // The captcha is loaded on the sign-up page only, in its own chunk.
    chunkSizeWarningLimit: 300,
  },
  worker: { format: 'es' },
  server: {
    // `npm run dev` against a running `marelle serve` (default address).
    proxy: { '/api': { target: 'http://127.0.0.1:8080', changeOrigin: false } },
  },
});
