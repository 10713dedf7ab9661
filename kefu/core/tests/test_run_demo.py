"""Issue 12 §8: `make demo`'s runner uses the database scheduler and keeps runtime files in var/."""

import shlex
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "run_demo.sh"


def _celery_args() -> list[str]:
    text = SCRIPT.read_text().replace("\\\n", " ")
    line = next(ln for ln in text.splitlines() if "bin/celery" in ln)
    return shlex.split(line.split("&")[0])


def test_the_worker_runs_the_database_scheduler_not_a_statedb_of_that_name():
    args = _celery_args()
    assert "-S" not in args  # -S is --statedb: it made files named after the scheduler class
    assert args[args.index("--scheduler") + 1] == "django_celery_beat.schedulers:DatabaseScheduler"


def test_every_runtime_file_of_the_worker_is_under_var():
    args = _celery_args()
    for option in ("--statedb", "-s", "--schedule", "--pidfile", "--logfile"):
        if option in args:
            assert args[args.index(option) + 1].startswith("$VAR/"), option
    assert "VAR=${KEFU_VAR_DIR:-var}" in SCRIPT.read_text()
