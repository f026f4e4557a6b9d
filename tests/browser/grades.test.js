/**
 * @file
 * @brief The report page of `make grade` (tools/grade-report.js) in chromium, as a teacher reads
 *        it: a score per level that never mixes levels, a step that could not be graded, failures
 *        grouped by cause, a failed test's message that holds HTML, sorting, and each student's
 *        name linked to their own page. The report is
 *        written from a small made-up class graded at LEVEL=spec, so no grading runs here.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { startBrowser, test, top, unexpectedProblems, watchedPage } from "./helpers.js";

const header = "student,step,status,article_passed,article_total,spec_passed,spec_total,kit_passed,kit_total";
const hostile = '<img src=x onerror="window.hacked = 1">';

/** One JUnit file of GoogleTest's form: tests [name, message of its failure or null when it passed]. */
function junit(tests) {
    const escape = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
    const cases = tests.map(([name, message]) =>
        `    <testcase name="${name}" status="run" result="completed" classname="Server">` +
        `<properties><property name="level" value="${name.split("_")[0]}"/></properties>` +
        (message === null ? "" : `\n      <failure message="${escape(message)}" type=""><![CDATA[${message}]]></failure>\n    `) +
        "</testcase>");
    const failed = tests.filter(([, message]) => message !== null).length;
    return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="${tests.length}" failures="${failed}" name="AllTests">
  <testsuite name="Server" tests="${tests.length}" failures="${failed}">
${cases.join("\n")}
  </testsuite>
</testsuites>
`;
}

/**
 * A report folder of a class graded at LEVEL=spec (no kit tests): ada passes the article level
 * whole and half of spec, bo's 02-echo did not build, cy fails one article test whose message is
 * HTML and two spec tests with one cause (the same message but for the port, the time and the pid).
 */
function makeReport() {
    const out = mkdtempSync(path.join(tmpdir(), "kit-grades-"));
    for (const name of ["ada", "bo", "cy"]) {
        mkdirSync(path.join(out, name));
    }
    writeFileSync(path.join(out, "grades.csv"), [header,
        "ada,02-echo,graded,2,2,1,4,0,0", "ada,03-broadcast,graded,2,2,2,2,0,0",
        "bo,02-echo,error,0,0,0,0,0,0", "bo,03-broadcast,graded,2,2,2,2,0,0",
        "cy,02-echo,graded,1,2,2,4,0,0", "cy,03-broadcast,missing,0,0,0,0,0,0", ""].join("\n"));
    writeFileSync(path.join(out, "bo", "02-echo.log"),
        "grade: building lab/02-echo with the kit's build files (in the sandbox)\n" +
        "events.cpp:62:1: error: expected unqualified-id before 'this'\n" +
        "grade: the build of lab/02-echo failed: nothing to grade\n");
    writeFileSync(path.join(out, "cy", "02-echo.xml"), junit([
        ["article_Echoes", null],
        ["article_LogsIt", `expected "x", got ${hostile}`],
        ["spec_ClosesWith1001", "rules.cpp:40\nthe server did not stop within 2000 ms of SIGTERM on 127.0.0.1:40211 (pid 4242)"],
        ["spec_StopsOnSigterm", "rules.cpp:88\nthe server did not stop within 2003 ms of SIGTERM on 127.0.0.1:40999 (pid 4250)"],
        ["spec_KeepsItsLimit", null], ["spec_RefusesBadFrames", null],
    ]));
    execFileSync("node", [path.join(top, "tools", "grade-report.js"), out]);
    return out;
}

test("the report page scores each level apart, a step that did not build as failed, says why, groups failures by cause, keeps HTML as text, and sorts", async (t) => {
    const out = makeReport();
    t.after(() => rmSync(out, { recursive: true, force: true }));
    const browser = await startBrowser();
    t.after(() => browser.close());
    const page = await watchedPage(browser.context);
    await page.goto(pathToFileURL(path.join(out, "index.html")).href);

    const row = (name) => page.locator("tbody tr", { has: page.locator("th", { hasText: new RegExp(`^${name}$`) }) });
    const scoreOf = async (name, level) => (await row(name).locator(`td.score-${level}`).textContent()).trim();
    // A score column per level graded (no kit column at LEVEL=spec), never one that mixes them.
    assert.deepEqual((await page.locator("thead th").allTextContents()).map(s => s.trim().replace(/\W+$/, "")),
        ["Student", "Article", "Spec", "02-echo", "03-broadcast"]);
    assert.equal(await scoreOf("ada", "article"), "100 %");
    assert.equal(await scoreOf("ada", "spec"), "50 %");
    // bo's 02-echo counts as its tests failed at each level (2 article, 4 spec), beside 03's all passed.
    assert.equal(await scoreOf("bo", "article"), "50 %");
    assert.equal(await scoreOf("bo", "spec"), "33 %");
    // cy: 1 of 2 article, 2 of 4 spec (mixed, it would read 50 % only by chance: 3 of 6).
    assert.equal(await scoreOf("cy", "article"), "50 %");
    assert.equal(await scoreOf("cy", "spec"), "50 %");

    // Why bo's 02-echo could not be graded: the end of its log, the compiler's words.
    await row("bo").locator("td.cell").first().click();
    const details = page.locator("#details");
    await details.getByText("could not grade this step").waitFor();
    assert.match(await details.locator("pre").textContent(), /events\.cpp:62:1: error: expected unqualified-id/);

    // A failed test's message is shown as text: the <img> is not made, its handler never runs.
    await row("cy").locator("td.cell").first().click();
    await details.getByText("article_LogsIt").waitFor();
    assert.ok((await details.textContent()).includes(hostile));
    assert.equal(await page.locator("#details img").count(), 0);
    assert.equal(await page.evaluate(() => window.hacked), undefined);

    // Its 3 failures have 2 causes: the article one first, then the two spec tests whose messages
    // differ only in port, milliseconds and pid, as one line with both tests and a count.
    await details.getByText("3 failed, 2 causes:").waitFor();
    const causes = details.locator("li.cause");
    assert.equal(await causes.count(), 2);
    assert.equal((await causes.nth(0).locator("ul.tests li").allTextContents()).join("|"), "Server.article_LogsIt (article)");
    assert.equal((await causes.nth(1).locator(".count").textContent()).trim(), "2 ×");
    assert.match(await causes.nth(1).locator("summary").textContent(), /did not stop within 2000 ms of SIGTERM/);
    assert.deepEqual(await causes.nth(1).locator("ul.tests li").allTextContents(),
        ["Server.spec_ClosesWith1001 (spec)", "Server.spec_StopsOnSigterm (spec)"]);

    // A click on a level's score sorts by it, highest first; a second click, lowest first.
    const names = () => page.locator("tbody th").allTextContents();
    await page.getByRole("button", { name: "Article" }).click();
    assert.deepEqual(await names(), ["ada", "bo", "cy"]);
    await page.getByRole("button", { name: "Article" }).click();
    assert.deepEqual(await names(), ["bo", "cy", "ada"]);
    await page.getByRole("button", { name: "Spec" }).click();
    assert.deepEqual(await names(), ["ada", "cy", "bo"]);

    // A student's name leads to their own page (tools/grade-feedback.js), where the message that
    // holds HTML is text too.
    await row("cy").locator("th a").click();
    await page.waitForURL(/feedback\/cy\.html$/);
    assert.ok((await page.locator("body").textContent()).includes(hostile));
    assert.equal(await page.locator("img").count(), 0);
    assert.equal(await page.evaluate(() => window.hacked), undefined);
    assert.deepEqual(unexpectedProblems(page), []);
});
