/**
 * Hostile hand-in: once ready, prints without end. The harness keeps 4 MiB of it, the
 * grader's log at most 8 MiB, and the sandbox's CPU limit ends it in the end.
 */
"use strict";
const line = "spam ".repeat(1000) + "\n";
const log = console.log;
console.log = (...args) => {
    log(...args);
    if (String(args[0]).startsWith("Server is listening")) {
        const flood = () => { for (let i = 0; i < 200; i++) process.stdout.write(line); setImmediate(flood); };
        flood();
    }
};
require("./article-server.js");
