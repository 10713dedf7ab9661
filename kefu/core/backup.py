"""Backup and restore (issue 13 §7): the database and the uploaded files, in one directory.

    manage.py backup /backup/kefu-2026-12-03     # safe while Kefu runs
    manage.py restore /backup/kefu-2026-12-03    # into an empty database; web and workers stopped

A backup directory holds
- `database.dump`: PostgreSQL, `pg_dump -Fc` (one consistent snapshot while Kefu writes); or
  `database.sqlite3`: the embedded SQLite, copied by SQLite's online backup API (a consistent
  copy while the server writes; WAL readers and writers carry on);
- `media.tar.gz`: MEDIA_ROOT (signatures, photos, scans, sheet PDFs);
- `manifest.json`: Kefu's version, the engine, when, each file's size and SHA-256, and the
  migrations the database had, so a restore knows whether `migrate` must follow.

A restore checks every file against the manifest, and refuses a database of the other engine
or a target that is not empty (`force` restores over it: pg_restore --clean, or the SQLite file
replaced page by page). django-dbbackup was not used: it keeps database and media in separate
commands and files, with no manifest tying them together, and a few dozen lines here do the same.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext_lazy as _

MANIFEST = "manifest.json"
MEDIA = "media.tar.gz"
FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}

NOT_EMPTY_DIR = _("备份目录 %(d)s 已存在且不是空的，请指定一个新目录。")
NOT_A_BACKUP = _("%(d)s 不是 Kefu 备份目录（没有 manifest.json）。")
DAMAGED = _("备份文件 %(f)s 已损坏或被修改（校验和不符），不能恢复。")
OTHER_ENGINE = _("此备份来自 %(b)s 数据库，当前数据库是 %(c)s，不能直接恢复。")
NOT_EMPTY_DB = _("目标数据库不是空的（已有 %(n)s 张表）。请恢复到一个新建的空数据库，或确认覆盖后加 --force。")
NOT_EMPTY_MEDIA = _("文件目录 %(d)s 不是空的。请恢复到空目录，或确认覆盖后加 --force。")
NO_TOOL = _("找不到 %(t)s，请先安装 PostgreSQL 客户端（Debian：postgresql-client-15）。")
TOOL_FAILED = _("%(t)s 失败：%(e)s")
UNSUPPORTED = _("不支持的数据库类型：%(e)s")
MEMORY_DB = _("内存数据库无法备份。")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in the user's language."""


