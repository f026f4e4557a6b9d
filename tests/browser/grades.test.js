/**
 * @file
 * @brief The report page of `make grade` (tools/grade-report.js) in chromium, as a teacher reads
 *        it: scores, a step that could not be graded, a failed test's message that holds HTML,
 *        and sorting. The report is written from a small made-up class, so no grading runs here.
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

/** One JUnit file of GoogleTest's form with a passed test and a failed one (its message given). */
function junit(message) {
    const escaped = message.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
    return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="2" failures="1" name="AllTests">
  <testsuite name="Server" tests="2" failures="1">
    <testcase name="article_Echoes" classname="Server"><properties><property name="level" value="article"/></properties></testcase>
    <testcase name="article_LogsIt" classname="Server"><properties><property name="level" value="article"/></properties>
      <failure message="${escaped}" type=""><![CDATA[${message}]]></failure>
    </testcase>
  </testsuite>
</testsuites>
`;
}

/** A report folder: ada passes all, bo's 02-echo did not build, cy fails one test whose message is HTML. */
function makeReport() {
    const out = mkdtempSync(path.join(tmpdir(), "kit-grades-"));
    for (const name of ["ada", "bo", "cy"]) {
        mkdirSync(path.join(out, name));
    }
    writeFileSync(path.join(out, "grades.csv"), [header,
        "ada,02-echo,graded,2,2,0,0,0,0", "ada,03-broadcast,graded,2,2,0,0,0,0",
        "bo,02-echo,error,0,0,0,0,0,0", "bo,03-broadcast,graded,2,2,0,0,0,0",
        "cy,02-echo,graded,1,2,0,0,0,0", "cy,03-broadcast,missing,0,0,0,0,0,0", ""].join("\n"));
    writeFileSync(path.join(out, "bo", "02-echo.log"),
        "grade: building lab/02-echo with the kit's build files (in the sandbox)\n" +
        "events.cpp:62:1: error: expected unqualified-id before 'this'\n" +
        "grade: the build of lab/02-echo failed: nothing to grade\n");
    writeFileSync(path.join(out, "cy", "02-echo.xml"), junit(`expected "x", got ${hostile}`));
    execFileSync("node", [path.join(top, "tools", "grade-report.js"), out]);
    return out;
}

test("the report page scores a step that did not build as failed, says why, keeps HTML as text, and sorts", async (t) => {
    const out = makeReport();
    t.after(() => rmSync(out, { recursive: true, force: true }));
    const browser = await startBrowser();
    t.after(() => browser.close());
    const page = await watchedPage(browser.context);
    await page.goto(pathToFileURL(path.join(out, "index.html")).href);

    const row = (name) => page.locator("tbody tr", { has: page.locator("th", { hasText: new RegExp(`^${name}$`) }) });
    const scoreOf = async (name) => (await row(name).locator("td.score").textContent()).trim();
    assert.equal(await scoreOf("ada"), "100 %");
    // bo's 02-echo counts as its 2 tests failed, beside 2 of 2 passed in 03: 50 %, not 100 %.
    assert.equal(await scoreOf("bo"), "50 %");
    assert.equal(await scoreOf("cy"), "50 %");

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

    // A click on Score sorts by it, highest first; a second click, lowest first.
    const names = () => page.locator("tbody th").allTextContents();
    await page.getByRole("button", { name: "Score" }).click();
    assert.deepEqual(await names(), ["ada", "bo", "cy"]);
    await page.getByRole("button", { name: "Score" }).click();
    assert.deepEqual(await names(), ["bo", "cy", "ada"]);
    assert.deepEqual(unexpectedProblems(page), []);
});
