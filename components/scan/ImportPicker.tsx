'use client';
/**
 * Import for devices without WebXR scanning: any capture lib/capture/import-capture.ts reads (a
 * SegSplat bundle, transforms.json with its images, a 7-Scenes or TUM RGB-D folder), picked as
 * files, as a folder, or as a .zip, fed into the same reconstruction as live keyframes.
 */
import { useState } from 'react';
import { pickedFiles, zipFiles, type BundleFiles } from '@/lib/capture/bundle-files';
import type { Frame } from '@/lib/capture/frame';
import { loadFrames } from '@/lib/capture/frame-record';
import { CAPTURE_FORMAT_NAMES, describeSkipped, importCapture } from '@/lib/capture/import-capture';
import { browserImageCodec } from '@/lib/web/browser-image-codec';

interface Imported {
  frames: Frame[];
  name: string;
  summary: string;
}

async function framesFrom(files: File[], onStatus: (s: string) => void): Promise<Imported> {
  let bundle: BundleFiles;
  let name: string;
  if (files.length === 1 && /\.zip$/i.test(files[0].name)) {
    bundle = zipFiles(new Uint8Array(await files[0].arrayBuffer()));
    name = files[0].name.replace(/\.zip$/i, '');
  } else {
    const picked = pickedFiles(files);
    bundle = picked;
    name = picked.folderName || 'picked files';
  }
  const imp = await importCapture(bundle, { codec: browserImageCodec, name });
  if (imp.frames.length === 0) throw new Error(`no usable frames (${describeSkipped(imp.skipped) || 'the capture lists none'})`);
  const frames = await loadFrames(imp.frames, { onProgress: (done, total) => onStatus(`Reading ${done}/${total} frames…`) });
  const parts = [`${frames.length} frames imported from ${CAPTURE_FORMAT_NAMES[imp.format]} "${imp.name}"`];
  if (imp.skipped.length) parts.push(describeSkipped(imp.skipped));
  return { frames, name: imp.name, summary: `${parts.join(', ')}.${imp.warnings.length ? ` Note: ${imp.warnings.slice(0, 2).join('; ')}.` : ''}` };
}

// React's typings lack the (universally supported) folder-pick attribute.
const folderPick = { webkitdirectory: '', directory: '' } as Record<string, string>;

export function ImportPicker({ onFrames }: { onFrames: (frames: Frame[], name: string) => void }) {
  const [msg, setMsg] = useState('');
  const onPick = async (list: FileList | null) => {
    if (!list || list.length === 0) return;
    setMsg('Reading…');
    try {
      const { frames, name, summary } = await framesFrom([...list], setMsg);
      onFrames(frames, name);
      setMsg(summary);
    } catch (e) {
      setMsg(`Import failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  return (
    <div className="scan-import" data-testid="scan-import">
      <p>
        Import a capture: a SegSplat bundle (capture.json), transforms.json with its images, a 7-Scenes / 3DMatch or TUM RGB-D
        folder, or a .zip of any of these.
      </p>
      <label>
        Files{' '}
        <input
          type="file"
          multiple
          accept=".zip,.json,.txt,.png,.jpg,.jpeg,.f32"
          data-testid="scan-import-files"
          onChange={(e) => void onPick(e.target.files)}
        />
      </label>{' '}
      <label>
        Folder <input type="file" {...folderPick} data-testid="scan-import-folder" onChange={(e) => void onPick(e.target.files)} />
      </label>
      {msg && <p data-testid="scan-import-status">{msg}</p>}
    </div>
  );
}
