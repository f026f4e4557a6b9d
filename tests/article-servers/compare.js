/**
 * One-difference checks (README, "One-difference servers"): compares the tests a variant
 * fails with those the faithful server fails, at each grading level, against the table
 * one-difference.tsv. Read by `run`; plain Node, no packages.
 *
 *   node compare.js <table.tsv> <variant> <step> <faithful.xml> <variant.xml>
 *
 * Both XML files are the JUnit XML a step's test program writes (KIT_RESULTS_DIR), of a run
 * at level kit (which holds every level). At each level L the variant must fail exactly
 * the tests of level <= L that the faithful server fails, plus the table's tests of level
 * <= L for this variant and step. Prints one line per level:
 *
 *   PASS<TAB><what><TAB><detail>     or     FAIL<TAB><what><TAB><detail>
 *
 * and one line "TABLE<TAB><problem>" for each table row that cannot be right (a test that
 * does not exist in the step, or whose level is not the one the table says).
 */
"use strict";

const fs = require("fs");

const levels = ["article", "spec", "kit"];

/** Undoes the XML escapes GoogleTest and the kit's runner write. */
function unescapeXml(text) {
    return text
        .replace(/&#x([0-9a-fA-F]+);/g, (m, hex) => String.fromCodePoint(parseInt(hex, 16)))
        .replace(/&#([0-9]+);/g, (m, dec) => String.fromCodePoint(parseInt(dec, 10)))
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&quot;/g, "\"")
        .replace(/&apos;/g, "'")
        .replace(/&amp;/g, "&");
}

/** The value of attribute @p name in the start tag @p tag, or "". */
function attribute(tag, name) {
    const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
    return m ? unescapeXml(m[1]) : "";
}

/**
 * The tests of a JUnit XML file: Map "<suite>.<test>" (without GoogleTest's "/0" of a
 * parameterised test) -> { level, failed, message }, where message is the failure's first line.
 */
function readResults(file) {
    const xml = fs.readFileSync(file, "utf8");
    const tests = new Map();
    const testcase = /<testcase\s[^>]*?(\/>|>[\s\S]*?<\/testcase>)/g;
    let m;
    while ((m = testcase.exec(xml)) !== null) {
        const whole = m[0];
        const start = whole.slice(0, whole.indexOf(">") + 1);
        const name = attribute(start, "name").replace(/\/[0-9]+$/, "");
        const suite = attribute(start, "classname");
        const level = /<property name="level" value="([^"]*)"/.exec(whole);
        const failure = /<failure message="([^"]*)"/.exec(whole);
        let message = "";
        if (failure) {
            // GoogleTest's message starts with "file:line" (or "unknown file" for an exception);
            // the first line after it says what failed.
            message = unescapeXml(failure[1]).replace(/^\s*(unknown file|[^ \n]+:[0-9]+)\s*\n/, "");
            message = message.replace(/^C\+\+ exception with description "/, "").split("\n")
                .map((l) => l.trim()).filter((l) => l !== "").slice(0, 3).join(" ")
                .replace(/" thrown in the test body\.$/, "");
            if (message.length > 240) {
                message = message.slice(0, 240) + "...";
            }
        }
        tests.set(`${suite}.${name}`, {
            level: level ? level[1] : name.split("_")[0],
            failed: failure !== null || /<error[\s>]/.test(whole),
            message: message
        });
    }
    return tests;
}

/** The table's rows for one variant and step: [{ level, test, why }]; "-" rows say "none". */
function readTable(file, variant, step) {
    const rows = [];
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        if (line.trim() === "" || line.startsWith("#")) {
            continue;
        }
        const [v, s, level, test, why] = line.split("\t");
        if (v === variant && s === step) {
            rows.push({ level: level, test: test, why: why || "" });
        }
    }
    return rows;
}

/**
 * Failed tests grouped by the cause their message names (the same words but for numbers such
 * as ports): "a, b: <message>; c: <message>".
 */
