#!/usr/bin/python3
"""Stand-ins for the command-line tools the shipped runbooks call that this machine cannot
really have: `docker` (no container engine), `koyeb` (the Koyeb CLI) and `npm`/`npx`
(no npm registry, so no wrangler). Each does only what the runbooks ask of it, against
the practice stack's hosting stand-ins (PRACTICE_STACK_API), and fails loudly on anything
else. Usage: cli.py docker|koyeb|npm|npx ARGS...
"""

import io
import json
import os
import subprocess
import sys
import tarfile
import urllib.error
import urllib.parse
import urllib.request

API = os.environ.get("PRACTICE_STACK_API", "").rstrip("/")


def fail(tool, message, status=1):
    print(f"{tool} (practice-stack stand-in): {message}", file=sys.stderr)
    sys.exit(status)


def call(method, path, token=None, payload=None, data=None, content_type="application/json"):
    body = data if data is not None else (json.dumps(payload).encode() if payload is not None else None)
    request = urllib.request.Request(API + path, data=body, method=method)
    if body is not None:
        request.add_header("Content-Type", content_type)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        try:
            return error.code, json.loads(error.read() or b"null")
        except ValueError:
            return error.code, None


def take(args, flag):
    """Removes `flag VALUE` (or `flag=VALUE`) from args and returns VALUE, or None."""
    for index, arg in enumerate(args):
        if arg == flag and index + 1 < len(args):
            value = args[index + 1]
            del args[index:index + 2]
            return value
        if arg.startswith(flag + "="):
            del args[index]
            return arg.split("=", 1)[1]
    return None


# ---- docker ---------------------------------------------------------------------------


def image_path(ref):
    if not ref.startswith("ghcr.io/") or ":" not in ref.rsplit("/", 1)[-1]:
        fail("docker", f"only ghcr.io/OWNER/NAME:TAG images are served here, not {ref!r}")
    name, tag = ref[len("ghcr.io/"):].rsplit(":", 1)
    return f"/v2/{name}/manifests/{tag}"


def lookup(ref):
    status, found = call("GET", image_path(ref))
    if status != 200:
        fail("docker", f"ERROR: {ref}: not found (registry answered HTTP {status})")
    return found


def docker(args):
    if args[:2] == ["buildx", "version"]:
        print("github.com/docker/buildx v0.0.0-practice-stack (stand-in: images come from the practice stack's registry)")
        return 0
    if args[:3] == ["buildx", "imagetools", "inspect"]:
        rest = args[3:]
        fmt = take(rest, "--format")
        if len(rest) != 1:
            fail("docker", f"imagetools inspect takes one image, got {rest}")
        found = lookup(rest[0])
        if fmt == "{{json .Manifest}}":
            print(json.dumps({"mediaType": found["mediaType"], "digest": found["digest"], "size": found["size"]}))
            return 0
        if fmt is not None:
            fail("docker", f"unsupported --format {fmt!r}")
        print(f"Name:      {rest[0]}\nMediaType: {found['mediaType']}\nDigest:    {found['digest']}\n\nManifests:")
        for item in found["manifests"]:
            platform = item["platform"]
            print(f"  Name:      {rest[0]}@{item['digest']}\n  MediaType: {item['mediaType']}\n"
                  f"  Platform:  {platform['os']}/{platform['architecture']}")
        return 0
    if args[:1] == ["run"]:
        return docker_run(args[1:])
    fail("docker", f"unsupported command: docker {' '.join(args)}")


def docker_run(args):
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
           "HOME": os.environ.get("TMPDIR", "/tmp")}
    while args and args[0].startswith("-"):
        flag = args.pop(0)
        if flag == "--rm":
            continue
        if flag in ("-e", "--env"):
            item = args.pop(0)
            name, sep, value = item.partition("=")
            if sep:
                env[name] = value
            elif name in os.environ:
                env[name] = os.environ[name]
            continue
        if flag == "--pull":
            args.pop(0)
            continue
        fail("docker", f"unsupported docker run option {flag}")
    if not args:
        fail("docker", "docker run needs an image")
    found = lookup(args.pop(0))
    rootfs = found["annotations"]["org.runbook.practice-stack.rootfs"]
    command = args or ["python", "manage.py"]
    if command[0] in ("python", "python3"):
        command[0] = "/usr/bin/python3"
    return subprocess.run(command, cwd=rootfs, env=env).returncode


# ---- koyeb ----------------------------------------------------------------------------


