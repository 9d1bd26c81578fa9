"""URL routes of the practice backend."""
from django.urls import path

from notes import views

urlpatterns = [
    path("healthz/", views.healthz),
    path("api/login/", views.login_view),
    path("api/notes/", views.notes),
]
