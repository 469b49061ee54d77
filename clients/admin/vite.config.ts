import { defineConfig } from 'vite';

// Served by Herald under /admin/ from the jar (the Maven build copies dist/ into the server's
// resources); plain esbuild JSX, so no React plugin is needed.
export default defineConfig({
  base: '/admin/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1000 },
});
