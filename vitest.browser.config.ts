import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';
import SummaryReporter from './tests/support/summary-reporter';

// Browser tests: Node-side vitest driving Debian's Chromium (playwright-core) against the built app,
// which scripts/browser-tests.mjs serves and passes in SEGSPLAT_BASE_URL. Files run one at a time:
// software WebGL/WebGPU on 2 cores has no room for two browsers.
export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('.', import.meta.url)) } },
  test: {
    environment: 'node',
    include: ['tests/browser/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    pool: 'forks',
    reporters: ['default', new SummaryReporter('browser')],
  },
});
