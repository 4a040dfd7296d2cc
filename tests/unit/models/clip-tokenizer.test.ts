import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../../../lib/inference/clip/clip-tokenizer';

const json = readFileSync(new URL('../../../../shared/data/clip-tokenizer/tokenizer.json', import.meta.url));

describe('ClipTokenizer', () => {
  const tok = new ClipTokenizer(json);

  it('matches the known CLIP ids', () => {
    expect([...tok.encodeRaw('a photo of a dog')]).toEqual([49406, 320, 1125, 539, 320, 1929, 49407]);
    expect([...tok.encodeRaw('a photo of a lamp')]).toEqual([49406, 320, 1125, 539, 320, 10725, 49407]);
    expect([...tok.encodeRaw('where is the lamp?')]).toEqual([49406, 1234, 533, 518, 10725, 286, 49407]);
  });

  it('pads to 77 with 0 or with the end token, per model', () => {
    const zero = tok.encode('a photo of a dog');
    expect(zero.length).toBe(77);
    expect([...zero.slice(0, 8)]).toEqual([49406, 320, 1125, 539, 320, 1929, 49407, 0]);
    expect(zero.slice(7).every((v) => v === 0)).toBe(true);
    const eot = new ClipTokenizer(json, { padId: 49407 }).encode('a photo of a dog');
    expect(eot.slice(6).every((v) => v === 49407)).toBe(true);
  });

  it('lower-cases like CLIP', () => {
    expect([...tok.encodeRaw('A PHOTO of a Dog')]).toEqual([...tok.encodeRaw('a photo of a dog')]);
  });

  it('truncates long text keeping the end token last', () => {
    const ids = tok.encode('dog '.repeat(200));
    expect(ids.length).toBe(77);
    expect(ids[0]).toBe(49406);
    expect(ids[76]).toBe(49407);
    expect(ids[75]).toBe(1929);
  });

  it('encodes batches with attention masks', () => {
    const b = tok.encodeBatch(['red', 'a photo of a dog', '']);
    expect(b.count).toBe(3);
    expect(b.ids.length).toBe(3 * 77);
    expect([...b.ids.slice(0, 3)]).toEqual([49406, 736, 49407]);
    expect([...b.attentionMask.slice(0, 4)]).toEqual([1, 1, 1, 0]);
    expect([...b.ids.slice(154, 156)]).toEqual([49406, 49407]);
    expect(b.attentionMask.slice(77, 154).reduce((a, v) => a + v, 0)).toBe(7);
  });

  it('rejects a tokenizer.json that is not CLIP BPE', () => {
    expect(() => new ClipTokenizer('{not json')).toThrow(/not valid JSON/);
    expect(() => new ClipTokenizer({ model: { type: 'WordPiece' } })).toThrow(/expected a BPE/);
    expect(() => new ClipTokenizer(json, { startId: 320 })).toThrow(/expected <\|startoftext\|>/);
  });
});
