// Home: England at a glance. A hex map of the authorities (one hexagon each, carrying its
// ONS code), coloured by a judgement's latest grade, by when the next inspection is due, or
// by a theme's share of concerns; beside it the grades by region and the latest reports.
import {
  AREA_NAMES, GRADE_COLOURS, ILACS_AREAS, NO_DATA, SHORT_GRADES, api, day, el, failure,
  field, percent, reportDate, select, show, svgEl, themeLabel, themeShares, themes,
} from "./common.js";
import { kindOf } from "./authority.js";

const d3 = window.d3;
let layout = null; // web/hexmap.json: where each authority's hexagon is

async function hexLayout() {
  layout ??= await fetch("/static/hexmap.json").then((r) => r.json());
  return layout;
}

// The grade an authority's latest ILACS inspection gave a judgement (before 2023, children
// in care and care leavers were one judgement).
export function latestGrade(authority, area) {
  const grades = authority.latest?.grades || {};
  if (grades[area]) return grades[area];
  if (area === "children_in_care" || area === "care_leavers") return grades.children_in_care_and_care_leavers || null;
  return null;
}

const DUE_BANDS = [
  ["overdue", "Overdue", "#67001f"],
  ["6", "Within 6 months", "#d6604d"],
  ["12", "In 6 to 12 months", "#fdae61"],
  ["24", "In 1 to 2 years", "#92c5de"],
  ["later", "In more than 2 years", "#2166ac"],
];

function dueBand(authority, today) {
  const next = authority.next_inspection;
  if (!next || !next.expected) return null;
  if (next.latest && next.latest < today) return "overdue";
  const months = (Date.parse(next.expected) - Date.parse(today)) / (30.44 * 86400e3);
  if (months <= 6) return "6";
  if (months <= 12) return "12";
  if (months <= 24) return "24";
  return "later";
}

