import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The build goes to ../dist, which the Go package embeds; CI rebuilds it and
// fails if the committed copy differs. The page's nonce placeholder is
// replaced by the server on every answer (webportal.go).
export default defineConfig({
  plugins: [react()],
  html: { cspNonce: "__CSP_NONCE__" },
  build: {
    outDir: "../dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: true,
    chunkSizeWarningLimit: 600,
  },
  server: { proxy: { "/v1": { target: "http://localhost:8080", ws: true } } },
});
