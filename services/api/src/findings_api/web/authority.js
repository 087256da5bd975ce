// An authority at a glance: its inspections and visits over time (parsed reports and
// Ofsted's published records), its next inspection window, its theme profile beside its
// statistical neighbours', weaknesses that came up again, and every report.
import {
  ILACS_AREAS, api, areaName, day, el, failure, grade, reportDate, show, themeLabel, themeProfile, themes, words, scrollBox,
} from "./common.js";
import { profileChart, timelineChart } from "./charts.js";

const REPORT_KINDS = {
  ilacs_inspection: "ILACS inspection", sif_inspection: "SIF inspection", focused_visit: "Focused visit",
  monitoring_visit: "Monitoring visit", jtai: "Joint targeted area inspection", area_send: "Area SEND inspection",
  annual_unannounced_inspection: "Unannounced inspection letter", joint_area_review: "Joint area review",
  safeguarding_lac_inspection: "Safeguarding and looked after children inspection",
};
export const kindOf = (type) => REPORT_KINDS[type] || words(type);

// The timeline's entries: every stored report, and every inspection of Ofsted's tables
// whose report was not dropped here (matched on kind and a start within a fortnight).
export function timelineEntries(authority) {
  const entries = authority.reports.map((report) => ({
    date: report.report_date, label: kindOf(report.report_type), report_id: report.report_id,
    grades: report.grades, official: false, type: report.report_type, start: report.inspection_start,
  }));
  for (const record of authority.official_history) {
    const start = record.inspection_date;
    const stored = authority.reports.some((r) => r.report_type === record.report_type && start && r.inspection_start
      && Math.abs(Date.parse(r.inspection_start) - Date.parse(start)) <= 14 * 86400e3);
    if (stored) continue;
    entries.push({ date: record.published || start, label: record.framework || kindOf(record.report_type),
      report_id: null, official: true, type: record.report_type,
      grades: Object.fromEntries(record.grades.map((g) => [g.area, g.grade])) });
  }
  return entries;
}

function nextInspection(authority) {
  if (!authority.next_inspections.length) {
    return el("p", { text: "Not known: no ILACS inspection of this authority is in Ofsted's tables or stored here." });
  }
  const list = el("ul", { class: "next" });
  for (const next of authority.next_inspections) {
    list.append(el("li", {},
      el("strong", { text: `${next.framework === "ilacs" ? "ILACS" : "Area SEND"} ${next.kind}: ` }),
      `expected around ${day(next.expected)} (window ${day(next.earliest)} to ${day(next.latest)})`,
      next.overdue ? el("strong", { class: "overdue", text: " overdue" }) : "",
      el("br"), el("span", { class: "meta", text: next.rule })));
  }
  return list;
}

function officialTable(authority) {
  const records = authority.official_history;
  if (!records.length) return el("p", { text: "None of this authority's inspections is in Ofsted's published tables loaded here." });
  const areas = ILACS_AREAS.filter((area) => records.some((r) => r.grades.some((g) => g.area === area)));
  const table = el("table", {}, el("caption", { text: "Ofsted's published records" }),
    el("thead", {}, el("tr", {}, ...["Inspection", "Date", "Published", ...areas.map(areaName)]
      .map((text) => el("th", { scope: "col", text })))));
  const body = el("tbody");
  for (const record of records) {
    const grades = Object.fromEntries(record.grades.map((g) => [g.area, g.grade]));
    body.append(el("tr", {},
      el("td", { text: record.framework || kindOf(record.report_type) }),
      el("td", { text: day(record.inspection_date) }), el("td", { text: day(record.published) }),
      ...areas.map((area) => el("td", {}, grades[area] ? grade(grades[area]) : "–"))));
  }
  table.append(body);
  return scrollBox(table, table.querySelector("caption").textContent);
}

function reportsTable(authority) {
  const table = el("table", {}, el("caption", { text: "Reports stored here" }),
    el("thead", {}, el("tr", {}, ...["Date", "Report", "Overall effectiveness", "Findings"]
      .map((text) => el("th", { scope: "col", text })))));
  const body = el("tbody");
  for (const report of [...authority.reports].reverse()) {
    const overall = report.grades.overall_effectiveness;
    body.append(el("tr", {},
      el("td", { text: day(reportDate(report)) }),
      el("td", {}, el("a", { href: `#/reports/${report.report_id}`, text: kindOf(report.report_type) })),
      el("td", {}, overall ? grade(overall) : "–"),
      el("td", { text: String(report.finding_count) })));
  }
  table.append(body);
  return authority.reports.length ? scrollBox(table, table.querySelector("caption").textContent) : el("p", { text: "No report of this authority is stored yet." });
}

