import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// preserveSymlinks: @herald/* are links into the Herald checkout's clients/; React and TanStack
// Query are then resolved from this app's node_modules, not from there (one copy of each).
export default defineConfig({ plugins: [react()], resolve: { preserveSymlinks: true } });
