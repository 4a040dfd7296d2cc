import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';
import SummaryReporter from './tests/support/summary-reporter';

export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('.', import.meta.url)) } },
  test: {
    environment: 'node',
    include: ['tests/unit/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', new SummaryReporter('unit')],
  },
});
