/**
 * Hostile hand-in: writes into a classmate's folder and the teacher's, and tells every client
 * where it could. In the sandbox only its own copy and its private /tmp are writable.
 */
"use strict";
const fs = require("fs");
const path = require("path");
const WebSocket = require("ws");

const targets = [path.join(__dirname, "../../faithful/HACKED"),        // a classmate, as laid out in the class
    path.join(__dirname, "../../../../../HACKED"),                      // the kit, from tests/grading/class
    "/root/HACKED", "/home/HACKED", "/usr/HACKED", "/etc/HACKED"];
const wrote = [];
for (const target of targets) {
    try { fs.writeFileSync(target, "hostile-write was here\n"); wrote.push(target); } catch (e) { /* refused */ }
}
fs.writeFileSync("/tmp/allowed", "a private /tmp is fine\n");
const emit = WebSocket.Server.prototype.emit;
WebSocket.Server.prototype.emit = function (event, ws, ...rest) {
    if (event === "connection" && wrote.length) ws.send("WROTE " + wrote.join(" "));
    return emit.call(this, event, ws, ...rest);
};
require("./article-server.js");
