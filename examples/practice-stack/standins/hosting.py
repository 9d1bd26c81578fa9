#!/usr/bin/python3
"""Stand-ins for the hosting the shipped runbooks talk to, on loopback ports.

One process serves three ports (all from the config file given as the only argument):

- api: the Render API and deploy hook, the Koyeb API (what the `koyeb` stand-in CLI
  calls), the Cloudflare API (Pages deployments, token verify, cache purge), the GitHub
  API's /user, and the GHCR registry's manifest lookup;
- backend: Render's router, proxying to the gunicorn instance of the live deploy, 502
  when no instance answers;
- frontend: Cloudflare Pages, serving the live production deployment's files with the
  single-page-app fallback (an unknown path answers index.html as text/html).

A deploy is real: it starts gunicorn on the release's image folder (the backend tree
of the release's git tag), waits for /healthz/ to answer 200 (Render's health check),
switches the router to it and stops the previous instance; if the health check fails,
the deploy is `update_failed` and the previous instance keeps serving. Unlike Render,
the API answers a deploy request when the deploy has finished, so a client polling
right after sees its final status.
"""

import http.client
import http.server
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tarfile
import threading
import time
import urllib.parse
import uuid
from datetime import datetime, timezone

CONFIG = {}
LOCK = threading.RLock()
DEPLOY_LOCK = threading.Lock()
STATE = {"deploys": [], "instance": None, "num_instances": 1, "pages": [], "canonical": None, "purges": 0}


def now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def log(message):
    print(f"{now()} {message}", flush=True)


def save_state():
    """Writes the state for `practice-stack status` and the tests (atomically)."""
    with LOCK:
        snapshot = dict(STATE)
        snapshot["env_names"] = sorted(CONFIG["service"]["env"])
        path = os.path.join(CONFIG["data"], "state.json")
        with open(path + ".tmp", "w") as handle:
            json.dump(snapshot, handle, indent=2, sort_keys=True)
        os.replace(path + ".tmp", path)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---- images (the GHCR stand-in) -------------------------------------------------------


def image_folder(ref):
    """ghcr.io/OWNER/NAME:TAG -> the image's folder, or None when there is no such image."""
    if ":" not in ref.rsplit("/", 1)[-1]:
        return None
    name, tag = ref.rsplit(":", 1)
    folder = os.path.join(CONFIG["images"], name, tag)
    return folder if os.path.isfile(os.path.join(folder, "manifest.json")) else None


def manifest(ref):
    folder = image_folder(ref)
    if folder is None:
        return None
    with open(os.path.join(folder, "manifest.json")) as handle:
        return json.load(handle)


# ---- instances (gunicorn) -------------------------------------------------------------


