#!/usr/bin/env node
// Writes <report>/index.html from <report>/grades.csv and the JUnit XML beside it
// (tools/grade calls it): one page, no network, a row per student and a column per step;
// and each student's own page, feedback/<student>.html and .md (tools/grade-feedback.js).
//
//   node tools/grade-report.js <report folder>
//   node tools/grade-report.js --counts <step.xml>   a step's counts per level, from its JUnit
//                                                     XML: article_passed,article_total,spec_…,kit_…
//
// The page carries its data as JSON and builds its table with textContent only: a
// student's test output (in the failure messages) is never read as HTML.
"use strict";
const fs = require("fs");
const path = require("path");

const levelNames = ["article", "spec", "kit"];

// CSV as tools/grade writes it: fields quoted when they hold a comma, quote or line break.
function parseCsv(text) {
    const rows = [];
    let row = [], field = "", quoted = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (quoted) {
            if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
            else if (c === '"') quoted = false;
            else field += c;
        } else if (c === '"') quoted = true;
        else if (c === ",") { row.push(field); field = ""; }
        else if (c === "\n") { row.push(field); rows.push(row); row = []; field = ""; }
        else if (c !== "\r") field += c;
    }
    if (field !== "" || row.length) { row.push(field); rows.push(row); }
    return rows;
}

function unescapeXml(text) {
    return text.replace(/&(lt|gt|quot|apos|amp|#x?[0-9a-fA-F]+);/g, (all, name) => {
        const named = { lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" };
        if (named[name]) return named[name];
        const code = name[1] === "x" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return Number.isFinite(code) ? String.fromCodePoint(code) : all;
    });
}

function attribute(tag, name) {
    const m = tag.match(new RegExp("\\s" + name + '="([^"]*)"'));
    return m ? unescapeXml(m[1]) : "";
}

// The tests that ran in one GoogleTest JUnit file (the kit's test programs write one per step):
// name, level (its property, else the first word of its name), passed or not. Tests that a
// filter left out (GoogleTest lists them as status="notrun") are not among them.
function testcases(xml) {
    const tests = [];
    const testcase = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
    let m;
    while ((m = testcase.exec(xml)) !== null) {
        const tag = m[1], body = m[3] || "";
        if (attribute(tag, "status") === "notrun" || attribute(tag, "result") === "suppressed") continue;
        const name = attribute(tag, "name");
        const level = (body.match(/<property name="level" value="([^"]*)"/) || [])[1] || name.split("_")[0];
        tests.push({ tag, body, name, level, passed: !/<(failure|skipped)\b/.test(body) });
    }
    return tests;
}

// --counts: the grade of a step, from the results the test program wrote rather than a line it printed.
if (process.argv[2] === "--counts") {
    let xml;
    try { xml = fs.readFileSync(process.argv[3], "utf8"); } catch (e) {
        console.error("grade-report: no results: " + e.message);
        process.exit(1);
    }
    if (!/<\/testsuites>\s*$/.test(xml)) {
        console.error("grade-report: " + process.argv[3] + " is cut short");
        process.exit(1);
    }
    const counts = levelNames.map(() => [0, 0]);
    for (const t of testcases(xml)) {
        const i = levelNames.indexOf(t.level);
        if (i < 0) continue;
        counts[i][1]++;
        if (t.passed) counts[i][0]++;
    }
    console.log(counts.map(c => c.join(",")).join(","));
    process.exit(0);
}

const out = process.argv[2];
if (!out) {
    console.error("usage: node tools/grade-report.js <report folder>");
    process.exit(2);
}

// What makes one run's message differ from another's with the same cause: ports, process ids,
// times. Each becomes a placeholder, so that failures with one cause fall into one group.
function normalise(message) {
    return message
        .replace(/^.*\.(?:cpp|hpp|h):\d+\n?/gm, "")                       // where the assertion is
        .replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?/g, "<time>")
        .replace(/\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \w{3} \d\d \d{4} \d\d:\d\d:\d\d GMT[+-]\d{4}(?: \([^)]*\))?/g, "<time>")
        .replace(/\b((?:127\.\d+\.\d+\.\d+|localhost|\[::1\]|0\.0\.0\.0|::)):\d+/g, "$1:<port>")
        .replace(/\b(port|listening on|listens on)( (?:port )?)\d+/gi, "$1$2<port>")
        .replace(/\b(pid|process|PID)( |=|: )\d+/g, "$1$2<pid>")
        .replace(/\b\d+(?:\.\d+)? ?ms\b/g, "<n> ms")
        .replace(/\b\d+\.\d+ ?s\b/g, "<n> s")
        .replace(/[ \t]+$/gm, "")
        .trim();
}

