// Small SVG charts for the report: horizontal bars and line series. No dependencies.

const esc = (s) => String(s).replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]);
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

/** Bars: [{ label, value, highlight }], one per row, with the value printed. */
export function barChart({ title, unit, bars, log = false }) {
  const width = 760;
  const row = 26;
  const left = 300;
  const height = 50 + bars.length * row;
  const max = Math.max(...bars.map((b) => b.value), 1e-9);
  const scale = (v) => (log ? (Math.log10(1 + v) / Math.log10(1 + max)) * (width - left - 90) : (v / max) * (width - left - 90));
  const rows = bars
    .map((b, i) => {
      const y = 40 + i * row;
      const w = Math.max(1, scale(b.value));
      return `<text x="${left - 8}" y="${y + 15}" text-anchor="end" font-size="12">${esc(b.label)}</text>
<rect x="${left}" y="${y + 3}" width="${w.toFixed(1)}" height="${row - 8}" fill="${b.highlight ? '#d62728' : '#1f77b4'}"/>
<text x="${left + w + 6}" y="${y + 15}" font-size="12">${esc(formatValue(b.value))} ${esc(unit)}</text>`;
    })
    .join('\n');
  return svg(
    width,
    height,
    `<text x="10" y="22" font-size="15" font-weight="bold">${esc(title)}${log ? ' (log scale)' : ''}</text>\n${rows}`,
  );
}

/** Lines: series [{ name, points: [[x, y], ...] }]. */
export function lineChart({ title, xLabel, yLabel, series, logY = false }) {
  const width = 760;
  const height = 360;
  const pad = { left: 70, right: 170, top: 40, bottom: 45 };
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const ty = (v) => (logY ? Math.log10(Math.max(v, 1e-3)) : v);
  const [y0, y1] = [Math.min(0, ...ys.map(ty)), Math.max(...ys.map(ty), 1e-9)];
  const px = (x) => pad.left + ((x - x0) / (x1 - x0 || 1)) * (width - pad.left - pad.right);
  const py = (y) => height - pad.bottom - ((ty(y) - y0) / (y1 - y0 || 1)) * (height - pad.top - pad.bottom);
  const lines = series
    .map((s, i) => {
      const d = s.points.map((p, k) => `${k ? 'L' : 'M'}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(' ');
      const color = COLORS[i % COLORS.length];
      return `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"/>
<text x="${width - pad.right + 10}" y="${pad.top + 16 * i + 10}" font-size="12" fill="${color}">${esc(s.name)}</text>`;
    })
    .join('\n');
  const axes = `<line x1="${pad.left}" y1="${height - pad.bottom}" x2="${width - pad.right}" y2="${height - pad.bottom}" stroke="#333"/>
<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${height - pad.bottom}" stroke="#333"/>
<text x="${(pad.left + width - pad.right) / 2}" y="${height - 10}" text-anchor="middle" font-size="12">${esc(xLabel)}</text>
<text x="14" y="${(pad.top + height - pad.bottom) / 2}" font-size="12" transform="rotate(-90 14 ${(pad.top + height - pad.bottom) / 2})" text-anchor="middle">${esc(yLabel)}${logY ? ' (log)' : ''}</text>
<text x="${pad.left}" y="${height - pad.bottom + 15}" font-size="10" text-anchor="middle">${esc(formatValue(x0))}</text>
<text x="${width - pad.right}" y="${height - pad.bottom + 15}" font-size="10" text-anchor="middle">${esc(formatValue(x1))}</text>
<text x="${pad.left - 5}" y="${pad.top + 4}" font-size="10" text-anchor="end">${esc(formatValue(logY ? 10 ** y1 : y1))}</text>
<text x="${pad.left - 5}" y="${height - pad.bottom}" font-size="10" text-anchor="end">${esc(formatValue(logY ? 10 ** y0 : y0))}</text>`;
  return svg(width, height, `<text x="10" y="22" font-size="15" font-weight="bold">${esc(title)}</text>\n${axes}\n${lines}`);
}

function formatValue(v) {
  if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (Math.abs(v) >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  if (Math.abs(v) >= 100) return v.toFixed(0);
  return v.toFixed(Math.abs(v) >= 10 ? 1 : 2);
}

function svg(width, height, body) {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
${body}
</svg>
`;
}
