"""Drives headless Chromium through the Chrome DevTools Protocol over --remote-debugging-pipe (file
descriptors 3 and 4, NUL-terminated JSON), so the tests need no WebSocket client.

usage: drive.py CHROMIUM SCRIPT.json OUTDIR
SCRIPT is a JSON list of steps: {"goto": URL}, {"eval": JS} (waits for a navigation it starts when
"navigates" is true), {"screenshot": NAME}, {"text": NAME} (writes document.body.innerText),
{"phone": [WIDTH, HEIGHT]} (emulates a phone's screen from then on).
Prints one JSON line per step with what it saw (a navigation also says where it ended, "at", after any
redirect); exits non-zero on any failure."""
import json, os, select, subprocess, sys, tempfile, time

chromium, script_path, out = sys.argv[1], sys.argv[2], sys.argv[3]
steps = json.load(open(script_path))
to_chrome_r, to_chrome_w = os.pipe()
from_chrome_r, from_chrome_w = os.pipe()
profile = tempfile.mkdtemp(prefix="switchboard-chromium-")
# Chromium reads commands on fd 3 and writes replies on fd 4 (close_fds=False: subprocess would close them
# after preexec_fn otherwise).
def child_fds():
    os.dup2(to_chrome_r, 3)
    os.dup2(from_chrome_w, 4)
    # dup2 onto itself keeps close-on-exec, which Python sets on every pipe.
    os.set_inheritable(3, True)
    os.set_inheritable(4, True)
proc = subprocess.Popen(
    [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
     "--user-data-dir=" + profile, "--no-first-run", "--window-size=1100,800", "about:blank"],
    preexec_fn=child_fds, close_fds=False, stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL)
os.close(to_chrome_r); os.close(from_chrome_w)
reader = os.fdopen(from_chrome_r, "rb", buffering=0)
buffer = b""
next_id = 0
events = []

def receive(deadline):
    global buffer
    while b"\0" not in buffer:
        # Wait for bytes only until the deadline: a step whose navigation never comes fails, not hangs.
        remaining = deadline - time.time()
        if remaining <= 0 or not select.select([reader], [], [], remaining)[0]:
            raise TimeoutError("no answer from chromium")
        chunk = reader.read(65536)
        if not chunk:
            raise EOFError("chromium closed the pipe")
        buffer += chunk
    message, buffer = buffer.split(b"\0", 1)
    return json.loads(message)

def send(method, params=None, session=None, timeout=30):
    global next_id
    next_id += 1
    message = {"id": next_id, "method": method, "params": params or {}}
    if session:
        message["sessionId"] = session
    os.write(to_chrome_w, json.dumps(message).encode() + b"\0")
    deadline = time.time() + timeout
    while True:
        reply = receive(deadline)
        if reply.get("id") == next_id:
            if "error" in reply:
                raise RuntimeError(f"{method}: {reply['error']}")
            return reply.get("result", {})
        events.append(reply)

def wait_for(event, session, timeout=30):
    deadline = time.time() + timeout
    while True:
        for index, seen in enumerate(events):
            if seen.get("method") == event and seen.get("sessionId") == session:
                del events[: index + 1]
                return seen
        events.append(receive(deadline))

def location(session):
    """The page's address now: where a navigation ended after its redirects."""
    value = send("Runtime.evaluate", {"expression": "location.pathname + location.search", "returnByValue": True},
                 session)
    return value["result"]["value"]

try:
    target = send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    send("Page.enable", session=session)
    send("Runtime.enable", session=session)
    for step in steps:
        if "goto" in step:
            events.clear()
            send("Page.navigate", {"url": step["goto"]}, session)
            wait_for("Page.loadEventFired", session)
            print(json.dumps({"goto": step["goto"], "at": location(session)}), flush=True)
        elif "eval" in step:
            events.clear()
            result = send("Runtime.evaluate", {"expression": step["eval"], "returnByValue": True}, session)
            if "exceptionDetails" in result:
                raise RuntimeError(f"{step['eval'][:80]}: {result['exceptionDetails'].get('exception', {}).get('description')}")
            seen = {"eval": result.get("result", {}).get("value")}
            if step.get("navigates"):
                wait_for("Page.loadEventFired", session)
                seen["at"] = location(session)
            print(json.dumps(seen), flush=True)
        elif "screenshot" in step:
            data = send("Page.captureScreenshot", {"format": "png"}, session)["data"]
            import base64
            path = os.path.join(out, step["screenshot"] + ".png")
            open(path, "wb").write(base64.b64decode(data))
            print(json.dumps({"screenshot": path}), flush=True)
        elif "phone" in step:
            width, height = step["phone"]
            send("Emulation.setDeviceMetricsOverride",
                 {"width": width, "height": height, "deviceScaleFactor": 2, "mobile": True}, session)
            print(json.dumps({"phone": [width, height]}), flush=True)
        elif "text" in step:
            value = send("Runtime.evaluate", {"expression": "document.body.innerText", "returnByValue": True}, session)
            print(json.dumps({"text": step["text"], "value": value["result"]["value"]}), flush=True)
finally:
    try:
        send("Browser.close", timeout=5)
    except Exception:
        pass
    proc.wait(timeout=10)