def koyeb(args):
    token = os.environ.get("KOYEB_TOKEN")
    if not token:
        fail("koyeb", "KOYEB_TOKEN is not set; log in with koyeb login or export KOYEB_TOKEN")
    take(args, "--wait-timeout")
    wait = "--wait" in args
    args = [a for a in args if a != "--wait"]
    service = take(args, "--service")
    if args == ["apps", "list"]:
        status, found = call("GET", "/koyeb/v1/apps", token)
        check("koyeb", status, found)
        print("NAME\tSTATUS")
        for app in found["apps"]:
            print(f"{app['name']}\t{app['status']}")
        return 0
    if args == ["deployments", "list"] and service:
        status, found = call("GET", f"/koyeb/v1/services/{service}/deployments", token)
        check("koyeb", status, found)
        print("ID\tSTATUS\tIMAGE\tCREATED")
        for item in found["deployments"]:
            print(f"{item['id']}\t{item['status'].upper()}\t{item['image']['ref']}\t{item['createdAt']}")
        return 0
    if len(args) >= 3 and args[:2] == ["services", "update"]:
        image = take(args, "--docker")
        status, found = call("POST", f"/koyeb/v1/services/{args[2]}/update", token, {"image": image})
        return report_deployment(status, found, wait)
    if len(args) == 3 and args[:2] == ["services", "redeploy"]:
        status, found = call("POST", f"/koyeb/v1/services/{args[2]}/redeploy", token, {})
        return report_deployment(status, found, wait)
    if len(args) >= 3 and args[:2] == ["services", "scale"]:
        count = take(args, "--instances")
        status, found = call("POST", f"/koyeb/v1/services/{args[2]}/scale", token, {"instances": int(count or 1)})
        check("koyeb", status, found)
        print(f"scaled {args[2]} to {found['instances']} instances")
        return 0
    if len(args) == 4 and args[:2] == ["secrets", "update"] and args[3] == "--value-from-stdin":
        status, found = call("PUT", f"/koyeb/v1/secrets/{args[2]}", token, {"value": sys.stdin.read()})
        check("koyeb", status, found)
        print(f"secret {args[2]} updated")
        return 0
    fail("koyeb", f"unsupported command: koyeb {' '.join(args)}")


def check(tool, status, found):
    if status >= 300:
        fail(tool, f"the API answered HTTP {status}: {json.dumps(found)}")


def report_deployment(status, found, wait):
    deployment = (found or {}).get("deployment", {})
    print(f"deployment {deployment.get('id')} image={deployment.get('image', {}).get('ref')} "
          f"status={deployment.get('status', '?').upper()}")
    if status >= 300:
        fail("koyeb", f"the deployment did not become healthy: {deployment.get('error', json.dumps(found))}")
    return 0


# ---- npm / npx ------------------------------------------------------------------------


def npm(args):
    try:
        with open("package.json") as handle:
            package = json.load(handle)
    except OSError:
        fail("npm", f"no package.json in {os.getcwd()}")
    if args[:1] == ["ci"]:
        try:
            with open("package-lock.json") as handle:
                lock = json.load(handle)
        except OSError:
            fail("npm", "npm ci needs a package-lock.json")
        deps = [name for name in lock.get("packages", {}) if name]
        if deps:
            fail("npm", f"the npm registry is out of reach here; cannot install {', '.join(deps[:5])}")
        print(f"up to date: {package.get('name')} has no dependencies to install (npm stand-in, no registry)")
        return 0
    if args[:1] == ["run"] and len(args) == 2:
        script = package.get("scripts", {}).get(args[1])
        if script is None:
            fail("npm", f"package.json has no script {args[1]!r}")
        print(f"> {package.get('name')}@{package.get('version')} {args[1]}\n> {script}\n", flush=True)
        return subprocess.run(["sh", "-c", script]).returncode
    fail("npm", f"unsupported command: npm {' '.join(args)}")


def npx(args):
    args = [a for a in args if a not in ("--yes", "-y")]
    if args[:3] != ["wrangler", "pages", "deploy"] or len(args) < 4:
        fail("npx", f"only 'npx wrangler pages deploy DIR ...' is served here, not {' '.join(args)}")
    rest = args[3:]
    options = {name: take(rest, "--" + name) for name in ("project-name", "branch", "commit-hash", "commit-message")}
    if len(rest) != 1 or not os.path.isdir(rest[0]):
        fail("npx", f"wrangler pages deploy needs one folder, got {rest}")
    token = os.environ.get("CLOUDFLARE_API_TOKEN")
    account = os.environ.get("CLOUDFLARE_ACCOUNT_ID")
    if not token or not account:
        fail("npx", "wrangler needs CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID in the environment")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        count = 0
        for folder, _, files in os.walk(rest[0]):
            for name in sorted(files):
                path = os.path.join(folder, name)
                archive.add(path, arcname=os.path.relpath(path, rest[0]))
                count += 1
    query = urllib.parse.urlencode({"branch": options["branch"] or "", "commit_hash": options["commit-hash"] or "",
                                    "commit_message": options["commit-message"] or ""})
    path = f"/cloudflare/client/v4/accounts/{account}/pages/projects/{options['project-name']}/deployments?{query}"
    print(f"Uploading {count} files from {rest[0]} (wrangler stand-in)", flush=True)
    status, found = call("POST", path, token, data=buffer.getvalue(), content_type="application/gzip")
    check("npx", status, found)
    result = found["result"]
    print(f"Deployment complete: {result['id']} ({result['environment']}), {result['url']}")
    return 0


def main():
    if not API:
        fail(sys.argv[1] if len(sys.argv) > 1 else "cli", "PRACTICE_STACK_API is not set; is the stack up?")
    tools = {"docker": docker, "koyeb": koyeb, "npm": npm, "npx": npx}
    if len(sys.argv) < 2 or sys.argv[1] not in tools:
        fail("cli", "usage: cli.py docker|koyeb|npm|npx ARGS...", 2)
    sys.exit(tools[sys.argv[1]](sys.argv[2:]))


if __name__ == "__main__":
    main()
