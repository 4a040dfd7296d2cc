'use client';
/**
 * Import for devices without WebXR scanning: a capture bundle (folder or .zip) or a transforms.json
 * with its images, read through lib/capture and fed into the same reconstruction as live keyframes.
 */
import { useState } from 'react';
import { pickedFiles, zipFiles, type BundleFiles } from '@/lib/capture/bundle-files';
import { readCaptureBundle } from '@/lib/capture/capture-bundle';
import type { Frame } from '@/lib/capture/frame';
import { importTransformsJson, loadFrames } from '@/lib/capture/transforms-json';
import { browserImageCodec } from '@/lib/web/browser-image-codec';

async function framesFrom(files: File[]): Promise<{ frames: Frame[]; name: string; skipped: number }> {
  let bundle: BundleFiles;
  if (files.length === 1 && /\.zip$/i.test(files[0].name)) bundle = zipFiles(new Uint8Array(await files[0].arrayBuffer()));
  else bundle = pickedFiles(files);
  if (await bundle.exists('capture.json')) {
    const b = await readCaptureBundle(bundle, { codec: browserImageCodec });
    return { frames: b.frames, name: b.name, skipped: b.skipped.length };
  }
  if (await bundle.exists('transforms.json')) {
    const t = await importTransformsJson(bundle, { codec: browserImageCodec });
    const frames = await loadFrames(t.frames);
    return { frames, name: 'transforms.json', skipped: t.skipped.length };
  }
  throw new Error('no capture.json or transforms.json among the picked files');
}

export function ImportPicker({ onFrames }: { onFrames: (frames: Frame[], name: string) => void }) {
  const [msg, setMsg] = useState('');
  const onPick = async (list: FileList | null) => {
    if (!list || list.length === 0) return;
    setMsg('Reading…');
    try {
      const { frames, name, skipped } = await framesFrom([...list]);
      if (frames.length === 0) throw new Error('no usable frames');
      onFrames(frames, name);
      setMsg(`${frames.length} frames imported${skipped ? `, ${skipped} skipped` : ''}.`);
    } catch (e) {
      setMsg(`Import failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  return (
    <div className="scan-import" data-testid="scan-import">
      <label>
        Import a capture (.zip, or a folder&apos;s files: capture.json or transforms.json with images){' '}
        <input type="file" multiple accept=".zip,.json,.png,.jpg,.jpeg,.f32" onChange={(e) => void onPick(e.target.files)} />
      </label>
      {msg && <p>{msg}</p>}
    </div>
  );
}
