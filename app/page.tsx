import Link from 'next/link';

export default function Home() {
  return (
    <div className="home">
      <h1>Scan a room. Ask it where things are.</h1>
      <p>
        SegSplat XR turns posed camera frames into 3D Gaussian splats that know what they are: every splat points into a small
        bank of open-vocabulary object embeddings, so a spoken or typed query such as “lamp” or “where can I sit?” lights up the
        matching objects in the headset.
      </p>
      <ol className="steps">
        <li>
          <strong>Scan</strong> on an ARCore phone: camera frames, exact poses and depth from WebXR.
        </li>
        <li>
          <strong>Reconstruct</strong>: depth becomes pixel-aligned Gaussians; masks are embedded and clustered into the semantic bank.
        </li>
        <li>
          <strong>View</strong> on a Quest 3 or any browser, and query the scene by voice or text.
        </li>
      </ol>
      <div className="actions">
        <Link className="button primary" href="/scan">
          Scan
        </Link>
        <Link className="button" href="/view">
          View
        </Link>
        <Link className="button" href="/demo">
          Demo
        </Link>
      </div>
      <p className="hint">No phone or headset? The demo runs the bundled sample room on any desktop browser.</p>
    </div>
  );
}
