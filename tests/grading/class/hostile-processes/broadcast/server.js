/**
 * Hostile hand-in: starts thousands of processes, then serves as the article's server.
 * In the sandbox it gets only as many as the process limit allows, and none outlives it.
 */
"use strict";
const { spawn } = require("child_process");
let started = 0;
for (let i = 0; i < 3000; i++) {
    try {
        const child = spawn("sleep", ["600"], { stdio: "ignore" });
        child.on("error", () => {});
        if (child.pid) started++;
    } catch (e) { break; }
}
console.error(`started ${started} processes`);
require("./article-server.js");