const SHARE_BANDS = [[0, 0.05], [0.05, 0.1], [0.1, 0.2], [0.2, 0.3], [0.3, 1.01]];
const SHARE_COLOURS = ["#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];

// What each hexagon shows under the chosen colouring: {colour, label, band}.
async function colouring(mode, theme) {
  if (ILACS_AREAS.includes(mode)) {
    const order = ["outstanding", "good", "requires_improvement", "inadequate"];
    return {
      title: `${AREA_NAMES[mode]}: latest grade`,
      legend: order.map((g) => [g, SHORT_GRADES[g], GRADE_COLOURS[g]]),
      of: (a) => {
        const value = latestGrade(a, mode);
        return value ? { band: value, colour: GRADE_COLOURS[value], label: SHORT_GRADES[value] } : null;
      },
    };
  }
  if (mode === "next") {
    const today = new Date().toISOString().slice(0, 10);
    const labels = Object.fromEntries(DUE_BANDS.map(([band, label, colour]) => [band, { label, colour }]));
    return {
      title: "Next ILACS inspection expected",
      legend: DUE_BANDS,
      of: (a) => {
        const band = dueBand(a, today);
        return band ? { band, colour: labels[band].colour,
          label: `${labels[band].label} (expected ${day(a.next_inspection.expected)})` } : null;
      },
    };
  }
  const shares = await themeShares(theme, "la_code");
  const bandOf = (share) => SHARE_BANDS.findIndex(([low, high]) => share >= low && share < high);
  return {
    title: `${themeLabel(theme)}: share of the concerns inspectors raised`,
    legend: SHARE_BANDS.map(([low, high], index) => [String(index),
      high > 1 ? `${percent(low)} or more` : `${percent(low)} to ${percent(high)}`, SHARE_COLOURS[index]]),
    of: (a) => {
      const found = shares.get(a.la_code);
      if (!found || !found.total) return null;
      const band = bandOf(found.share);
      return { band: String(band), colour: SHARE_COLOURS[band],
        label: `${percent(found.share)} of ${found.total} concerns` };
    },
  };
}

function hexPoints(cx, cy, size) {
  return d3.range(6).map((i) => {
    const angle = (Math.PI / 180) * (60 * i - 30);
    return `${(cx + size * Math.cos(angle)).toFixed(1)},${(cy + size * Math.sin(angle)).toFixed(1)}`;
  }).join(" ");
}

function hexMap(hexes, authorities, scheme, info) {
  const size = 14;
  const width = Math.sqrt(3) * size;
  const centre = ({ col, row }) => [width * (col + 0.5 * (row & 1)) + width, 1.5 * size * row + size + 2];
  const cells = Object.entries(hexes.hexes);
  const xs = cells.map(([, h]) => centre(h)[0]);
  const ys = cells.map(([, h]) => centre(h)[1]);
  const svg = svgEl("svg", { viewBox: `0 0 ${Math.max(...xs) + width} ${Math.max(...ys) + size + 2}`,
    class: "hexmap", role: "group", "aria-label": `Map of England's ${cells.length} local authorities: ${scheme.title}` });
  const byOns = new Map(authorities.map((a) => [a.ons_code, a]));
  const describe = (a, shown) => `${a.name} (${a.region}): ${shown ? shown.label : "no data"}`
    + (a.latest ? `; last ILACS inspection ${day(a.latest.inspection_date)}` : "");
  for (const [ons, hex] of cells) {
    const authority = byOns.get(ons) || { name: hex.name, region: hex.region, la_code: hex.la_code, ons_code: ons };
    const shown = scheme.of(authority);
    const [cx, cy] = centre(hex);
    const link = svgEl("a", { href: `#/authorities/${hex.la_code}`, "aria-label": describe(authority, shown) });
    const cell = svgEl("polygon", { points: hexPoints(cx, cy, size - 0.6), fill: shown ? shown.colour : NO_DATA,
      "data-ons-code": ons, "data-la-code": hex.la_code, "data-band": shown ? shown.band : "none", class: "hex" });
    cell.append(svgEl("title", {}, describe(authority, shown)));
    link.append(cell);
    const tell = () => { info.textContent = describe(authority, shown); };
    link.addEventListener("mouseenter", tell);
    link.addEventListener("focus", tell);
    svg.append(link);
  }
  return svg;
}

function legend(scheme, authorities) {
  const counts = d3.rollup(authorities, (v) => v.length, (a) => scheme.of(a)?.band ?? "none");
  const list = el("ul", { class: "legend", "aria-label": "Key" });
  for (const [band, label, colour] of scheme.legend) {
    const swatch = svgEl("svg", { width: 16, height: 16, "aria-hidden": "true" });
    swatch.append(svgEl("rect", { width: 16, height: 16, fill: colour }));
    list.append(el("li", {}, swatch, ` ${label} (${counts.get(band) || 0})`));
  }
  const none = svgEl("svg", { width: 16, height: 16, "aria-hidden": "true" });
  none.append(svgEl("rect", { width: 16, height: 16, fill: NO_DATA }));
  list.append(el("li", {}, none, ` No data (${counts.get("none") || 0})`));
  return list;
}

// The latest grades of a judgement, region by region, as stacked bars.
export function regionBars(authorities, area) {
  const order = ["outstanding", "good", "requires_improvement", "inadequate"];
  const regions = [...new Set(authorities.map((a) => a.region))].sort();
  const rows = regions.map((region) => {
    const counts = { region };
    for (const g of order) counts[g] = 0;
    for (const a of authorities.filter((x) => x.region === region)) {
      const value = latestGrade(a, area);
      if (value in counts) counts[value] += 1;
    }
    return counts;
  });
  const figure = el("figure", { class: "chart" });
  const width = 420, left = 150, right = 30, rowHeight = 22, top = 4;
  const height = top + rows.length * rowHeight + 24;
  const most = d3.max(rows, (r) => d3.sum(order, (g) => r[g])) || 1;
  const x = d3.scaleLinear().domain([0, most]).range([left, width - right]);
  const y = d3.scaleBand().domain(regions).range([top, top + rows.length * rowHeight]).padding(0.2);
  const described = rows.map((r) => `${r.region}: ${order.map((g) => `${r[g]} ${SHORT_GRADES[g].toLowerCase()}`).join(", ")}`);
  const svg = d3.create("svg").attr("viewBox", `0 0 ${width} ${height}`).attr("role", "img")
    .attr("aria-label", `${AREA_NAMES[area]}, latest grades by region: ${described.join("; ")}`);
  const stacked = d3.stack().keys(order)(rows);
  svg.append("g").selectAll("g").data(stacked).join("g").attr("fill", (s) => GRADE_COLOURS[s.key])
    .selectAll("rect").data((s) => s.map((d) => ({ ...d, key: s.key }))).join("rect")
    .attr("x", (d) => x(d[0])).attr("y", (d) => y(d.data.region)).attr("height", y.bandwidth())
    .attr("width", (d) => x(d[1]) - x(d[0]))
    .append("title").text((d) => `${d.data.region}: ${d.data[d.key]} ${SHORT_GRADES[d.key].toLowerCase()}`);
  svg.append("g").attr("transform", `translate(${left},0)`).call(d3.axisLeft(y).tickSize(0))
    .call((g) => g.select(".domain").remove()).selectAll("text").attr("class", "axis-label");
  svg.append("g").attr("transform", `translate(0,${top + rows.length * rowHeight})`)
    .call(d3.axisBottom(x).ticks(Math.min(most, 6)).tickFormat(d3.format("d")))
    .selectAll("text").attr("class", "axis-label");
  figure.append(svg.node(), el("figcaption", { text: `Authorities by the latest grade of "${AREA_NAMES[area]}", by region` }));
  return figure;
}

export async function homePage(query) {
  const mode = query.get("colour") || "overall_effectiveness";
  const theme = query.get("theme") || "exploitation";
  try {
    const [hexes, authorities, latest, themeList] = await Promise.all([
      hexLayout(), api("/summary/authorities"), api("/reports", { limit: 8 }), themes()]);
    const scheme = await colouring(mode, theme);
    const info = el("p", { class: "map-info", id: "map-info", "aria-live": "polite",
      text: "Point at or tab to an authority to see it; select it to open it." });
    const modeSelect = select("colour", "colour", [
      ...ILACS_AREAS.map((area) => [area, AREA_NAMES[area]]),
      ["next", "Next inspection due"], ["theme", "A theme's share of concerns"]], mode);
    const themeSelect = select("theme", "theme", themeList.map((t) => [t.theme, t.label]), theme);
    const controls = el("form", { class: "controls" }, field("colour", "Colour by", modeSelect),
      mode === "theme" ? field("theme", "Theme", themeSelect) : null);
    const change = () => {
      const params = new URLSearchParams({ colour: modeSelect.value });
      if (modeSelect.value === "theme") params.set("theme", themeSelect.value);
      location.hash = `#/?${params}`;
    };
    modeSelect.addEventListener("change", change);
    themeSelect.addEventListener("change", change);
    controls.addEventListener("submit", (event) => { event.preventDefault(); change(); });
    const latestList = el("ol", { class: "latest" }, ...latest.items.map((report) => el("li", {},
      el("a", { href: `#/reports/${report.report_id}`, text: report.local_authority?.name || report.title || "Report" }),
      el("span", { class: "meta", text: ` ${kindOf(report.report_type)}, ${day(reportDate(report))}` }))));
    const area = ILACS_AREAS.includes(mode) ? mode : "overall_effectiveness";
    const graded = authorities.filter((a) => latestGrade(a, area)).length;
    show("England at a glance",
      el("h1", { text: "England at a glance" }),
      el("p", { class: "lede", text: `${authorities.length} local authorities; ${graded} with a graded ILACS inspection, `
        + "from Ofsted's published tables or a newer report dropped here." }),
      el("div", { class: "home" },
        el("section", { class: "map", "aria-labelledby": "map-title" },
          el("h2", { id: "map-title", text: scheme.title }), controls,
          hexMap(hexes, authorities, scheme, info), info, legend(scheme, authorities)),
        el("div", { class: "side" },
          el("section", { "aria-labelledby": "regions-title" },
            el("h2", { id: "regions-title", text: "By region" }), regionBars(authorities, area)),
          el("section", { "aria-labelledby": "latest-title" },
            el("h2", { id: "latest-title", text: "Latest reports" }), latestList,
            el("p", {}, el("a", { href: "#/search", text: "Search every finding" }))))));
  } catch (error) {
    show("England at a glance", el("h1", { text: "England at a glance" }), failure(error));
  }
}