// The failed tests of one GoogleTest JUnit file: name, level, message (at most 4000 characters).
const messageLimit = 4000;
function failures(file) {
    let xml;
    try { xml = fs.readFileSync(file, "utf8"); } catch { return null; }
    const failed = [];
    for (const t of testcases(xml)) {
        const body = t.body, level = t.level;
        if (!/<failure\b/.test(body)) continue;
        let message = "";
        const failure = /<failure\b([^>]*?)(?:\/>|>([\s\S]*?)<\/failure>)/g;
        let f;
        while ((f = failure.exec(body)) !== null) {
            let text = f[2] !== undefined ? f[2] : attribute(f[1], "message");
            text = text.replace(/^<!\[CDATA\[/, "").replace(/\]\]>$/, "");
            message += (message ? "\n" : "") + unescapeXml(text);
        }
        if (message.length > messageLimit) message = message.slice(0, messageLimit) + "\n[… cut]";
        failed.push({ test: attribute(t.tag, "classname") + "." + t.name, level, message });
    }
    const rank = { article: 0, spec: 1, kit: 2 };
    return failed.sort((a, b) => (rank[a.level] ?? 3) - (rank[b.level] ?? 3));  // the article's first
}

// A step's failures by cause: one group per distinct message (normalise()), with the tests it
// covers; the group with the lowest level first, then the largest. Each keeps the first message
// as it came.
function groupFailures(failed) {
    const rank = { article: 0, spec: 1, kit: 2 };
    const groups = new Map();
    for (const f of failed) {
        const key = normalise(f.message);
        if (!groups.has(key)) groups.set(key, { message: f.message, tests: [] });
        groups.get(key).tests.push({ test: f.test, level: f.level });
    }
    const lowest = g => Math.min(...g.tests.map(t => rank[t.level] ?? 3));
    return [...groups.values()].sort((a, b) => lowest(a) - lowest(b) || b.tests.length - a.tests.length);
}

// Why a step could not be graded (the compiler's errors, a failed install): the end of its log.
function lastLines(file) {
    let text;
    try { text = fs.readFileSync(file, "utf8"); } catch (e) { return ""; }
    const lines = text.trimEnd().split("\n").slice(-30).join("\n");
    return lines.length > messageLimit ? "[…]" + lines.slice(-messageLimit) : lines;
}

