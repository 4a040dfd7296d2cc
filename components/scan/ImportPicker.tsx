'use client';
/**
 * Import for devices without WebXR scanning: any capture lib/capture/import-capture.ts reads (a
 * SegSplat bundle, transforms.json with its images, a 7-Scenes or TUM RGB-D folder), picked as
 * files, as a folder, or as a .zip, fed into the same reconstruction as live keyframes. Images are
 * brought to the pipeline's working size (DEFAULT_MAX_SIZE long side, area-averaged from the full image)
 * as each is read, so 50 phone photos cost ~20 MB rather than ~300 MB.
 */
import { useState } from 'react';
import { pickedFiles, zipFiles, type BundleFiles } from '@/lib/capture/bundle-files';
import type { Frame } from '@/lib/capture/frame';
import { loadFrames } from '@/lib/capture/frame-record';
import { CAPTURE_FORMAT_NAMES, describeSkipped, importCapture } from '@/lib/capture/import-capture';
import { DEFAULT_MAX_SIZE } from '@/lib/pipeline/working-size';
import { browserImageCodec } from '@/lib/web/browser-image-codec';

/** What the importer hands the page: the frames (at working size), and the capture's own up when it states one. */
export interface ImportedCapture {
  frames: Frame[];
  name: string;
  worldUp?: [number, number, number];
  /** Bytes of the frames as read (images + depth) and what the images alone would be at full size. */
  bytes: number;
  fullImageBytes: number;
}

interface Imported extends ImportedCapture {
  summary: string;
}

const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

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
  const frames = await loadFrames(imp.frames, { maxSize: DEFAULT_MAX_SIZE, onProgress: (done, total) => onStatus(`Reading ${done}/${total} frames…`) });
  let bytes = 0;
  for (const f of frames) bytes += f.image.data.byteLength + (f.depth ? f.depth.data.byteLength + (f.depth.confidence?.byteLength ?? 0) : 0);
  const fullImageBytes = imp.frames.reduce((s, r) => s + r.intrinsics.width * r.intrinsics.height * 3, 0);
  const size = frames[0].image;
  const parts = [`${frames.length} frames imported from ${CAPTURE_FORMAT_NAMES[imp.format]} "${imp.name}"`];
  if (imp.skipped.length) parts.push(describeSkipped(imp.skipped));
  const read = `Read at ${size.width}x${size.height}: ${mb(bytes)} in memory (the images at full size: ${mb(fullImageBytes)})`;
  const summary = `${parts.join(', ')}. ${read}.${imp.warnings.length ? ` Note: ${imp.warnings.slice(0, 2).join('; ')}.` : ''}`;
  return { frames, name: imp.name, ...(imp.worldUp ? { worldUp: imp.worldUp } : {}), bytes, fullImageBytes, summary };
}

// React's typings lack the (universally supported) folder-pick attribute.
const folderPick = { webkitdirectory: '', directory: '' } as Record<string, string>;

export function ImportPicker({ onImport }: { onImport: (capture: ImportedCapture) => void }) {
  const [msg, setMsg] = useState('');
  const [bytes, setBytes] = useState<{ bytes: number; full: number } | null>(null);
  const onPick = async (list: FileList | null) => {
    if (!list || list.length === 0) return;
    setMsg('Reading…');
    try {
      const { summary, ...capture } = await framesFrom([...list], setMsg);
      onImport(capture);
      setBytes({ bytes: capture.bytes, full: capture.fullImageBytes });
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
      {msg && (
        <p data-testid="scan-import-status" data-frame-bytes={bytes?.bytes} data-full-image-bytes={bytes?.full}>
          {msg}
        </p>
      )}
    </div>
  );
}
