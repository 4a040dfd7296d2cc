/**
 * RIFF/WAVE reading for the Node entry points and tests: PCM 8/16/24/32-bit and IEEE float 32-bit, any
 * rate and channel count; channels are averaged to mono. Errors name what is wrong with the file.
 */
export interface MonoAudio {
  samples: Float32Array;
  sampleRate: number;
}

export function decodeWav(bytes: Uint8Array, name = 'WAV'): MonoAudio {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (o: number) => String.fromCharCode(bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]);
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error(`${name}: not a RIFF/WAVE file`);
  let fmt: { format: number; channels: number; rate: number; bits: number } | null = null;
  let data: Uint8Array | null = null;
  for (let o = 12; o + 8 <= bytes.length; ) {
    const id = tag(o);
    let size = dv.getUint32(o + 4, true);
    const body = o + 8;
    // Streamed WAVs (espeak-ng to a pipe, sox -t wav -) leave the data size at 0 or 0xffffffff.
    if (id === 'data' && (size === 0 || size === 0xffffffff || body + size > bytes.length)) size = bytes.length - body;
    if (id === 'fmt ') {
      if (size < 16) throw new Error(`${name}: fmt chunk too short (${size} bytes)`);
      let format = dv.getUint16(body, true);
      if (format === 0xfffe && size >= 40) format = dv.getUint16(body + 24, true);
      fmt = { format, channels: dv.getUint16(body + 2, true), rate: dv.getUint32(body + 4, true), bits: dv.getUint16(body + 14, true) };
    } else if (id === 'data') {
      data = bytes.subarray(body, body + size);
    }
    o = body + size + (size & 1);
  }
  if (!fmt) throw new Error(`${name}: no fmt chunk`);
  if (!data) throw new Error(`${name}: no data chunk`);
  const { format, channels, rate, bits } = fmt;
  if (channels < 1) throw new Error(`${name}: ${channels} channels`);
  if (!(rate >= 4000 && rate <= 384000)) throw new Error(`${name}: unsupported sample rate ${rate} Hz`);
  const isFloat = format === 3;
  if (!(format === 1 || (isFloat && bits === 32))) throw new Error(`${name}: unsupported WAV encoding (format ${format}, ${bits} bits); use PCM or 32-bit float`);
  if (![8, 16, 24, 32].includes(bits)) throw new Error(`${name}: unsupported bit depth ${bits}`);
  const bps = bits / 8;
  const frames = Math.floor(data.length / (bps * channels));
  const ddv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    let acc = 0;
    for (let c = 0; c < channels; c++) {
      const o = (i * channels + c) * bps;
      let v: number;
      if (isFloat) v = ddv.getFloat32(o, true);
      else if (bits === 8) v = (data[o] - 128) / 128;
      else if (bits === 16) v = ddv.getInt16(o, true) / 32768;
      else if (bits === 24) v = ((data[o] | (data[o + 1] << 8) | (data[o + 2] << 16)) << 8 >> 8) / 8388608;
      else v = ddv.getInt32(o, true) / 2147483648;
      acc += v;
    }
    out[i] = acc / channels;
  }
  return { samples: out, sampleRate: rate };
}

/** 16-bit PCM mono WAV bytes (for tests and the browser test's fake microphone). */
export function encodeWav16(samples: Float32Array, sampleRate: number): Uint8Array {
  const out = new Uint8Array(44 + samples.length * 2);
  const dv = new DataView(out.buffer);
  const w = (o: number, s: string) => [...s].forEach((ch, i) => (out[o + i] = ch.charCodeAt(0)));
  w(0, 'RIFF');
  dv.setUint32(4, 36 + samples.length * 2, true);
  w(8, 'WAVE');
  w(12, 'fmt ');
  dv.setUint32(16, 16, true);
  dv.setUint16(20, 1, true);
  dv.setUint16(22, 1, true);
  dv.setUint32(24, sampleRate, true);
  dv.setUint32(28, sampleRate * 2, true);
  dv.setUint16(32, 2, true);
  dv.setUint16(34, 16, true);
  w(36, 'data');
  dv.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) dv.setInt16(44 + i * 2, Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32767))), true);
  return out;
}
