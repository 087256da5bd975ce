// The national summary: how the latest grades of every authority are spread, judgement by
// judgement (each scale its own table: area SEND outcomes are not grades), with downloads.
import { SHORT_GRADES, api, areaName, el, failure, fileLink, show, scrollBox } from "./common.js";

const SCALES = [
  ["Judgements", ["outstanding", "good", "requires_improvement", "adequate", "inadequate"]],
  ["Area SEND outcomes", ["positive", "inconsistent", "systemic_failings"]],
];

function scaleTable(caption, grades, distribution) {
  const areas = Object.entries(distribution).filter(([, counts]) => grades.some((g) => counts[g]));
  if (!areas.length) return null;
  const used = grades.filter((g) => areas.some(([, counts]) => counts[g]));
  const table = el("table", {}, el("caption", { text: caption }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Judgement" }),
      ...used.map((g) => el("th", { scope: "col", class: "number", text: SHORT_GRADES[g] })),
      el("th", { scope: "col", class: "number", text: "Authorities" }))));
  const body = el("tbody");
  for (const [area, counts] of areas) {
    const total = used.reduce((sum, g) => sum + (counts[g] || 0), 0);
    body.append(el("tr", {}, el("th", { scope: "row", text: areaName(area) }),
      ...used.map((g) => el("td", { class: "number", text: String(counts[g] || 0) })),
      el("td", { class: "number", text: String(total) })));
  }
  table.append(body);
  return scrollBox(table, table.querySelector("caption").textContent);
}

export async function summaryPage() {
  try {
    const summary = await api("/summary/national");
    const tables = SCALES.map(([caption, grades]) => scaleTable(caption, grades, summary.distribution)).filter(Boolean);
    show("National summary",
      el("h1", { text: "National summary" }),
      el("p", { text: `The latest grade of each judgement for ${summary.authorities} authorities, from the reports stored here `
        + "(each judgement's latest report; earlier frameworks' judgements count until a later one replaces them)." }),
      ...(tables.length ? tables : [el("p", { text: "No graded report is stored yet." })]),
      el("ul", { class: "downloads" },
        el("li", {}, fileLink("/summary/national?layout=ofsted&format=xlsx",
          "Every authority in Ofsted's own table layout, with our links and next inspection (Excel)")),
        el("li", {}, fileLink("/summary/national?format=xlsx", "Every authority's latest grade of every judgement (Excel)")),
        el("li", {}, fileLink("/summary/national?format=csv", "The same as CSV")),
        el("li", {}, el("a", { href: "/next-inspections", text: "When each authority's next inspection is due (JSON)" }))));
  } catch (error) {
    show("National summary", el("h1", { text: "National summary" }), failure(error));
  }
}
