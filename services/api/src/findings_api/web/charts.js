// Charts drawn with d3 as SVG sized to their container's width in CSS pixels, so their
// text stays readable on a phone. Every chart is an image with a text alternative.
import { GRADE_LEVEL, SHORT_GRADES, areaName, day, el, monthYear, percent, svgEl, themeLabel } from "./common.js";

const d3 = window.d3;

// Okabe and Ito's palette (distinct with any colour vision) and a shape for each series:
// a judgement is told by its shape and its colour.
export const SERIES_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
export const SERIES_SHAPES = [d3.symbolCircle, d3.symbolSquare, d3.symbolTriangle, d3.symbolDiamond,
  d3.symbolCross, d3.symbolStar, d3.symbolWye];
export const SHAPE_NAMES = ["circle", "square", "triangle", "diamond", "cross", "star", "wye"];

export function widthOf(container, fallback = 640) {
  const measured = container?.clientWidth || document.getElementById("main").clientWidth || fallback;
  return Math.max(300, Math.min(measured, 960));
}

function marker(shape, colour, hollow, size = 90) {
  return svgEl("path", { d: d3.symbol(shape, size)(), fill: hollow ? "#fff" : colour, stroke: colour,
    "stroke-width": hollow ? 2 : 1 });
}

// A key: `series` are names (taking the palette's order) or [name, shape, colour].
export function seriesKey(series) {
  const list = el("ul", { class: "legend" });
  series.forEach((one, index) => {
    const [name, shape, colour] = Array.isArray(one) ? one : [one, SERIES_SHAPES[index % 7], SERIES_COLOURS[index % 7]];
    const swatch = svgEl("svg", { width: 16, height: 16, viewBox: "-8 -8 16 16", "aria-hidden": "true" });
    swatch.append(marker(shape, colour, false, 60));
    list.append(el("li", {}, swatch, ` ${name}`));
  });
  return list;
}

