import { defineConfig } from "vite";

// The policy the Tauri webview enforces (tauri.conf.json), also sent by `vite preview` so that a
// browser preview of the built UI fails the same way the app would.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src ipc: http://ipc.localhost",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

// The webview loads the built files from disk (tauri.conf.json: frontendDist = "ui/dist"),
// so asset URLs must be relative; Tauri's dev tooling expects a fixed port and a quiet terminal.
export default defineConfig({
  base: "./",
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
  },
  preview: {
    strictPort: true,
    headers: { "Content-Security-Policy": CSP },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2021",
    sourcemap: false,
  },
});
