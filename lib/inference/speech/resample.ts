/**
 * Streaming conversion of microphone audio (Float32, any rate: 44.1/48 kHz in browsers) to the
 * recogniser's 16 kHz int16. Downsampling averages the input over each output period (a box low-pass,
 * enough against aliasing for speech features that stop at 6.8 kHz), with the fractional position
 * carried across chunks so chunk boundaries leave no clicks or drift.
 */
export class Resampler16k {
  private readonly step: number;
  private pos = 0; // position of the next output sample, in input samples from the start of the pending chunk
  private carry = new Float32Array(0);

  constructor(readonly inputRate: number, readonly outputRate = 16000) {
    if (!(inputRate >= 8000 && inputRate <= 384000)) throw new Error(`Resampler16k: unsupported input rate ${inputRate} Hz`);
    this.step = inputRate / outputRate;
  }

  push(input: Float32Array): Int16Array {
    const x = this.carry.length ? concat(this.carry, input) : input;
    const out: number[] = [];
    const half = Math.max(0.5, this.step / 2);
    while (this.pos + half < x.length) {
      const a = Math.max(0, Math.floor(this.pos - half + 0.5));
      const b = Math.min(x.length, Math.floor(this.pos + half + 0.5));
      let s = 0;
      for (let i = a; i < b; i++) s += x[i];
      const v = b > a ? s / (b - a) : x[Math.min(x.length - 1, Math.round(this.pos))];
      out.push(Math.max(-32768, Math.min(32767, Math.round(v * 32767))));
      this.pos += this.step;
    }
    // Keep the samples the next output's window still needs.
    const keepFrom = Math.max(0, Math.floor(this.pos - half));
    this.carry = x.slice(keepFrom);
    this.pos -= keepFrom;
    return Int16Array.from(out);
  }
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const o = new Float32Array(a.length + b.length);
  o.set(a);
  o.set(b, a.length);
  return o;
}
