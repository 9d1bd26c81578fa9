"""The health check, the login endpoint and the notes API."""
import json

from django.conf import settings
from django.contrib.auth import authenticate, login
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.csrf import ensure_csrf_cookie

from .models import Note


def healthz(request):
    """200 and status ok when the database answers and every migration of this release is applied."""
    body = {"version": settings.APP_VERSION}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        body["database"] = "ok"
        body["pending_migrations"] = len(pending)
    except DatabaseError as error:
        body["database"] = "error: " + (str(error).strip().splitlines() or ["unknown"])[0]
    healthy = body["database"] == "ok" and body.get("pending_migrations") == 0
    body["status"] = "ok" if healthy else "error"
    return JsonResponse(body, status=200 if healthy else 503)


@ensure_csrf_cookie
def login_view(request):
    """GET sets the CSRF cookie; POST {"username", "password"} logs in."""
    if request.method == "GET":
        return JsonResponse({"detail": "POST username and password"})
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"detail": "the body is not JSON"}, status=400)
    user = authenticate(request, username=data.get("username"), password=data.get("password"))
    if user is None:
        return JsonResponse({"detail": "wrong username or password"}, status=401)
    login(request, user)
    return JsonResponse({"user": user.get_username()})


def note_json(note):
    return {"id": note.id, "title": note.title, "created": note.created.isoformat()}


def notes(request):
    """GET lists the notes; POST (logged in) adds one."""
    if request.method == "POST":
        if not request.user.is_authenticated:
            return JsonResponse({"detail": "log in first"}, status=403)
        data = json.loads(request.body or b"{}")
        note = Note.objects.create(title=data.get("title", ""), body=data.get("body", ""))
        return JsonResponse(note_json(note), status=201)
    return JsonResponse({"notes": [note_json(note) for note in Note.objects.all()[:50]]})