const rows = parseCsv(fs.readFileSync(path.join(out, "grades.csv"), "utf8"));
const header = rows.shift();
const steps = [];
const students = new Map();
const failedOf = new Map();
for (const fields of rows) {
    if (fields.length < header.length) continue;
    const r = Object.fromEntries(header.map((h, i) => [h, fields[i]]));
    if (r.step === "-") continue;
    if (!steps.includes(r.step)) steps.push(r.step);
    if (!students.has(r.student)) students.set(r.student, {});
    const levels = {};
    for (const level of ["article", "spec", "kit"])
        levels[level] = [Number(r[level + "_passed"]), Number(r[level + "_total"])];
    const cell = { status: r.status, levels, failedCount: 0, groups: [] };
    if (r.status !== "missing") {
        const xml = path.join(out, r.student, r.step + ".xml");
        const failed = failures(xml) || [];
        cell.failedCount = failed.length;
        cell.groups = groupFailures(failed);
        failedOf.set(r.student + "\n" + r.step, failed);  // each test's own message, for the student's page
        cell.log = r.student + "/" + r.step + ".log";
    }
    if (r.status === "error") cell.why = lastLines(path.join(out, r.student, r.step + ".log")) ||
                                         lastLines(path.join(out, r.student, "setup.log"));
    students.get(r.student)[r.step] = cell;
}
steps.sort();
const data = {
    made: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    steps,
    students: [...students].map(([name, cells]) => ({ name, cells })),
};
// Git hand-ins (tools/grade-git): the commit graded and the late ones, per student; the roster's problems.
data.git = Object.fromEntries(rows.filter(f => f.length >= header.length).map(f => Object.fromEntries(header.map((h, i) => [h, f[i]])))
    .filter(r => r.commit || r.late_commits).map(r => [r.student, { commit: r.commit, time: r.commit_time, late: Number(r.late_commits || 0), lastLate: r.last_late_time }]));
try { data.roster = fs.readFileSync(path.join(out, "roster.log"), "utf8").split("\n").filter(l => / error: |rejected/.test(l)); } catch { data.roster = []; }
// Safe inside <script>: no "</" and no line separators that end a JSON string early.
const json = JSON.stringify(data).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

