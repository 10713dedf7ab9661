"""Kefu settings: one module, configured by environment variables.

Defaults run on a fresh machine with nothing but Python: SQLite in var/, a SQLite-backed
job broker, console email. Production sets DATABASE_URL, REDIS_URL / CELERY_BROKER_URL,
KEFU_SECRET_KEY and KEFU_ALLOWED_HOSTS (see docs/operations.md).
"""

import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("KEFU_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()

DEBUG = env.bool("KEFU_DEBUG", default=False)
# Under pytest the suite switches to fast password hashing and eager-free, local services.
TESTING = env.bool("KEFU_TESTING", default="pytest" in sys.modules)
VERSION = (BASE_DIR / "VERSION").read_text().strip()


def _local_secret_key() -> str:
    # A fresh machine has no secret configured; keep one per checkout so sessions survive restarts.
    path = VAR_DIR / "secret.key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("KEFU_SECRET_KEY", default="") or _local_secret_key()
ALLOWED_HOSTS = env.list("KEFU_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("KEFU_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "django_celery_beat",
    "phonenumber_field",
    "kefu.core",
    "kefu.org",
    "kefu.audit",
    "kefu.documents",
    "kefu.notify",
    "kefu.deadlines",
    "kefu.approvals",
    "kefu.search",
    "kefu.customers",
    "kefu.firstvisit",
    "kefu.plans",
    "kefu.visits",
    "kefu.knowledge",
    "kefu.surveys",
    "kefu.servicedesk",
    "kefu.fieldservice",
    "kefu.projects",
    "kefu.reports",
    # Demo loaders run in this order: complaints before the KPI's aggregates and the feedback
    # collection, which read what the complaints demo did (its crisis return visit).
    "kefu.complaints",
    "kefu.kpi",
    "kefu.feedback",
    "kefu.problems",
    "kefu.shell",
]
if TESTING:
    # A searchable model for kefu.search's own tests and benchmark.
    INSTALLED_APPS += ["kefu.search.tests.testapp"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "kefu.core.api.BodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the result of authentication (django-axes' requirement).
    "axes.middleware.AxesMiddleware",
]

# Request bodies: a batch of 100 requests or a drawn signature fits in 5 MB of JSON or form
# fields; files come on top, up to 50 MB a request (12 photos of a sheet, 10 MB each at most).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
KEFU_MAX_UPLOAD_SIZE = 50 * 1024 * 1024

ROOT_URLCONF = "kefu.urls"
WSGI_APPLICATION = "kefu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kefu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kefu.shell.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'kefu.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web and worker processes read while one writes; IMMEDIATE takes the write
    # lock at BEGIN so concurrent transitions queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not shared-cache memory: the job tests and the browser tests run a worker or a
    # server thread beside the test, and shared-cache SQLite answers "table is locked" at once
    # instead of waiting as WAL does.
    # One file per test process, so parallel runs never share (and delete) each other's database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-kefu-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("KEFU_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Chinese search needs a UTF-8 ctype (pg_trgm ignores CJK under LC_CTYPE=C).
    DATABASES["default"]["TEST"] = {"TEMPLATE": "template0", "CHARSET": "UTF8"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"

# --- Cache ----------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if TESTING:
    # The login throttle counts in this process only, so parallel test processes (which share
    # Redis in CI) never count each other's logins; conftest empties it before each test.
    CACHES["throttle"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}

# --- Auth and security ------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; the suite creates hundreds of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workbench"
LOGOUT_REDIRECT_URL = "login"

# Login lockout (kefu.core.lockout): 5 failures of one username from one address lock that pair
# for 15 minutes; 20 failures from one address, whatever the usernames, lock the address.
AXES_FAILURE_LIMIT = env.int("KEFU_LOGIN_FAILURE_LIMIT", default=5)
KEFU_ADDRESS_FAILURE_LIMIT = env.int("KEFU_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("KEFU_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "kefu.core.lockout.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "kefu.core.lockout.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "kefu.core.views.lockout"
AXES_VERBOSE = False
# POST /api/auth/token/ per address, right or wrong (DRF throttle, in the default cache: shared by
# every process when REDIS_URL is set, per process otherwise).
KEFU_LOGIN_RATE = env.str("KEFU_LOGIN_RATE", default="30/hour")
KEFU_THROTTLE_CACHE = "throttle" if TESTING else "default"

SESSION_COOKIE_HTTPONLY = True
# KEFU_SECURE_COOKIES=1: the site is served over HTTPS only (directly or behind a proxy that
# terminates TLS, with KEFU_BEHIND_PROXY=1): cookies only over HTTPS, plain HTTP redirected, and
# browsers told to use HTTPS for a year (HSTS; KEFU_HSTS_SECONDS=0 while trying HTTPS out).
KEFU_SECURE = env.bool("KEFU_SECURE_COOKIES", default=False)
SESSION_COOKIE_SECURE = KEFU_SECURE
CSRF_COOKIE_SECURE = KEFU_SECURE
SECURE_SSL_REDIRECT = KEFU_SECURE
SECURE_HSTS_SECONDS = env.int("KEFU_HSTS_SECONDS", default=365 * 24 * 3600) if KEFU_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("KEFU_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("KEFU_HSTS_PRELOAD", default=False)
# /healthz answers a load balancer's plain-HTTP probe instead of redirecting it.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts only from our own origin, never inline (every
# script is a static file; `json_script` data blocks are not scripts a browser runs). Styles
# allow 'unsafe-inline': Tabler's markup and a few templates use style="" attributes, and htmx
# adds its indicator <style>. Images may be data: URLs (Tabler's CSS icons, a signature preview).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
KEFU_BEHIND_PROXY = env.bool("KEFU_BEHIND_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if KEFU_BEHIND_PROXY else None
# Reverse proxies in front of the app that append to X-Forwarded-For: the client's address is the
# one the outermost of them saw. 0: REMOTE_ADDR only (a client-sent header is never believed).
KEFU_PROXY_COUNT = env.int("KEFU_PROXY_COUNT", default=1 if KEFU_BEHIND_PROXY else 0)

# --- Language and time ------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "kefu" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = "CN"

# --- Static files -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "kefu" / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request without it
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the app folders when collectstatic has not run (tests, first start).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email ------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("KEFU_EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("KEFU_DEFAULT_FROM_EMAIL", default="kefu@example.com")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds each SMTP socket operation may take (Django's default is to wait forever): a send
# that hangs holds its outbox row's claim, so no send may hang.
EMAIL_TIMEOUT = env.int("KEFU_EMAIL_TIMEOUT", default=10)

# --- API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # The token scheme first: a request without credentials gets 401 with `WWW-Authenticate:
    # Token` (with the session first, DRF answers 403, which a client cannot act on).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "kefu.org.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "kefu.core.schema.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "kefu.core.api.Pagination",
    # JSON everywhere; the few actions that take a file (a photo, a scan, a CSV) add multipart.
    "DEFAULT_PARSER_CLASSES": ["kefu.core.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # DRF replaces its defaults with this dict: "anon" and "user" stay unlimited (None) as before.
    "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None, "login": KEFU_LOGIN_RATE},
    "NUM_PROXIES": KEFU_PROXY_COUNT,
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "kefu.core.api.exception_handler",
}
# API tokens (django-rest-knox, our own model org.ApiToken): a random 64-character token of which
# only the SHA-512 digest is stored; it expires KEFU_TOKEN_TTL_HOURS after it is issued (a working
# day by default) and ends earlier on logout, a password change or deactivation.
KEFU_TOKEN_TTL_HOURS = env.float("KEFU_TOKEN_TTL_HOURS", default=10)
KEFU_TOKEN_TTL = timedelta(hours=KEFU_TOKEN_TTL_HOURS)
# How often a token's "last used" is written (not on every request: one UPDATE a minute at most).
KEFU_TOKEN_TOUCH_INTERVAL = timedelta(seconds=60)
KNOX_TOKEN_MODEL = "org.ApiToken"  # noqa: S105 -- a model name
REST_KNOX = {"TOKEN_TTL": KEFU_TOKEN_TTL, "AUTH_HEADER_PREFIX": "Token", "AUTO_REFRESH": False}
# knox's own AuthToken is swapped out for org.ApiToken; its migrations would still create that
# unused table, so knox has no migrations here (Django skips a swapped model's table).
MIGRATION_MODULES = {"knox": None}
# Every choice set of the models by one stable name (two "status" fields are two enums, not StatusE63Enum).
ENUM_NAMES = {
    "ComplaintSourceEnum": "kefu.complaints.models.Complaint.Source",
    "ComplaintChannelEnum": "kefu.complaints.models.Complaint.Channel",
    "ComplaintTypeEnum": "kefu.complaints.models.Complaint.Type",
    "ComplaintStatusEnum": "kefu.complaints.models.Complaint.Status",
    "ComplaintRemedyEnum": "kefu.complaints.models.Complaint.Remedy",
    "ComplaintCompensationEnum": "kefu.complaints.models.Complaint.Compensation",
    "ComplaintCrisisEnum": "kefu.complaints.models.Complaint.Crisis",
    "CorrectiveActionKindEnum": "kefu.complaints.models.CorrectiveAction.Kind",
    "CorrectiveActionStatusEnum": "kefu.complaints.models.CorrectiveAction.Status",
    "CompanyKindEnum": "kefu.org.models.Company.Kind",
    "CompanyOffDutyIntakeEnum": "kefu.org.models.Company.OffDutyIntake",
    "RegionLevelEnum": "kefu.org.models.Region.Level",
    "OutboxChannelEnum": "kefu.notify.models.Outbox.Channel",
    "OutboxStatusEnum": "kefu.notify.models.Outbox.Status",
    "CalendarDayKindEnum": "kefu.deadlines.models.CalendarDay.Kind",
    "CalendarDaySourceEnum": "kefu.deadlines.models.CalendarDay.Source",
    "EscalationLevelNotifyEnum": "kefu.deadlines.models.EscalationLevel.Notify",
    "CustomerLevelEnum": "kefu.customers.models.Customer.Level",
    "CustomerStatusEnum": "kefu.customers.models.Customer.Status",
    "ImportJobStatusEnum": "kefu.customers.models.ImportJob.Status",
    "ImportJobPhaseEnum": "kefu.customers.models.ImportJob.Phase",
    "FirstVisitStatusEnum": "kefu.firstvisit.models.FirstVisit.Status",
    "NeedStatusEnum": "kefu.firstvisit.models.Need.Status",
    "ServicePlanStatusEnum": "kefu.plans.models.ServicePlan.Status",
    "ServicePlanFrequencyEnum": "kefu.plans.models.ServicePlan.Frequency",
    "ReturnVisitKindEnum": "kefu.visits.models.ReturnVisit.Kind",
    "ReturnVisitChannelEnum": "kefu.visits.models.ReturnVisit.Channel",
    "ReturnVisitStatusEnum": "kefu.visits.models.ReturnVisit.Status",
    "ReturnVisitSatisfactionEnum": "kefu.visits.models.ReturnVisit.Satisfaction",
    "EngineerGradeGradeEnum": "kefu.visits.models.EngineerGrade.Grade",
    "ArticleStatusEnum": "kefu.knowledge.models.Article.Status",
    "SurveyStatusEnum": "kefu.surveys.models.Survey.Status",
    "SurveyChannelEnum": "kefu.surveys.models.Survey.Channel",
    "RectificationStatusEnum": "kefu.surveys.models.Rectification.Status",
    "ServiceRequestChannelEnum": "kefu.servicedesk.models.ServiceRequest.Channel",
    "ServiceRequestTypeEnum": "kefu.servicedesk.models.ServiceRequest.Type",
    "ServiceRequestPriorityEnum": "kefu.servicedesk.models.ServiceRequest.Priority",
    "ServiceRequestStatusEnum": "kefu.servicedesk.models.ServiceRequest.Status",
    "ServiceRequestConfirmationEnum": "kefu.servicedesk.models.ServiceRequest.Confirmation",
    "ServiceRequestWithdrawalEnum": "kefu.servicedesk.models.ServiceRequest.Withdrawal",
    "RequestStepKindEnum": "kefu.servicedesk.models.RequestStep.Kind",
    "HotlineRecordOutcomeEnum": "kefu.servicedesk.models.HotlineRecord.Outcome",
    "CallLogSourceEnum": "kefu.servicedesk.models.CallLog.Source",
    "WorkOrderStatusEnum": "kefu.fieldservice.models.WorkOrder.Status",
    "ServiceSheetOutcomeEnum": "kefu.fieldservice.models.ServiceSheet.Outcome",
    "EscalationTargetEnum": "kefu.fieldservice.models.Escalation.Target",
    "QASampleVerdictEnum": "kefu.fieldservice.models.QASample.Verdict",
    "ClockStateEnum": "kefu.deadlines.models.ClockState",
    "WaitingForEnum": "kefu.deadlines.models.WaitingFor",
    "CalendarSourceEnum": "kefu.deadlines.models.CalendarSource",
    "DeadlineUnitEnum": "kefu.deadlines.models.Unit",
    "DeadlineKindEnum": "kefu.deadlines.models.KIND_CHOICES",
}
SPECTACULAR_SETTINGS = {
    "ENUM_NAME_OVERRIDES": ENUM_NAMES,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kefu.core.schema.declare_model_nulls_and_blanks",
    ],
    "TITLE": "Kefu API",
    "DESCRIPTION": (
        "Kefu (客服) REST API: every workflow step is an explicit action. Token authentication: "
        f"POST /api/auth/token/ (a token expires after {KEFU_TOKEN_TTL_HOURS:g} h; list and revoke "
        "yours at /api/auth/tokens/)."
    ),
    "VERSION": VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Jobs (Celery) ------------------------------------------------------------------------
# Default: a SQLite file as broker, one `celery worker -B -c 1`. At scale: Redis or RabbitMQ.
CELERY_BROKER_URL = (
    env.str("CELERY_BROKER_URL", default="") or REDIS_URL or f"sqla+sqlite:///{VAR_DIR / 'celery.sqlite3'}"
)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if CELERY_BROKER_URL.startswith(("redis", "rediss")):
    # A task not acknowledged within this time is handed to another worker (acks_late).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# Tests run jobs inline at commit; the job tests start a real worker on the real broker.
CELERY_TASK_ALWAYS_EAGER = env.bool("KEFU_JOBS_EAGER", default=TESTING)
CELERY_BEAT_SCHEDULE = {
    "deliver-outbox": {"task": "kefu.notify.tasks.deliver_outbox", "schedule": 15.0},
    "heartbeat": {"task": "kefu.core.tasks.heartbeat", "schedule": 60.0},
    # Every minute; scripts/topology.sh ticks faster (KEFU_DEADLINE_SCAN_SECONDS) to count more ticks.
    "deadline-scan": {
        "task": "kefu.deadlines.tasks.scan_clocks",
        "schedule": env.float("KEFU_DEADLINE_SCAN_SECONDS", default=60.0),
    },
    "hotline-handovers": {"task": "kefu.servicedesk.tasks.start_handovers", "schedule": 60.0},
    "sheet-pdfs": {"task": "kefu.fieldservice.tasks.render_missing_sheet_pdfs", "schedule": 300.0},
    # Subscribed reports (issue 15): each slot claimed once, whatever the number of workers.
    "report-subscriptions": {"task": "kefu.reports.tasks.send_subscriptions", "schedule": 60.0},
    # Feedback (FB-1): the new comments of surveys and results of return visits, categorised.
    "feedback-collect": {"task": "kefu.feedback.tasks.collect", "schedule": 300.0},
    # Daily report aggregates (issue 15): yesterday and today every 10 minutes, each day claimed
    # by one worker; once a day the last weeks again (figures that settle late).
    "report-aggregates": {"task": "kefu.reports.tasks.rebuild_aggregates", "schedule": 600.0},
    "report-aggregates-settle": {
        "task": "kefu.reports.tasks.rebuild_aggregates",
        "schedule": 86400.0,
        "kwargs": {"days": 0},
    },
    # The month's complaint analysis report (CP-8): its clock starts on the 1st of the next month.
    "complaint-monthly-report": {"task": "kefu.complaints.tasks.open_monthly_report", "schedule": 3600.0},
}

# --- Complaints ---------------------------------------------------------------------------
# A compensation above this amount (yuan) needs the department head's approval (CP-3).
KEFU_COMPENSATION_APPROVAL_LIMIT = env.int("KEFU_COMPENSATION_APPROVAL_LIMIT", default=500)

# --- Deadlines ----------------------------------------------------------------------------
# Share of a clock's time after which its owner is warned once (a rule may set its own).
KEFU_DEADLINE_WARN_RATIO = env.float("KEFU_DEADLINE_WARN_RATIO", default=0.8)

# --- Notifications ------------------------------------------------------------------------
KEFU_OUTBOX_MAX_ATTEMPTS = env.int("KEFU_OUTBOX_MAX_ATTEMPTS", default=8)
# A row being sent is claimed; a claim not refreshed for this many seconds belongs to a dead
# worker and the row is handed out again. The sending worker refreshes it every third of this.
KEFU_OUTBOX_CLAIM_TIMEOUT = env.float("KEFU_OUTBOX_CLAIM_TIMEOUT", default=30.0)
# Seconds each HTTP operation of a robot webhook may take (connect, write, read).
KEFU_OUTBOX_SEND_TIMEOUT = env.float("KEFU_OUTBOX_SEND_TIMEOUT", default=10.0)
# The domain of the stable Message-ID of outgoing mail: <outbox.<digest of the row key>@domain>.
KEFU_MESSAGE_ID_DOMAIN = env.str(
    "KEFU_MESSAGE_ID_DOMAIN", default=DEFAULT_FROM_EMAIL.rpartition("@")[2] or "kefu.invalid"
)
KEFU_DISPATCH_ROBOT_URL = env.str("KEFU_DISPATCH_ROBOT_URL", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("KEFU_LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
KEFU_BASE_URL = env.str("KEFU_BASE_URL", default="http://127.0.0.1:8000")
# Group-chat robots by name: {"dispatch": {"kind": "wecom"|"dingtalk", "url": ..., "secret": ...}}.
KEFU_ROBOTS = {
    "dispatch": {
        "kind": env.str("KEFU_DISPATCH_ROBOT_KIND", default="wecom"),
        "url": KEFU_DISPATCH_ROBOT_URL,
        "secret": env.str("KEFU_DISPATCH_ROBOT_SECRET", default=""),
    },
}
# security.W021 (HSTS preload off): preloading commits the whole domain, subdomains included, to
# HTTPS in every browser for good; an installation on a company domain opts in deliberately with
# KEFU_HSTS_PRELOAD=1 (docs/operations.md, "Security"), so the default leaves it off.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
