'use client';
/**
 * /view: headset/desktop viewer. Opens a scene by share code + token (typed, or /view?code=ABC123#token=…),
 * by file, or the sample capture; orbit view outside XR, "Enter AR" on a headset. Questions ("where is the
 * lamp?") are answered by the scene's own semantic bank (CLIP text model on demand) and by the headset's
 * room labels (WebXR planes/meshes), highlighted in the splats and marked with labels in the room.
 * In AR the scene can be moved/turned and auto-aligned to the room (lib/align). See docs/VIEW.md.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { alignPlan, type AlignResult } from '@/lib/align/align-plan';
import { planFromPositions, planFromSurfaces } from '@/lib/align/plan-points';
import { IDENTITY_POSE_2D, invertPose2D, poseAt, type Pose2D } from '@/lib/align/pose-2d';
import { answerFromDeviceLabels, type DeviceAnswer, type DeviceEntity } from '@/lib/inference/semantics/device-labels';
import { annotatedQueryScene } from '@/lib/inference/semantics/annotation-bank';
import { displayLabel } from '@/lib/inference/semantics/label-answers';
import type { QueryAnswer, QueryScene } from '@/lib/inference/semantics/query';
import type { ProgressEvent } from '@/lib/pipeline/progress';
import type { FrameSummary, GaussianArrays } from '@/lib/web/scene-build';
import { fetchSharedScene } from '@/lib/web/view/shared-scene';
import { PLACE_TAP_EVENT } from '@/lib/web/view/xr-manipulation-input';
import { frameScene, type HomeCamera } from '@/lib/web/camera-home';
import { combineAnswers, notFoundReason, placeBox, type ViewAnswer } from '@/lib/web/view/view-answer';
import { readViewParams, type ViewParams } from '@/lib/web/view/view-params';
import { answerReadout, quickPicks } from '@/lib/web/view/xr-query-lines';
import { loadViewScene, type ViewScene } from '@/lib/web/view/view-scene';
import { boxesFromAabbs, highlightedCount, rowCounts, type SplatHighlight } from '@/lib/splat/splat-highlight';
import { ProgressBar } from './ProgressBar';
import { ModelNotice } from './query/ModelNotice';
import { QueryPanel } from './query/QueryPanel';
import { voiceInput } from '@/lib/web/speech/voice-input';
import { XrButton } from './XrButton';
import { useSceneBuild } from './useSceneBuild';
import { useXrSession } from './useXrSession';
import { OpenScenePanel } from './view/OpenScenePanel';
import { useSemanticModel } from './view/useSemanticModel';
import { ViewCanvas } from './view/ViewCanvas';

type Source = { kind: 'bundle'; url: string } | { kind: 'zip'; name: string; bytes: Uint8Array } | { kind: 'file'; name: string; bytes: Uint8Array } | { kind: 'code'; code: string; token: string } | null;

const isZip = (b: Uint8Array) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

interface Loaded {
  name: string;
  frames: readonly FrameSummary[];
  /** Capture cameras to start from: the bundle's frames, or those the scene file carries. */
  cameras: readonly HomeCamera[];
  /** The scene's world is floor-aligned (a reconstruction recorded its world transform). */
  floorAtZero: boolean;
  arrays: GaussianArrays;
  /** What questions read: the file's scene, or a built sample's annotation bank (null: geometry only). */
  scene: QueryScene | null;
  /** Where stored labels come from when the build named them (a sample's annotations). */
  labelsSource: string | null;
  fileCount: number;
}

