/**
 * The web console's build: `vite build console` (npm run console:build) writes console/dist, which
 * `medcomm serve` serves. Preact's JSX goes through Vite's own transformer, so no plugin (and no Babel)
 * is needed; everything is bundled, nothing is fetched from a CDN at run time.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
  // The API under `vite dev`: run `medcomm serve` on 8787 and browse Vite's port (upload links point at
  // 8787 itself, which answers this origin's CORS preflight).
  server: { proxy: { '/api': 'http://127.0.0.1:8787' } },
});
