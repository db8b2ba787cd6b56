#!/usr/bin/python3
"""The web interface end to end: a real jixiaod with --http, driven in real headless
Chromium through WebDriver, and the real jx beside it.

Run by ctest (tests/CMakeLists.txt) with JIXIAOD, JX, JX_WEB_ROOT and JX_SEEDS set.
Each test class starts its own daemon in a private temporary directory, on a free
port (port 0), and waits for its readiness line.
"""
import base64
import hashlib
import json
import os
import re
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import zlib

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

JIXIAOD = os.environ.get("JIXIAOD", "build/server/jixiaod")
JX = os.environ.get("JX", "build/client/jx")
WEB_ROOT = os.environ.get("JX_WEB_ROOT", "build/web")
DATA = os.environ.get("JX_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data"))
OUT = os.environ.get("JX_TEST_OUT", os.getcwd())
WAIT = 10


class Daemon:
    """A jixiaod of the test's own: store made with jixiaod init and an admin key."""

    def __init__(self, tls=False):
        self.dir = tempfile.mkdtemp(prefix="jx-web-")
        self.sock = "ipc://" + os.path.join(self.dir, "s.sock")
        self.admin_key = os.path.join(self.dir, "admin.key")
        self.jx("keygen", "--name", "admin", key=self.admin_key)
        subprocess.run([JIXIAOD, "init", "--data", os.path.join(self.dir, "data"),
                        "--admin-key", self.admin_key + ".pub"], check=True,
                       capture_output=True)
        args = [JIXIAOD, "--data", os.path.join(self.dir, "data"), "--listen", self.sock,
                "--web-root", WEB_ROOT]
        if tls:
            cert = os.path.join(self.dir, "cert.pem")
            key = os.path.join(self.dir, "key.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                            "-subj", "/CN=127.0.0.1", "-addext",
                            "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                           check=True, capture_output=True)
            os.chmod(key, 0o600)
            args += ["--http", "https://127.0.0.1:0", "--tls-cert", cert, "--tls-key", key]
        else:
            args += ["--http", "http://127.0.0.1:0"]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"(https?://127\.0\.0\.1:\d+)", line)
        if not m:
            raise RuntimeError("jixiaod did not start: " + line + self.proc.stderr.read())
        self.url = m.group(1)
        self.port = int(self.url.rsplit(":", 1)[1])

    def jx(self, *args, key=None, check=True):
        r = subprocess.run([JX, "--server", getattr(self, "sock", "ipc:///nonexistent"),
                            "--key", key or self.admin_key, *args],
                           capture_output=True, text=True, errors="replace",
                           env=dict(os.environ, HOME=self.dir, XDG_CONFIG_HOME=self.dir))
        if check and r.returncode != 0:
            raise AssertionError(f"jx {' '.join(args)}: {r.returncode}\n{r.stdout}{r.stderr}")
        return r

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        self.proc.terminate()
        try:
            rc = self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = -1
        if rc != 0:
            print(f"jixiaod exited {rc}:\n{self.proc.stderr.read()[-6000:]}", file=sys.stderr)
        shutil.rmtree(self.dir, ignore_errors=True)
        return rc


def browser(tls=False, downloads=None):
    o = webdriver.ChromeOptions()
    if downloads:
        o.add_experimental_option("prefs", {"download.default_directory": downloads,
                                            "download.prompt_for_download": False})
    o.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,800",
              "--disable-dev-shm-usage", "--lang=zh-CN"):
        o.add_argument(a)
    if tls:
        o.add_argument("--ignore-certificate-errors")
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = ChromeService(executable_path="/usr/bin/chromedriver")
    return webdriver.Chrome(options=o, service=service)