// An authority's inspections and visits over time: one row per grade, each judgement its
// own marker (shape and colour), judgements of the same grade on one date side by side,
// visits without grades on their own row, each graded inspection's date written above it.
// `entries`: {date, label, report_id|null, grades: {area: grade}, official: bool}.
export function timelineChart(entries, container) {
  const figure = el("figure", { class: "chart timeline" });
  const dated = entries.filter((e) => e.date).sort((a, b) => a.date.localeCompare(b.date));
  if (!dated.length) {
    figure.append(el("p", { text: "No inspections or visits known yet." }));
    return figure;
  }
  // The latest framework's judgements first: they take the first colours and shapes.
  const areas = [...new Set([...dated].reverse().flatMap((e) => Object.keys(e.grades)))];
  // Judgements graded together never share a shape (there are more judgements over the
  // frameworks than shapes); colours follow the order, so shape and colour tell each apart.
  const shapeOf = new Map();
  for (const area of areas) {
    const together = dated.filter((e) => e.grades[area]).flatMap((e) => Object.keys(e.grades));
    const taken = new Set(together.filter((a) => shapeOf.has(a)).map((a) => shapeOf.get(a)));
    let shape = 0;
    while (taken.has(shape) && shape < 6) shape += 1;
    shapeOf.set(area, shape);
  }
  const colourOf = (area) => SERIES_COLOURS[areas.indexOf(area) % 7];
  const width = widthOf(container);
  const narrow = width < 520;
  const left = narrow ? 8 : 150, right = 24, top = 40, band = 34;
  const levels = [3, 2, 1, 0];
  const height = top + band * 5 + 30;
  const times = dated.map((e) => new Date(e.date));
  const [first, last] = d3.extent(times);
  const pad = Math.max((last - first) * 0.04, 120 * 86400e3);
  const x = d3.scaleTime().domain([new Date(+first - pad), new Date(+last + pad)]).range([left + 16, width - right]);
  const yOfLevel = (level) => top + (3 - level) * band + band / 2;
  const visitsY = top + 4 * band + band / 2;
  const svg = d3.create("svg").attr("viewBox", `0 0 ${width} ${height}`).attr("width", width)
    .attr("height", height).attr("role", "group");
  const LEVEL_NAMES = ["Inadequate", "Requires improvement", "Good", "Outstanding"];
  for (const level of levels) {
    svg.append("line").attr("x1", left).attr("x2", width - right).attr("y1", yOfLevel(level))
      .attr("y2", yOfLevel(level)).attr("class", "gridline");
    svg.append("text").attr("x", narrow ? left : left - 6).attr("y", yOfLevel(level) + (narrow ? -band / 2 + 11 : 4))
      .attr("text-anchor", narrow ? "start" : "end").attr("class", "axis-label").text(LEVEL_NAMES[level]);
  }
  svg.append("line").attr("x1", left).attr("x2", width - right).attr("y1", visitsY).attr("y2", visitsY)
    .attr("class", "gridline dashed");
  svg.append("text").attr("x", narrow ? left : left - 6).attr("y", visitsY + (narrow ? -band / 2 + 11 : 4))
    .attr("text-anchor", narrow ? "start" : "end").attr("class", "axis-label").text("Visits, not graded");
  svg.append("g").attr("transform", `translate(0,${top + band * 5})`)
    .call(d3.axisBottom(x).ticks(Math.max(2, Math.floor(width / 90))).tickFormat(d3.timeFormat("%Y")))
    .selectAll("text").attr("class", "axis-label");
  // Each judgement's grades joined in time, faintly, to follow one judgement.
  areas.forEach((area) => {
    const series = dated.filter((e) => e.grades[area]);
    if (series.length < 2) return;
    svg.append("path").attr("fill", "none").attr("stroke", colourOf(area)).attr("stroke-opacity", 0.45)
      .attr("stroke-width", 1.5)
      .attr("d", d3.line()(series.map((e) => [x(new Date(e.date)), yOfLevel(GRADE_LEVEL[e.grades[area]] ?? 1)])));
  });
  const described = [];
  let lastLabelX = -Infinity, labelRow = 0;
  for (const entry of dated) {
    const cx = x(new Date(entry.date));
    const graded = Object.keys(entry.grades);
    const target = entry.report_id ? `#/reports/${entry.report_id}` : null;
    const group = target ? svg.append("a").attr("href", target) : svg.append("g");
    if (!graded.length) {
      const text = `${entry.label}, ${day(entry.date)}${entry.official ? " (Ofsted's tables; report not stored)" : ""}`;
      group.attr("aria-label", text).attr("class", "visit");
      group.append(() => {
        const node = marker(d3.symbolTriangle, "#505a5f", entry.official, 70);
        node.setAttribute("transform", `translate(${cx},${visitsY}) rotate(180)`);
        return node;
      }).append("title").text(text);
      described.push(text);
      continue;
    }
    // Judgements of one grade on one date sit side by side, centred on the date.
    const byLevel = d3.group(graded, (area) => GRADE_LEVEL[entry.grades[area]] ?? 1);
    const parts = [];
    for (const [level, list] of byLevel) {
      list.forEach((area, i) => {
        const dx = (i - (list.length - 1) / 2) * 12;
        const node = marker(SERIES_SHAPES[shapeOf.get(area)], colourOf(area), entry.official);
        node.setAttribute("transform", `translate(${cx + dx},${yOfLevel(level)})`);
        node.setAttribute("class", "judgement");
        node.setAttribute("data-area", area);
        node.setAttribute("data-shape", SHAPE_NAMES[shapeOf.get(area)]);
        const text = `${areaName(area)}: ${SHORT_GRADES[entry.grades[area]]}`;
        node.append(svgEl("title", {}, `${text} (${entry.label}, ${day(entry.date)})`));
        group.append(() => node);
        parts.push(text);
      });
    }
    const summary = `${entry.label}, ${day(entry.date)}${entry.official ? " (Ofsted's tables)" : ""}: ${parts.join("; ")}`;
    group.attr("aria-label", summary);
    described.push(summary);
    // The date above the inspection, staggered when two would touch.
    labelRow = cx - lastLabelX < 62 ? (labelRow + 1) % 2 : 0;
    lastLabelX = cx;
    svg.append("text").attr("x", cx).attr("y", 14 + labelRow * 14).attr("text-anchor", "middle")
      .attr("class", "date-label").text(monthYear(entry.date));
  }
  svg.attr("aria-label", `Inspections and visits over time. ${described.join(". ")}`);
  figure.append(svg.node(), el("figcaption", {},
    seriesKey(areas.map((area) => [areaName(area), SERIES_SHAPES[shapeOf.get(area)], colourOf(area)])),
    el("p", { class: "meta", text: "Filled markers: reports stored here (select one to open it). Hollow: Ofsted's "
      + "published tables, report not stored. Grey triangles: visits and letters without grades. "
      + "Adequate (before 2013) and area SEND's inconsistent sit with requires improvement." })));
  return figure;
}

