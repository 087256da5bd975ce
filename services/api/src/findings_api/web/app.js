// Findings web page: plain JavaScript over the JSON API, no build step.
// Everything from the API is put in the page as text, except search snippets, which the
// API sends as safe HTML (the finding's text escaped, matches wrapped in <mark>).
"use strict";

const main = document.getElementById("main");
const GRADES = {
  outstanding: "Outstanding", good: "Good", requires_improvement: "Requires improvement",
  adequate: "Adequate", inadequate: "Inadequate", positive: "Positive",
  inconsistent: "Inconsistent", systemic_failings: "Systemic failings",
};
// Higher is better; the chart's vertical axis.
const GRADE_LEVEL = { inadequate: 0, systemic_failings: 0, adequate: 1, requires_improvement: 1,
  inconsistent: 1, good: 2, positive: 2, outstanding: 3 };
const words = (value) => (value || "").replaceAll("_", " ");

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

// The API answered 401: reading needs a key (FINDINGS_API_READ_KEYS), or the key given
// was not one of its own.
class KeyNeeded extends Error {}

const storedKey = () => sessionStorage.getItem("findings-key");

async function api(path, params = {}) {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(params)) {
    if (value) url.searchParams.set(name, value);
  }
  const response = await fetch(url, { headers: keyHeader() });
  if (!response.ok) throw await problem(response);
  return response.json();
}

function keyHeader() {
  const key = storedKey();
  return key ? { "X-API-Key": key } : {};
}

async function problem(response) {
  const body = await response.json().catch(() => ({}));
  const detail = typeof body.detail === "string" ? body.detail
    : (body.detail || []).map((d) => d.msg).join("; ");
  const message = detail || `${response.status} ${response.statusText}`;
  return response.status === 401 ? new KeyNeeded(message) : new Error(message);
}

// A link to a file of the API (an export, an original report) that carries the key when
// one is kept: fetched, then saved from memory.
function fileLink(path, text) {
  const link = el("a", { href: path, text });
  link.addEventListener("click", async (event) => {
    if (!storedKey()) return; // reading is open: a plain link
    event.preventDefault();
    try {
      const response = await fetch(path, { headers: keyHeader() });
      if (!response.ok) throw await problem(response);
      const name = /filename="?([^";]+)"?/.exec(response.headers.get("content-disposition") || "");
      const url = URL.createObjectURL(await response.blob());
      const save = el("a", { href: url, download: name ? name[1] : "" });
      document.body.append(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (error) {
      link.after(failure(error));
    }
  });
  return link;
}

