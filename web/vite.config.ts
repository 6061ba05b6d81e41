import { defineConfig } from 'vite';

// Two pages: the leads' app (index.html, Preact and uPlot, kept lean) and
// the GraphiQL console (graphiql.html, React and CodeMirror). They share no
// code, so the app never loads the console's weight. Assets are hashed and
// served by mvpgraph from dist/, embedded in the binary.
export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: { index: 'index.html', graphiql: 'graphiql.html' },
    },
  },
});
