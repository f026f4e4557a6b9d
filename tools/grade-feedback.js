// A page for each student (tools/grade-report.js calls it): <report>/feedback/<student>.html and
// .md, per step its status and counts per level, and for each failed test what it checks, its
// message and the one command that runs it again in the student's own kit checkout.
//
// The HTML is static: no script, nothing loaded. Every piece of text that a student's server or
// hand-in could have shaped (names, messages, logs, commands) goes through escapeHtml(), so that
// received text stays text.
"use strict";
const fs = require("fs");
const path = require("path");

const top = path.join(__dirname, "..");
const levelNames = ["article", "spec", "kit"];
const handinWord = "<your hand-in>";  // stands for the student's own folder in every command

function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

// A word for /bin/sh: as it is when it needs no quoting, else in double quotes when nothing in it
// expands there, else in single quotes.
function shellWord(word) {
    if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
    if (!/[$`"\\!]/.test(word)) return '"' + word + '"';
    return "'" + word.replace(/'/g, "'\\''") + "'";
}

// docs/tests.md: "- `Suite.Name` (level): What it checks." A run's name has the program before
// the suite and a parameter after the name (ServerExpress/EchoRules.spec_X/0): both left out.
function testDescriptions() {
    const lines = new Map();
    let text = "";
    try { text = fs.readFileSync(path.join(top, "docs", "tests.md"), "utf8"); } catch { return lines; }
    for (const m of text.matchAll(/^- `([^`]+)` \((\w+)\): (.*)$/gm)) lines.set(m[1], m[3]);
    return lines;
}
function describe(lines, test) {
    const bare = test.replace(/^[^./]+\//, "").replace(/\/\d+$/, "");
    return lines.get(test) || lines.get(bare) || "";
}

// The programs of each step and the article's files for them (tools/handin-layout).
function layout() {
    const steps = {};
    for (const line of fs.readFileSync(path.join(top, "tools", "handin-layout"), "utf8").split("\n")) {
        if (/^\s*(#|$)/.test(line)) continue;
        const [step, program, ...files] = line.trim().split(/\s+/);
        (steps[step] = steps[step] || []).push({ program, files });
    }
    return steps;
}
function camelCase(program) { return program.split("-").map(w => w[0].toUpperCase() + w.slice(1)).join(""); }

// How tools/grade started each program of the student (<student>/start-commands: step, program,
// then base64 of "layout <command>", "json <command>" or "lab <lab folder>").
function startCommands(out, student) {
    const started = {};
    let text = "";
    try { text = fs.readFileSync(path.join(out, student, "start-commands"), "utf8"); } catch { return started; }
    for (const line of text.split("\n")) {
        const [step, program, encoded] = line.split(" ");
        if (!encoded) continue;
        const how = Buffer.from(encoded, "base64").toString("utf8");
        const space = how.indexOf(" ");
        (started[step] = started[step] || {})[program] = { kind: how.slice(0, space), command: how.slice(space + 1) };
    }
    return started;
}

// The command that runs test `test` (level `level`) of `step` again in a kit checkout, as the
// student would type it, with <your hand-in> for their own folder; or null, with why.
function reproduce(step, test, level, started, programs) {
    const mine = started[step] || {};
    const filter = "GTEST_FILTER=" + shellWord(test);
    const lab = Object.values(mine).find(p => p.kind === "lab");
    if (lab) return { command: `make -C ${handinWord}/${lab.command} test LEVEL=${level} ${filter}` };
    // A test of one program (its suite starts with the program's name) needs only that one;
    // any other test, every program the student handed in.
    const suite = test.split(/[./]/)[0];
    const own = programs.find(p => camelCase(p.program) === suite);
    const wanted = own ? [own] : programs.filter(p => mine[p.program]);
    const missing = wanted.find(p => !mine[p.program]);
    if (missing || !wanted.length) {
        const p = missing || programs[0];
        return { why: `no ${p.program} was handed in (the grader looks for ${p.files.join(" or ")}, or a start command in kit-grade.json)` };
    }
    const vars = wanted.map(p => {
        const { kind, command } = mine[p.program];
        let start;
        if (kind === "layout") start = command.replace(/^node /, `node ${handinWord}/`);
        else start = "sh -c " + shellWord(`cd ${handinWord} && exec ${command.replace(/\/handin\//g, "./")}`);
        return "SERVER_CMD_" + p.program.toUpperCase().replace(/-/g, "_") + "=" + shellWord(start);
    });
    return { command: `make -C ${step} test ${vars.join(" ")} LEVEL=${level} ${filter}` };
}

// Why a step could not be graded, in words, from its log (or setup.log).
function whyError(log, setup) {
    if (/npm could not install/.test(log)) return "npm could not install the packages your program needs:";
    if (/the build of .* failed/.test(log)) return "your lab step did not compile; the compiler said:";
    if (/kit-grade\.json is not valid JSON/.test(setup)) return "your kit-grade.json is not valid JSON:";
    if (/could not copy the hand-in|error=/.test(setup)) return "the grader could not take your hand-in:";
    return "the test program ended without writing its results; the end of its output:";
}
function lastLines(text, count) {
    const lines = text.trimEnd().split("\n").slice(-count).join("\n");
    return lines.length > 4000 ? "[…]" + lines.slice(-4000) : lines;
}
function read(file) { try { return fs.readFileSync(file, "utf8"); } catch { return ""; } }

// Text in a Markdown line: no HTML a viewer would render.
function mdText(text) { return String(text).replace(/[&<>]/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]); }

// A fence for Markdown that no run of backticks in the text can end.
function fence(text) {
    const longest = Math.max(2, ...(text.match(/`+/g) || []).map(r => r.length));
    const f = "`".repeat(longest + 1);
    return f + "\n" + text + "\n" + f;
}

// data: { made, steps, students: [{ name, cells: { step: { status, levels, failed } } }] } as
// grade-report.js builds it; failed: [{ test, level, message }], the article's first.
function writeFeedback(out, data) {
    const lines = testDescriptions();
    const programsOf = layout();
    const dir = path.join(out, "feedback");
    fs.mkdirSync(dir, { recursive: true });
    for (const student of data.students) {
        const started = startCommands(out, student.name);
        const setup = read(path.join(out, student.name, "setup.log"));
        const html = [], md = [];
        const h = t => escapeHtml(t);
        html.push(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${h(student.name)}: your results</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 60rem; padding: 0 1rem; color: #1b1b1b; }
  h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
  pre { white-space: pre-wrap; background: #f6f6f6; padding: .5rem; overflow: auto; max-height: 24rem; }
  pre.command { background: #eef3fb; }
  .test { margin: 1rem 0 1.5rem; } .test h3 { font-size: 1rem; margin: 0; font-family: monospace; }
  .graded { color: #185c18; } .error { color: #6a2c8a; } .missing { color: #666; }
</style>
</head>
<body>
<h1>${h(student.name)}: your results</h1>
<p>Each failed test below has the command that runs it again in your own checkout of the kit, from
its top folder. Put your hand-in's folder (the top of your repository, as you handed it in) in place
of <code>${h(handinWord)}</code>, its full path; run <code>npm install</code> there first if your
programs use packages. The same message then appears in your terminal.</p>`);
        md.push(`# ${mdText(student.name)}: your results`, "",
            "Each failed test below has the command that runs it again in your own checkout of the kit, " +
            "from its top folder. Put your hand-in's folder (the top of your repository, as you handed it in) " +
            `in place of \`${handinWord}\`, its full path; run \`npm install\` there first if your programs use packages.`, "");
        for (const step of data.steps) {
            const c = student.cells[step];
            if (!c) continue;
            const counts = levelNames.filter(l => c.levels[l][1] > 0).map(l => `${l} ${c.levels[l][0]}/${c.levels[l][1]}`).join(", ");
            const status = c.status === "missing" ? "not handed in" : c.status === "error" ? "could not be graded" :
                "graded" + (counts ? ": " + counts : "");
            html.push(`<h2 id="${h(step)}">${h(step)}</h2>`, `<p class="${h(c.status)}">${h(status)}</p>`);
            md.push(`## ${step}`, "", status, "");
            if (c.status === "error") {
                const log = read(path.join(out, student.name, step + ".log"));
                const shown = lastLines(log || setup, 30);
                html.push(`<p>${h(whyError(log, setup))}</p>`, `<pre>${h(shown)}</pre>`);
                md.push(whyError(log, setup), "", fence(shown), "");
                continue;
            }
            if (c.status !== "graded") continue;
            if (!c.failed.length) { html.push("<p>Every test passed.</p>"); md.push("Every test passed.", ""); continue; }
            {
                for (const failure of c.failed) {
                    // The kit's files by their place in the kit, as in the student's checkout.
                    const t = { ...failure, message: failure.message.split(path.resolve(top) + "/").join("") };
                    const what = describe(lines, t.test);
                    const again = reproduce(step, t.test, t.level, started, programsOf[step] || []);
                    html.push(`<div class="test">`, `<h3>${h(t.test)} (${h(t.level)})</h3>`);
                    if (what) html.push(`<p>It checks: ${h(what)}</p>`);
                    html.push(`<p>What went wrong:</p>`, `<pre class="message">${h(t.message)}</pre>`);
                    if (again.command) html.push(`<p>Run it again:</p>`, `<pre class="command">${h(again.command)}</pre>`);
                    else html.push(`<p>No command runs it again: ${h(again.why)}.</p>`);
                    html.push(`</div>`);
                    md.push(`### ${mdText(t.test)} (${t.level})`, "");
                    if (what) md.push(`It checks: ${mdText(what)}`, "");
                    md.push("What went wrong:", "", fence(t.message), "");
                    if (again.command) md.push("Run it again:", "", fence(again.command), "");
                    else md.push(`No command runs it again: ${mdText(again.why)}.`, "");
                }
            }
        }
        html.push(`<p><small>Made ${h(data.made)} by make grade.</small></p>`, "</body>", "</html>", "");
        fs.writeFileSync(path.join(dir, student.name + ".html"), html.join("\n"));
        fs.writeFileSync(path.join(dir, student.name + ".md"), md.join("\n"));
    }
}

module.exports = { writeFeedback, escapeHtml };
