"""A streaming agent for the live-reply tests: answers each turn as a text/event-stream, a word per
event with a pause before each, then {"done": true}. The first `--die` requests stop after `--die-after`
words without done and drop the connection, as an agent that crashes mid-stream. Prints its port."""
import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--pause", type=float, default=0.1)
parser.add_argument("--die", type=int, default=0)
parser.add_argument("--die-after", type=int, default=3)
options = parser.parse_args()
lock = threading.Lock()
served = [0]


class Agent(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        turn = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with lock:
            served[0] += 1
            dies = served[0] <= options.die
        words = ("agent: " + turn["message"]).split(" ")
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        for index, word in enumerate(words):
            if dies and index == options.die_after:
                self.wfile.flush()
                self.close_connection = True
                return
            time.sleep(options.pause)
            delta = word if index == 0 else " " + word
            self.wfile.write(b": a comment line\n" if index == 1 else b"")
            self.wfile.write(("data: " + json.dumps({"delta": delta}) + "\r\n\r\n").encode())
            self.wfile.flush()
        self.wfile.write(b'data: {"done": true}\n\n')
        self.wfile.flush()
        self.close_connection = True


server = ThreadingHTTPServer(("127.0.0.1", 0), Agent)
print(server.server_address[1], flush=True)
server.serve_forever()
