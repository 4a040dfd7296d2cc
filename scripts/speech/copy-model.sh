#!/usr/bin/env bash
# Copies Debian's pocketsphinx-en-us model (US English acoustic model + CMU pronouncing dictionary,
# BSD-2-Clause, CMU / Alpha Cephei) into public/speech/en-us/, gzipped (-n: no timestamps, so the
# output is reproducible). The app and the Node CLI gunzip them (fflate) and hand them to the wasm
# recogniser; only the dictionary words a scene's grammar needs are loaded into it.
# Needs: apt-get install pocketsphinx-en-us. Usage: bash scripts/speech/copy-model.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
src=/usr/share/pocketsphinx/model/en-us
out="$root/public/speech/en-us"
[ -d "$src/en-us" ] || { echo "copy-model: $src/en-us missing (apt-get install pocketsphinx-en-us)" >&2; exit 1; }
mkdir -p "$out"
for f in feat.params mdef means noisedict sendump transition_matrices variances; do
  gzip -9 -n -c "$src/en-us/$f" > "$out/$f.gz"
done
gzip -9 -n -c "$src/cmudict-en-us.dict" > "$out/cmudict-en-us.dict.gz"
cp /usr/share/doc/pocketsphinx-en-us/copyright "$out/COPYRIGHT.debian"
cp "$src/en-us/README" "$out/LICENSE.acoustic-model"
dpkg-query -W -f='${Package} ${Version}\n' pocketsphinx-en-us > "$out/SOURCE"
du -sh "$out"
