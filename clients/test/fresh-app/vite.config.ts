import react from '@vitejs/plugin-react';
import { writeFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';

/** Writes the bundle's module ids (real paths) to dist-modules.json: the test counts package copies in it. */
const moduleList: Plugin = {
  name: 'module-list',
  generateBundle(_options, bundle) {
    const ids = Object.values(bundle).flatMap((output) => (output.type === 'chunk' ? output.moduleIds : []));
    writeFileSync('dist-modules.json', JSON.stringify(ids, null, 1));
  },
};

export default defineConfig({ plugins: [react(), moduleList] });
