"""The beat schedule only names tasks the worker knows (a typo would fail silently at 3 a.m.)."""

from django.conf import settings

from kefu.celery import app


def test_every_scheduled_task_is_registered_with_the_worker():
    app.loader.import_default_modules()  # what a worker does at start: autodiscover tasks.py
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name


def test_hl2_handover_clocks_are_started_every_minute():
    assert settings.CELERY_BEAT_SCHEDULE["hotline-handovers"]["schedule"] == 60.0
