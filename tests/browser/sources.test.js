/**
 * @file
 * @brief Checks on the clients' sources that back up what the browser tests
 *        see: no script in clients/ turns a string into HTML, and every client
 *        page uses the shared look and asks for no favicon.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { test, top } from "./helpers.js";

const clients = path.join(top, "clients");

/** Every file under clients/ with one of @p extensions, except installed packages. */
function files(extensions, dir = clients) {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            return entry.name === "node_modules" ? [] : files(extensions, full);
        }
        return extensions.some((extension) => entry.name.endsWith(extension)) ? [full] : [];
    });
}

test("no client script parses strings as HTML", () => {
    const scripts = files([".js", ".html"]);
    assert.ok(scripts.length >= 12, `found only ${scripts.length} files`);
    for (const file of scripts) {
        const source = readFileSync(file, "utf8");
        for (const sink of ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "DOMParser", "createContextualFragment"]) {
            assert.equal(source.includes(sink), false, `${path.relative(top, file)} uses ${sink}`);
        }
    }
});

test("every client page uses the shared look and asks for no favicon", () => {
    for (const name of ["connect", "echo", "broadcast", "subprotocol", "origin", "prices"]) {
        const page = readFileSync(path.join(clients, name, "index.html"), "utf8");
        assert.match(page, /<link rel="stylesheet" href="\.\.\/shared\/kit\.css">/, name);
        assert.match(page, /<link rel="icon" href="data:,">/, name);
        assert.match(page, /<html lang="en">/, name);
    }
});