function byCause(failures) {
    const causes = new Map();
    for (const f of failures) {
        const key = f.message.replace(/[0-9]+/g, "N");
        if (!causes.has(key)) {
            causes.set(key, { message: f.message, tests: [] });
        }
        causes.get(key).tests.push(f.test);
    }
    return [...causes.values()].map((c) => `${c.tests.join(", ")}: ${c.message}`).join("; ");
}

function main() {
    const [tableFile, variant, step, faithfulFile, variantFile] = process.argv.slice(2);
    const what = `one-difference/${variant} ${step}`;
    const rows = readTable(tableFile, variant, step);
    if (rows.length === 0) {
        console.log(`TABLE\t${what}: no row in one-difference.tsv (write one, '-' as the test when none must fail)`);
    }
    let faithful, ran;
    try {
        faithful = readResults(faithfulFile);
        ran = readResults(variantFile);
    } catch (error) {
        for (const level of levels) {
            console.log(`FAIL\t${what} at ${level}\tno results: ${error.message}`);
        }
        return;
    }
    if (ran.size === 0 || faithful.size === 0) {
        for (const level of levels) {
            console.log(`FAIL\t${what} at ${level}\tno test ran (${ran.size === 0 ? "variant" : "faithful"})`);
        }
        return;
    }
    const extra = new Map();  // test -> its row
    for (const row of rows.filter((r) => r.test !== "-")) {
        const result = ran.get(row.test);
        if (!result) {
            console.log(`TABLE\t${what}: ${row.test} is no test of this run (renamed?)`);
        } else if (result.level !== row.level) {
            console.log(`TABLE\t${what}: ${row.test} is of level ${result.level}, the table says ${row.level}`);
        }
        extra.set(row.test, row);
    }
    // The differences of the tests of each level; a level's check holds those below it too.
    const differences = levels.map((level) => {
        const unexpected = [];  // failed, but neither the faithful server nor the table says so
        const passed = [];      // expected to fail (faithful or table), but passed
        const missing = [];     // in one run and not the other
        for (const [test, result] of ran) {
            if (result.level !== level) {
                continue;
            }
            const base = faithful.get(test);
            if (!base) {
                missing.push(`${test} (not in the faithful run)`);
            } else if (result.failed && !base.failed && !extra.has(test)) {
                unexpected.push({ test: test, message: result.message });
            } else if (!result.failed && (base.failed || extra.has(test))) {
                passed.push(test + (extra.has(test) ? " (the table's)" : " (the faithful server fails it)"));
            }
        }
        for (const [test, row] of extra) {
            if (row.level === level && !ran.has(test)) {
                missing.push(`${test} (in the table, did not run)`);
            }
        }
        return { unexpected, passed, missing };
    });
    for (let i = 0; i < levels.length; ++i) {
        const within = (result) => levels.indexOf(result.level) <= i && levels.indexOf(result.level) >= 0;
        const results = [...ran.values()].filter(within);
        const tableHere = [...extra.values()].filter(within).length;
        const counts = `${results.filter((r) => r.failed).length} of ${results.length} failed`;
        const below = differences.slice(0, i).some((d) => d.unexpected.length + d.passed.length + d.missing.length > 0);
        const own = differences[i];
        if (!below && own.unexpected.length + own.passed.length + own.missing.length === 0) {
            console.log(`PASS\t${what} at ${levels[i]}\t${counts}, as the faithful server's plus the table's ${tableHere}`);
            continue;
        }
        const parts = [];
        if (own.unexpected.length > 0) {
            parts.push(`failed unexpectedly: ${byCause(own.unexpected)}`);
        }
        if (own.passed.length > 0) {
            parts.push(`expected to fail, passed: ${own.passed.join("; ")}`);
        }
        if (own.missing.length > 0) {
            parts.push(`not compared: ${own.missing.join("; ")}`);
        }
        if (below) {
            parts.push("and the differences of the level(s) below");
        }
        console.log(`FAIL\t${what} at ${levels[i]}\t${counts}; ${parts.join(" | ")}`);
    }
}

main();
