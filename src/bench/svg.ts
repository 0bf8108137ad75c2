/** A small log-log SVG chart writer for the bench's HTML report (no chart library: strings of SVG). */

export interface SeriesPoint {
  readonly x: number;
  readonly y: number;
  readonly lo?: number;
  readonly hi?: number;
}

export interface Series {
  readonly name: string;
  readonly color: string;
  readonly points: readonly SeriesPoint[];
  /** Draw points (markers with p10–p90 bars) and/or a line through `line`. */
  readonly line?: readonly SeriesPoint[];
  readonly dashed?: boolean;
  readonly markers?: boolean;
}

export interface Marker {
  readonly x: number;
  readonly label: string;
  readonly color: string;
}

export interface ChartSpec {
  readonly title: string;
  readonly subtitle?: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly markers?: readonly Marker[];
  readonly hline?: { readonly y: number; readonly label: string };
  /** x tick labels as powers of two (sizes) or of ten. @default 2 */
  readonly xBase?: 2 | 10;
  readonly width?: number;
  readonly height?: number;
  /** Extra SVG drawn inside the plot, given the scale functions. */
  readonly extra?: (sx: (x: number) => number, sy: (y: number) => number) => string;
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmtTick(v: number, base: 2 | 10): string {
  if (base === 2) return `2^${Math.round(Math.log2(v))}`;
  const e = Math.round(Math.log10(v));
  if (e >= 0 && e <= 4) return String(10 ** e);
  if (e < 0 && e >= -3) return (10 ** e).toFixed(-e);
  return `1e${e}`;
}

/**
 * A log-log chart as an SVG string: axes with ticks and grid, one coloured series per contender (markers
 * with p10–p90 bars, fitted lines dashed), vertical markers (crossovers) and a legend.
 *
 * @example
 * ```ts
 * const svg = logLogChart({ title: 'sum', xLabel: 'n', yLabel: 'ms', series: [{ name: 'cpu', color: '#06c', points: [{ x: 1024, y: 0.01 }] }] });
 * ```
 */
export function logLogChart(spec: ChartSpec): string {
  const W = spec.width ?? 640;
  const H = spec.height ?? 400;
  const m = { l: 70, r: 16, t: spec.subtitle !== undefined ? 52 : 36, b: 46 };
  const legendH = 18 * Math.ceil((spec.series.length + (spec.markers?.length ? 1 : 0)) / 3) + 6;
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b - legendH;
  const all = spec.series.flatMap((s) => [...s.points, ...(s.line ?? [])]);
  const xs = all.map((p) => p.x).filter((v) => v > 0 && Number.isFinite(v));
  const ys = all.flatMap((p) => [p.y, p.lo ?? p.y, p.hi ?? p.y]).filter((v) => v > 0 && Number.isFinite(v));
  if (spec.hline !== undefined) ys.push(spec.hline.y);
  const xBase = spec.xBase ?? 2;
  const lx = (v: number): number => Math.log(v) / Math.log(xBase);
  let x0 = Math.floor(lx(Math.min(...xs, 2 ** 10)));
  let x1 = Math.ceil(lx(Math.max(...xs, 2 ** 11)));
  if (x1 <= x0) x1 = x0 + 1;
  let y0 = Math.floor(Math.log10(Math.min(...ys, 1)));
  let y1 = Math.ceil(Math.log10(Math.max(...ys, 1e-3)));
  if (!Number.isFinite(y0) || !Number.isFinite(y1)) [y0, y1] = [-3, 3];
  if (y1 <= y0) y1 = y0 + 1;
  if (!Number.isFinite(x0)) [x0, x1] = [10, 24];
  const sx = (x: number): number => m.l + ((lx(x) - x0) / (x1 - x0)) * pw;
  const sy = (y: number): number => m.t + ph - ((Math.log10(y) - y0) / (y1 - y0)) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${esc(spec.title)}</text>`);
  if (spec.subtitle !== undefined) out.push(`<text x="${W / 2}" y="36" text-anchor="middle" font-size="11" fill="#a40">${esc(spec.subtitle)}</text>`);
  // grid and ticks
  const xStep = x1 - x0 > 10 ? 2 : 1;
  for (let e = x0; e <= x1; e += xStep) {
    const x = sx(xBase ** e);
    out.push(`<line x1="${x}" y1="${m.t}" x2="${x}" y2="${m.t + ph}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${x}" y="${m.t + ph + 16}" text-anchor="middle">${fmtTick(xBase ** e, xBase)}</text>`);
  }
  for (let e = y0; e <= y1; e++) {
    const y = sy(10 ** e);
    out.push(`<line x1="${m.l}" y1="${y}" x2="${m.l + pw}" y2="${y}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${m.l - 6}" y="${y + 4}" text-anchor="end">${fmtTick(10 ** e, 10)}</text>`);
  }
  out.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>`);
  out.push(`<text x="${m.l + pw / 2}" y="${m.t + ph + 34}" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`);
  const clip = `clip${Math.random().toString(36).slice(2, 8)}`;
  out.push(`<clipPath id="${clip}"><rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}"/></clipPath><g clip-path="url(#${clip})">`);
  if (spec.hline !== undefined) {
    const y = sy(spec.hline.y);
    out.push(`<line x1="${m.l}" y1="${y}" x2="${m.l + pw}" y2="${y}" stroke="#000" stroke-width="1.2"/>`);
    out.push(`<text x="${m.l + 4}" y="${y - 4}" font-size="11">${esc(spec.hline.label)}</text>`);
  }
  for (const mk of spec.markers ?? []) {
    const x = sx(mk.x);
    out.push(`<line x1="${x}" y1="${m.t}" x2="${x}" y2="${m.t + ph}" stroke="${mk.color}" stroke-dasharray="2 3" stroke-width="1.5"/>`);
  }
  if (spec.extra !== undefined) out.push(spec.extra(sx, sy));
  for (const s of spec.series) {
    if (s.line !== undefined && s.line.length > 1) {
      const d = s.line.filter((p) => p.y > 0).map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.6"${s.dashed === true ? ' stroke-dasharray="6 4"' : ''}/>`);
    }
    if (s.markers !== false) {
      for (const p of s.points) {
        if (!(p.y > 0)) continue;
        const x = sx(p.x);
        if (p.lo !== undefined && p.hi !== undefined && p.lo > 0) out.push(`<line x1="${x}" y1="${sy(p.lo)}" x2="${x}" y2="${sy(p.hi)}" stroke="${s.color}" stroke-width="1.5"/>`);
        out.push(`<circle cx="${x}" cy="${sy(p.y)}" r="3.5" fill="${s.color}"/>`);
      }
    }
  }
  out.push('</g>');
  for (const mk of spec.markers ?? []) {
    const x = sx(mk.x);
    if (x >= m.l && x <= m.l + pw) out.push(`<text x="${x + 3}" y="${m.t + 12}" font-size="10" fill="${mk.color}">${esc(mk.label)}</text>`);
  }
  // legend
  const ly = m.t + ph + 46;
  const items = [...spec.series.map((s) => ({ name: s.name, color: s.color, dashed: s.dashed === true }))];
  if (spec.markers?.length) items.push({ name: 'dotted: crossover (fit)', color: '#666', dashed: true });
  items.forEach((it, i) => {
    const col = i % 3;
    const row = Math.floor(i / 3);
    const x = m.l + col * (pw / 3);
    const y = ly + row * 18;
    out.push(`<line x1="${x}" y1="${y - 4}" x2="${x + 22}" y2="${y - 4}" stroke="${it.color}" stroke-width="3"${it.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    out.push(`<text x="${x + 28}" y="${y}">${esc(it.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
