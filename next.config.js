/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // lib/ is shared with Node (CLI, tests); keep server-only packages out of client bundles.
  serverExternalPackages: ['onnxruntime-node'],
  // `npm run typecheck` (tsc over the whole project) is the type gate; next build re-checking
  // everything costs ~40 s on 2 cores and fails the app build on type errors in Node-only scripts.
  typescript: { ignoreBuildErrors: true },
  async headers() {
    return [
      {
        // Cross-origin isolation lets onnxruntime-web use threaded wasm (SharedArrayBuffer).
        source: '/:path*',
        headers: [
          { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
          { key: 'Cross-Origin-Embedder-Policy', value: 'require-corp' },
        ],
      },
    ];
  },
};

export default nextConfig;
