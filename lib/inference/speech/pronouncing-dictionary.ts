/**
 * The CMU pronouncing dictionary (cmudict-en-us.dict from Debian's pocketsphinx-en-us): word → phone
 * strings ("lamp" → ["L AE M P"]). The recogniser is given only the entries its grammar uses, so a
 * scene's grammar loads in milliseconds however large the dictionary.
 */
export class PronouncingDictionary {
  private constructor(private readonly entries: Map<string, string[]>) {}

  /** Parses cmudict text: "word PH ON ES" lines, alternates as "word(2) ...". */
  static parse(text: string): PronouncingDictionary {
    if (typeof text !== 'string' || text.length === 0) throw new Error('PronouncingDictionary: empty dictionary text');
    const entries = new Map<string, string[]>();
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const line = text.slice(start, end).trim();
      start = end + 1;
      if (!line || line.startsWith(';;;')) continue;
      const sp = line.indexOf(' ');
      if (sp <= 0) continue;
      let word = line.slice(0, sp);
      const paren = word.indexOf('(');
      if (paren > 0) word = word.slice(0, paren);
      const phones = line.slice(sp + 1).trim().replace(/\s+/g, ' ');
      if (!phones) continue;
      const list = entries.get(word);
      if (list) list.push(phones);
      else entries.set(word, [phones]);
    }
    if (entries.size === 0) throw new Error('PronouncingDictionary: no entries parsed (is this a cmudict file?)');
    return new PronouncingDictionary(entries);
  }

  get size(): number {
    return this.entries.size;
  }

  has(word: string): boolean {
    return this.entries.has(word.toLowerCase());
  }

  pronunciations(word: string): readonly string[] {
    return this.entries.get(word.toLowerCase()) ?? [];
  }

  /** Dictionary text (cmudict format) with just these words, for the recogniser's -dict. Unknown words throw. */
  subset(words: Iterable<string>): string {
    const lines: string[] = [];
    for (const w of new Set([...words].map((x) => x.toLowerCase()))) {
      const p = this.entries.get(w);
      if (!p) throw new Error(`PronouncingDictionary: "${w}" is not in the dictionary`);
      p.forEach((ph, i) => lines.push(i === 0 ? `${w} ${ph}` : `${w}(${i + 1}) ${ph}`));
    }
    return lines.join('\n') + '\n';
  }
}
