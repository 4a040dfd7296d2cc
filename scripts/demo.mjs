#!/usr/bin/env node
/**
 * `npm run demo`: builds the app if needed (no .next/BUILD_ID, or sources newer than it), then
 * serves the production build with `next start` on $PORT (default 3000) and prints the demo URL.
 */
import { build, buildStaleness, copyAssets, startServer } from './app-server.mjs';

const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`demo: PORT must be a TCP port number, got ${process.env.PORT}`);
  process.exit(2);
}

const why = buildStaleness();
if (why) {
  console.log(`demo: building first: ${why}. This takes a few minutes on a small machine.`);
  const code = await build();
  if (code !== 0) {
    console.error(`demo: build failed (exit ${code})`);
    process.exit(code);
  }
} else {
  console.log('demo: production build is up to date');
  const code = await copyAssets();
  if (code !== 0) process.exit(code);
}

let server;
try {
  server = await startServer(port);
} catch (e) {
  console.error(`demo: ${e.message}${/EADDRINUSE|exited/.test(e.message) ? ` (is port ${port} already in use? set PORT=...)` : ''}`);
  process.exit(1);
}
const line = '='.repeat(60);
console.log(`\n${line}\n  SegSplat XR demo:  ${server.url}/demo\n  Home:              ${server.url}/\n  Stop with Ctrl+C\n${line}\n`);

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    await server.stop();
    process.exit(0);
  });
}
server.child.on('exit', (code) => process.exit(code ?? 0));