// Asks for a key, keeps it for this browser session (sessionStorage), and shows the page.
function keyForm(message) {
  const input = el("input", { id: "api-key", name: "key", type: "password", autocomplete: "off",
    required: "" });
  const form = el("form", { class: "key" },
    el("p", { role: "alert", text: storedKey()
      ? `The key was not accepted: ${message}` : "This Findings needs a key to read." }),
    el("label", { for: "api-key", text: "API key" }), input,
    el("button", { type: "submit", text: "Use this key" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem("findings-key", input.value.trim());
    route();
  });
  setTimeout(() => input.focus(), 0);
  return form;
}

function show(title, ...content) {
  document.title = `${title} · Findings`;
  main.replaceChildren(...content);
  main.focus();
}

function failure(error) {
  if (error instanceof KeyNeeded) return keyForm(error.message);
  return el("p", { class: "error", role: "alert", text: error.message });
}

function grade(value) {
  return el("span", { class: `grade ${value}`, text: GRADES[value] || words(value) });
}

function reportDate(report) {
  return report.published || report.inspection_end || report.report_date || "";
}

// --- Search -----------------------------------------------------------------------------

async function searchPage(query) {
  const form = el("form", { class: "search", role: "search" },
    el("div", {}, el("label", { for: "q", text: "Search findings" }),
      el("input", { id: "q", name: "q", type: "search", value: query.get("q") || "",
        placeholder: "e.g. \"domestic abuse\" or care leavers housing" })),
    el("div", {}, el("label", { for: "authority", text: "Local authority" }),
      el("input", { id: "authority", name: "authority", value: query.get("authority") || "",
        placeholder: "e.g. Salford" })),
    el("div", {}, el("label", { for: "category", text: "Kind of finding" }),
      categorySelect(query.get("category") || "")),
    el("div", {}, el("label", { for: "grade", text: "Judged" }), gradeSelect(query.get("grade") || "")),
    el("button", { type: "submit", text: "Search" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (value) params.set(name, value);
    location.hash = `#/?${params}`;
  });
  const results = el("ol", { class: "results", "aria-live": "polite", id: "results" });
  const status = el("p", { class: "meta", id: "result-count" });
  show("Search", el("h2", { text: "Search findings" }), form, status, results);
  const params = Object.fromEntries(query);
  await loadResults(params, results, status, null);
}

function categorySelect(chosen) {
  const select = el("select", { id: "category", name: "category" }, el("option", { value: "", text: "Any" }));
  for (const value of ["strength", "area_for_development", "improvement", "priority_action",
    "meets_requirements", "evidence"]) {
    const option = el("option", { value, text: words(value) });
    if (value === chosen) option.selected = true;
    select.append(option);
  }
  return select;
}

function gradeSelect(chosen) {
  const select = el("select", { id: "grade", name: "grade" }, el("option", { value: "", text: "Any grade" }));
  for (const value of ["outstanding", "good", "requires_improvement", "inadequate"]) {
    const option = el("option", { value, text: GRADES[value] });
    if (value === chosen) option.selected = true;
    select.append(option);
  }
  return select;
}

async function loadResults(params, list, status, cursor) {
  try {
    const page = await api("/findings", { ...params, limit: 25, cursor });
    for (const finding of page.items) list.append(resultItem(finding));
    status.textContent = list.children.length
      ? `${list.children.length} finding${list.children.length === 1 ? "" : "s"} shown`
      : "No findings match.";
    list.parentElement.querySelector("button.more")?.remove();
    if (page.next_cursor) {
      const more = el("button", { class: "more", type: "button", text: "More findings" });
      more.addEventListener("click", () => loadResults(params, list, status, page.next_cursor));
      list.after(more);
    }
  } catch (error) {
    status.replaceChildren(failure(error));
  }
}

function resultItem(finding) {
  const text = el("p", { class: "finding" });
  if (finding.snippet) text.innerHTML = finding.snippet; // safe: escaped by the API
  else text.textContent = finding.text;
  return el("li", {}, text,
    el("p", { class: "meta" },
      el("span", { class: "tag", text: words(finding.category) }),
      el("a", { href: `#/authorities/${finding.la_code}`, text: finding.local_authority_name || "Unknown authority" }),
      " · ",
      el("a", { href: `#/reports/${finding.report_id}`, text: `${words(finding.report_type)} ${finding.published || finding.inspection_start || ""}` }),
      finding.section ? ` · ${finding.section}` : ""));
}

// --- One report ---------------------------------------------------------------------------

async function reportPage(reportId) {
  try {
    const report = await api(`/reports/${reportId}`);
    const authority = report.local_authority;
    const heading = el("h2", { text: report.title || words(report.report_type) });
    const facts = el("p", { class: "meta" },
      authority ? el("a", { href: `#/authorities/${authority.la_code}`, text: authority.name }) : "Unknown authority",
      ` · ${words(report.report_type)} · inspected ${report.inspection_start || "?"} to ${report.inspection_end || "?"}`,
      report.published ? ` · published ${report.published}` : "",
      report.lead_inspector ? ` · lead inspector ${report.lead_inspector}` : "",
      " · ", fileLink(report.file_url, "the original file"));
    const judgements = el("table", {}, el("caption", { text: "Judgements" }),
      el("tr", {}, el("th", { scope: "col", text: "Judgement" }), el("th", { scope: "col", text: "Grade" })));
    for (const judgement of report.judgements) {
      judgements.append(el("tr", {}, el("td", { text: judgement.label }), el("td", {}, grade(judgement.grade))));
    }
    const sections = el("section", { class: "findings", "aria-label": "Findings by section" });
    let current = null;
    for (const finding of report.findings) {
      if (finding.section !== current) {
        current = finding.section;
        sections.append(el("h3", { text: current || "Findings" }));
      }
      sections.append(el("p", {},
        finding.paragraph ? el("strong", { text: `${finding.paragraph}. ` }) : "",
        el("span", { class: "tag", text: words(finding.category) }), finding.text));
    }
    show(heading.textContent, heading, facts,
      report.judgements.length ? judgements : el("p", { text: "This report carries no graded judgements." }),
      el("p", { class: "meta", text: `${report.findings.length} findings` }), sections);
  } catch (error) {
    show("Report", el("h2", { text: "Report" }), failure(error));
  }
}

// --- One authority ----------------------------------------------------------------------

async function authorityPage(laCode) {
  try {
    const authority = await api(`/local-authorities/${laCode}`);
    const reports = el("table", {}, el("caption", { text: "Inspections and visits" }),
      el("tr", {}, ...["Date", "Report", "Overall effectiveness", "Findings"].map((text) => el("th", { scope: "col", text }))));
    for (const report of [...authority.reports].reverse()) {
      const overall = report.grades.overall_effectiveness;
      reports.append(el("tr", {},
        el("td", { text: reportDate(report) }),
        el("td", {}, el("a", { href: `#/reports/${report.report_id}`, text: words(report.report_type) })),
        el("td", {}, overall ? grade(overall) : "–"),
        el("td", { text: String(report.finding_count) })));
    }
    const neighbours = el("table", {}, el("caption", { text: "Statistical neighbours: latest grades" }),
      el("tr", {}, ...["Authority", "Latest graded report", "Overall effectiveness"].map((text) => el("th", { scope: "col", text }))));
    for (const neighbour of authority.neighbours) {
      const overall = neighbour.grades.overall_effectiveness;
      neighbours.append(el("tr", {},
        el("td", {}, el("a", { href: `#/authorities/${neighbour.la_code}`, text: neighbour.name })),
        el("td", {}, neighbour.report_id
          ? el("a", { href: `#/reports/${neighbour.report_id}`, text: `${words(neighbour.report_type)} ${neighbour.report_date}` })
          : "none stored"),
        el("td", {}, overall ? grade(overall) : "–")));
    }
    show(authority.name,
      el("h2", { text: authority.name }),
      el("p", { class: "meta", text: `${authority.la_type} · ${authority.region} · DfE ${authority.la_code} · ONS ${authority.ons_code}` }),
      el("h3", { text: "Grades over time" }),
      gradeChart(authority.grade_history),
      reports, neighbours,
      el("p", {}, el("a", { href: `#/?authority=${encodeURIComponent(authority.name)}`, text: `Search ${authority.name}'s findings` })));
  } catch (error) {
    show("Local authority", el("h2", { text: "Local authority" }), failure(error));
  }
}

function gradeChart(history) {
  const areas = Object.keys(history);
  const figure = el("figure", { class: "chart" });
  if (!areas.length) {
    figure.append(el("p", { text: "No graded judgements stored yet." }));
    return figure;
  }
  const points = areas.flatMap((area) => history[area].map((p) => ({ area, ...p, time: Date.parse(p.report_date) })));
  const times = points.map((p) => p.time).filter(Number.isFinite);
  const [first, last] = [Math.min(...times), Math.max(...times)];
  const width = 640, height = 220, left = 200, right = 20, top = 10, bottom = 30;
  const x = (time) => left + (last === first ? (width - left - right) / 2 : ((time - first) / (last - first)) * (width - left - right));
  const y = (level) => top + (3 - level) * ((height - top - bottom) / 3);
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("role", "img");
  const shape = (tag, attributes, text) => {
    const node = document.createElementNS(ns, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    if (text) node.textContent = text;
    svg.append(node);
    return node;
  };
  ["Inadequate", "Requires improvement / adequate", "Good", "Outstanding"].forEach((label, level) => {
    shape("line", { x1: left, x2: width - right, y1: y(level), y2: y(level), stroke: "#ddd" });
    shape("text", { x: 4, y: y(level) + 4 }, label);
  });
  // The same colours as .series-N in style.css (the legend's: no inline style under the CSP).
  const colours = ["#1d4f91", "#00703c", "#b35c00", "#6f2c91", "#a4141b", "#505a5f"];
  const described = [];
  areas.forEach((area, index) => {
    const series = points.filter((p) => p.area === area && Number.isFinite(p.time)).sort((a, b) => a.time - b.time);
    const colour = colours[index % colours.length];
    shape("polyline", { fill: "none", stroke: colour, "stroke-width": 2,
      points: series.map((p) => `${x(p.time)},${y(GRADE_LEVEL[p.grade] ?? 1)}`).join(" ") });
    for (const p of series) {
      const dot = shape("circle", { cx: x(p.time), cy: y(GRADE_LEVEL[p.grade] ?? 1), r: 4, fill: colour });
      const tooltip = document.createElementNS(ns, "title");
      tooltip.textContent = `${words(area)}: ${GRADES[p.grade]} (${p.report_date})`;
      dot.append(tooltip);
      described.push(`${words(area)} ${GRADES[p.grade]} on ${p.report_date}`);
    }
  });
  for (const time of [first, last]) {
    shape("text", { x: x(time) - 30, y: height - 8 }, new Date(time).toISOString().slice(0, 10));
  }
  svg.setAttribute("aria-label", `Grades over time: ${described.join("; ")}`);
  const legend = el("figcaption", {}, ...areas.map((area, index) =>
    el("span", { class: `tag series-${index % colours.length}`, text: words(area) })));
  figure.append(svg, legend);
  return figure;
}

// --- National summary -------------------------------------------------------------------

async function summaryPage() {
  try {
    const summary = await api("/summary/national");
    const table = el("table", {}, el("caption", { text: `Latest grades of ${summary.authorities} authorities` }),
      el("tr", {}, el("th", { scope: "col", text: "Judgement" }),
        ...Object.keys(GRADES).slice(0, 5).map((g) => el("th", { scope: "col", text: GRADES[g] }))));
    for (const [area, counts] of Object.entries(summary.distribution)) {
      table.append(el("tr", {}, el("td", { text: words(area) }),
        ...Object.keys(GRADES).slice(0, 5).map((g) => el("td", { text: String(counts[g] || 0) }))));
    }
    show("National summary", el("h2", { text: "National summary" }), table,
      el("p", {}, fileLink("/summary/national?format=xlsx", "Download every authority's latest grades (Excel)")));
  } catch (error) {
    show("National summary", el("h2", { text: "National summary" }), failure(error));
  }
}

// --- Routing ------------------------------------------------------------------------------

function route() {
  const [path, search] = location.hash.replace(/^#/, "").split("?");
  const query = new URLSearchParams(search || "");
  let match;
  if ((match = path.match(/^\/reports\/([0-9a-f]{64})$/))) return reportPage(match[1]);
  if ((match = path.match(/^\/authorities\/(\d{3})$/))) return authorityPage(match[1]);
  if (path === "/summary") return summaryPage();
  return searchPage(query);
}

window.addEventListener("hashchange", route);
route();
