// A report you can navigate: its dates, its grades in Ofsted's wording checked against
// Ofsted's published tables, links to the original file and to Ofsted's page, and its
// findings by section with a list of sections to jump to.
import { api, areaName, day, el, failure, fileLink, grade, show, words } from "./common.js";
import { kindOf } from "./authority.js";

function facts(report) {
  const authority = report.local_authority;
  const rows = [
    ["Local authority", authority ? el("a", { href: `#/authorities/${authority.la_code}`, text: authority.name }) : "Not recognised"],
    ["Kind", kindOf(report.report_type)],
    ["Inspected", report.inspection_start ? `${day(report.inspection_start)} to ${day(report.inspection_end)}` : "Not stated"],
    ["Published", report.published ? day(report.published) : (report.official?.published ? `${day(report.official.published)} (Ofsted's tables)` : "Not known")],
  ];
  if (report.days_to_publication !== null && report.days_to_publication !== undefined) {
    rows.push(["Days to publication", `${report.days_to_publication} (from the last day on site)`]);
  }
  if (report.lead_inspector) rows.push(["Lead inspector", report.lead_inspector]);
  const links = el("span", {}, fileLink(report.file_url, "The original file"));
  if (report.official?.web_link) {
    links.append(" · ", el("a", { href: report.official.web_link, rel: "noopener", text: "Ofsted's page for this authority" }));
  }
  rows.push(["Links", links]);
  return el("dl", { class: "facts" }, ...rows.flatMap(([term, value]) => [el("dt", { text: term }), el("dd", {}, value)]));
}

// The grade table, and whether it matches Ofsted's published grades.
function judgements(report) {
  if (!report.judgements.length) return [el("p", { text: "This report carries no graded judgements." })];
  const table = el("table", { class: "grades" }, el("caption", { text: "Judgements" }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Judgement" }), el("th", { scope: "col", text: "Grade" }))));
  const body = el("tbody");
  for (const judgement of report.judgements) {
    body.append(el("tr", {}, el("th", { scope: "row", text: judgement.label || areaName(judgement.area) }),
      el("td", {}, grade(judgement.grade, false))));
  }
  table.append(body);
  const differences = report.quality.official_mismatch || [];
  let check;
  if (!report.official) {
    check = el("p", { class: "meta check", text: "Not in Ofsted's published tables loaded here: the grades are as parsed." });
  } else if (!differences.length) {
    check = el("p", { class: "check match", text: "✓ Matches Ofsted's published grades." });
  } else {
    check = el("div", { class: "check mismatch", role: "note" },
      el("p", {}, el("strong", { text: "Differs from Ofsted's published grades:" })),
      el("ul", {}, ...differences.map((d) => el("li", {}, `${areaName(d.area)}: parsed `,
        d.parsed ? grade(d.parsed, false) : el("em", { text: "no grade" }), ", Ofsted's tables ", grade(d.official, false)))));
  }
  return [table, check];
}

function warnings(report) {
  const list = report.quality.warnings || [];
  if (!list.length) return null;
  return el("div", { class: "warning", role: "note" },
    el("p", {}, el("strong", { text: "This report may be read wrongly:" })),
    el("ul", {}, ...list.map((warning) => el("li", { text: warning }))));
}

function sections(report) {
  const groups = [];
  for (const finding of report.findings) {
    const name = finding.section || "Findings";
    if (!groups.length || groups.at(-1).name !== name) groups.push({ name, findings: [] });
    groups.at(-1).findings.push(finding);
  }
  const nav = el("nav", { class: "sections", "aria-label": "Sections of this report" },
    el("details", { open: true }, el("summary", { text: `Sections (${groups.length})` }),
      el("ol", {}, ...groups.map((group, index) => el("li", {},
        el("a", { href: `#/reports/${report.report_id}?at=s${index + 1}`, "data-target": `s${index + 1}`,
          text: `${group.name} (${group.findings.length})` }))))));
  const body = el("div", { class: "findings" });
  groups.forEach((group, index) => {
    body.append(el("h2", { id: `s${index + 1}`, tabindex: "-1", text: group.name }));
    for (const finding of group.findings) {
      body.append(el("p", { class: `finding ${finding.category}` },
        finding.paragraph ? el("strong", { text: `${finding.paragraph}. ` }) : "",
        el("span", { class: "tag", text: words(finding.category) }),
        finding.tone && finding.tone !== "neutral" ? el("span", { class: `tag tone-${finding.tone}`, text: finding.tone }) : "",
        finding.text));
      if (finding.raised_before?.length) body.append(raisedBefore(finding.raised_before));
    }
  });
  return { nav, body };
}

// A weakness an earlier report of the authority raised too: where, how alike, its words.
function raisedBefore(links) {
  return el("details", { class: "raised-before" },
    el("summary", { text: `Raised before (${links.length === 1 ? "once" : `${links.length} times`})` }),
    el("ul", {}, ...links.map((before) => el("li", {},
      el("p", { class: "meta" }, el("a", { href: `#/reports/${before.report_id}`,
        text: `${kindOf(before.report_type)}, ${day(before.report_date)}` }),
        ` · ${words(before.category)} · ${Math.round(before.similarity * 100)}% alike`),
      el("p", { text: before.text })))));
}

function goTo(id) {
  const heading = document.getElementById(id);
  if (!heading) return;
  heading.scrollIntoView();
  heading.focus({ preventScroll: true });
}

let shown = null; // the report on the page: moving between its sections fetches nothing

export async function reportPage(reportId, at) {
  if (shown === reportId && document.getElementById("report-body")) {
    if (at) goTo(at);
    return;
  }
  try {
    const report = await api(`/reports/${reportId}`);
    const title = report.title || kindOf(report.report_type);
    const { nav, body } = sections(report);
    show(title,
      el("h1", { text: title }),
      el("div", { class: "report", id: "report-body" },
        nav,
        el("article", {}, facts(report), warnings(report), ...judgements(report),
          el("p", { class: "meta", text: `${report.findings.length} findings` }), body)));
    shown = reportId;
    if (at) goTo(at);
  } catch (error) {
    shown = null;
    show("Report", el("h1", { text: "Report" }), failure(error));
  }
}

