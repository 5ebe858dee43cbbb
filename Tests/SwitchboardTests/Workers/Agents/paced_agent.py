"""A streaming agent for the live-edit freshness test: answers each turn as a text/event-stream in
rounds, `--gap` seconds apart within a round: round 0 is the first word, streamed at once; each later
round is `--per-round` words and waits until the fake provider at `--provider` has recorded as many sends
or edits of a message as rounds before it, so its words arrive while the live reply waits out its pacing
before its next edit. Each delta is appended to
`--timeline` as a JSON line {"at_ns": wall-clock nanoseconds when it was written, "text": the answer
so far}, written before the delta goes out. Prints its port."""
import argparse
import json
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--provider", required=True)
parser.add_argument("--timeline", required=True)
parser.add_argument("--per-round", type=int, default=3)
parser.add_argument("--gap", type=float, default=0.1)
options = parser.parse_args()
LIVE = ("/sendMessage", "/editMessageText")


def shown():
    """How many sends and edits of a message the fake provider has recorded."""
    with urllib.request.urlopen(options.provider + "/_fake/requests") as response:
        requests = json.load(response)
    return sum(1 for r in requests if r["path"].endswith(LIVE) and not r.get("scripted"))


class Agent(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        turn = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        words = ("agent: " + turn["message"]).split(" ")
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        text = ""
        rounds = [words[:1]] + [words[i:i + options.per_round] for i in range(1, len(words), options.per_round)]
        for number, round_words in enumerate(rounds):
            deadline = time.monotonic() + 60
            while shown() < number and time.monotonic() < deadline:
                time.sleep(0.01)
            for index, word in enumerate(round_words):
                if index > 0:
                    time.sleep(options.gap)
                delta = word if number == 0 else " " + word
                text += delta
                with open(options.timeline, "a") as timeline:
                    timeline.write(json.dumps({"at_ns": time.time_ns(), "text": text}) + "\n")
                self.wfile.write(("data: " + json.dumps({"delta": delta}) + "\n\n").encode())
                self.wfile.flush()
        self.wfile.write(b'data: {"done": true}\n\n')
        self.wfile.flush()
        self.close_connection = True


server = ThreadingHTTPServer(("127.0.0.1", 0), Agent)
print(server.server_address[1], flush=True)
server.serve_forever()
