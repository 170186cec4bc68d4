import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

// Built with the workbench folder as vite's root (`vite build apps/city-node/workbench`),
// so every path here is relative to this folder.
export default defineConfig({
  plugins: [vue()],
  // the city node serves the build under /workbench (WorkbenchController)
  base: '/workbench/',
  define: {
    // no Options API, devtools or hydration in production: smaller bundle, same behaviour
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
  },
  build: {
    outDir: '../../../dist/apps/city-node/workbench',
    emptyOutDir: true,
    // Element Plus alone is larger than vite's default warning size; one chunk per page keeps reloads cheap
    chunkSizeWarningLimit: 1024,
  },
});