def _engine(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in FILES:
        raise BackupError(UNSUPPORTED % {"e": vendor})
    return vendor


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _entry(path: Path, **extra) -> dict:
    return {"file": path.name, "bytes": path.stat().st_size, "sha256": _sha256(path), **extra}


# --- PostgreSQL: pg_dump / pg_restore ---------------------------------------------------------


def _pg(tool: str, settings_dict: dict, *args: str) -> None:
    """Run a PostgreSQL client tool against the configured server (the password by PGPASSWORD,
    never on the command line)."""
    if shutil.which(tool) is None:
        raise BackupError(NO_TOOL % {"t": tool})
    env = os.environ.copy()
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    if settings_dict.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = settings_dict["OPTIONS"]["sslmode"]
    target = []
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if settings_dict.get(key):
            target += [flag, str(settings_dict[key])]
    # A fixed tool name and our own settings, as a list (no shell).
    done = subprocess.run([tool, *target, *args], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(TOOL_FAILED % {"t": tool, "e": done.stderr.strip()[-2000:]})


def _pg_tables(alias: str) -> int:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()")
        return cursor.fetchone()[0]


# --- SQLite: the online backup API ------------------------------------------------------------


def _sqlite_path(alias: str) -> Path:
    name = str(connections[alias].settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        raise BackupError(MEMORY_DB)
    return Path(name)


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy a SQLite database page by page through the backup API, from a connection of its
    own: what is committed, consistently, while others keep reading and writing."""
    src = sqlite3.connect(source, timeout=20)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _sqlite_tables(path: Path) -> int:
    if not path.exists():
        return 0
    db = sqlite3.connect(path)
    try:
        return db.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchone()[0]
    finally:
        db.close()


def _self_contained(path: Path) -> None:
    # A copy of a WAL database is in WAL mode too; make the backup one file that checks out.
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode=DELETE")
        if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(DAMAGED % {"f": path.name})
    finally:
        db.close()


# --- Media ------------------------------------------------------------------------------------


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _media_files(root: Path) -> int:
    return sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0


# --- The two commands -------------------------------------------------------------------------


def _migrations(alias: str) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[alias]).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def backup(directory: Path, *, now: datetime, alias: str = "default") -> dict:
    """Write a backup of the database and MEDIA_ROOT into `directory` (new or empty)."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(NOT_EMPTY_DIR % {"d": directory})
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)  # personal data: owner only
    engine = _engine(alias)
    database = directory / FILES[engine]
    settings_dict = connections[alias].settings_dict
    if engine == "postgresql":
        _pg("pg_dump", settings_dict, "-Fc", "--no-password", "-f", str(database), "-d", settings_dict["NAME"])
    else:
        _sqlite_copy(_sqlite_path(alias), database)
        _self_contained(database)
    media_root, media = _media_root(), directory / MEDIA
    with tarfile.open(media, "w:gz") as tar:
        if media_root.exists():
            tar.add(media_root, arcname=".")
    manifest = {
        "kefu": settings.VERSION,
        "created_at": now.isoformat(),
        "engine": engine,
        "database": _entry(database),
        "media": _entry(media, files=_media_files(media_root)),
        "migrations": _migrations(alias),
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def read_manifest(directory: Path) -> dict:
    """The manifest of a backup, after checking every file it names against its checksum."""
    directory = Path(directory)
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(NOT_A_BACKUP % {"d": directory})
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for part in ("database", "media"):
        entry = manifest[part]
        file = directory / entry["file"]
        if not file.is_file() or file.stat().st_size != entry["bytes"] or _sha256(file) != entry["sha256"]:
            raise BackupError(DAMAGED % {"f": entry["file"]})
    return manifest


def restore(directory: Path, *, alias: str = "default", force: bool = False) -> dict:
    """Restore a backup into the configured database and MEDIA_ROOT.

    Returns the manifest, with `pending_migrations`: the migrations of this code the restored
    database does not have yet (run `manage.py migrate` when there are any)."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    engine = _engine(alias)
    if manifest["engine"] != engine:
        raise BackupError(OTHER_ENGINE % {"b": manifest["engine"], "c": engine})
    media_root = _media_root()
    if not force:
        tables = _pg_tables(alias) if engine == "postgresql" else _sqlite_tables(_sqlite_path(alias))
        if tables:
            raise BackupError(NOT_EMPTY_DB % {"n": tables})
        if _media_files(media_root):
            raise BackupError(NOT_EMPTY_MEDIA % {"d": media_root})
    database = directory / manifest["database"]["file"]
    settings_dict = connections[alias].settings_dict
    connections[alias].close()
    if engine == "postgresql":
        clean = ["--clean", "--if-exists"] if force else []
        _pg(
            "pg_restore",
            settings_dict,
            "--no-password",
            "--no-owner",
            "--no-privileges",
            "--no-comments",
            "--exit-on-error",
            "--single-transaction",
            *clean,
            "-d",
            settings_dict["NAME"],
            str(database),
        )
    else:
        target = _sqlite_path(alias)
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(database, target)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(directory / MEDIA, "r:gz") as tar:
        tar.extractall(media_root, filter="data")
    graph = MigrationLoader(connections[alias]).graph
    applied = {(app, name) for app, names in _migrations(alias).items() for name in names}
    manifest["pending_migrations"] = sorted(f"{app}.{name}" for app, name in graph.nodes if (app, name) not in applied)
    return manifest
