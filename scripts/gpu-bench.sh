#!/usr/bin/env bash
# The WebGPU bench on a machine with a real GPU (issue 14): the heavy stages' WGSL kernels against the
# JavaScript reference in the same run, with their agreement re-checked on the hardware.
#
#   scripts/gpu-bench.sh                 in a checkout with `npm ci` done, on the GPU machine itself: installs the
#                                        Node WebGPU binding (npm `webgpu`, Dawn) without saving it, then runs
#                                        `npm run bench -- --only webgpu-node,webgpu` (Node + Dawn, and Chromium
#                                        when it has a hardware adapter: the webgpu area labels software adapters)
#   scripts/gpu-bench.sh pack .gpukit   here, for a bare GPU machine with no network and no npm: bundles the Node
#                                        bench (scripts/bench/webgpu-node.ts) with esbuild, the Dawn addon, this
#                                        machine's node binary (xz) and the first fox photos into DIR (inside a
#                                        checkout: the sample room is read from the checkout's public/samples)
#   DIR/run.sh [--quick] [--json]        there, in that checkout: prints the tables (markdown) and, with --json, the rows
#
# Vulkan: Dawn needs libvulkan.so.1 and the GPU's ICD. On NVIDIA machines without them on the library path, set
# VK_DRIVER_FILES to the driver's nvidia_icd.json (run.sh tries /usr/local/nvidia/share/vulkan/icd.d).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
DAWN_VERSION=0.6.2

if [ "${1:-}" != pack ]; then
  cd "$here"
  [ -d node_modules/webgpu ] || npm install --no-save "webgpu@$DAWN_VERSION"
  exec npm run bench -- --only webgpu-node,webgpu "$@"
fi

out="${2:?usage: scripts/gpu-bench.sh pack DIR}"
mkdir -p "$out/webgpu/dist/linux-x64" "$out/fox/images"
cd "$here"
npx esbuild scripts/bench/webgpu-node.ts --bundle --platform=node --format=esm --target=node20 \
  --external:webgpu --log-level=warning --outfile="$out/webgpu-node.mjs"
if [ ! -f "$out/webgpu/index.js" ]; then
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "webgpu@$DAWN_VERSION" >/dev/null && tar xzf webgpu-*.tgz)
  cp "$tmp/package/index.js" "$tmp/package/package.json" "$out/webgpu/"
  xz -T0 -6 -c "$tmp/package/dist/linux-x64/dawn.node" > "$out/webgpu/dist/linux-x64/dawn.node.xz"
  rm -rf "$tmp"
fi
[ -f "$out/node.xz" ] || xz -T0 -6 -c "$(command -v node)" > "$out/node.xz"
# The first six usable fox frames (the sweep uses frames 1..3): the whole capture is 18 MB.
fox="${SEGSPLAT_FOX:-$here/../shared/data/fox}"
if [ -f "$fox/transforms.json" ]; then
  cp "$fox/transforms.json" "$out/fox/"
  node -e '
    const fs = require("fs"), path = require("path");
    const [fox, out] = process.argv.slice(1);
    const frames = JSON.parse(fs.readFileSync(path.join(fox, "transforms.json"), "utf8")).frames;
    let n = 0;
    for (const f of frames) {
      if (n >= 6) break;
      const src = path.join(fox, f.file_path);
      if (!fs.existsSync(src)) continue;
      fs.mkdirSync(path.dirname(path.join(out, f.file_path)), { recursive: true });
      fs.copyFileSync(src, path.join(out, f.file_path));
      n++;
    }' "$fox" "$out/fox"
fi
cat > "$out/run.sh" <<'EOF'
#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")"
unpack() { if command -v xz >/dev/null; then xz -dc "$1.xz" > "$1"; else python3 -c 'import lzma,sys; sys.stdout.buffer.write(lzma.open(sys.argv[1]).read())' "$1.xz" > "$1"; fi; }
[ -x node ] || { unpack node; chmod +x node; }
[ -f webgpu/dist/linux-x64/dawn.node ] || unpack webgpu/dist/linux-x64/dawn.node
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; fi
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
WEBGPU_NODE="$PWD/webgpu/index.js" SEGSPLAT_FOX="$PWD/fox" SEGSPLAT_ROOT="${SEGSPLAT_ROOT:-$PWD/..}" ./node webgpu-node.mjs "$@"
EOF
chmod +x "$out/run.sh"
du -sh "$out"
