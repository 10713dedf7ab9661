"""Backup and restore (issue 13 §7): `manage.py backup <dir>` and `manage.py restore <dir>`.

A backup of the test database and its files is restored, by the command an operator runs, into
an empty database of its own (a new SQLite file; a new PostgreSQL database when the suite runs
on PostgreSQL), and the data and files are found there.
"""

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from kefu.org.tests.factories import DepartmentFactory

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.django_db(transaction=True)  # the backup reads what is committed

sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="the embedded SQLite database")
postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="runs when DATABASE_URL is PostgreSQL")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    sheet = settings.MEDIA_ROOT / "sheets" / "2026" / "签字.png"
    sheet.parent.mkdir(parents=True)
    sheet.write_bytes(b"\x89PNG signature")
    return sheet.relative_to(settings.MEDIA_ROOT)


def manage(*args: str, database_url: str, var: Path) -> subprocess.CompletedProcess:
    """manage.py in a process of its own, configured like an installation: DATABASE_URL, KEFU_VAR_DIR."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "KEFU_", "PYTEST"))}
    env |= {"DATABASE_URL": database_url, "KEFU_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "kefu.settings"}
    return subprocess.run(  # noqa: S603 -- our own manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def restored_media(var: Path, name: Path) -> bytes:
    return (var / "media" / name).read_bytes()


@sqlite_only
def test_issue13_7_sqlite_backup_restores_into_an_empty_database_with_its_files(media, tmp_path):
    DepartmentFactory(name="备份测试部")
    migrations = MigrationRecorder(connection).migration_qs.count()
    call_command("backup", str(tmp_path / "b"))
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert (manifest["engine"], manifest["database"]["file"], manifest["media"]["files"]) == (
        "sqlite",
        "database.sqlite3",
        1,
    )

    var, restored = tmp_path / "restored", tmp_path / "restored" / "kefu.sqlite3"
    done = manage("restore", str(tmp_path / "b"), database_url=f"sqlite:///{restored}", var=var)
    assert done.returncode == 0, done.stderr
    assert "恢复完成" in done.stdout
    db = sqlite3.connect(restored)
    assert db.execute("SELECT name FROM org_department WHERE name = '备份测试部'").fetchall() == [("备份测试部",)]
    assert db.execute("SELECT count(*) FROM django_migrations").fetchone()[0] == migrations
    db.close()
    assert restored_media(var, media) == b"\x89PNG signature"


@sqlite_only
def test_issue13_7_sqlite_backup_is_safe_while_another_connection_writes(media, tmp_path):
    """The online backup API copies what is committed while a writer holds its transaction open."""
    DepartmentFactory(name="已提交")
    writer = sqlite3.connect(connection.settings_dict["NAME"], timeout=20)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE org_department SET name = '未提交' WHERE name = '已提交'")
    try:
        call_command("backup", str(tmp_path / "b"))
    finally:
        writer.rollback()
        writer.close()
    copy = sqlite3.connect(tmp_path / "b" / "database.sqlite3")
    assert copy.execute("SELECT name FROM org_department WHERE name LIKE '%提交'").fetchall() == [("已提交",)]
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    copy.close()


def test_issue13_7_restore_refuses_a_database_that_is_not_empty(media, tmp_path):
    call_command("backup", str(tmp_path / "b"))
    with pytest.raises(CommandError, match="目标数据库不是空的"):
        call_command("restore", str(tmp_path / "b"))


def test_issue13_7_restore_refuses_a_damaged_backup(media, tmp_path):
    call_command("backup", str(tmp_path / "b"))
    dump = next((tmp_path / "b").glob("database.*"))
    dump.write_bytes(dump.read_bytes()[:-1] + b"x")
    with pytest.raises(CommandError, match="已损坏"):
        call_command("restore", str(tmp_path / "b"), "--force")


def test_issue13_7_backup_never_writes_into_a_used_directory(media, tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "older.dump").write_text("keep me")
    with pytest.raises(CommandError, match="已存在且不是空的"):
        call_command("backup", str(tmp_path / "b"))
    assert (tmp_path / "b" / "older.dump").read_text() == "keep me"


@postgres_only
def test_issue13_7_postgres_backup_restores_into_an_empty_database_with_its_files(media, tmp_path):
    import psycopg

    DepartmentFactory(name="备份测试部")
    migrations = MigrationRecorder(connection).migration_qs.count()
    call_command("backup", str(tmp_path / "b"))
    assert json.loads((tmp_path / "b" / "manifest.json").read_text())["database"]["file"] == "database.dump"

    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    server = f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    name = f"kefu_restore_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'")
    try:
        var = tmp_path / "restored"
        done = manage("restore", str(tmp_path / "b"), database_url=f"{server}/{name}", var=var)
        assert done.returncode == 0, done.stderr
        with psycopg.connect(f"{server}/{name}") as db:
            assert db.execute("SELECT name FROM org_department WHERE name = '备份测试部'").fetchall() == [
                ("备份测试部",)
            ]
            assert db.execute("SELECT count(*) FROM django_migrations").fetchone()[0] == migrations
        assert restored_media(var, media) == b"\x89PNG signature"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
