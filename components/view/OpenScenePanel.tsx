'use client';
/** How /view gets a scene: a share code + token, a file, or the bundled sample. */
import { useState } from 'react';

export function OpenScenePanel(props: {
  initialCode: string;
  onCode: (code: string, token: string) => void;
  onFile: (f: File) => void;
  onSample: () => void;
  busy: boolean;
}) {
  const [code, setCode] = useState(props.initialCode);
  const [token, setToken] = useState('');
  return (
    <div className="open-scene" data-testid="open-scene">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          props.onCode(code, token);
        }}
        style={{ display: 'grid', gridTemplateColumns: 'auto 1fr', gap: '0.3rem 0.5rem', alignItems: 'center' }}
      >
        <label htmlFor="share-code">Code</label>
        <input id="share-code" value={code} onChange={(e) => setCode(e.target.value)} placeholder="H5P5NG" autoComplete="off" data-testid="share-code" style={{ textTransform: 'uppercase' }} />
        <label htmlFor="share-token">Token</label>
        <input id="share-token" value={token} onChange={(e) => setToken(e.target.value)} placeholder="shown with the code" autoComplete="off" type="password" data-testid="share-token" />
        <span />
        <button type="submit" disabled={props.busy || !code.trim() || !token.trim()} data-testid="share-open">
          Open shared scene
        </button>
      </form>
      <label className="file-open">
        Open a scene (.ply, .glb, .sgsc) or a capture (.zip):{' '}
        <input type="file" accept=".ply,.glb,.sgsc,.zip" data-testid="open-file" onChange={(e) => e.target.files?.[0] && props.onFile(e.target.files[0])} />
      </label>
      <button type="button" onClick={props.onSample} disabled={props.busy} data-testid="open-sample">
        Open the sample room
      </button>
    </div>
  );
}
