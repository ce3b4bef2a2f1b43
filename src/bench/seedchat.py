"""The seed's own stack doing the long-poll chat of issue #11, for the benchmark to compare (src/bench/chat.sh).

Bottle with gevent, as the seed's primer does it: one process, monkey-patched, gevent.pywsgi's WSGIServer, a
greenlet per connection. The same API subset as the WAR's chat: POST /chat/<room> (JSON or form) publishes and
answers 201 {"id": "<ms>-<seq>"}; GET /chat/<room>?since=<id>&timeout=<ms> answers the messages after since as
NDJSON at once, else the next one as soon as it is published, else 204 at the timeout. Rooms keep 1000 messages.

  /usr/bin/python3 src/bench/seedchat.py gevent 18081    # Debian's python3-bottle and python3-gevent
  /usr/bin/python3 src/bench/seedchat.py sync 18081      # Bottle's wsgiref server, 20 worker threads
"""
import sys

MODE, PORT = sys.argv[1], int(sys.argv[2])
if MODE == "gevent":
    from gevent import monkey
    monkey.patch_all()

import bisect, json, threading, time
from bottle import Bottle, HTTPResponse, request, response

app = Bottle()
rooms = {}


class Room:
    def __init__(self, name):
        self.name, self.ids, self.lines, self.last = name, [], [], (0, 0)
        self.changed = threading.Condition()  # gevent's own Condition once monkey-patched

    def append(self, name, text):
        with self.changed:
            ms = int(time.time() * 1000)
            self.last = (ms, 0) if ms > self.last[0] else (self.last[0], self.last[1] + 1)
            id = "%d-%d" % self.last
            self.ids.append(self.last)
            self.lines.append(json.dumps({"id": id, "room": self.name, "name": name, "text": text,
                                          "at": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000))
                                          + ".%03dZ" % (ms % 1000)}, separators=(",", ":")) + "\n")
            del self.ids[:-1000], self.lines[:-1000]
            self.changed.notify_all()
            return id

    def after(self, since, limit=100):
        return self.lines[bisect.bisect_right(self.ids, since):][:limit]


def parse_id(raw):
    try:
        ms, seq = raw.split("-")
        return int(ms), int(seq)
    except ValueError:
        raise HTTPResponse("since must be <ms>-<seq>\n", 400)


@app.post("/chat/<name>")
def publish(name):
    data = request.json if request.json is not None else request.forms
    if not data.get("name") or not data.get("text"):
        return HTTPResponse("name and text are required\n", 400)
    id = rooms.setdefault(name, Room(name)).append(data["name"], data["text"])
    response.status = 201
    return {"id": id}


@app.get("/chat/<name>")
def poll(name):
    room = rooms.setdefault(name, Room(name))
    since = parse_id(request.query.since or "0-0")
    timeout = min(int(request.query.timeout or 25000), 120000) / 1000
    with room.changed:
        lines = room.after(since)
        if not lines:
            room.changed.wait(timeout)
            lines = room.after(since)
    if not lines:
        return HTTPResponse(status=204)
    response.content_type = "application/x-ndjson"
    return "".join(lines)


if MODE == "gevent":
    from gevent.pywsgi import WSGIServer
    WSGIServer(("127.0.0.1", PORT), app, log=None, backlog=1000).serve_forever()
else:
    from concurrent.futures import ThreadPoolExecutor
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    class Pooled(WSGIServer):
        """wsgiref's server (Bottle's default) with a pool of 20 threads, like the seed's 20-thread server."""
        request_queue_size = 1000
        pool = ThreadPoolExecutor(20)

        def process_request(self, sock, address):
            self.pool.submit(self.serve, sock, address)

        def serve(self, sock, address):
            try:
                self.finish_request(sock, address)
            except Exception:
                self.handle_error(sock, address)
            finally:
                self.shutdown_request(sock)

    make_server("127.0.0.1", PORT, app, server_class=Pooled, handler_class=Quiet).serve_forever()
