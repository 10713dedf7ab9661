"""API routes that are not router viewsets (mounted under /api/ by kefu.urls)."""

from django.urls import path

from kefu.deadlines import api

urlpatterns = [
    path("deadlines/preview", api.PreviewView.as_view(), name="deadline-preview"),
    path("calendars/<slug:code>/days", api.CalendarDaysView.as_view(), name="calendar-days"),
]
