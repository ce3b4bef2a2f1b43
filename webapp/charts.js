// Line charts as plain SVG, drawn by this page itself (no library, works offline): a title with its unit, labelled
// axes, a legend. Every label is a text node set with textContent, so no figure is ever parsed as markup.
const SVG = 'http://www.w3.org/2000/svg';
const SIZE = { width: 680, height: 210, left: 60, right: 14, top: 26, bottom: 40 };

function el(name, attributes, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

// 0, then steps of 1, 2 or 5 times a power of ten, up to at least max.
function ticks(max) {
  const top = max > 0 ? max : 1;
  const raw = top / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map(m => m * power).find(s => s >= raw);
  const values = [];
  for (let v = 0; v <= top + step * 0.999; v += step) values.push(Number(v.toPrecision(12)));
  return values;
}

function label(value) {
  if (value >= 1e6) return (value / 1e6).toFixed(value % 1e6 ? 1 : 0) + 'M';
  if (value >= 1e3) return (value / 1e3).toFixed(value % 1e3 ? 1 : 0) + 'k';
  return String(Number(value.toPrecision(3)));
}

// chart: { title, unit, window (s), series: [{ name, color, dashed, points: [[secondsAgo (<= 0), value|null]] }] }
export function drawChart(svg, chart) {
  const { width, height, left, right, top, bottom } = SIZE;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('role', 'img');
  svg.replaceChildren();

  const values = chart.series.flatMap(s => s.points.map(p => p[1])).filter(v => v !== null && Number.isFinite(v));
  const yTicks = ticks(Math.max(0, ...values));
  const yMax = yTicks[yTicks.length - 1];
  const x = t => left + plotWidth * (1 + t / chart.window);
  const y = v => top + plotHeight * (1 - v / yMax);

  svg.append(el('text', { x: left, y: 16, class: 'chart-title' }, `${chart.title} (${chart.unit})`));
  for (const v of yTicks) {
    svg.append(el('line', { x1: left, x2: width - right, y1: y(v), y2: y(v), class: 'grid' }));
    svg.append(el('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, label(v)));
  }
  for (let t = -chart.window; t <= 0; t += chart.window / 4) {
    svg.append(el('line', { x1: x(t), x2: x(t), y1: top + plotHeight, y2: top + plotHeight + 4, class: 'axis' }));
    svg.append(el('text', { x: x(t), y: top + plotHeight + 16, 'text-anchor': 'middle', class: 'tick' },
      t === 0 ? 'now' : `${t}`));
  }
  svg.append(el('line', { x1: left, x2: left, y1: top, y2: top + plotHeight, class: 'axis' }));
  svg.append(el('line', { x1: left, x2: width - right, y1: top + plotHeight, y2: top + plotHeight, class: 'axis' }));
  svg.append(el('text', { x: left + plotWidth / 2, y: height - 4, 'text-anchor': 'middle', class: 'axis-label' },
    'seconds ago'));
  svg.append(el('text', { x: 14, y: top + plotHeight / 2, 'text-anchor': 'middle', class: 'axis-label',
    transform: `rotate(-90 14 ${top + plotHeight / 2})` }, chart.unit));

  let legendX = width - right;
  for (const s of [...chart.series].reverse()) {
    const text = el('text', { x: legendX, y: 16, 'text-anchor': 'end', class: 'legend' }, s.name);
    svg.append(text);
    legendX -= text.getComputedTextLength() + 6;
    svg.append(el('line', { x1: legendX - 16, x2: legendX, y1: 12, y2: 12, stroke: s.color, 'stroke-width': 3,
      'stroke-dasharray': s.dashed ? '5 3' : 'none' }));
    legendX -= 28;
  }

  for (const s of chart.series) {
    // A gap (null: not known then) breaks the line rather than drawing it down to zero.
    let d = '';
    let pen = 'M';
    for (const [t, v] of s.points) {
      if (v === null || !Number.isFinite(v) || t < -chart.window) { pen = 'M'; continue; }
      d += `${pen}${x(t).toFixed(1)},${y(v).toFixed(1)} `;
      pen = 'L';
      // A dot per sample as well: a value between two gaps is a point, which a path alone would not show.
      svg.append(el('circle', { cx: x(t).toFixed(1), cy: y(v).toFixed(1), r: 2, fill: s.color }));
    }
    if (d) {
      svg.append(el('path', { d, fill: 'none', stroke: s.color, 'stroke-width': 2,
        'stroke-dasharray': s.dashed ? '6 4' : 'none', 'data-series': s.name }));
    }
  }
}
