import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import { compression } from 'vite-plugin-compression2'

/** The dashboard SPA. `npx vite build --config web/vite.config.ts` writes web/dist, which the server serves. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Brotli and gzip copies beside every text asset (and index.html), built once here so the server never compresses
  // per request: src/transport/web/spa.ts picks the variant the browser accepts.
  plugins: [react(), compression({ algorithms: ['brotliCompress', 'gzip'] })],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No data: URLs: the server's Content-Security-Policy (default-src 'self') would refuse them.
    assetsInlineLimit: 0,
    rolldownOptions: {
      output: {
        // React in a chunk of its own: it changes less often than the app, so browsers keep it cached longer.
        codeSplitting: {
          groups: [{ name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ }],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://localhost:3000',
    },
  },
})