const page = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>Grades</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; }
  h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
  p.note { margin: 0 0 1rem; color: #555; }
  table { border-collapse: collapse; }
  th, td { border: 1px solid #ccc; padding: .35rem .6rem; text-align: left; vertical-align: top; }
  th button { font: inherit; font-weight: bold; background: none; border: 0; cursor: pointer; padding: 0; }
  th button::after { content: " \\2195"; color: #888; }
  td.cell { cursor: pointer; min-width: 9rem; font-variant-numeric: tabular-nums; }
  td.cell:focus { outline: 3px solid #0b57d0; }
  td.full { background: #c8ebc8; } td.most { background: #e6f0b8; } td.some { background: #fbe3b0; }
  td.none { background: #f6c4c0; } td.error { background: #d9c2e6; } td.missing { background: #eee; color: #666; }
  td.score { font-weight: bold; font-variant-numeric: tabular-nums; }
  .level { display: block; white-space: nowrap; }
  #details { margin-top: 1.2rem; max-width: 70rem; }
  #details h2 { font-size: 1.1rem; }
  #details li { margin-bottom: .4rem; }
  #details ul.tests { margin: .3rem 0 0; } #details ul.tests li { margin-bottom: 0; }
  #details summary { cursor: pointer; }
  #details pre { white-space: pre-wrap; background: #f6f6f6; padding: .5rem; max-height: 16rem; overflow: auto; margin: .3rem 0 0; }
  .git { display: block; font-weight: normal; font-size: .85em; color: #555; white-space: nowrap; } .late { color: #a33; } pre.roster { white-space: pre-wrap; }
  .legend span { display: inline-block; padding: 0 .4rem; margin-right: .3rem; border: 1px solid #ccc; }
</style>
</head>
<body>
<h1>Grades</h1>
<p class="note" id="note"></p>
<p class="legend"><span class="full" style="background:#c8ebc8">all passed</span><span style="background:#e6f0b8">80 % or more</span><span style="background:#fbe3b0">some</span><span style="background:#f6c4c0">none</span><span style="background:#d9c2e6">error</span><span style="background:#eee">not handed in</span></p>
<table id="grades"><thead></thead><tbody></tbody></table>
<section id="details" aria-live="polite"></section>
<script type="application/json" id="data">${json}</script>
<script>
"use strict";
const data = JSON.parse(document.getElementById("data").textContent);
const levels = ["article", "spec", "kit"];
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}
// The levels this report graded: those with tests in some step (levels above LEVEL have none).
const shown = levels.filter(l => data.students.some(s => Object.values(s.cells).some(c => c.levels[l][1] > 0)));
// How many tests a step has at a level: the most any student was graded on (the same tests for
// everyone). A step handed in that could not be graded (error) counts as all of them failed, so
// that a build that fails never raises a score.
const stepTotals = {};
for (const student of data.students)
  for (const [step, c] of Object.entries(student.cells))
    if (c.status === "graded") {
      stepTotals[step] = stepTotals[step] || {};
      for (const l of levels) stepTotals[step][l] = Math.max(stepTotals[step][l] || 0, c.levels[l][1]);
    }
// A student's score at one level: passed of that level's tests, over every step handed in; null
// when no step handed in has tests at that level. Levels are never mixed.
function score(student, level) {
  let passed = 0, total = 0;
  for (const step of data.steps) {
    const c = student.cells[step];
    if (!c) continue;
    if (c.status === "error") { total += (stepTotals[step] || {})[level] || 0; continue; }
    if (c.status !== "graded") continue;
    passed += c.levels[level][0];
    total += c.levels[level][1];
  }
  return total ? passed / total : null;
}
// A step's place when sorting, and its colour: the share passed at the first level (article,
// then spec, then kit) that is not whole; 1 when every level is.
function cellScore(c) {
  if (!c || c.status !== "graded") return -1;
  for (const l of levels) {
    const [p, t] = c.levels[l];
    if (t > 0 && p < t) return p / t;
  }
  return 1;
}
function percent(x) { return x === null ? "–" : Math.floor(x * 100) + " %"; }
let order = { key: "student", up: true };
function sortBy(key) {
  order = { key, up: order.key === key ? !order.up : key === "student" };
  draw();
}
function showDetails(student, step) {
  const c = student.cells[step];
  const box = document.getElementById("details");
  box.replaceChildren();
  box.append(el("h2", student.name + ", " + step + ": " + (c.status === "missing" ? "not handed in" : c.status)));
  if (c.status === "graded") {
    const p = el("p", "Passed: ");
    p.append(el("span", shown.map(l => l + " " + c.levels[l][0] + "/" + c.levels[l][1]).join(", "), "counts"));
    box.append(p);
  }
  if (c.log) {
    const p = el("p", "Full output: ");
    const a = el("a", c.log);
    a.href = c.log;
    p.append(a, el("span", ", JUnit XML: "));
    const x = el("a", c.log.replace(/\\.log$/, ".xml"));
    x.href = c.log.replace(/\\.log$/, ".xml");
    p.append(x);
    box.append(p);
  }
  if (c.status === "error") {
    box.append(el("p", "The grader could not grade this step (a build that failed, an install that failed): the end of its log."));
    if (c.why) box.append(el("pre", c.why));
  }
  if (c.status === "graded" && c.failedCount === 0) box.append(el("p", "Every test passed."));
  if (!c.failedCount) return;
  // One entry per cause: the message (as the first of its tests got it), then the tests it covers.
  box.append(el("p", c.failedCount + " failed, " + c.groups.length + (c.groups.length === 1 ? " cause:" : " causes:")));
  const list = el("ol", undefined, "causes");
  for (const g of c.groups) {
    const li = el("li", undefined, "cause");
    const d = el("details");
    const summary = el("summary");
    const first = g.message.split("\\n").find(line => line.trim() && !/\\.(cpp|hpp|h):\\d+$/.test(line.trim())) || g.message;
    summary.append(el("strong", g.tests.length + " × ", "count"), el("span", first, "first-line"));
    const tests = el("ul", undefined, "tests");
    for (const t of g.tests) {
      const item = el("li");
      item.append(el("code", t.test), el("span", " (" + t.level + ")"));
      tests.append(item);
    }
    d.append(summary, el("pre", g.message), tests);
    d.open = list.children.length === 0;  // the first one open, the rest a click away
    li.append(d);
    list.append(li);
  }
  box.append(list);
}
// Under a student's name: the commit graded and its time, and the commits after the deadline.
function gitFacts(th, g) {
  if (!g) return;
  if (g.commit) th.append(el("span", "commit " + g.commit + ", " + g.time, "git"));
  if (g.late) th.append(el("span", g.late + " late commit" + (g.late > 1 ? "s" : "") + ", the last " + g.lastLate + " (not graded)", "git late"));
}
function draw() {
  const table = document.getElementById("grades");
  const head = table.tHead;
  head.replaceChildren();
  const hr = el("tr");
  const columns = [["student", "Student"]].concat(shown.map(l => ["score:" + l, l[0].toUpperCase() + l.slice(1)]),
                                                  data.steps.map(s => [s, s]));
  for (const [key, label] of columns) {
    const th = el("th");
    const b = el("button", label);
    b.addEventListener("click", () => sortBy(key));
    th.append(b);
    if (order.key === key) th.setAttribute("aria-sort", order.up ? "ascending" : "descending");
    hr.append(th);
  }
  head.append(hr);
  const rows = data.students.slice();
  const value = s => order.key === "student" ? s.name :
    order.key.startsWith("score:") ? (score(s, order.key.slice(6)) ?? -1) : cellScore(s.cells[order.key]);
  rows.sort((a, b) => {
    const x = value(a), y = value(b);
    const d = typeof x === "string" ? x.localeCompare(y) : x - y;
    return (order.up ? d : -d) || a.name.localeCompare(b.name);
  });
  const body = table.tBodies[0];
  body.replaceChildren();
  for (const s of rows) {
    const tr = el("tr");
    // The student's own page (tools/grade-feedback.js); a name is a folder's, so any character.
    const name = el("a", s.name);
    name.href = "feedback/" + encodeURIComponent(s.name) + ".html";
    tr.append(el("th"));
    tr.firstChild.append(name);
    for (const l of shown) tr.append(el("td", percent(score(s, l)), "score score-" + l));
    gitFacts(tr.firstChild, data.git[s.name]);  // git hand-ins
    for (const step of data.steps) {
      const c = s.cells[step];
      const td = el("td", undefined, "cell");
      if (!c) { tr.append(td); continue; }
      const f = cellScore(c);
      td.classList.add(c.status !== "graded" ? c.status : f === 1 ? "full" : f >= 0.8 ? "most" : f > 0 ? "some" : "none");
      if (c.status === "missing") td.textContent = "not handed in";
      else if (c.status === "error") td.textContent = "error";
      else for (const l of levels)
        if (c.levels[l][1] > 0) td.append(el("span", l + " " + c.levels[l][0] + "/" + c.levels[l][1], "level"));
      td.tabIndex = 0;
      td.title = "Show the failed tests";
      td.addEventListener("click", () => showDetails(s, step));
      td.addEventListener("keydown", e => { if (e.key === "Enter") showDetails(s, step); });
      tr.append(td);
    }
    body.append(tr);
  }
}
document.getElementById("note").textContent = data.students.length + " students, graded " + data.made +
  ". A score per level (" + shown.join(", ") + "): the share of that level's tests passed in the steps handed in." +
  " Click a step to see its failed tests, grouped by cause; click a column's title to sort.";
if (data.roster.length) document.getElementById("note").after(el("pre", "Roster (roster.log):\\n" + data.roster.join("\\n"), "roster"));
draw();
</script>
</body>
</html>
`;
fs.writeFileSync(path.join(out, "index.html"), page);

// A page for each student: feedback/<student>.html and .md.
require("./grade-feedback.js").writeFeedback(out, {
    made: data.made,
    steps,
    students: data.students.map(s => ({
        name: s.name,
        cells: Object.fromEntries(Object.entries(s.cells).map(([step, c]) =>
            [step, { status: c.status, levels: c.levels, failed: failedOf.get(s.name + "\n" + step) || [] }])),
    })),
});
