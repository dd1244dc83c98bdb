/**
 * Hand-written SVG charts (pure): throughput and UDP loss over time, latency histograms.
 * The output is a standalone SVG document any browser opens.
 *
 * @example
 * await writeFile("run.svg", plotBench(result));
 * await writeFile("lat.svg", plotHistogram("RTT", [{ from: 10, to: 20, count: 5 }], "µs"));
 */
import type { BenchResult } from "./result.js";
import { sumUdp } from "./result.js";

export interface Series {
  name: string;
  points: { x: number; y: number }[];
}

const W = 720;
const H = 260;
const M = { l: 70, r: 20, t: 30, b: 40 };
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function fmt(v: number): string {
  if (v === 0) return "0";
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return Number(v.toPrecision(2)).toString();
}

/** One line-chart panel (a `<g>` translated to `y`). */
export function linePanel(
  title: string,
  yLabel: string,
  xLabel: string,
  series: Series[],
  y: number,
): string {
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const xMax = niceMax(Math.max(0, ...xs));
  const yMax = niceMax(Math.max(0, ...ys));
  const pw = W - M.l - M.r;
  const ph = H - M.t - M.b;
  const px = (x: number) => M.l + (x / xMax) * pw;
  const py = (v: number) => M.t + ph - (v / yMax) * ph;
  const parts: string[] = [`<g transform="translate(0,${y})">`];
  parts.push(
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
  );
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    parts.push(
      `<line x1="${M.l}" x2="${W - M.r}" y1="${py(v)}" y2="${py(v)}" stroke="#ddd"/>`,
      `<text x="${M.l - 6}" y="${py(v) + 4}" text-anchor="end" font-size="11">${fmt(v)}</text>`,
    );
    const xv = (xMax * i) / 4;
    parts.push(
      `<text x="${px(xv)}" y="${H - M.b + 16}" text-anchor="middle" font-size="11">${fmt(xv)}</text>`,
    );
  }
  parts.push(
    `<line x1="${M.l}" x2="${M.l}" y1="${M.t}" y2="${M.t + ph}" stroke="#333"/>`,
    `<line x1="${M.l}" x2="${W - M.r}" y1="${M.t + ph}" y2="${M.t + ph}" stroke="#333"/>`,
    `<text x="${W / 2}" y="${H - 6}" text-anchor="middle" font-size="12">${esc(xLabel)}</text>`,
    `<text transform="translate(16,${M.t + ph / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    const d = s.points
      .map((p, k) => `${k === 0 ? "M" : "L"}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`)
      .join(" ");
    if (s.points.length > 0) parts.push(`<path d="${d}" fill="none" stroke="${c}" stroke-width="2"/>`);
    for (const p of s.points)
      parts.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="2.5" fill="${c}"/>`);
    parts.push(
      `<rect x="${M.l + 10}" y="${M.t + 6 + i * 16}" width="10" height="10" fill="${c}"/>`,
      `<text x="${M.l + 26}" y="${M.t + 15 + i * 16}" font-size="11">${esc(s.name)}</text>`,
    );
  });
  parts.push("</g>");
  return parts.join("\n");
}

export interface Bin {
  from: number;
  to: number;
  count: number;
}

/** One histogram panel. */
export function histogramPanel(title: string, unit: string, bins: Bin[], y: number): string {
  const pw = W - M.l - M.r;
  const ph = H - M.t - M.b;
  const cMax = niceMax(Math.max(0, ...bins.map((b) => b.count)));
  const bw = bins.length > 0 ? pw / bins.length : pw;
  const parts = [`<g transform="translate(0,${y})">`];
  parts.push(
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
  );
  bins.forEach((b, i) => {
    const h = (b.count / cMax) * ph;
    parts.push(
      `<rect x="${(M.l + i * bw).toFixed(1)}" y="${(M.t + ph - h).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[0]}"><title>${fmt(b.from)}–${fmt(b.to)} ${esc(unit)}: ${b.count}</title></rect>`,
    );
    if (i % Math.max(1, Math.ceil(bins.length / 8)) === 0)
      parts.push(
        `<text x="${(M.l + i * bw).toFixed(1)}" y="${H - M.b + 16}" font-size="11">${fmt(b.from)}</text>`,
      );
  });
  for (let i = 0; i <= 4; i++) {
    const v = (cMax * i) / 4;
    const yy = M.t + ph - (v / cMax) * ph;
    parts.push(`<text x="${M.l - 6}" y="${yy + 4}" text-anchor="end" font-size="11">${fmt(v)}</text>`);
  }
  parts.push(
    `<line x1="${M.l}" x2="${W - M.r}" y1="${M.t + ph}" y2="${M.t + ph}" stroke="#333"/>`,
    `<text x="${W / 2}" y="${H - 6}" text-anchor="middle" font-size="12">${esc(unit)}</text>`,
    `<text transform="translate(16,${M.t + ph / 2}) rotate(-90)" text-anchor="middle" font-size="12">count</text>`,
    "</g>",
  );
  return parts.join("\n");
}

/** Stack panels into one SVG document. */
export function svgDocument(panels: string[]): string {
  const h = H * panels.length;
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
${panels.join("\n")}
</svg>
`;
}

/** Throughput per interval (Mbit/s) and, for UDP, loss per interval (%, iperf3 and exact). */
export function plotBench(r: BenchResult): string {
  const udp = r.params.protocol === "udp";
  const tput: Series = {
    name: `${udp ? "UDP" : "TCP"} throughput`,
    points: r.intervals.map((iv) => ({
      x: iv.end,
      y: (iv.streams.reduce((a, s) => a + s.bytes, 0) * 8) / Math.max(1e-9, iv.end - iv.start) / 1e6,
    })),
  };
  const panels = [linePanel("Throughput over time", "Mbit/s", "seconds", [tput], 0)];
  if (udp && r.intervals.some((iv) => iv.streams.some((s) => s.udp !== null))) {
    const lossIperf: Series = { name: "loss % (iperf3)", points: [] };
    const lossExact: Series = { name: "loss % (exact)", points: [] };
    for (const iv of r.intervals) {
      const u = sumUdp(iv.streams.map((s) => s.udp));
      if (u === null) continue;
      lossIperf.points.push({ x: iv.end, y: u.lostPercent });
      if (u.exact)
        lossExact.points.push({
          x: iv.end,
          y: u.exact.expected > 0 ? (100 * u.exact.lost) / u.exact.expected : 0,
        });
    }
    panels.push(linePanel("UDP loss over time", "% lost", "seconds", [lossIperf, lossExact], H));
  }
  return svgDocument(panels);
}

/** A latency histogram in its own SVG document. */
export function plotHistogram(title: string, bins: Bin[], unit: string): string {
  return svgDocument([histogramPanel(title, unit, bins, 0)]);
}
