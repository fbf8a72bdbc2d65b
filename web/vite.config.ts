/**
 * The console's build: web/ -> dist/console/, served by objbatch at /console/ (src/api/http/console-routes.ts).
 * Every asset is a file of its own (no inline script or style, so the strict Content-Security-Policy holds) with
 * a content hash in its name (cached for a year); nothing is fetched from elsewhere at run time.
 */
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  base: "/console/",
  plugins: [react()],
  // `npx vite --config web/vite.config.ts`: the console from its sources, its API calls sent to a running objbatch.
  server: { proxy: { "/api": process.env.OBJBATCH_ENDPOINT ?? "http://localhost:8080" } },
  build: {
    outDir: "../dist/console",
    emptyOutDir: true,
    // The polyfill would be an inline script; every browser the console supports preloads modules itself.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
  },
});
