#!/usr/bin/env node
/**
 * `npm run test:browser`: builds the app (skip with SKIP_BUILD=1; then an existing .next is used
 * as is), serves it with `next start` on a free localhost port, runs vitest with
 * vitest.browser.config.ts (Chromium via playwright-core, see tests/browser/support/browser.ts),
 * stops the server and exits with vitest's exit code. Extra arguments go to vitest
 * (e.g. `npm run test:browser -- tests/browser/demo.test.ts`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build, freePort, root, run, startServer } from './app-server.mjs';

if (process.env.SKIP_BUILD === '1') {
  if (!existsSync(join(root, '.next/BUILD_ID'))) {
    console.error('browser-tests: SKIP_BUILD=1 but there is no production build (.next/BUILD_ID); run without SKIP_BUILD');
    process.exit(1);
  }
  console.log('browser-tests: SKIP_BUILD=1, using the existing .next build');
} else {
  const code = await build();
  if (code !== 0) {
    console.error(`browser-tests: build failed (exit ${code})`);
    process.exit(code);
  }
}

const port = await freePort();
let server;
try {
  server = await startServer(port, { quiet: true });
} catch (e) {
  console.error(`browser-tests: ${e.message}`);
  process.exit(1);
}
console.log(`browser-tests: app at ${server.url}`);

let code = 1;
const stop = async () => {
  await server.stop();
};
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    await stop();
    process.exit(130);
  });
}
try {
  code = await run(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'vitest.browser.config.ts', ...process.argv.slice(2)], {
    env: { ...process.env, SEGSPLAT_BASE_URL: server.url, SEGSPLAT_SUITE: 'browser' },
  });
} finally {
  await stop();
}
process.exit(code);