def wait_for(drv, css, timeout=WAIT, text=None):
    def found(d):
        els = d.find_elements(By.CSS_SELECTOR, css)
        if not els:
            return False
        if text is not None and text not in els[0].text and text != els[0].get_attribute("value"):
            return False
        return els[0]
    try:
        return WebDriverWait(drv, timeout, poll_frequency=0.02,
                             ignored_exceptions=(StaleElementReferenceException,)).until(found)
    except TimeoutException:
        logs = "\n".join(str(e) for e in drv.get_log("browser"))
        toast = drv.find_elements(By.ID, "toast")
        said = toast[0].get_attribute("textContent") if toast else ""
        raise AssertionError(f"no {css} {text or ''} on the page (it says: {said}); "
                             f"browser log:\n{logs}")


def click(drv, css, timeout=WAIT):
    """Clicks css once it is there, again if a live update replaced it meanwhile."""
    end = time.monotonic() + timeout
    while True:
        try:
            wait_for(drv, css, timeout=max(0.1, end - time.monotonic())).click()
            return
        except StaleElementReferenceException:
            if time.monotonic() > end:
                raise


def login_new_key(d, drv, name, url=None):
    """Creates a key in the browser, has the admin register its line with jx, logs in."""
    drv.get((url or d.url) + "/")
    wait_for(drv, "#key-name").send_keys(name)
    click(drv, "#key-create")
    line = wait_for(drv, "#public-line").get_attribute("value")
    assert line.startswith("jixiao-ed25519 "), line
    # Not registered yet: the server refuses the login and the page says why.
    click(drv, "#login")
    wait_for(drv, "#login-error")
    d.jx("user", "add", name, line)
    click(drv, "#login")
    wait_for(drv, "#ws-list")
    return line


def sheet_1000(path):
    """10 level-1 × 10 level-2 × 10 leaves: 1,110 indicators, 1,000 of them scored leaves."""
    with open(path, "w", encoding="utf-8") as f:
        f.write("一级指标,二级指标,三级指标,分值,评分标准,评价情况,评价得分,指标值,完成值,评分方法,参数\n")
        for a in range(10):
            for b in range(10):
                for c in range(10):
                    f.write(f"{'一级%d（10分）' % a if b == 0 and c == 0 else ''},"
                            f"{'二级%d.%d（1分）' % (a, b) if c == 0 else ''},"
                            f"三级指标{a}.{b}.{c},0.1,按完成情况评分,完成,0.1,≥95%,98%,,\n")


def sheet_input(drv, code, field):
    return wait_for(drv, f'tr[data-code="{code}"] .cell[data-field="{field}"]')


