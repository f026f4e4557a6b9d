/**
 * The Express application of the broadcast server, in the layout that
 * express-generator makes: this file builds the app and exports it, and
 * bin/www creates the HTTP server, attaches the WebSocket server and listens.
 *
 * ONE DIFFERENCE (with bin/www): the article's #broadcast server, started
 * through a bin/www script, which prints `Listening on port <port>` instead of
 * `Server is listening on <port>`. Started with `npm start` (package.json) or
 * `node bin/www`; kit-grade.json names that command for the grader.
 */
"use strict";

const express = require("express");
const url = require("url"); // required by the article, not used yet

const app = express();

// Every HTTP request gets the same answer.
app.use((req, res) => {
    res.send({ msg: "hello" });
});

module.exports = app;