def start_instance(ref, deploy_id):
    """Starts gunicorn on the image's folder in its own process group; returns the instance or None."""
    folder = image_folder(ref) if ref else None
    if folder is None:
        return None, f"image {ref or '(none given)'} not found on the registry"
    port = free_port()
    workers = str(2 * max(1, int(STATE["num_instances"])))
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": CONFIG["data"],
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
    }
    env.update(CONFIG["service"]["env"])
    logfile = open(os.path.join(CONFIG["data"], "logs", f"{deploy_id}.log"), "ab")
    command = [
        CONFIG["python"], "-m", "gunicorn", "--chdir", os.path.join(folder, "rootfs"),
        "--bind", f"127.0.0.1:{port}", "--workers", workers, "--timeout", "600",
        "--graceful-timeout", "5", "--access-logfile", "-", "config.wsgi",
    ]
    process = subprocess.Popen(command, env=env, stdout=logfile, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    logfile.close()
    instance = {"pid": process.pid, "port": port, "image": ref, "deploy": deploy_id, "started": now()}
    INSTANCES[process.pid] = process
    record_groups()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return None, f"the instance exited with status {process.returncode} (log: logs/{deploy_id}.log)"
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz/", headers={"Host": "127.0.0.1"})
            status = connection.getresponse().status
            connection.close()
            if status == 200:
                return instance, None
        except OSError:
            pass
        time.sleep(0.2)
    stop_instance(instance)
    return None, f"health check /healthz/ did not answer 200 within 30 s (log: logs/{deploy_id}.log)"


INSTANCES = {}


def record_groups():
    """Every process group this server started, so `practice-stack down` can end them even if it died."""
    path = os.path.join(CONFIG["data"], "instance-groups")
    with open(path + ".tmp", "w") as handle:
        handle.write("".join(f"{pid}\n" for pid in INSTANCES))
    os.replace(path + ".tmp", path)


def stop_instance(instance):
    if not instance:
        return
    pid = instance["pid"]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            break
        process = INSTANCES.get(pid)
        try:
            if process is not None:
                process.wait(timeout=8)
                break
        except subprocess.TimeoutExpired:
            continue
    INSTANCES.pop(pid, None)
    record_groups()


def deploy(ref, trigger):
    """Deploys the image: a new instance, health-checked, then the switch. Returns the deploy."""
    with DEPLOY_LOCK:
        record = {"id": "dep-" + uuid.uuid4().hex[:16], "status": "update_in_progress", "trigger": trigger,
                  "createdAt": now(), "updatedAt": now(), "finishedAt": None, "image": {"ref": ref}}
        with LOCK:
            STATE["deploys"].insert(0, record)
            save_state()
        log(f"deploy {record['id']}: {ref} ({trigger})")
        instance, error = start_instance(ref, record["id"])
        with LOCK:
            record["updatedAt"] = record["finishedAt"] = now()
            if instance is None:
                record["status"] = "update_failed"
                record["error"] = error
                log(f"deploy {record['id']} failed: {error}")
            else:
                previous = STATE["instance"]
                STATE["instance"] = instance
                for other in STATE["deploys"]:
                    if other is not record and other["status"] == "live":
                        other["status"] = "deactivated"
                record["status"] = "live"
            save_state()
        if instance is not None:
            stop_instance(previous)
        return record


def live_image():
    with LOCK:
        live = [d for d in STATE["deploys"] if d["status"] == "live"]
        return live[0]["image"]["ref"] if live else None


def restart():
    """Render's restart: a fresh instance of the live deploy's image, then the switch."""
    ref = live_image()
    if ref is None:
        return "no live deploy to restart"
    with DEPLOY_LOCK:
        instance, error = start_instance(ref, "restart-" + uuid.uuid4().hex[:8])
        if instance is None:
            return error
        with LOCK:
            previous = STATE["instance"]
            instance["deploy"] = [d for d in STATE["deploys"] if d["status"] == "live"][0]["id"]
            STATE["instance"] = instance
            save_state()
        stop_instance(previous)
    return None


# ---- Pages ----------------------------------------------------------------------------


def pages_upload(body, query):
    branch = query.get("branch", [""])[0]
    deployment_id = str(uuid.uuid4())
    folder = os.path.join(CONFIG["data"], "pages", deployment_id)
    os.makedirs(folder)
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as archive:
        for member in archive.getmembers():
            if not (member.isfile() or member.isdir()) or member.name.startswith("/") or ".." in member.name.split("/"):
                raise ValueError(f"refusing archive member {member.name!r}")
        archive.extractall(folder)
    production = branch == CONFIG["cloudflare"]["branch"]
    record = {
        "id": deployment_id, "created_on": now(), "environment": "production" if production else "preview",
        "url": f"https://{deployment_id[:8]}.{CONFIG['cloudflare']['project']}.pages.dev",
        "latest_stage": {"name": "deploy", "status": "success"},
        "deployment_trigger": {"type": "ad_hoc", "metadata": {
            "branch": branch, "commit_hash": query.get("commit_hash", [""])[0],
            "commit_message": query.get("commit_message", [""])[0]}},
    }
    with LOCK:
        STATE["pages"].insert(0, record)
        if production:
            STATE["canonical"] = deployment_id
        save_state()
    log(f"pages deployment {deployment_id} ({record['environment']})")
    return record


def pages_folder():
    with LOCK:
        canonical = STATE["canonical"]
    return os.path.join(CONFIG["data"], "pages", canonical) if canonical else None


# ---- HTTP -----------------------------------------------------------------------------


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "practice-stack"

    def log_message(self, fmt, *args):
        # The deploy hook carries its key in the query string: log paths without queries.
        line = fmt % args
        if "?" in self.path:
            line = line.replace(self.path, self.path.split("?", 1)[0] + "?[query not logged]")
        log(f"{self.server.name} {self.address_string()} {line}")

    def reply(self, status, payload=None, headers=None, raw=None, content_type="application/json"):
        data = raw if raw is not None else (json.dumps(payload) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def json_body(self):
        try:
            return json.loads(self.body() or b"{}")
        except ValueError:
            return None

    def bearer(self, token_name):
        expected = CONFIG["tokens"][token_name]
        return self.headers.get("Authorization", "") == f"Bearer {expected}"


class ApiHandler(Handler):
    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_PUT(self):
        self.route("PUT")

    def route(self, method):
        url = urllib.parse.urlsplit(self.path)
        parts = [urllib.parse.unquote(p) for p in url.path.strip("/").split("/")]
        query = urllib.parse.parse_qs(url.query)
        handlers = {"render": self.render, "koyeb": self.koyeb, "cloudflare": self.cloudflare,
                    "github": self.github, "v2": self.registry, "_stack": self.internal}
        handler = handlers.get(parts[0])
        if handler is None:
            return self.reply(404, {"message": f"no such API: {url.path}"})
        try:
            handler(method, parts[1:], query)
        except Exception as error:  # the stand-in must answer, not hang the client
            log(f"error handling {method} {self.path}: {error!r}")
            self.reply(500, {"message": f"stand-in error: {error}"})

    # Render: /render/v1/..., and the deploy hook /render/deploy/SERVICE?key=K&imgURL=IMAGE
    def render(self, method, parts, query):
        service = CONFIG["service"]["id"]
        if parts[:1] == ["deploy"]:
            if parts[1:] != [service] or query.get("key", [""])[0] != CONFIG["tokens"]["render_hook"]:
                return self.reply(404, {"message": "unknown deploy hook"})
            ref = query.get("imgURL", [live_image() or ""])[0]
            record = deploy(ref, "deploy_hook")
            return self.reply(200, {"deploy": {"id": record["id"]}})
        if not self.bearer("render"):
            return self.reply(401, {"message": "unauthorized"})
        if parts == ["v1", "owners"]:
            return self.reply(200, [{"owner": {"id": "usr-practice", "name": "Practice stack", "type": "user"}}])
        if parts[:3] != ["v1", "services", service]:
            return self.reply(404, {"message": "service not found"})
        rest = parts[3:]
        if rest == ["deploys"] and method == "GET":
            limit = int(query.get("limit", ["20"])[0])
            with LOCK:
                items = [{"deploy": dict(d), "cursor": d["id"]} for d in STATE["deploys"][:limit]]
            return self.reply(200, items)
        if rest == ["deploys"] and method == "POST":
            data = self.json_body() or {}
            ref = data.get("imageUrl") or live_image()
            record = deploy(ref, "api")
            return self.reply(201, record)
        if rest == ["restart"] and method == "POST":
            error = restart()
            return self.reply(500 if error else 200, {"message": error} if error else {})
        if rest == ["scale"] and method == "POST":
            data = self.json_body() or {}
            STATE["num_instances"] = int(data.get("numInstances", 1))
            save_state()
            return self.reply(202, {})
        if len(rest) == 2 and rest[0] == "env-vars" and method == "PUT":
            data = self.json_body() or {}
            with LOCK:
                CONFIG["service"]["env"][rest[1]] = str(data.get("value", ""))
                save_state()
            return self.reply(200, {"key": rest[1]})
        return self.reply(404, {"message": f"no such endpoint: {method} {self.path}"})

    # Koyeb: what the koyeb stand-in CLI calls, /koyeb/v1/...
    def koyeb(self, method, parts, query):
        if not self.bearer("koyeb"):
            return self.reply(401, {"error": "unauthorized"})
        app, name = CONFIG["service"]["koyeb"].split("/")
        if parts == ["v1", "apps"]:
            return self.reply(200, {"apps": [{"name": app, "status": "HEALTHY"}]})
        if len(parts) == 3 and parts[:2] == ["v1", "secrets"] and method == "PUT":
            data = self.json_body() or {}
            with LOCK:
                CONFIG["service"]["env"][parts[2]] = str(data.get("value", ""))
                save_state()
            return self.reply(200, {"secret": {"name": parts[2]}})
        if parts[:4] != ["v1", "services", app, name]:
            return self.reply(404, {"error": "service not found"})
        rest = parts[4:]
        if rest == ["deployments"]:
            with LOCK:
                return self.reply(200, {"deployments": [dict(d) for d in STATE["deploys"][:10]]})
        if rest == ["update"] and method == "POST":
            data = self.json_body() or {}
            record = deploy(data.get("image", ""), "koyeb_update")
            return self.reply(200 if record["status"] == "live" else 500, {"deployment": record})
        if rest == ["redeploy"] and method == "POST":
            record = deploy(live_image() or "", "koyeb_redeploy")
            return self.reply(200 if record["status"] == "live" else 500, {"deployment": record})
        if rest == ["scale"] and method == "POST":
            data = self.json_body() or {}
            STATE["num_instances"] = int(data.get("instances", 1))
            save_state()
            return self.reply(200, {"instances": STATE["num_instances"]})
        return self.reply(404, {"error": f"no such endpoint: {method} {self.path}"})

    # Cloudflare: /cloudflare/client/v4/...
    def cloudflare(self, method, parts, query):
        if not self.bearer("cloudflare"):
            return self.reply(401, {"success": False, "errors": [{"code": 10000, "message": "Authentication error"}]})
        cf = CONFIG["cloudflare"]
        rest = parts[2:] if parts[:2] == ["client", "v4"] else None
        if rest == ["user", "tokens", "verify"]:
            return self.reply(200, {"success": True, "errors": [], "result": {
                "id": "practice-token", "status": "active", "expires_on": "2027-12-31T00:00:00Z"}})
        if rest and len(rest) == 3 and rest[0] == "zones" and rest[2] == "purge_cache" and method == "POST":
            if rest[1] != cf["zone"]:
                return self.reply(404, {"success": False, "errors": [{"code": 7003, "message": "no such zone"}]})
            STATE["purges"] += 1
            save_state()
            return self.reply(200, {"success": True, "errors": [], "result": {"id": rest[1]}})
        project = ["accounts", cf["account"], "pages", "projects", cf["project"]]
        if not rest or rest[:5] != project:
            return self.reply(404, {"success": False, "errors": [{"code": 8000007, "message": "Project not found"}]})
        rest = rest[5:]
        with LOCK:
            by_id = {d["id"]: d for d in STATE["pages"]}
            canonical = by_id.get(STATE["canonical"])
        if rest == [] and method == "GET":
            return self.reply(200, {"success": True, "errors": [], "result": {
                "name": cf["project"], "production_branch": cf["branch"], "canonical_deployment": canonical}})
        if rest == ["deployments"] and method == "GET":
            env = query.get("env", [None])[0]
            with LOCK:
                items = [d for d in STATE["pages"] if env is None or d["environment"] == env]
            return self.reply(200, {"success": True, "errors": [], "result": items})
        if rest == ["deployments"] and method == "POST":
            record = pages_upload(self.body(), query)
            return self.reply(200, {"success": True, "errors": [], "result": record})
        if len(rest) == 3 and rest[0] == "deployments" and rest[2] == "rollback" and method == "POST":
            target = by_id.get(rest[1])
            if target is None or target["environment"] != "production":
                return self.reply(404, {"success": False, "errors": [{"code": 8000009, "message": "deployment not found"}]})
            with LOCK:
                STATE["canonical"] = target["id"]
                save_state()
            log(f"pages rollback to {target['id']}")
            return self.reply(200, {"success": True, "errors": [], "result": target})
        return self.reply(404, {"success": False, "errors": [{"code": 7000, "message": f"no route {method} {self.path}"}]})

    def github(self, method, parts, query):
        if parts != ["user"]:
            return self.reply(404, {"message": "Not Found"})
        if not self.bearer("github"):
            return self.reply(401, {"message": "Bad credentials"})
        return self.reply(200, {"login": "practice-stack"},
                          headers={"github-authentication-token-expiration": "2027-12-31 00:00:00 UTC"})

    # GHCR: GET /v2/OWNER/NAME/manifests/TAG (the registry API docker buildx imagetools reads)
    def registry(self, method, parts, query):
        if len(parts) < 3 or parts[-2] != "manifests":
            return self.reply(404, {"errors": [{"code": "NAME_UNKNOWN"}]})
        ref = "ghcr.io/" + "/".join(parts[:-2]) + ":" + parts[-1]
        found = manifest(ref)
        if found is None:
            return self.reply(404, {"errors": [{"code": "MANIFEST_UNKNOWN", "message": f"manifest unknown: {ref}"}]})
        found = dict(found)
        found["annotations"] = dict(found.get("annotations", {}))
        found["annotations"]["org.runbook.practice-stack.rootfs"] = os.path.join(image_folder(ref), "rootfs")
        return self.reply(200, found, headers={"Docker-Content-Digest": found["digest"]},
                          content_type="application/vnd.oci.image.index.v1+json")

    # The stack's own controls (scripts/practice-stack), never called by a runbook.
    def internal(self, method, parts, query):
        if parts == ["state"]:
            with LOCK:
                return self.reply(200, dict(STATE))
        if parts == ["deploy"] and method == "POST":
            data = self.json_body() or {}
            record = deploy(data.get("image", ""), data.get("trigger", "stack"))
            return self.reply(200 if record["status"] == "live" else 500, record)
        if parts == ["crash-instance"] and method == "POST":
            with LOCK:
                instance = STATE["instance"]
            stop_instance(instance)
            return self.reply(200, {"crashed": instance})
        return self.reply(404, {"message": "no such control"})


HOP_BY_HOP = {"server", "date", "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "content-length"}


class RouterHandler(Handler):
    """Render's router: every request goes to the live instance; 502 when it does not answer."""

    def proxy(self):
        with LOCK:
            instance = STATE["instance"]
        body = self.body()
        if instance is None:
            return self.bad_gateway("no live instance")
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["X-Forwarded-For"] = self.client_address[0]
        headers["X-Forwarded-Proto"] = "http"
        try:
            upstream = http.client.HTTPConnection("127.0.0.1", instance["port"], timeout=30)
            upstream.request(self.command, self.path, body=body or None, headers=headers)
            response = upstream.getresponse()
            data = response.read()
            upstream.close()
        except OSError as error:
            return self.bad_gateway(str(error))
        self.send_response(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def bad_gateway(self, why):
        text = f"502 Bad Gateway: no instance of {CONFIG['service']['id']} answered ({why})\n"
        self.reply(502, raw=text.encode(), content_type="text/plain; charset=utf-8")

    do_GET = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_HEAD = do_PATCH = proxy


TYPES = {".html": "text/html; charset=utf-8", ".js": "application/javascript", ".css": "text/css; charset=utf-8",
         ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon"}


class PagesHandler(Handler):
    """Cloudflare Pages: the live deployment's files; an unknown path gets index.html (the SPA fallback)."""

    def do_GET(self):
        folder = pages_folder()
        if folder is None:
            return self.reply(404, raw=b"no production deployment\n", content_type="text/plain")
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        relative = os.path.normpath(path.lstrip("/")) if path.strip("/") else "index.html"
        file = os.path.join(folder, relative)
        if relative.startswith("..") or not os.path.isfile(file):
            file = os.path.join(folder, "index.html")
        with open(file, "rb") as handle:
            data = handle.read()
        self.reply(200, raw=data, content_type=TYPES.get(os.path.splitext(file)[1], "application/octet-stream"))

    do_HEAD = do_GET


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    with open(sys.argv[1]) as handle:
        CONFIG.update(json.load(handle))
    os.makedirs(os.path.join(CONFIG["data"], "logs"), exist_ok=True)
    os.makedirs(os.path.join(CONFIG["data"], "pages"), exist_ok=True)
    servers = []
    for name, handler in (("api", ApiHandler), ("backend", RouterHandler), ("frontend", PagesHandler)):
        server = Server(("127.0.0.1", CONFIG["ports"][name]), handler)
        server.name = name
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    save_state()

    def stop(signum, frame):
        for pid in list(INSTANCES):
            stop_instance({"pid": pid})
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log(f"serving api :{CONFIG['ports']['api']}, backend :{CONFIG['ports']['backend']}, frontend :{CONFIG['ports']['frontend']}")
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
