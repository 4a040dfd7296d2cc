/**
 * The recogniser's plain-TS parts on synthetic input: the pronouncing dictionary, the scene question
 * grammar (synonyms, plurals, words the dictionary lacks), the voice detector (start, stop on silence,
 * steady noise is not speech, the level meter), streaming resampling and WAV reading.
 */
import { describe, expect, it } from 'vitest';
import { PronouncingDictionary } from '../../../lib/inference/speech/pronouncing-dictionary';
import { buildQuestionGrammar, objectPhrases, pluralPhrase, spokenForm } from '../../../lib/inference/speech/question-grammar';
import { Resampler16k } from '../../../lib/inference/speech/resample';
import { VoiceActivity } from '../../../lib/inference/speech/voice-activity';
import { decodeWav, encodeWav16 } from '../../../lib/inference/speech/wav';

const DICT_TEXT = `;;; test dictionary
lamp L AE M P
lamps L AE M P S
light L AY T
lights L AY T S
couch K AW CH
sofa S OW F AH
sofas S OW F AH Z
shelf SH EH L F
shelves SH EH L V Z
where W EH R
where(2) HH W EH R
is IH Z
are AA R
can K AE N
i AY
find F AY N D
me M IY
show SH OW
highlight HH AY L AY T
locate L OW K EY T
point P OY N T
to T UW
look L UH K
for F AO R
there DH EH R
which W IH CH
what W AH T
the DH AH
a AH
an AE N
my M AY
all AO L
of AH V
any EH N IY
some S AH M
every EH V ER IY
please P L IY Z
in IH N
room R UW M
this DH IH S
floor F L AO R
`;

describe('PronouncingDictionary', () => {
  const d = PronouncingDictionary.parse(DICT_TEXT);
  it('parses cmudict lines with alternates, and writes a subset for the recogniser', () => {
    expect(d.pronunciations('where')).toEqual(['W EH R', 'HH W EH R']);
    expect(d.has('LAMP')).toBe(true);
    expect(d.subset(['where', 'lamp'])).toBe('where W EH R\nwhere(2) HH W EH R\nlamp L AE M P\n');
    expect(() => d.subset(['kettle'])).toThrow(/"kettle" is not in the dictionary/);
    expect(() => PronouncingDictionary.parse('')).toThrow(/empty/);
    expect(() => PronouncingDictionary.parse(';;; only comments\n')).toThrow(/no entries/);
  });
});

