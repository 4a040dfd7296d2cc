/**
 * Real audio for the voice tests, eval and bench: a question spoken by espeak-ng (Debian) in a given
 * voice and speed, padded with silence as a person pressing a key and then speaking would leave, with
 * noise mixed in by sox at a given signal-to-noise ratio. Nothing is recorded or shipped; the files
 * are made in a temporary folder by each run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SpeakOptions {
  /** espeak-ng voice ("en-us", "en-gb+f3", "en-us+klatt2"). */
  voice: string;
  /** Words per minute (espeak-ng -s). */
  speed: number;
  /** Noise to mix in: sox synth type and SNR in dB (RMS speech over RMS noise); none when absent. */
  noise?: { kind: 'whitenoise' | 'pinknoise' | 'brownnoise'; snrDb: number };
  /** Silence before / after the question (s). */
  leadS?: number;
  tailS?: number;
  /** Output rate (Hz); 16000 unless given. */
  rate?: number;
  /** Folder for the files (a fresh one under the OS temp folder by default). */
  dir?: string;
}

export function hasSpeechTools(): boolean {
  try {
    execFileSync('espeak-ng', ['--version'], { stdio: 'ignore' });
    execFileSync('sox', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let counter = 0;
export function speechDir(): string {
  const d = join(tmpdir(), `segsplat-voice-${process.pid}`);
  if (!existsSync(d)) mkdirSync(d, { recursive: true });
  return d;
}

/** RMS and peak amplitude (0..1) of a sound file, from `sox FILE -n stat` (which reports on stderr). */
function soxStat(file: string): { rms: number; peak: number } {
  const r = execFileSync('sh', ['-c', 'sox "$0" -n stat 2>&1', file], { encoding: 'utf8' });
  const num = (re: RegExp) => {
    const m = re.exec(r);
    if (!m) throw new Error(`spoken-audio: sox stat gave no ${re.source} for ${file}`);
    return Number(m[1]);
  };
  return { rms: num(/RMS\s+amplitude:\s+([0-9.eE+-]+)/), peak: Math.max(Math.abs(num(/Maximum amplitude:\s+([0-9.eE+-]+)/)), Math.abs(num(/Minimum amplitude:\s+([0-9.eE+-]+)/))) };
}

/** Speaks `text` to a mono 16-bit WAV; returns its path. */
export function speak(text: string, o: SpeakOptions): string {
  const dir = o.dir ?? speechDir();
  const id = `${process.pid}-${counter++}`;
  const raw = join(dir, `say-${id}.wav`);
  const clean = join(dir, `clean-${id}.wav`);
  const rate = String(o.rate ?? 16000);
  execFileSync('espeak-ng', ['-v', o.voice, '-s', String(o.speed), '-w', raw, text]);
  execFileSync('sox', [raw, '-r', rate, '-c', '1', '-b', '16', clean, 'gain', '-n', '-3', 'pad', String(o.leadS ?? 0.4), String(o.tailS ?? 1.2)]);
  if (!o.noise) return clean;
  // Speech RMS over the spoken part only (the raw espeak output), scaled by the peak gain applied above.
  const said = soxStat(raw);
  const speechRms = (said.rms * 10 ** (-3 / 20)) / Math.max(1e-9, said.peak);
  const dur = Number(execFileSync('soxi', ['-D', clean], { encoding: 'utf8' }).trim());
  const noise = join(dir, `noise-${id}.wav`);
  execFileSync('sox', ['-n', '-r', rate, '-c', '1', '-b', '16', noise, 'synth', String(dur), o.noise.kind, 'vol', '0.5']);
  const noiseRms = soxStat(noise).rms;
  const want = speechRms / 10 ** (o.noise.snrDb / 20);
  const mixed = join(dir, `mix-${id}.wav`);
  execFileSync('sox', ['-m', '-v', '1', clean, '-v', String(want / noiseRms), noise, mixed]);
  return mixed;
}