function neighboursTable(authority) {
  const table = el("table", {}, el("caption", { text: "Statistical neighbours: latest graded report stored" }),
    el("thead", {}, el("tr", {}, ...["Authority", "Report", "Overall effectiveness"]
      .map((text) => el("th", { scope: "col", text })))));
  const body = el("tbody");
  for (const neighbour of authority.neighbours) {
    const overall = neighbour.grades.overall_effectiveness;
    body.append(el("tr", {},
      el("td", {}, el("a", { href: `#/authorities/${neighbour.la_code}`, text: neighbour.name })),
      el("td", {}, neighbour.report_id
        ? el("a", { href: `#/reports/${neighbour.report_id}`, text: `${kindOf(neighbour.report_type)}, ${day(neighbour.report_date)}` })
        : "none stored"),
      el("td", {}, overall ? grade(overall) : "–")));
  }
  table.append(body);
  return scrollBox(table, table.querySelector("caption").textContent);
}

function recurringList(links) {
  if (!links.length) return el("p", { text: "No weakness of a later report matches one raised earlier." });
  const list = el("ol", { class: "recurring" });
  for (const link of links.slice(0, 10)) {
    const before = link.raised_before[0];
    list.append(el("li", {},
      el("div", { class: "pair" },
        el("blockquote", {}, el("p", { class: "meta" }, el("a", { href: `#/reports/${link.weakness.report_id}`,
          text: `${kindOf(link.weakness.report_type)}, ${day(link.weakness.report_date)}` }), ` · ${words(link.weakness.category)}`),
        el("p", { text: link.weakness.text })),
        el("blockquote", {}, el("p", { class: "meta" }, "Raised before: ", el("a", { href: `#/reports/${before.report_id}`,
          text: `${kindOf(before.report_type)}, ${day(before.report_date)}` }),
          ` · ${Math.round(before.similarity * 100)}% alike`, before.themes.length ? ` · ${before.themes.map(themeLabel).join(", ")}` : ""),
        el("p", { text: before.text }))),
      link.raised_before.length > 1 ? el("p", { class: "meta", text: `and ${link.raised_before.length - 1} more times before` }) : ""));
  }
  return list;
}

export async function authorityPage(laCode) {
  try {
    const authority = await api(`/local-authorities/${laCode}`);
    const neighbourCodes = authority.neighbours.map((n) => n.la_code);
    const [, recurring, own, neighbours] = await Promise.all([
      themes().then(() => null),
      api(`/local-authorities/${laCode}/recurring`),
      themeProfile({ la_code: laCode }),
      neighbourCodes.length ? themeProfile({ la_code: neighbourCodes }) : Promise.resolve({ profile: new Map(), concerns: 0 }),
    ]);
    const timelineHolder = el("div", { class: "chart-holder" });
    const profileHolder = el("div", { class: "chart-holder" });
    show(authority.name,
      el("h1", { text: authority.name }),
      el("p", { class: "meta", text: `${authority.la_type} · ${authority.region} · DfE ${authority.la_code} · ONS ${authority.ons_code} · Ofsted URN ${authority.ofsted_urn}` }),
      el("nav", { class: "in-page", "aria-label": "On this page" },
        ...[["timeline", "Over time"], ["next", "Next inspection"], ["themes", "Themes"], ["recurring", "Recurring weaknesses"], ["reports", "Reports"]]
          .map(([id, text]) => el("a", { href: `#/authorities/${laCode}`, "data-target": id, text }))),
      el("section", { id: "timeline", "aria-labelledby": "timeline-title" },
        el("h2", { id: "timeline-title", text: "Inspections and visits over time" }), timelineHolder),
      el("section", { id: "next", "aria-labelledby": "next-title" },
        el("h2", { id: "next-title", text: "Next inspection" }), nextInspection(authority)),
      el("section", { id: "themes", "aria-labelledby": "themes-title" },
        el("h2", { id: "themes-title", text: "What inspectors raise: beside its statistical neighbours" }), profileHolder),
      el("section", { id: "recurring", "aria-labelledby": "recurring-title" },
        el("h2", { id: "recurring-title", text: "Weaknesses raised again" }), recurringList(recurring)),
      el("section", { id: "reports", "aria-labelledby": "reports-title" },
        el("h2", { id: "reports-title", text: "Reports and records" }), reportsTable(authority), officialTable(authority),
        neighboursTable(authority),
        el("p", {}, el("a", { href: `#/search?authority=${encodeURIComponent(authority.name)}`, text: `Search ${authority.name}'s findings` }))));
    // Charts are sized once their holder is on the page.
    timelineHolder.append(timelineChart(timelineEntries(authority), timelineHolder));
    profileHolder.append(profileChart({ name: authority.name, ...own },
      { name: "Statistical neighbours", ...neighbours }, profileHolder));
    for (const link of document.querySelectorAll("nav.in-page a")) {
      link.addEventListener("click", (event) => {
        event.preventDefault();
        const target = document.getElementById(link.dataset.target);
        target.scrollIntoView();
        target.querySelector("h2").setAttribute("tabindex", "-1");
        target.querySelector("h2").focus();
      });
    }
  } catch (error) {
    show("Local authority", el("h1", { text: "Local authority" }), failure(error));
  }
}

