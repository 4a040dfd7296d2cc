'use client';
/**
 * One @react-three/xr store per page plus the state the "Enter AR" button needs. The store gets
 * `emulate: false` (its default would inject an emulator with a dev UI on localhost) and our own
 * session init (lib/web/xr-session-init.ts); the iwer emulator comes only from ?xr-emulate=quest3.
 */
import { createXRStore, type XRStore } from '@react-three/xr';
import { useCallback, useEffect, useState } from 'react';
import { maybeInstallXrEmulation } from '@/lib/web/xr-emulation';
import { immersiveArSessionInit } from '@/lib/web/xr-session-init';

export type XrUiState = 'checking' | 'unsupported' | 'ready' | 'entering' | 'active' | 'error';

/**
 * `depthSensing(search)`: whether this page's session asks for depth sensing (default yes), decided from
 * location.search when the store is made (the scan's test camera brings its own depth).
 */
export function useXrSession(opts: { depthSensing?: (search: string) => boolean } = {}): {
  store: XRStore | null;
  state: XrUiState;
  message: string;
  emulated: boolean;
  grantedFeatures: string[];
  enter: () => void;
  exit: () => void;
} {
  const [store, setStore] = useState<XRStore | null>(null);
  const [state, setState] = useState<XrUiState>('checking');
  const [message, setMessage] = useState('');
  const [emulated, setEmulated] = useState(false);
  const [grantedFeatures, setGranted] = useState<string[]>([]);

  useEffect(() => {
    let cancelled = false;
    const overlay = document.createElement('div');
    overlay.className = 'xr-overlay';
    overlay.style.display = 'none';
    // dom-overlay needs a connected root; on phones it shows over the camera view.
    const exitButton = document.createElement('button');
    exitButton.textContent = 'Exit AR';
    overlay.appendChild(exitButton);
    document.body.appendChild(overlay);
    const s = createXRStore({
      emulate: false,
      offerSession: false,
      // No controller/hand models drawn (their .glb files are not shipped); the controller LAYOUTS the
      // store loads for every input source come from our copy of @webxr-input-profiles
      // (scripts/copy-ort.mjs), not its default CDN, so sessions work offline with no failed fetches.
      controller: false,
      hand: false,
      baseAssetPath: new URL('/xr-input-profiles/', location.href).href,
      customSessionInit: immersiveArSessionInit(overlay, { depthSensing: opts.depthSensing?.(location.search) ?? true }),
    });
    const unsub = s.subscribe((st, prev) => {
      if (st.session && !prev.session) {
        setState('active');
        const features = (st.session as XRSession & { enabledFeatures?: readonly string[] }).enabledFeatures;
        setGranted(features ? [...features] : []);
      } else if (!st.session && prev.session) setState('ready');
    });
    exitButton.onclick = () => void s.getState().session?.end().catch(() => {});
    const unsubOverlay = s.subscribe((st) => {
      overlay.style.display = st.session ? 'block' : 'none';
    });
    // The store (and its overlay element) live exactly as long as this effect, so StrictMode's
    // remount gets a fresh one instead of a destroyed one.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setStore(s);
    (async () => {
      try {
        const device = await maybeInstallXrEmulation();
        if (cancelled) return;
        setEmulated(device != null);
        const supported = (await navigator.xr?.isSessionSupported('immersive-ar').catch(() => false)) ?? false;
        if (cancelled) return;
        setState(supported ? 'ready' : 'unsupported');
        if (!supported) setMessage('This browser has no immersive-ar WebXR session (use Chrome on an ARCore phone or a Quest 3).');
      } catch (e) {
        if (!cancelled) {
          setState('error');
          setMessage(e instanceof Error ? e.message : String(e));
        }
      }
    })();
    return () => {
      cancelled = true;
      unsub();
      unsubOverlay();
      overlay.remove();
      s.getState().session?.end().catch(() => {});
      s.destroy();
    };
    // The options are read once, when the store is made (callers pass a module-level constant).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const enter = useCallback(() => {
    if (!store) return;
    setState('entering');
    setMessage('');
    store.enterAR().then(
      (session) => {
        if (!session) setState('ready');
      },
      (e: unknown) => {
        setState('error');
        setMessage(`Could not start the AR session: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
  }, [store]);

  const exit = useCallback(() => {
    store?.getState().session?.end().catch(() => {});
  }, [store]);

  return { store, state, message, emulated, grantedFeatures, enter, exit };
}
