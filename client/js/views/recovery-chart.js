// The check-in trend, drawn as SVG in the browser: mood (1-5) and cravings
// (0-10) on one 0-100% scale, one point per day, gaps where a day was missed.
const SVG = "http://www.w3.org/2000/svg";

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  if (text !== undefined) el.textContent = text;
  return el;
}

function addDays(iso, days) {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

// series: {today, days, check_ins:[{day, mood, craving}]}; labels: {title, mood, craving}
export function trendChart(series, labels) {
  const width = 600, height = 200, pad = 28;
  const byDay = new Map(series.check_ins.map((c) => [c.day, c]));
  const first = addDays(series.today, -(series.days - 1));
  const x = (i) => pad + (series.days === 1 ? 0 : (i * (width - 2 * pad)) / (series.days - 1));
  const y = (fraction) => height - pad - fraction * (height - 2 * pad);
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": labels.title, class: "trend" });
  svg.append(s("title", {}, labels.title));
  for (const f of [0, 0.5, 1]) svg.append(s("line", { x1: pad, x2: width - pad, y1: y(f), y2: y(f), class: "grid" }));
  const lines = [["mood", (c) => (c.mood - 1) / 4, "mood-line"], ["craving", (c) => c.craving / 10, "craving-line"]];
  for (const [, value, cls] of lines) {
    let run = [];
    const flush = () => {
      if (run.length > 1) svg.append(s("polyline", { points: run.join(" "), class: cls, fill: "none" }));
      run = [];
    };
    for (let i = 0; i < series.days; i += 1) {
      const entry = byDay.get(addDays(first, i));
      if (!entry) { flush(); continue; }
      const point = `${x(i).toFixed(1)},${y(value(entry)).toFixed(1)}`;
      run.push(point);
      svg.append(s("circle", { cx: x(i).toFixed(1), cy: y(value(entry)).toFixed(1), r: 3, class: cls }));
    }
    flush();
  }
  svg.append(s("text", { x: pad, y: height - 6, class: "axis" }, first));
  svg.append(s("text", { x: width - pad, y: height - 6, class: "axis end" }, series.today));
  const legend = s("g", { class: "legend" });
  legend.append(s("rect", { x: pad, y: 6, width: 12, height: 4, class: "mood-line" }), s("text", { x: pad + 16, y: 12 }, labels.mood));
  legend.append(s("rect", { x: pad + 110, y: 6, width: 12, height: 4, class: "craving-line" }), s("text", { x: pad + 126, y: 12 }, labels.craving));
  svg.append(legend);
  return svg;
}