// Two theme profiles side by side: each theme's share of the concerns, as a dot plot of
// the themes either raises most.
export function profileChart(first, second, container, count = 12) {
  const figure = el("figure", { class: "chart profile" });
  const themes = [...new Set([...first.profile.keys(), ...second.profile.keys()])]
    .sort((a, b) => Math.max(second.profile.get(b) || 0, first.profile.get(b) || 0)
      - Math.max(second.profile.get(a) || 0, first.profile.get(a) || 0))
    .slice(0, count);
  if (!themes.length) {
    figure.append(el("p", { text: "No concerns with themes stored for these yet." }));
    return figure;
  }
  const width = widthOf(container);
  const narrow = width < 520;
  const left = narrow ? 8 : 210, right = 36, rowHeight = narrow ? 40 : 26, top = 8;
  const height = top + themes.length * rowHeight + 26;
  const most = d3.max(themes, (t) => Math.max(first.profile.get(t) || 0, second.profile.get(t) || 0)) || 0.1;
  const x = d3.scaleLinear().domain([0, most]).nice().range([left + 4, width - right]);
  const y = (i) => top + i * rowHeight + rowHeight - 8;
  const described = [];
  const svg = d3.create("svg").attr("viewBox", `0 0 ${width} ${height}`).attr("width", width).attr("height", height)
    .attr("role", "img");
  themes.forEach((theme, i) => {
    const a = first.profile.get(theme) || 0, b = second.profile.get(theme) || 0;
    svg.append("text").attr("x", narrow ? left : left - 8).attr("y", narrow ? y(i) - 14 : y(i) + 4)
      .attr("text-anchor", narrow ? "start" : "end").attr("class", "axis-label").text(themeLabel(theme));
    svg.append("line").attr("x1", x(Math.min(a, b))).attr("x2", x(Math.max(a, b))).attr("y1", y(i)).attr("y2", y(i))
      .attr("class", "gridline");
    svg.append(() => { const n = marker(SERIES_SHAPES[0], SERIES_COLOURS[0], false, 70); n.setAttribute("transform", `translate(${x(a)},${y(i)})`); return n; })
      .append("title").text(`${first.name}: ${percent(a)}`);
    svg.append(() => { const n = marker(SERIES_SHAPES[1], SERIES_COLOURS[1], false, 70); n.setAttribute("transform", `translate(${x(b)},${y(i)})`); return n; })
      .append("title").text(`${second.name}: ${percent(b)}`);
    described.push(`${themeLabel(theme)}: ${first.name} ${percent(a)}, ${second.name} ${percent(b)}`);
  });
  svg.append("g").attr("transform", `translate(0,${top + themes.length * rowHeight + 2})`)
    .call(d3.axisBottom(x).ticks(Math.max(2, Math.floor(width / 110))).tickFormat(d3.format(".0%")))
    .selectAll("text").attr("class", "axis-label");
  svg.attr("aria-label", `Share of concerns by theme. ${described.join("; ")}`);
  figure.append(svg.node(), el("figcaption", {},
    seriesKey([`${first.name} (${first.concerns} concerns)`, `${second.name} (${second.concerns} concerns)`]),
    el("p", { class: "meta", text: "Each theme's share of the concern findings (areas for development, "
      + "improvement and priority actions, and paragraphs whose tone is concern)." })));
  return figure;
}

// Lines of a share by year: `series` [{name, points: [{year, share, total}]}]; the first
// is drawn boldest.
export function trendChart(series, container, title) {
  const figure = el("figure", { class: "chart trend" });
  const points = series.flatMap((s) => s.points);
  if (!points.length) {
    figure.append(el("p", { text: "No concerns stored for these years yet." }));
    return figure;
  }
  const width = widthOf(container);
  const left = 44, right = 16, top = 12, height = 260, bottom = 28;
  const years = d3.extent(points, (p) => p.year);
  const x = d3.scaleLinear().domain(years[0] === years[1] ? [years[0] - 1, years[1] + 1] : years)
    .range([left, width - right]);
  const y = d3.scaleLinear().domain([0, d3.max(points, (p) => p.share) || 0.1]).nice().range([height - bottom, top]);
  const svg = d3.create("svg").attr("viewBox", `0 0 ${width} ${height}`).attr("width", width).attr("height", height)
    .attr("role", "img");
  svg.append("g").attr("transform", `translate(0,${height - bottom})`)
    .call(d3.axisBottom(x).ticks(Math.min(years[1] - years[0] + 1, Math.floor(width / 60))).tickFormat(d3.format("d")))
    .selectAll("text").attr("class", "axis-label");
  svg.append("g").attr("transform", `translate(${left},0)`).call(d3.axisLeft(y).ticks(5).tickFormat(d3.format(".0%")))
    .selectAll("text").attr("class", "axis-label");
  const described = [];
  series.forEach((s, index) => {
    const colour = SERIES_COLOURS[index % 7];
    const sorted = [...s.points].sort((a, b) => a.year - b.year);
    svg.append("path").attr("fill", "none").attr("stroke", colour).attr("stroke-width", index === 0 ? 3 : 2)
      .attr("d", d3.line().x((p) => x(p.year)).y((p) => y(p.share))(sorted));
    for (const p of sorted) {
      svg.append(() => { const n = marker(SERIES_SHAPES[index % 7], colour, false, 50); n.setAttribute("transform", `translate(${x(p.year)},${y(p.share)})`); return n; })
        .append("title").text(`${s.name}, ${p.year}: ${percent(p.share)} of ${p.total} concerns`);
    }
    described.push(`${s.name}: ${sorted.map((p) => `${p.year} ${percent(p.share)}`).join(", ")}`);
  });
  svg.attr("aria-label", `${title}. ${described.join("; ")}`);
  figure.append(svg.node(), el("figcaption", {}, seriesKey(series.map((s) => s.name))));
  return figure;
}
