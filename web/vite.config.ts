/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// In development the dev server forwards the API's paths to a running vigil-api
// (VIGIL_API_URL, default the dev stack's address), so the app is same-origin as in
// production, where vigil-api serves dist/ itself.
const api = process.env.VIGIL_API_URL ?? 'http://127.0.0.1:8090';

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      '/api': { target: api, changeOrigin: false },
      // Subscriptions (graphql-transport-ws); listed first so the WebSocket upgrade is proxied.
      '/graphql/ws': { target: api, changeOrigin: false, ws: true },
      '/graphql': { target: api, changeOrigin: false },
    },
  },
  build: {
    sourcemap: true,
    chunkSizeWarningLimit: 900,
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (!id.includes('node_modules')) return undefined;
          if (/node_modules\/(react|react-dom|react-router|scheduler)\//.test(id)) return 'react';
          if (/node_modules\/(@urql|urql|graphql|wonka)\//.test(id)) return 'graphql';
          if (id.includes('@tanstack')) return 'table';
          return undefined;
        },
      },
    },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
  },
});
