// The seed's two endpoints on Node.js, a peer for src/bench/peers.sh to measure against the WAR (issue #15):
// GET /stream writes START, MIDDLE 3 s later and END 5 s after that (?first=ms&second=ms, as the WAR takes them),
// and /websocket answers every message with the seed's "Your message was: %r" % message, byte for byte what the
// WAR answers (Python's repr() of a str, or of a bytearray for a binary message), so the benchmark client checks
// every reply alike. A plain GET /websocket gets the seed's 400. One process, the `ws` package with its stock
// settings (no bufferutil or utf-8-validate addons, no permessage-deflate: ws's server default).
//
//   npm install --prefix target/peers ws@8.23.0
//   NODE_PATH=target/peers/node_modules node src/bench/peers/seed-node.js 18200
"use strict";
const http = require("http");
const { WebSocketServer } = require("ws");

const port = Number(process.argv[2] || 8080);

// CPython's str.isprintable() is False for categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs except the space. Node's
// Unicode tables may be a version apart from Debian's CPython 3.11 (Unicode 14.0.0) for unassigned code points;
// the benchmark's messages are ASCII.
const NON_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;
const NAMED = { "\t": "\\t", "\n": "\\n", "\r": "\\r" };

function hex(prefix, value, digits) {
  return prefix + value.toString(16).padStart(digits, "0");
}

/** Python 3's repr() of a str: the WAR's PyRepr.of. */
function reprStr(text) {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) { // by code point; a lone surrogate comes as one
    const c = ch.codePointAt(0);
    if (ch === quote || ch === "\\") out += "\\" + ch;
    else if (NAMED[ch]) out += NAMED[ch];
    else if (ch === " " || !NON_PRINTABLE.test(ch)) out += ch;
    else if (c <= 0xff) out += hex("\\x", c, 2);
    else if (c <= 0xffff) out += hex("\\u", c, 4);
    else out += hex("\\U", c, 8);
  }
  return out + quote;
}

/** Python 3's repr() of a bytearray (what gevent-websocket hands over for a binary message): PyRepr.ofByteArray. */
function reprByteArray(bytes) {
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? '"' : "'";
  let out = "bytearray(b" + quote;
  for (const c of bytes) {
    const ch = String.fromCharCode(c);
    if (ch === "'" || ch === "\\") out += "\\" + ch; // ' even inside "...", as CPython's bytearray_repr writes it
    else if (NAMED[ch]) out += NAMED[ch];
    else if (c < 0x20 || c >= 0x7f) out += hex("\\x", c, 2);
    else out += ch;
  }
  return out + quote + ")";
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  if (url.pathname === "/stream") {
    const first = Number(url.searchParams.get("first") || 3000);
    const second = Number(url.searchParams.get("second") || 5000);
    res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
    res.write("START\n");
    const middle = setTimeout(() => {
      res.write("MIDDLE\n");
      end = setTimeout(() => res.end("END\n"), second);
    }, first);
    let end = null;
    res.on("close", () => { clearTimeout(middle); clearTimeout(end); }); // client gone: no timer left behind
  } else if (url.pathname === "/websocket") {
    res.writeHead(400, { "Content-Type": "text/plain" }).end("Expected WebSocket request.");
  } else {
    res.writeHead(404, { "Content-Type": "text/plain" }).end("Not found");
  }
});

const sockets = new WebSocketServer({ server, path: "/websocket" });
sockets.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => {
    ws.send("Your message was: " + (isBinary ? reprByteArray(data) : reprStr(data.toString("utf8"))));
  });
  ws.on("error", () => ws.terminate());
});

server.listen(port, "127.0.0.1", 1000); // the backlog of server.sh's Tomcat (acceptCount) and the gevent peer
