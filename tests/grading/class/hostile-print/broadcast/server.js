/**
 * Hostile hand-in: once ready, prints without end. The harness keeps 4 MiB of it, the
 * grader's log at most 8 MiB, and the sandbox's CPU limit ends it in the end.
 * The first 5.5 MB come at once, with the ready line, before the server handles anything: every
 * log line after it lies beyond what the harness keeps, on every run and under any load, so the
 * same tests fail each time (a flood that raced the log lines made the grade differ between runs).
 */
"use strict";
const line = "spam ".repeat(1000) + "\n";
const log = console.log;
console.log = (...args) => {
    log(...args);
    if (String(args[0]).startsWith("Server is listening")) {
        for (let i = 0; i < 1100; i++) process.stdout.write(line);
        setInterval(() => process.stdout.write(line), 10);
    }
};
require("./article-server.js");
