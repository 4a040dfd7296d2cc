import { loadCaptureInput } from '/work/h16/scripts/cli/load-capture';
import { Reconstruction } from '/work/h16/lib/pipeline/reconstruction';
async function main() {
  const n = Number(process.argv[2] ?? 3);
  const cap = await loadCaptureInput('../shared/data/redkitchen', { views: { kind: 'list', indices: [...Array(n).keys()].map(i=>i*Number(process.argv[3]??1)) } });
  const rec = new Reconstruction({ keepWorld: true, fusion: process.argv[4]==='old' ? { depthNoise: null, poseError: 0, densityRatio: 0 } : JSON.parse(process.argv[4] ?? '{}') });
  const orig = rec.fusion.addView.bind(rec.fusion);
  rec.fusion.addView = (v, s, r, info) => { const t=performance.now(); const c0=process.cpuUsage(); const rep = orig(v, s, r, info); const c1=process.cpuUsage(c0); console.log('cpu', ((c1.user+c1.system)/1000).toFixed(0)); console.log(v, s.count, JSON.stringify(rep), rec.scene.count, (performance.now()-t).toFixed(0)+'ms'); return rep; };
  await rec.addFrames(cap.frames);
}
main();