def png_not_blank(path):
    """Decodes a PNG's pixel rows (stdlib only): many distinct byte values, not one fill."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    raw = zlib.decompress(idat)
    return len(set(raw[::7])) > 40


def ws_handshake(port, path="/rpc", proto="rep.sp.nanomsg.org", origin=None, tls=False,
                 host=None):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    if tls:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(s)
    key = base64.b64encode(os.urandom(16)).decode()
    req = (f"GET {path} HTTP/1.1\r\nHost: {host or '127.0.0.1'}:{port}\r\nUpgrade: websocket\r\n"
           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
           f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: {proto}\r\n")
    if origin:
        req += f"Origin: {origin}\r\n"
    s.sendall((req + "\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(4096)
        if not chunk:
            break
        head += chunk
    return s, head.split(b"\r\n", 1)[0].decode(errors="replace")


def ws_frame(payload, opcode=2, length=None):
    n = len(payload) if length is None else length
    mask = os.urandom(4)
    if n < 126:
        hdr = struct.pack(">BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        hdr = struct.pack(">BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        hdr = struct.pack(">BBQ", 0x80 | opcode, 0x80 | 127, n)
    return hdr + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


# A System.Ping request, by hand: protocol 1, service "jixiao.System", method 0.
PING = b"\x80\x00\x00\x07" + b"\x08\x01\x12\x0djixiao.System\x18\x00"


def ws_answers(s):
    """Sends a ping on an open WebSocket; True when a reply frame comes back."""
    try:
        s.sendall(ws_frame(PING))
        s.settimeout(3)
        got = s.recv(2)
        return len(got) == 2 and (got[0] & 0x0f) == 2
    except OSError:
        return False


def http_raw(port, request, tls=False):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(request)
    out = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
            if b"\r\n\r\n" in out:
                m = re.search(rb"Content-Length: (\d+)", out, re.I)
                body = out.split(b"\r\n\r\n", 1)[1]
                if m and len(body) >= int(m.group(1)):
                    break
    except OSError:
        pass
    s.close()
    return out


class WebTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon()
        d = cls.d
        d.jx("ws", "create", "--subject", "数字政府运维", "--year", "2023", "--kind",
             "key-evaluation")
        d.jx("import", "sheet", "1", os.path.join(DATA, "seed002-sheet.csv"))
        cls.drivers = []

    @classmethod
    def tearDownClass(cls):
        for drv in cls.drivers:
            drv.quit()
        rc = cls.d.stop()
        assert rc == 0, f"jixiaod exited {rc}"

    def new_browser(self, tls=False, downloads=None):
        drv = browser(tls, downloads)
        self.drivers.append(drv)
        return drv

    def revision(self):
        out = json.loads(self.d.jx("ws", "show", "1", "--json").stdout)
        return out.get("revision") or out.get("workspace", {}).get("revision")

    def test_1_headers_and_proto(self):
        r = http_raw(self.d.port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").decode(errors="replace")
        self.assertIn("200 OK", r.split("\r\n")[0])
        self.assertIn("Content-Security-Policy: default-src 'none'; script-src 'self'", r)
        self.assertIn("frame-ancestors 'none'", r)
        self.assertNotIn("unsafe-inline", r)
        self.assertNotIn("unsafe-eval", r)
        self.assertIn("X-Content-Type-Options: nosniff", r)
        self.assertIn("Referrer-Policy: no-referrer", r)
        p = http_raw(self.d.port, b"GET /jixiao.proto HTTP/1.1\r\nHost: x\r\n\r\n")
        with open(os.path.join(os.path.dirname(__file__), "..", "..", "proto", "jixiao.proto"), "rb") as f:
            self.assertTrue(p.endswith(f.read()), "the served .proto is the compiled one")
        m = http_raw(self.d.port, b"GET /methods.json HTTP/1.1\r\nHost: x\r\n\r\n")
        table = json.loads(m.split(b"\r\n\r\n", 1)[1])
        self.assertEqual(table["jixiao.Tree"][1], {"name": "UpdateNode", "writes": True, "need": "edit"})
        self.assertFalse([r for r in table["jixiao.Workflow"] if r["name"] == "Content"][0]["writes"])

    def test_2_bad_input_changes_nothing(self):
        d = self.d
        before = self.revision()
        for path in (b"/../../etc/passwd", b"/%2e%2e/%2e%2e/etc/passwd", b"/..%2f..%2fetc%2fpasswd",
                     b"/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", b"/.hidden", b"/index.html%00.js",
                     b"//etc/passwd", b"/vendor/../../../etc/passwd"):
            r = http_raw(d.port, b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            status = r.split(b"\r\n", 1)[0]
            self.assertTrue(re.match(rb"HTTP/1\.1 4\d\d", status), (path, status))
            self.assertNotIn(b"root:", r)
        # Huge headers: refused or cut off, and the daemon serves on.
        r = http_raw(d.port, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200000 + b"\r\n\r\n")
        self.assertFalse(r.startswith(b"HTTP/1.1 200"), r[:100])
        self.assertTrue(d.alive())
        # The right subprotocol works; a wrong one is refused at the handshake.
        s, status = ws_handshake(d.port)
        self.assertIn("101", status)
        self.assertTrue(ws_answers(s))
        s.close()
        s, status = ws_handshake(d.port, proto="pub.sp.nanomsg.org")
        self.assertNotIn("101", status)
        s.close()
        # A text frame and a frame over the cap (4 MiB) end the connection.
        s, status = ws_handshake(d.port)
        self.assertIn("101", status)
        s.sendall(ws_frame(b"hello", opcode=1))
        self.assertFalse(ws_answers(s))
        s.close()
        s, status = ws_handshake(d.port)
        s.sendall(ws_frame(b"\x80\x00\x00\x01", length=5 << 20)[:64])
        self.assertFalse(ws_answers(s))
        s.close()
        # Another site's page (a browser sends its Origin) gets no answer.
        s, status = ws_handshake(d.port, origin="http://evil.example")
        self.assertFalse(ws_answers(s))
        s.close()
        s, status = ws_handshake(d.port, origin=d.url)
        self.assertTrue(ws_answers(s))
        s.close()
        # A page whose own name was made to resolve to this address (DNS rebinding).
        s, status = ws_handshake(d.port, origin=f"http://evil.example:{d.port}",
                                 host="evil.example")
        self.assertFalse(ws_answers(s))
        s.close()
        self.assertTrue(d.alive())
        self.assertEqual(self.revision(), before)

    def test_3_two_browsers_edit_sign_verify(self):
        d = self.d
        downloads = os.path.join(d.dir, "downloads")
        os.mkdir(downloads)
        a = self.new_browser(downloads=downloads)
        login_new_key(d, a, "li")
        self.assertTrue(a.find_elements(By.ID, "no-workspaces"))
        d.jx("member", "set", "1", "li", "evaluator")
        b = self.new_browser()
        login_new_key(d, b, "wang")
        d.jx("member", "set", "1", "wang", "evaluator")
        for drv in (a, b):
            drv.get(d.url + "/#ws/1")
            drv.refresh()
            wait_for(drv, "#sheet")
        # jx check's warnings stand beside their rows, the same ones jx prints.
        warned = json.loads(d.jx("check", "1", "--json", check=False).stdout)["warnings"]
        tags = a.find_elements(By.CSS_SELECTOR, "#sheet .tag.check")
        self.assertEqual(len(tags), len([w for w in warned if w.get("code")]))
        self.assertTrue(tags, "seed 002's sheet has warnings")
        code = "1.1.1"
        mine = sheet_input(a, code, "score")
        mine.click()
        mine.send_keys(Keys.CONTROL, "a")
        mine.send_keys("2.5")
        # wang saves first, from the other browser.
        theirs = sheet_input(b, code, "score")
        theirs.click()
        theirs.send_keys(Keys.CONTROL, "a")
        theirs.send_keys("3", Keys.ENTER)
        wait_for(b, f'tr[data-code="{code}"] .cell.saved')
        # li's page learns of it live, and keeps what li typed.
        wait_for(a, f'tr[data-code="{code}"] .cell.stale')
        self.assertEqual(mine.get_attribute("value"), "2.5")
        mine = sheet_input(a, code, "score")
        mine.send_keys(Keys.ENTER)
        wait_for(a, "#conflict-theirs", text="3")
        self.assertEqual(a.find_element(By.ID, "conflict-mine").text, "2.5")
        self.assertEqual(sheet_input(a, code, "score").get_attribute("value"), "2.5")
        click(a, "#reapply-mine")
        wait_for(a, f'tr[data-code="{code}"] .cell.saved')
        wait_for(b, f'tr[data-code="{code}"] .cell[data-base="2.5"]')

        # A comment conflict merged as text.
        c1 = sheet_input(a, code, "comment")
        c1.click()
        c1.send_keys(Keys.CONTROL, Keys.END)
        c1.send_keys(" 李补充")
        c2 = sheet_input(b, code, "comment")
        c2.click()
        c2.send_keys(Keys.CONTROL, Keys.END)
        c2.send_keys(" 王补充", Keys.ENTER)
        wait_for(b, f'tr[data-code="{code}"] .cell.saved')
        wait_for(a, f'tr[data-code="{code}"] .cell.stale')
        sheet_input(a, code, "comment").send_keys(Keys.ENTER)
        click(a, "#merge")
        merged = wait_for(a, "#merge-text").get_attribute("value")
        self.assertTrue(merged.endswith("王补充\n" + sheet_input(a, code, "comment").get_attribute("value"))
                        or "李补充" in merged, merged[-80:])
        click(a, "#merge-save")
        wait_for(a, f'tr[data-code="{code}"] .cell[data-field="comment"].saved')
        tree = d.jx("tree", "1", "--json").stdout
        self.assertIn("李补充", tree)
        self.assertIn("王补充", tree)

        # jx node set shows up in the open page within a second.
        t0 = time.monotonic()
        d.jx("node", "set", "1", "1.1.2", "--score", "1.5")
        cell = sheet_input(a, "1.1.2", "score")
        WebDriverWait(a, 1.0, poll_frequency=0.01).until(
            lambda _: cell.get_attribute("value") == "1.5")
        delay = time.monotonic() - t0
        print(f"\nweb: jx node set to the change on screen: {delay * 1000:.0f} ms "
              "(including jx's own start and login)", file=sys.stderr)
        self.assertLess(delay, 1.0)

        # Evidence: uploaded in chunks with progress, listed by jx, downloaded and checked.
        blob = os.urandom((5 << 19) + 123)  # 2.5 MiB and a bit: three chunks
        src = os.path.join(d.dir, "现场照片.bin")
        with open(src, "wb") as f:
            f.write(blob)
        click(a, 'tr[data-code="1.2.1"] button.ev')
        wait_for(a, "#evidence-file").send_keys(src)
        wait_for(a, "#evidence-files", text="现场照片.bin")
        self.assertIn("现场照片.bin", d.jx("evidence", "ls", "1").stdout)
        click(a, "#evidence-files .ev-get")
        got = os.path.join(downloads, "现场照片.bin")
        for _ in range(200):
            if os.path.exists(got) and os.path.getsize(got) == len(blob):
                break
            time.sleep(0.05)
        with open(got, "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).digest(), hashlib.sha256(blob).digest())

        # History: the log, a past revision read back, a diff of two revisions.
        click(a, "#tab-history")
        wait_for(a, "#history tr[data-rev]")
        a.find_elements(By.CSS_SELECTOR, "#history .hist-view")[-1].click()
        wait_for(a, "#history-sheet")
        # Revision 36: the workspace and seed 002's 35 indicators, as imported.
        wait_for(a, "#diff-a").clear()
        a.find_element(By.ID, "diff-a").send_keys("36")
        click(a, "#diff-go")
        wait_for(a, "#history-diff", text="2.5")

        # Findings: added in the page, changed meanwhile with jx: the page shows theirs
        # live beside the text being typed, which stays; saving then is based on theirs.
        click(a, "#tab-findings")
        wait_for(a, "#finding-text").send_keys("预算执行率偏低")
        click(a, "#finding-add")
        click(a, "li[data-finding] button.finding-edit")
        box = wait_for(a, "li[data-finding] textarea.finding-text")
        box.send_keys("，需加强预算编制")
        fid = a.find_element(By.CSS_SELECTOR, "li[data-finding]").get_attribute("data-finding")
        d.jx("finding", "set", "1", fid, "预算执行率偏低（84.40%）")
        wait_for(a, "li[data-finding] .theirs", text="84.40%")
        self.assertEqual(a.find_element(By.CSS_SELECTOR, "li[data-finding] textarea").get_attribute("value"),
                         "预算执行率偏低，需加强预算编制")
        click(a, "li[data-finding] button.finding-save")
        wait_for(a, "li[data-finding] button.finding-edit")
        self.assertIn("需加强预算编制", d.jx("finding", "ls", "1").stdout)

        # Budget facts in 万元, and the execution rate computed from them.
        click(a, "#tab-budget")
        wait_for(a, "#budget-initial").send_keys("507.74")
        a.find_element(By.ID, "budget-spent").send_keys("428.54")
        click(a, "#budget-save")
        wait_for(a, "#budget-rate", text="84.4%")
        self.assertIn("84.40", d.jx("budget", "show", "1").stdout)
        click(a, "#tab-sheet")
        wait_for(a, "#sheet")

        # The xlsx 评分表 and the HTML report, written by the server's copy of jx export's code.
        for button, ext in (("#export-xlsx", ".xlsx"), ("#export-html", ".html")):
            click(a, button)
            path = None
            for _ in range(300):
                done = [f for f in os.listdir(downloads) if f.endswith(ext)]
                if done:
                    path = os.path.join(downloads, done[0])
                    break
                time.sleep(0.05)
            self.assertIsNotNone(path, f"no {ext} download: {os.listdir(downloads)}")
            with open(path, "rb") as f:
                data = f.read()
            if ext == ".xlsx":
                self.assertTrue(data.startswith(b"PK"), path)
            else:
                self.assertIn("数字政府运维", data.decode())
                self.assertIn("<svg", data.decode())

        # A claim (admin is on 1.2.2) shows on its row. Claims make no revision and no
        # feed notice: the page reads them with the sheet (and again every 15 s).
        d.jx("node", "claim", "1", "1.2.2")
        a.refresh()
        wait_for(a, 'tr[data-code="1.2.2"] .tag.claim', text="admin")

        shot = os.path.join(OUT, "web-sheet.png")
        a.save_screenshot(shot)
        self.assertTrue(png_not_blank(shot), shot)

        # Submit in li's browser: the page shows what it signs and signs its own digest.
        click(a, "#tab-workflow")
        click(a, "#submit")
        digest = wait_for(a, "#sign-digest").text
        self.assertRegex(digest, r"^[0-9a-f]{64}$")
        self.assertTrue(a.find_elements(By.CSS_SELECTOR, "#signed-content tr"))
        click(a, "#sign-confirm")
        wait_for(a, "#wf-phase", text="已提交")

        # A signature over a digest that does not match is refused, and changes nothing.
        refused = a.execute_async_script("""
            const done = arguments[arguments.length - 1];
            import('/app.js').then(async ({ app }) => {
              try {
                await app.rpc.call('jixiao.Workflow', 'Submit', { workspace: 1,
                  revision: 1, digest: new Uint8Array(32), signature: new Uint8Array(64) });
                done('accepted');
              } catch (e) { done(String(e.code)); }
            });""")
        self.assertIn(refused, ("3", "7", "9"))

        d.jx("member", "set", "1", "wang", "reviewer")
        b.refresh()
        click(b, "#tab-workflow")
        click(b, "#signoff")
        wait_for(b, "#sign-digest")
        click(b, "#sign-confirm")
        wait_for(b, "#wf-phase", text="已定稿")
        r = d.jx("verify", "1")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # A final workspace is reopened by a reviewer, with a reason, in the browser.
        wait_for(b, "#reopen-reason").send_keys("复核发现 1.2.1 佐证不足")
        click(b, "#reopen")
        wait_for(b, "#wf-phase", text="草稿")
        self.assertIn("复核发现", d.jx("ws", "show", "1").stdout)

        # Someone with no role there sees nothing of it.
        c = self.new_browser()
        login_new_key(d, c, "zhou")
        self.assertTrue(c.find_elements(By.ID, "no-workspaces"))
        c.get(d.url + "/#ws/1")
        c.refresh()
        err = wait_for(c, "#sheet-error")
        self.assertNotIn("数字政府", c.find_element(By.TAG_NAME, "body").text)
        self.assertTrue(err.text)

        # The next version goes through the unit's comment round (征求意见) in the browser.
        d.jx("workflow", "1", "--comment-round", "on")
        a.refresh()
        click(a, "#tab-workflow")
        click(a, "#submit")
        click(a, "#sign-confirm")
        wait_for(a, "#wf-phase", text="征求意见")
        d.jx("member", "set", "1", "zhou", "unit")
        c.refresh()
        click(c, "#tab-workflow")
        wait_for(c, "#comment-text").send_keys("单位意见：1.2.1 已补充监控材料")
        click(c, "#comment")
        for _ in range(100):
            if "单位意见" in d.jx("log", "1").stdout:
                break
            time.sleep(0.05)
        self.assertIn("单位意见", d.jx("log", "1").stdout)
        b.refresh()
        click(b, "#tab-workflow")
        click(b, "#end-comments")
        wait_for(b, "#wf-phase", text="已提交")


class BigSheetTest(unittest.TestCase):
    def test_1000_indicators(self):
        """A 1,000-indicator sheet draws only what is in view, moves by keyboard through
        rows not drawn yet, and keeps what was typed in a row scrolled away and back."""
        d = Daemon()
        drv = None
        try:
            d.jx("ws", "create", "--subject", "千项指标", "--year", "2023", "--kind",
                 "key-evaluation")
            big = os.path.join(d.dir, "big.csv")
            sheet_1000(big)
            d.jx("import", "sheet", "1", big)
            drv = browser()
            login_new_key(d, drv, "li")
            d.jx("member", "set", "1", "li", "evaluator")
            drv.get(d.url + "/#ws/1")
            t0 = time.monotonic()
            drv.refresh()
            wait_for(drv, "#sheet.virtual")
            WebDriverWait(drv, 10).until(
                lambda dr: dr.execute_script("return document.body.dataset.rendered") == "1")
            self.assertLess(time.monotonic() - t0, 5)
            drawn = len(drv.find_elements(By.CSS_SELECTOR, "#sheet tbody tr:not(.spacer)"))
            self.assertLess(drawn, 200)
            first = sheet_input(drv, "1.1.1", "comment")
            first.click()
            first.send_keys(Keys.END, " 草稿")
            cell = sheet_input(drv, "1.1.1", "score")
            cell.click()
            for _ in range(150):
                drv.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
            code = drv.switch_to.active_element.get_attribute("aria-label").split()[0]
            self.assertEqual(code, "2.6.1")  # the 151st leaf: 100 under 1, then 2.1–2.5
            self.assertFalse(drv.find_elements(By.CSS_SELECTOR, 'tr[data-code="1.1.1"]'))
            drv.execute_script("document.querySelector('.grid-wrap').scrollTop = 0")
            back = sheet_input(drv, "1.1.1", "comment")
            self.assertEqual(back.get_attribute("value"), "完成 草稿")
            # A tablet held upright: the page does not scroll sideways (the grid scrolls
            # within its box); English is one click away.
            drv.set_window_size(820, 1180)
            self.assertLessEqual(drv.execute_script(
                "return document.documentElement.scrollWidth - window.innerWidth"), 0)
            click(drv, "#lang")
            wait_for(drv, "#tab-sheet", text="Score sheet")
        finally:
            if drv:
                drv.quit()
            self.assertEqual(d.stop(), 0)


class TlsTest(unittest.TestCase):
    def test_https_and_wss(self):
        d = Daemon(tls=True)
        drv = None
        try:
            self.assertTrue(d.url.startswith("https://"))
            d.jx("ws", "create", "--subject", "TLS 项目", "--year", "2024", "--kind",
                 "self-evaluation")
            # This time the key is jx keygen's file, imported into the browser.
            key = os.path.join(d.dir, "sun.key")
            d.jx("keygen", "--name", "sun", key=key)
            d.jx("user", "add", "sun", key + ".pub")
            d.jx("member", "set", "1", "sun", "observer")
            drv = browser(tls=True)
            drv.get(d.url + "/")
            wait_for(drv, "#key-file").send_keys(key)
            click(drv, "#login")
            wait_for(drv, "tr.ws-row")
            self.assertIn("TLS 项目", drv.find_element(By.ID, "ws-list").text)
            s, status = ws_handshake(d.port, origin="https://evil.example", tls=True)
            self.assertIn("101", status)
            self.assertFalse(ws_answers(s))
            s, status = ws_handshake(d.port, origin=d.url, tls=True)
            self.assertTrue(ws_answers(s))
        finally:
            if drv:
                drv.quit()
            self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
