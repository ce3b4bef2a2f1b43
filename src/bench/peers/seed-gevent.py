"""The seed's own two endpoints on its own stack, a peer for src/bench/peers.sh to measure against the WAR (#15).

Bottle on gevent.pywsgi's WSGIServer with gevent-websocket's WebSocketHandler, monkey-patched, one process, a
greenlet per connection: the primer's code, stock settings. GET /stream yields START, MIDDLE 3 s later and END
5 s after that (?first=ms&second=ms, as the WAR takes them); /websocket loops wsock.receive() and answers
"Your message was: %r" % message (the WAR answers byte for byte the same, so the benchmark client checks every
reply alike); a plain GET /websocket gets the seed's 400.

  /usr/bin/python3 src/bench/peers/seed-gevent.py 18201   # Debian: python3-bottle python3-gevent python3-gevent-websocket
"""
import sys

from gevent import monkey
monkey.patch_all()

from time import sleep
from bottle import Bottle, abort, request
from gevent.pywsgi import WSGIServer
from geventwebsocket import WebSocketError
from geventwebsocket.handler import WebSocketHandler

app = Bottle()


@app.route("/stream")
def stream():
    first = int(request.query.first or 3000) / 1000
    second = int(request.query.second or 5000) / 1000
    yield "START\n"
    sleep(first)
    yield "MIDDLE\n"
    sleep(second)
    yield "END\n"


@app.route("/websocket")
def handle_websocket():
    wsock = request.environ.get("wsgi.websocket")
    if not wsock:
        abort(400, "Expected WebSocket request.")
    while True:
        try:
            message = wsock.receive()
            if message is None:  # the client closed: the seed's loop would send once more and fail; same end
                break
            wsock.send("Your message was: %r" % message)
        except WebSocketError:
            break


# backlog: the same as server.sh's Tomcat (acceptCount) and the Node peer; log=None: no access log line per request.
WSGIServer(("127.0.0.1", int(sys.argv[1])), app, handler_class=WebSocketHandler, log=None,
           backlog=1000).serve_forever()
