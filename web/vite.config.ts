import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** Where `npm run dev:web` forwards API calls: a server started with `npm start`. */
const api = 'http://127.0.0.1:3000';
const proxied = ['/auth', '/graphql', '/api', '/blobs', '/dev', '/.well-known'];

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 300,
  },
  server: {
    port: 5173,
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: api, ws: p === '/graphql', changeOrigin: false }])),
  },
});
