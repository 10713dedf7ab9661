"""The beat schedule only names tasks the worker knows (a typo would fail silently at 3 a.m.)."""

import importlib

from django.conf import settings


def test_every_scheduled_task_exists_under_its_name():
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        module, _, attr = entry["task"].rpartition(".")
        task = getattr(importlib.import_module(module), attr)
        assert task.name == entry["task"], name


def test_hl2_handover_clocks_are_started_every_minute():
    assert settings.CELERY_BEAT_SCHEDULE["hotline-handovers"]["schedule"] == 60.0
