"""Security headers: a Content-Security-Policy without inline script, HSTS and the HTTPS redirect
when KEFU_SECURE_COOKIES is on, and `check --deploy` clean with production settings (issue 13 §5)."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = sorted((ROOT / "kefu").rglob("templates/**/*.html"))


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
def test_issue13_every_page_has_a_csp_that_allows_only_our_own_scripts(client, make_user):
    client.force_login(make_user("hotline"))
    for url in (reverse("workbench"), reverse("login"), "/api/docs/"):
        csp = policy(client.get(url))
        assert csp["script-src"] == ["'self'"], url
        assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
        assert csp["default-src"] == ["'self'"] and csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]


def test_issue13_no_template_has_an_inline_script_or_event_handler():
    """CSP refuses them: a script is a static file, data goes in json_script or data-* attributes."""
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)
    offenders = []
    for path in TEMPLATES:
        text = path.read_text()
        if inline_script.search(text) or handler.search(text) or "javascript:" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert TEMPLATES and not offenders


@pytest.mark.django_db
def test_issue13_secure_mode_redirects_to_https_and_sends_hsts(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get(reverse("login"))
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200  # a load balancer's plain-HTTP probe
    secure = client.get(reverse("login"), secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_issue13_check_deploy_reports_nothing_with_production_settings(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("KEFU_", "DJANGO_")) and k not in {"PYTEST_VERSION"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="kefu.settings",
        KEFU_VAR_DIR=str(tmp_path),
        KEFU_DEBUG="0",
        KEFU_SECURE_COOKIES="1",
        KEFU_BEHIND_PROXY="1",
        KEFU_SECRET_KEY=secrets.token_urlsafe(60),
        KEFU_ALLOWED_HOSTS="kefu.example.com",
        KEFU_TESTING="0",
    )
    code = "import django; django.setup(); from django.core.management import call_command; call_command('check', deploy=True, fail_level='WARNING')"
    command = [sys.executable, "-c", code]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr
