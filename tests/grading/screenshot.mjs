// Takes docs/images/grades.png: a report's index.html in Debian's chromium, with one
// student's step opened (its failed tests shown).
//   node tests/grading/screenshot.mjs <report folder> <student> <step> [<png>]
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../browser/package.json"));
const { chromium } = require("playwright-core");
const [report, student, step, png = path.join(here, "../../docs/images/grades.png")] = process.argv.slice(2);

const profile = mkdtempSync(path.join(tmpdir(), "kit-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"],
});
try {
    const page = await context.newPage();
    await page.goto(pathToFileURL(path.resolve(report, "index.html")).href);
    const columns = await page.locator("thead th").allTextContents();
    const row = page.locator("tbody tr", { has: page.locator("th", { hasText: new RegExp(`^${student}$`) }) });
    await row.locator("td").nth(columns.indexOf(step) - 1).click();
    await page.screenshot({ path: png });
    console.log(`wrote ${png}`);
} finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
}
