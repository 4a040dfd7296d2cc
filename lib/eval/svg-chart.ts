/**
 * Grouped bar charts as standalone SVG text (no DOM, no dependencies), for docs/RESULTS.md.
 */

export interface BarSeries {
  name: string;
  /** One value per category (null = not measured: no bar). */
  values: (number | null)[];
  color?: string;
}

export interface BarChartOptions {
  title: string;
  categories: string[];
  series: BarSeries[];
  yLabel?: string;
  /** Axis range (default 0 .. max value rounded up). */
  yMin?: number;
  yMax?: number;
  /** Horizontal reference lines, e.g. a target. */
  references?: { value: number; label: string; color?: string }[];
  width?: number;
  height?: number;
  /** Decimals printed above bars (default 2). */
  decimals?: number;
}

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#b07aa1', '#edc948', '#9c755f'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function niceStep(range: number): number {
  const raw = range / 5;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

export function barChartSvg(o: BarChartOptions): string {
  if (!o.categories.length || !o.series.length) throw new Error('barChartSvg: need at least one category and one series');
  for (const s of o.series)
    if (s.values.length !== o.categories.length) throw new Error(`barChartSvg: series "${s.name}" has ${s.values.length} values for ${o.categories.length} categories`);
  const W = o.width ?? 720;
  const left = 56, right = 16, top = 40;
  // Legend items flow into rows below the plot; the plot keeps its height, the SVG grows.
  const itemW = (name: string) => 28 + 6.5 * name.length;
  const legendRows: { name: string; color: string; x: number }[][] = [[]];
  let lx0 = left;
  o.series.forEach((s, si) => {
    const w = itemW(s.name);
    if (lx0 + w > W - right && legendRows[legendRows.length - 1].length) {
      legendRows.push([]);
      lx0 = left;
    }
    legendRows[legendRows.length - 1].push({ name: s.name, color: s.color ?? PALETTE[si % PALETTE.length], x: lx0 });
    lx0 += w;
  });
  const bottom = 52 + 18 * legendRows.length;
  const H = (o.height ?? 360) + 18 * (legendRows.length - 1);
  const vals = o.series.flatMap((s) => s.values).filter((v): v is number => v !== null && Number.isFinite(v));
  const refs = o.references ?? [];
  const maxV = Math.max(...vals, ...refs.map((r) => r.value), 0);
  const yMin = o.yMin ?? 0;
  const step0 = niceStep((maxV - yMin) || 1);
  const yMax = o.yMax ?? Math.ceil(maxV / step0) * step0;
  const step = niceStep(yMax - yMin || 1);
  const ph = H - top - bottom, pw = W - left - right;
  const y = (v: number) => top + ph * (1 - (Math.min(Math.max(v, yMin), yMax) - yMin) / (yMax - yMin || 1));
  const dec = o.decimals ?? 2;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="11">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(o.title)}</text>`);
  for (let v = yMin; v <= yMax + 1e-9; v += step) {
    const yy = y(v).toFixed(1);
    out.push(`<line x1="${left}" x2="${W - right}" y1="${yy}" y2="${yy}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${+v.toFixed(3)}</text>`);
  }
  if (o.yLabel) out.push(`<text transform="translate(14 ${top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  const groupW = pw / o.categories.length;
  const barW = Math.min(40, (groupW * 0.8) / o.series.length);
  o.categories.forEach((cat, ci) => {
    const gx = left + ci * groupW + (groupW - barW * o.series.length) / 2;
    o.series.forEach((s, si) => {
      const v = s.values[ci];
      if (v === null || !Number.isFinite(v)) return;
      const x = gx + si * barW, yy = y(v), h = y(yMin) - yy;
      out.push(`<rect x="${x.toFixed(1)}" y="${yy.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${Math.max(0, h).toFixed(1)}" fill="${s.color ?? PALETTE[si % PALETTE.length]}"><title>${esc(`${s.name} / ${cat}: ${v}`)}</title></rect>`);
      out.push(`<text x="${(x + barW / 2 - 1).toFixed(1)}" y="${(yy - 3).toFixed(1)}" text-anchor="middle" font-size="9">${v.toFixed(dec)}</text>`);
    });
    out.push(`<text x="${(left + ci * groupW + groupW / 2).toFixed(1)}" y="${H - bottom + 16}" text-anchor="middle">${esc(cat)}</text>`);
  });
  for (const r of refs) {
    const yy = y(r.value).toFixed(1);
    out.push(`<line x1="${left}" x2="${W - right}" y1="${yy}" y2="${yy}" stroke="${r.color ?? '#d62728'}" stroke-dasharray="6 4" stroke-width="1.5"/>`);
    out.push(`<text x="${left + 4}" y="${Number(yy) - 4}" text-anchor="start" fill="${r.color ?? '#d62728'}">${esc(r.label)}</text>`);
  }
  out.push(`<line x1="${left}" x2="${W - right}" y1="${y(yMin)}" y2="${y(yMin)}" stroke="#333"/>`);
  legendRows.forEach((row, r) => {
    const ly = H - bottom + 40 + 18 * r;
    for (const it of row) {
      out.push(`<rect x="${it.x}" y="${ly - 9}" width="12" height="12" fill="${it.color}"/>`);
      out.push(`<text x="${it.x + 16}" y="${ly + 1}">${esc(it.name)}</text>`);
    }
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