export default function ViewClient() {
  const [{ params, paramError }] = useState<{ params: ViewParams | null; paramError: string | null }>(() => {
    try {
      return { params: readViewParams(window.location.search, window.location.hash), paramError: null };
    } catch (e) {
      return { params: null, paramError: (e as Error).message };
    }
  });
  const xr = useXrSession();
  const inXr = xr.state === 'active';
  const [source, setSource] = useState<Source>(() =>
    params?.code && params.token ? { kind: 'code', code: params.code, token: params.token } : params ? { kind: 'bundle', url: params.capture } : null,
  );
  const [openError, setOpenError] = useState<string | null>(params?.code && !params.token ? `code ${params.code}: the link has no #token=…; type the token shown with the code` : null);

  // Capture bundles (folder or .zip) are built in the worker; scene files are read here with their semantics.
  const bundleSource = source?.kind === 'bundle' ? source.url : source?.kind === 'zip' ? { name: source.name, bytes: source.bytes } : null;
  const build = useSceneBuild(bundleSource, { maxGaussians: params?.maxSplats });
  const [fileScene, setFileScene] = useState<{ source: Source; scene: ViewScene | null; progress: ProgressEvent | null; error: string | null }>({ source: null, scene: null, progress: null, error: null });
  useEffect(() => {
    if (!source || (source.kind !== 'file' && source.kind !== 'code') || !params) return;
    let live = true;
    const abort = new AbortController(); // leaving this source (Cancel, another scene) cancels its download
    const set = (patch: Partial<typeof fileScene>) => live && setFileScene((s) => ({ ...(s.source === source ? s : { scene: null, progress: null, error: null }), source, ...patch }));
    (async () => {
      let name: string, bytes: Uint8Array;
      if (source.kind === 'code') {
        set({ progress: { stage: 'download', done: 0, total: 1, detail: `scene ${source.code}` } });
        let retry = '';
        const d = await fetchSharedScene(source.code, source.token, {
          signal: abort.signal,
          onRetry: (e) => set({ progress: { stage: 'download', done: 0, total: 1, detail: (retry = e.message) } }),
          onProgress: (loaded, total) => set({ progress: { stage: 'download', done: loaded, total: total || loaded || 1, detail: `${retry ? `${retry} · ` : ''}${mb(loaded)}${total ? ` of ${mb(total)}` : ''}` } }),
        });
        name = `scene ${d.code}`;
        bytes = d.bytes;
      } else ({ name, bytes } = source);
      set({ progress: { stage: 'read', done: 0, total: 1, detail: name } });
      const scene = await loadViewScene(name, bytes, { maxGaussians: params.maxSplats });
      set({ scene, progress: null });
    })().catch((e: unknown) => set({ error: e instanceof Error ? e.message : String(e), progress: null }));
    return () => {
      live = false;
      abort.abort();
    };
  }, [source, params]);

  const fileState = fileScene.source === source ? fileScene : { scene: null, progress: null, error: null };
  const loaded: Loaded | null = useMemo(() => {
    if (source?.kind === 'file' || source?.kind === 'code') {
      const s = fileState.scene;
      const info = s?.scene.info;
      return s ? { name: s.name, frames: [], cameras: info?.cameras ?? [], floorAtZero: !!info?.world && info.world.upSource !== 'none', arrays: s.arrays, scene: s.scene, labelsSource: null, fileCount: s.fileCount } : null;
    }
    const r = build.result;
    return r ? { name: r.capture.name, frames: r.capture.frames, cameras: r.capture.frames, floorAtZero: false, arrays: r.gaussians, scene: annotatedQueryScene(r.gaussians, r.semantics), labelsSource: r.semantics?.source ?? null, fileCount: r.builtCount } : null;
  }, [source, fileState.scene, build.result]);
  const framing = useMemo(() => (loaded ? frameScene(loaded.arrays, loaded.cameras, { floorAtZero: loaded.floorAtZero }) : null), [loaded]);
  const loadError = paramError ?? openError ?? (source?.kind === 'file' || source?.kind === 'code' ? fileState.error : build.error);
  const progress = source?.kind === 'file' || source?.kind === 'code' ? fileState.progress : build.progress;

  const open = (s: Source) => {
    setOpenError(null);
    setPose(IDENTITY_POSE_2D);
    setAlign(null);
    setAnswer(null);
    setSource(s);
  };
  const onFile = (f: File) => {
    f.arrayBuffer().then(
      (buf) => {
        const bytes = new Uint8Array(buf);
        open(isZip(bytes) ? { kind: 'zip', name: f.name, bytes } : { kind: 'file', name: f.name, bytes });
      },
      (e: unknown) => setOpenError(`${f.name}: ${e instanceof Error ? e.message : String(e)}`),
    );
  };
  const onCode = (code: string, token: string) => {
    try {
      open({ kind: 'code', code: code.trim().toUpperCase(), token: token.trim() });
    } catch (e) {
      setOpenError((e as Error).message);
    }
  };

  // ---- placement in the room -------------------------------------------------------------------
  const [pose, setPoseState] = useState<Pose2D>(IDENTITY_POSE_2D);
  // Every pose the user (or auto-align) sets gets a new XR anchor (SceneAnchor); the anchor's own
  // updates go through setPoseState and do not re-anchor.
  const [poseVersion, setPoseVersion] = useState(0);
  const [anchored, setAnchored] = useState<boolean | null>(null);
  const setPose = (p: Pose2D | ((q: Pose2D) => Pose2D)) => {
    setPoseState(p);
    setPoseVersion((v) => v + 1);
  };
  const [align, setAlign] = useState<(AlignResult & { ms: number }) | { error: string } | null>(null);
  const [room, setRoom] = useState<DeviceEntity[]>([]);
  const onRoom = useCallback((e: DeviceEntity[]) => setRoom((prev) => (prev.length === e.length && prev.every((p, i) => p.points.length === e[i].points.length) ? prev : e)), []);
  // Hit-test placement: the scene's floor-plan centre goes onto the reticle, keeping its yaw.
  const hit = useRef<[number, number, number] | null>(null);
  const [placeMsg, setPlaceMsg] = useState<string | null>(null);
  const [placedAt, setPlacedAt] = useState<[number, number, number] | null>(null);
  const placeAtReticle = () => {
    const h = hit.current;
    const c = framing?.centre ?? null;
    if (!h || !c) {
      setPlaceMsg('no reticle yet: look at the floor until the green ring appears');
      return;
    }
    setPlaceMsg(null);
    setPlacedAt([h[0], h[1], h[2]]);
    setAlign(null);
    setPose((p) => poseAt(c[0], c[2], h[0], h[2], p.yaw));
  };
  // A tap of the controller trigger / hand pinch places too: a select released without moving, as told
  // by the in-XR manipulator (PLACE_TAP_EVENT on the session); a select that moves drags the scene
  // instead (lib/align/placement-gestures.ts), so the raw 'select' event is not listened to.
  const placeRef = useRef(placeAtReticle);
  useEffect(() => {
    placeRef.current = placeAtReticle;
  });
  useEffect(() => {
    const store = xr.store;
    if (!store) return;
    let session: XRSession | null = null;
    const onTap = () => placeRef.current();
    const unsub = store.subscribe((st) => {
      const next = (st.session as XRSession | undefined) ?? null;
      if (next === session) return;
      session?.removeEventListener(PLACE_TAP_EVENT, onTap);
      session = next;
      session?.addEventListener(PLACE_TAP_EVENT, onTap);
    });
    return () => {
      unsub();
      session?.removeEventListener(PLACE_TAP_EVENT, onTap);
    };
  }, [xr.store]);
  const nudge = (dx: number, dz: number, dyawDeg: number) => setPose((p) => ({ x: p.x + dx, z: p.z + dz, yaw: p.yaw + (dyawDeg * Math.PI) / 180 }));
  const autoAlign = () => {
    if (!loaded) return;
    try {
      const t0 = performance.now();
      const scenePlan = planFromPositions(loaded.arrays.positions, loaded.arrays.count);
      const roomPlan = planFromSurfaces(room);
      const r = alignPlan(scenePlan, roomPlan, { initial: pose });
      setAlign({ ...r, ms: performance.now() - t0 });
      setPose(r.pose);
    } catch (e) {
      setAlign({ error: e instanceof Error ? e.message : String(e) });
    }
  };

  // ---- questions ------------------------------------------------------------------------------------
  const model = useSemanticModel(loaded?.scene ?? null, params?.modelsBase ?? '/models/', params?.testModels ?? false);
  const [answer, setAnswer] = useState<{ text: string; scene: QueryAnswer | null; device: DeviceAnswer | null; merged: ViewAnswer[]; notFound: string; highlight: SplatHighlight | null; highlighted: number } | null>(null);
  // The question being asked (null: idle); recent questions feed the in-XR panel's chips.
  const [asking, setAsking] = useState<string | null>(null);
  const [recent, setRecent] = useState<string[]>([]);
  // Counts finished questions (tests and automation wait on it: data-answer-seq).
  const [answerSeq, setAnswerSeq] = useState(0);
  const [askError, setAskError] = useState<string | null>(null);
  // Gaussians per bank row, once per scene: counting a bank answer's splats then costs O(rows), not O(splats).
  const splatsPerRow = useMemo(() => (loaded?.arrays.semantic ? rowCounts(loaded.arrays.semantic, loaded.arrays.count) : null), [loaded]);
  const ask = async (text: string) => {
    if (!loaded) return;
    setAsking(text);
    setRecent((r) => [text, ...r.filter((q) => q.toLowerCase() !== text.toLowerCase())].slice(0, 3));
    setAskError(null);
    setAnswer(null);
    try {
      const device = room.length > 0 ? answerFromDeviceLabels(text, room) : null;
      const deviceNote = room.length > 0 ? null : inXr ? 'no planes or meshes detected yet' : 'enter AR on a headset to use its room labels';
      let scene: QueryAnswer | null = null;
      let sceneNote: string | null = null;
      // Relevancy once the model is ready, the bank's stored labels before (scene.answeredFrom says which).
      if (loaded.scene && loaded.scene.bank.count > 1) scene = await model.query(loaded.scene, text);
      else sceneNote = 'the scene has no semantics';
      const merged = combineAnswers(scene, device, pose);
      // Highlight (drawn by the renderer's shader, the splats are not rebuilt): the scene's selected bank rows
      // plus, for room-label answers, their boxes moved back into the scene frame.
      const back = invertPose2D(pose);
      const deviceBoxes = merged.filter((m) => m.source === 'device').map((m) => placeBox(m.box, back));
      const highlight: SplatHighlight | null = merged.length
        ? { entries: scene && scene.instances.length ? scene.rows : new Uint8Array(0), boxes: boxesFromAabbs(deviceBoxes) }
        : null;
      const highlighted = highlight ? highlightedCount(highlight, loaded.arrays, splatsPerRow ?? undefined) : 0;
      setAnswer({ text, scene, device, merged, notFound: merged.length ? '' : notFoundReason(scene, sceneNote, device, deviceNote), highlight, highlighted });
    } catch (e) {
      setAskError(e instanceof Error ? e.message : String(e));
    } finally {
      setAsking(null);
      setAnswerSeq((n) => n + 1);
    }
  };

  // Distances from the viewer, refreshed twice a second (the camera moves in XR and in orbit).
  const viewer = useRef<[number, number, number] | null>(null);
  const [distances, setDistances] = useState<number[]>([]);
  useEffect(() => {
    if (!answer?.merged.length) return;
    const tick = () => {
      const v = viewer.current;
      if (v) setDistances(answer.merged.map((a) => Math.hypot(a.centroid[0] - v[0], a.centroid[1] - v[1], a.centroid[2] - v[2])));
    };
    tick();
    const id = setInterval(tick, 500);
    return () => clearInterval(id);
  }, [answer]);

  const modelNotice = loaded ? <ModelNotice model={model} labelsSource={loaded.labelsSource} /> : null;

  // The in-XR panel shows the same state as the DOM box, on one line, and asks through the same `ask`.
  const chips = useMemo(
    () => quickPicks({ recent, roomLabels: [...new Set(room.map((e) => e.label))], entryLabels: loaded?.scene ? loaded.scene.bank.meta.slice(1).map((m) => displayLabel(m.label)) : [] }),
    [recent, room, loaded],
  );
  // Spoken questions are recognised against what this scene and room can answer (the whole indoor
  // vocabulary only once the text model can answer open-vocabulary questions: a small grammar hears better).
  useEffect(() => {
    voiceInput().setScene({ sceneLabels: loaded?.scene ? loaded.scene.bank.meta.slice(1).map((m) => m.label) : [], roomLabels: [...new Set(room.map((e) => e.label))], vocabulary: model.state === 'ready' });
  }, [loaded, room, model.state]);
  // The page's download button is out of reach inside AR (no DOM overlay on Quest): the panel offers it too.
  const canDownload = (model.state === 'not-installed' || model.state === 'error') && model.status != null;
  const modelMissing =
    model.state === 'downloading'
      ? `downloading the semantic model… ${model.progress ? `${mb(model.progress.loaded)}${model.progress.total ? ` of ${mb(model.progress.total)}` : ''}` : ''}`
      : model.state === 'not-installed' || model.state === 'unavailable' || model.state === 'error'
        ? `semantic model not installed${canDownload ? ' (download it below)' : ''}; ${loaded?.scene?.bank.hasLabels() ? 'stored labels and ' : ''}room labels still answer`
        : null;
  const xrAction = canDownload ? { label: `⬇ download semantic model${model.status?.bytes ? ` (${mb(model.status.bytes)})` : ''}`, run: model.download } : null;
  const readout = answerReadout({
    asking: asking !== null,
    asked: asking,
    error: askError,
    answer: answer ? { text: answer.text, labels: answer.merged.map((a) => a.label), distances: answer.merged.map((_a, i) => distances[i] ?? null), notFound: answer.notFound } : null,
    modelMissing,
  });

  const alignOk = align && !('error' in align) ? align : null;
  return (
    <div
      className="scene-page view"
      data-testid="view"
      data-state={loadError ? 'error' : loaded ? 'ready' : 'loading'}
      data-highlighted={answer?.highlighted ?? 0}
      data-answer-seq={answerSeq}
    >
      <section className="viewer">
        <ViewCanvas
          highlight={answer?.highlight ?? null}
          base={loaded?.arrays ?? null}
          framing={framing}
          xrStore={xr.store}
          inXr={inXr}
          pose={pose}
          answers={answer?.merged ?? []}
          onRoom={onRoom}
          viewer={viewer}
          hit={hit}
          poseVersion={poseVersion}
          onAnchorPose={setPoseState}
          onAnchored={setAnchored}
          query={loaded ? { onAsk: (t) => void ask(t), readout, chips, busy: asking !== null, action: xrAction } : null}
        />
        {!loaded && !loadError && source && <ProgressBar event={progress} label={`Loading ${source.kind === 'code' ? `scene ${source.code}` : source.kind === 'bundle' ? source.url : source.name}`} />}
        {!loaded && !loadError && source?.kind === 'code' && (
          <button type="button" data-testid="share-cancel" onClick={() => setSource(null)} style={{ position: 'absolute', right: '1.5rem', bottom: '4.5rem' }}>
            Cancel download
          </button>
        )}
        {loadError && (
          <p className="error" role="alert" data-testid="view-error">
            {loadError}
          </p>
        )}
      </section>
      <aside className="side">
        <XrButton label="Enter AR" {...xr} onEnter={xr.enter} onExit={xr.exit} />
        {loaded && (
          <p data-testid="scene-summary" data-bank={loaded.scene ? loaded.scene.bank.count - 1 : 0}>
            {loaded.name}: {loaded.frames.length} frames, {loaded.arrays.count.toLocaleString('en')} Gaussians
            {loaded.scene ? `, ${loaded.scene.bank.count - 1} semantic entries` : ''}
          </p>
        )}
        <QueryPanel
          onAsk={(t) => void ask(t)}
          busy={asking !== null}
          disabled={!loaded}
          answers={answer ? answer.merged.map((a, i) => ({ ...a, distance: distances[i] ?? null })) : null}
          asked={answer?.text}
          notFound={answer?.notFound}
          error={askError}
          notice={modelNotice}
          sceneFrom={answer?.scene?.answeredFrom ?? null}
          note={answer?.scene?.note ?? null}
        />
        {inXr && loaded && (
          <div className="placement" data-testid="placement">
            <p className="hint">
              Room data: {room.length} planes/meshes. Scene at x {pose.x.toFixed(2)} m, z {pose.z.toFixed(2)} m, yaw {((pose.yaw * 180) / Math.PI).toFixed(1)}°
            </p>
            <div style={{ display: 'flex', flexWrap: 'wrap', gap: '0.3rem' }} data-testid="pose" data-x={pose.x.toFixed(4)} data-z={pose.z.toFixed(4)} data-yaw-deg={((pose.yaw * 180) / Math.PI).toFixed(3)}>
              <button type="button" onClick={placeAtReticle} data-testid="place-reticle">
                Place at the reticle
              </button>
              <button type="button" onClick={() => (setPose(IDENTITY_POSE_2D), setAlign(null))} data-testid="place-reset">
                Where it was captured
              </button>
              <button type="button" onClick={() => nudge(-0.1, 0, 0)} data-testid="move-left">← 10 cm</button>
              <button type="button" onClick={() => nudge(0.1, 0, 0)} data-testid="move-right">10 cm →</button>
              <button type="button" onClick={() => nudge(0, -0.1, 0)} data-testid="move-forward">↑ 10 cm</button>
              <button type="button" onClick={() => nudge(0, 0.1, 0)} data-testid="move-back">↓ 10 cm</button>
              <button type="button" onClick={() => nudge(0, 0, 15)} data-testid="turn-left">⟲ 15°</button>
              <button type="button" onClick={() => nudge(0, 0, -15)} data-testid="turn-right">⟳ 15°</button>
              <button type="button" className="primary" onClick={autoAlign} disabled={room.length === 0} data-testid="auto-align">
                Auto-align to the room
              </button>
            </div>
            {placeMsg && <p className="warn" data-testid="place-message">{placeMsg}</p>}
            {placedAt && (
              <p className="hint" data-testid="placed-at" data-x={placedAt[0].toFixed(4)} data-y={placedAt[1].toFixed(4)} data-z={placedAt[2].toFixed(4)}>
                placed at the reticle ({placedAt[0].toFixed(2)}, {placedAt[1].toFixed(2)}, {placedAt[2].toFixed(2)}) m
              </p>
            )}
            <p className="hint" data-testid="anchor-state" data-anchored={anchored === null ? '' : anchored ? '1' : '0'}>
              {anchored === null ? 'anchoring the placement…' : anchored ? 'placement kept with an XR anchor' : 'no XR anchors here: the placement lasts for this session'}
            </p>
            {alignOk && (
              <p
                data-testid="align-result"
                data-x={alignOk.pose.x.toFixed(4)}
                data-z={alignOk.pose.z.toFixed(4)}
                data-yaw-deg={((alignOk.pose.yaw * 180) / Math.PI).toFixed(3)}
                data-residual-cm={alignOk.residualCm.toFixed(2)}
              >
                aligned: residual {alignOk.residualCm.toFixed(1)} cm RMS ({Math.round(alignOk.inlierFraction * 100)}% of points within 9 cm), correction {alignOk.correction.metres.toFixed(2)} m and {alignOk.correction.degrees.toFixed(1)}° ({Math.round(alignOk.ms)} ms)
              </p>
            )}
            {align && 'error' in align && (
              <p className="error" data-testid="align-error">
                {align.error}
              </p>
            )}
          </div>
        )}
        <OpenScenePanel initialCode={params?.code ?? ''} onCode={onCode} onFile={onFile} onSample={() => open({ kind: 'bundle', url: '/samples/living_room/' })} busy={!!source && !loaded && !loadError} />
        {xr.grantedFeatures.length > 0 && <p className="hint">Session features: {xr.grantedFeatures.join(', ')}</p>}
        <p className="hint">Outside XR: drag to orbit. In the headset the scene starts where it was captured (local-floor origin): move/turn it, then auto-align.</p>
      </aside>
    </div>
  );
}