describe('question grammar', () => {
  const d = PronouncingDictionary.parse(DICT_TEXT);
  it('spoken forms and plurals', () => {
    expect(spokenForm('WALL_ART')).toBe('wall art');
    expect(spokenForm(' Post-it! ')).toBe('post it');
    expect(pluralPhrase('lamp', d)).toBe('lamps');
    expect(pluralPhrase('shelf', d)).toBe('shelves');
    expect(pluralPhrase('couch', d)).toBeNull();
  });

  it("scene labels bring their synonyms (the answer path matches them), room labels theirs; the vocabulary only when asked", () => {
    const p = objectPhrases({ sceneLabels: ['COUCH'], roomLabels: ['LAMP'], vocabulary: false });
    expect(p.scene).toEqual(expect.arrayContaining(['couch', 'sofa', 'lamp', 'light']));
    expect(p.general).toEqual([]);
    const all = objectPhrases({ sceneLabels: ['COUCH'] });
    expect(all.general.length).toBeGreaterThan(300);
    expect(all.general).not.toContain('couch');
  });

  it('JSGF with carriers, determiners and the scene phrases (weighted over the vocabulary); missing words are skipped and reported', () => {
    const g = buildQuestionGrammar({ sceneLabels: ['lamp', 'couch'], vocabulary: false }, d);
    expect(g.jsgf).toMatch(/^#JSGF V1\.0;/);
    expect(g.jsgf).toMatch(/public <question> = \[<carrier>\] \[<det>\] <object> \[<tail>\];/);
    expect(g.phrases).toEqual(expect.arrayContaining(['lamp', 'lamps', 'couch', 'sofa', 'sofas', 'light']));
    expect(g.jsgf).toContain('/4/ lamp');
    // "settee", "table lamp", ... have words this dictionary lacks; "floor lamp" it can say.
    expect(g.skipped.map((s) => s.phrase)).toEqual(expect.arrayContaining(['settee', 'table lamp']));
    expect(g.skipped.find((s) => s.phrase === 'table lamp')!.missing).toEqual(['table']);
    expect(g.phrases).toContain('floor lamp');
  });

  it('fails clearly when nothing can be spoken', () => {
    expect(() => buildQuestionGrammar({ sceneLabels: ['zzyzx'], vocabulary: false }, d)).toThrow(/no object phrase can be spoken/);
    const noCarrier = PronouncingDictionary.parse('lamp L AE M P\n');
    expect(() => buildQuestionGrammar({ sceneLabels: ['lamp'], vocabulary: false }, noCarrier)).toThrow(/lacks the question word "where"/);
  });
});

/** 16 kHz int16 of [seconds, amplitude] segments: amplitude 0 is near-silence (a -70 dBFS hiss). */
function signal(segments: [number, number][], seed = 1): Int16Array {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 2 - 1;
  const out: number[] = [];
  let t = 0;
  for (const [sec, amp] of segments)
    for (let i = 0; i < sec * 16000; i++, t++) {
      // Speech-like: a 180 Hz buzz with a 4 Hz syllable envelope.
      const v = amp > 0 ? amp * Math.sin((2 * Math.PI * 180 * t) / 16000) * (0.6 + 0.4 * Math.sin((2 * Math.PI * 4 * t) / 16000)) : 0;
      out.push(Math.round((v + rnd() * 0.0003) * 32767));
    }
  return Int16Array.from(out);
}

describe('VoiceActivity', () => {
  it('finds the speech and stops after the hangover of silence', () => {
    const v = new VoiceActivity({ hangoverMs: 500 });
    const x = signal([[0.5, 0], [1.0, 0.3], [1.5, 0]]);
    let levelInSpeech = 0;
    let state = v.state;
    for (let i = 0; i < x.length && state !== 'ended'; i += 320) {
      const f = v.push(x.subarray(i, i + 320));
      state = f.state;
      if (i > 16000 * 0.8 && i < 16000 * 1.3) levelInSpeech = Math.max(levelInSpeech, f.level);
    }
    expect(state).toBe('ended');
    expect(v.speechStart / 16000).toBeGreaterThan(0.45);
    expect(v.speechStart / 16000).toBeLessThan(0.6);
    expect(v.speechEnd / 16000).toBeGreaterThan(1.4);
    expect(v.speechEnd / 16000).toBeLessThan(1.55);
    expect(levelInSpeech).toBeGreaterThan(0.5);
  });

  it('steady noise is not speech (the floor follows it); speech over it is', () => {
    const noise = (sec: number, amp: number, seed: number) => {
      let s = seed;
      return Int16Array.from({ length: sec * 16000 }, () => Math.round((((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 2 - 1) * amp * 32767));
    };
    const v = new VoiceActivity({ noSpeechTimeoutMs: 3000 });
    const f = v.push(noise(3.2, 0.02, 7));
    expect(f.state).toBe('timeout');
    expect(v.speechStart).toBe(-1);
    // Capture that opens with digital zeros, then the room's noise: still no speech.
    const z = new VoiceActivity({ noSpeechTimeoutMs: 3000 });
    z.push(new Int16Array(1600));
    expect(z.push(noise(3, 0.02, 5)).state).toBe('timeout');
    const w = new VoiceActivity();
    const n = noise(2, 0.02, 9);
    const sp = signal([[0.8, 0.4]]);
    for (let i = 0; i < sp.length; i++) n[16000 + i] = Math.max(-32768, Math.min(32767, n[16000 + i] + sp[i]));
    w.push(n);
    expect(w.speechStart / 16000).toBeGreaterThan(0.95);
    expect(w.speechStart / 16000).toBeLessThan(1.1);
  });
});

describe('Resampler16k and WAV', () => {
  it('chunked equals whole, and a 1 kHz tone at 48 kHz is 1 kHz at 16 kHz', () => {
    const x = Float32Array.from({ length: 48000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 48000));
    const whole = new Resampler16k(48000).push(x);
    const r = new Resampler16k(48000);
    const parts: number[] = [];
    for (let i = 0; i < x.length; i += 441) parts.push(...r.push(x.subarray(i, i + 441)));
    expect(parts.length).toBe(whole.length);
    expect(Math.max(...parts.map((v, i) => Math.abs(v - whole[i])))).toBe(0);
    let crossings = 0;
    for (let i = 1; i < whole.length; i++) if (whole[i - 1] < 0 && whole[i] >= 0) crossings++;
    expect(crossings).toBeGreaterThanOrEqual(998);
    expect(crossings).toBeLessThanOrEqual(1001);
    expect(() => new Resampler16k(1000)).toThrow(/unsupported input rate/);
  });

  it('WAV round trip; bad files are named', () => {
    const x = Float32Array.from({ length: 800 }, (_, i) => Math.sin(i / 10) * 0.5);
    const a = decodeWav(encodeWav16(x, 22050));
    expect(a.sampleRate).toBe(22050);
    expect(a.samples.length).toBe(800);
    expect(Math.max(...a.samples.map((v, i) => Math.abs(v - x[i])))).toBeLessThan(1e-4);
    expect(() => decodeWav(new Uint8Array(40), 'x.wav')).toThrow(/x.wav: not a RIFF\/WAVE file/);
    const b = encodeWav16(x, 16000);
    b[20] = 2; // format 2 (ADPCM)
    expect(() => decodeWav(b, 'adpcm.wav')).toThrow(/unsupported WAV encoding \(format 2/);
  });
});
