'use client';
/** /diagnostics: what this browser supports, and a FastDepth run on wasm and WebGPU that must agree. */
import { useEffect, useState } from 'react';
import { runDepthCheck, type DepthCheckResult } from '@/lib/web/depth-check';
import { hasWebGpuAdapter } from '@/lib/web/ort-web';

interface Support {
  ar: boolean;
  vr: boolean;
  webgpu: boolean;
  isolated: boolean;
  cores: number;
}

export default function DiagnosticsClient() {
  const [support, setSupport] = useState<Support | null>(null);
  const [check, setCheck] = useState<DepthCheckResult | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);

  useEffect(() => {
    (async () => {
      const xr = navigator.xr;
      const [ar, vr, webgpu] = await Promise.all([
        xr?.isSessionSupported('immersive-ar').catch(() => false) ?? false,
        xr?.isSessionSupported('immersive-vr').catch(() => false) ?? false,
        hasWebGpuAdapter(),
      ]);
      setSupport({ ar, vr, webgpu, isolated: globalThis.crossOriginIsolated, cores: navigator.hardwareConcurrency });
    })();
  }, []);

  const run = () => {
    setRunning(true);
    setError(null);
    setCheck(null);
    runDepthCheck({ onStatus: setStatus })
      .then(setCheck, (e: unknown) => setError(e instanceof Error ? e.message : String(e)))
      .finally(() => setRunning(false));
  };

  return (
    <div className="panel diagnostics" data-testid="diagnostics">
      <h2>This browser</h2>
      {support ? (
        <ul data-testid="support">
          <li>WebXR immersive-ar: {support.ar ? 'yes' : 'no'}</li>
          <li>WebXR immersive-vr: {support.vr ? 'yes' : 'no'}</li>
          <li>WebGPU adapter: {support.webgpu ? 'yes' : 'no'}</li>
          <li>Cross-origin isolated (threaded wasm): {support.isolated ? 'yes' : 'no'}</li>
          <li>CPU cores: {support.cores}</li>
        </ul>
      ) : (
        <p>Checking…</p>
      )}
      <h2>Depth model (FastDepth, onnxruntime-web)</h2>
      <button type="button" className="primary" onClick={run} disabled={running} data-testid="run-depth-check">
        {running ? `Running… ${status}` : 'Run FastDepth on wasm and WebGPU'}
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {check && (
        <div data-testid="depth-check" data-max-abs-diff={check.maxAbsDiff ?? ''}>
          <table>
            <thead>
              <tr>
                <th>Provider</th>
                <th>Result</th>
                <th>Session create</th>
                <th>Run</th>
                <th>Depth range</th>
              </tr>
            </thead>
            <tbody>
              {check.runs.map((r) => (
                <tr key={r.provider} data-testid={`run-${r.provider}`} data-ok={r.ok ? 'true' : 'false'} data-min={r.min} data-max={r.max}>
                  <td>{r.provider}</td>
                  <td>{r.ok ? 'ok' : r.error}</td>
                  <td>{r.createMs !== undefined ? `${r.createMs.toFixed(0)} ms` : ''}</td>
                  <td>{r.runMs !== undefined ? `${r.runMs.toFixed(0)} ms` : ''}</td>
                  <td>{r.ok ? `${r.min!.toFixed(2)}–${r.max!.toFixed(2)} m` : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>Max |wasm − WebGPU|: {check.maxAbsDiff === null ? 'n/a (one provider missing)' : `${check.maxAbsDiff.toExponential(2)} m`}</p>
        </div>
      )}
    </div>
  );
}
