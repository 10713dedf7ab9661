"""The two search backends, chosen by database vendor; both index `search_tokens`.

PostgreSQL: `search_vector` = to_tsvector('simple', search_tokens), kept by a trigger,
GIN-indexed; `@@ to_tsquery` to filter, ts_rank to order.
SQLite: an external-content FTS5 table `<table>_fts` (unicode61) over `search_tokens`, kept
by triggers; `MATCH` to filter, bm25 to order.
Triggers, not Python, keep the index current, so bulk_create / bulk_update / delete and raw
SQL stay in sync.

Top-N queries rank only the newest `window` matching rows: ranking is per-row work and a
common bigram matches most of a table (see querying.RANK_WINDOW).

All SQL here is built from model table names and fixed text; user input only ever goes in as
a parameter, already reduced to tokens (hence the S608/S611 waivers).
"""

import json

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.backends.utils import truncate_name
from django.db.models import BigIntegerField, F, QuerySet
from django.db.models.expressions import RawSQL

from kefu.search.tokens import Term


class SearchBackend:
    vendor = ""

    def create(self, schema_editor, model) -> None:
        raise NotImplementedError

    def drop(self, schema_editor, model) -> None:
        raise NotImplementedError

    def matching(self, queryset: QuerySet, terms: tuple[Term, ...], *, match_all: bool) -> QuerySet:
        """The rows matching all (or any) terms, unordered; safe to use as a subquery."""
        raise NotImplementedError

    def ranked(self, queryset: QuerySet, terms: tuple[Term, ...], *, match_all: bool) -> QuerySet:
        """Every matching row, annotated `search_rank` (higher is better), best first, ties newest first."""
        raise NotImplementedError

    def top(self, queryset: QuerySet, terms: tuple[Term, ...], *, match_all: bool, limit: int, window: int) -> QuerySet:
        """The best `limit` rows among the newest `window` matching rows, like ranked()."""
        raise NotImplementedError


def _table(model) -> str:
    return model._meta.db_table


def _pk_column(model) -> str:
    pk = model._meta.pk
    # FTS5's content_rowid must be the table's integer rowid.
    if pk.get_internal_type() not in ("AutoField", "BigAutoField", "SmallAutoField"):
        raise ValueError(f"{model._meta.label}: full-text search needs an integer auto primary key")
    return pk.column


class PostgresBackend(SearchBackend):
    vendor = "postgresql"
    # A top-N query first looks for its window among the newest window × RECENT rows.
    RECENT = 10

    @staticmethod
    def _names(connection, model) -> tuple[str, str]:
        n = connection.ops.max_name_length()
        return truncate_name(f"{_table(model)}_search_gin", n), truncate_name(f"{_table(model)}_search_tsv", n)

    def create(self, schema_editor, model) -> None:
        q = schema_editor.quote_name
        index, trigger = self._names(schema_editor.connection, model)
        table = q(_table(model))
        schema_editor.execute(f"CREATE INDEX {q(index)} ON {table} USING gin (search_vector)")
        # The built-in trigger function: search_vector := to_tsvector('simple', search_tokens).
        schema_editor.execute(
            f"CREATE TRIGGER {q(trigger)} BEFORE INSERT OR UPDATE OF search_tokens ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION tsvector_update_trigger(search_vector, 'pg_catalog.simple', search_tokens)"
        )
        schema_editor.execute(f"UPDATE {table} SET search_vector = to_tsvector('simple', search_tokens)")  # noqa: S608

    def drop(self, schema_editor, model) -> None:
        q = schema_editor.quote_name
        index, trigger = self._names(schema_editor.connection, model)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {q(trigger)} ON {q(_table(model))}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {q(index)}")

    @staticmethod
    def tsquery(terms: tuple[Term, ...], *, match_all: bool) -> str:
        # Tokens are only CJK or letters/digits (tokens.py), so quoting them needs no escaping.
        parts = []
        for term in terms:
            phrase = " <-> ".join(f"'{token}'" for token in term.tokens) + (":*" if term.prefix else "")
            parts.append(f"({phrase} | '{term.word}')" if term.word else f"({phrase})")
        return (" & " if match_all else " | ").join(parts)

    def _query(self, terms, match_all):
        return SearchQuery(self.tsquery(terms, match_all=match_all), search_type="raw", config="simple")

    def matching(self, queryset, terms, *, match_all):
        return queryset.filter(search_vector=self._query(terms, match_all))

    def _rank(self, queryset, terms, match_all):
        # normalization 1: divide by 1 + log(length), so a short row that is all about the
        # query beats a long one that mentions it in passing (as bm25 does on SQLite).
        rank = SearchRank(F("search_vector"), self._query(terms, match_all), normalization=1)
        return queryset.annotate(search_rank=rank).order_by("-search_rank", "-pk")

    def ranked(self, queryset, terms, *, match_all):
        return self._rank(self.matching(queryset, terms, match_all=match_all), terms, match_all)

    def top(self, queryset, terms, *, match_all, limit, window):
        # One statement picks the ids: the window's rows bring their vectors out of the scan
        # that found them and are ranked there, so each of the `window` rows is read once
        # (ranking them in a second query over `pk IN (window)` fetched every row again:
        # 2 × ~15 ms for a paginated 2-character search at 100,000 articles). The result
        # is then those ≤ `limit` rows, ranked again (cheap) to carry `search_rank`.
        query = self.tsquery(terms, match_all=match_all)
        connection = connections[queryset.db]
        try:
            newest = self._newest(queryset, terms, match_all, window)
        except EmptyResultSet:  # e.g. visible_to() gave none()
            return queryset.none()
        if all(len(term.tokens) == 1 and not term.word for term in terms):
            # Single tokens (2-character words, prefixes) are estimated well: the planner
            # walks the primary key backwards for a common one and uses GIN for a rare one.
            ids, _found = self._best(connection, newest, query, limit=limit)
        else:
            ids, found = self._best(connection, self._recent(queryset, size=window), query, limit=limit, size=window)
            if found < window:  # fewer hits than that among the newest rows: the index finds them
                ids, _found = self._best(connection, newest, query, limit=limit)
        if not ids:
            return queryset.none()
        # One array parameter, not `limit` of them (planning a 2,000-item IN list took 6 ms).
        # Not sliced again: it holds ≤ limit rows, and a paginator's COUNT then ranks nothing.
        chosen = queryset.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [ids]))
        return self._rank(chosen, terms, match_all)

    def _newest(self, queryset, terms, match_all, size) -> tuple[str, list]:
        """SQL of the newest `size` matching rows as (_pk, _vector)."""
        newest = self.matching(queryset, terms, match_all=match_all).order_by("-pk")
        return newest.values(_pk=F("pk"), _vector=F("search_vector"))[:size].query.sql_with_params()

    def _recent(self, queryset, *, size) -> tuple[str, list]:
        # A phrase is estimated as independent bigrams (凭证无法打印, in 25,619 of 100,000
        # rows, was estimated at 915), so the planner fetches and rechecks every match from
        # the heap (~100 ms) instead of walking the primary key back until `size` match
        # (~8 ms). So look among the newest size × RECENT rows first, at a bounded cost (the
        # LIMIT subquery keeps the planner off the index); only a query rarer than that goes
        # to the index (_newest), where it is then cheap.
        recent = queryset.order_by("-pk").values(_pk=F("pk"), _vector=F("search_vector"))[: size * self.RECENT]
        return recent.query.sql_with_params()

    def _best(self, connection, source, query, *, limit, size=None) -> tuple[list[int], int]:
        """The best `limit` ids of `source` (newest first, filtered to matches and cut to
        `size` when given), and how many rows the window held."""
        sql, params = source
        if size is not None:
            sql = (
                f"SELECT r._pk, r._vector FROM ({sql}) r WHERE r._vector @@ to_tsquery('simple', %s) "  # noqa: S608
                "ORDER BY r._pk DESC LIMIT %s"
            )
            params = [*params, query, size]
        with connection.cursor() as cursor:
            # count(*) OVER () is taken before the ORDER BY … LIMIT: the window's size.
            cursor.execute(
                f"SELECT w._pk, count(*) OVER () FROM ({sql}) w "  # noqa: S608
                "ORDER BY ts_rank(w._vector, to_tsquery('simple', %s), 1) DESC, w._pk DESC LIMIT %s",
                [*params, query, limit],
            )
            rows = cursor.fetchall()
        return [pk for pk, _n in rows], (rows[0][1] if rows else 0)


class SqliteBackend(SearchBackend):
    vendor = "sqlite"

    @staticmethod
    def fts_table(model) -> str:
        return f"{_table(model)}_fts"

    def _triggers(self, connection, model) -> dict[str, str]:
        q = connection.ops.quote_name
        table, fts, pk = q(_table(model)), q(self.fts_table(model)), q(_pk_column(model))
        insert = f"INSERT INTO {fts}(rowid, search_tokens) VALUES (new.{pk}, new.search_tokens);"  # noqa: S608
        # External content: FTS5 removes a row's tokens only when given the old text back.
        delete = f"INSERT INTO {fts}({fts}, rowid, search_tokens) VALUES ('delete', old.{pk}, old.search_tokens);"  # noqa: S608
        name = self.fts_table(model)
        return {
            f"{name}_ai": f"AFTER INSERT ON {table} BEGIN {insert} END",
            f"{name}_ad": f"AFTER DELETE ON {table} BEGIN {delete} END",
            f"{name}_au": f"AFTER UPDATE OF search_tokens ON {table} BEGIN {delete} {insert} END",
        }

    def create(self, schema_editor, model) -> None:
        q = schema_editor.quote_name
        fts = self.fts_table(model)
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {q(fts)} USING fts5(search_tokens, content={q(_table(model))}, "
            f"content_rowid={q(_pk_column(model))}, tokenize='unicode61 remove_diacritics 0')"
        )
        for name, body in self._triggers(schema_editor.connection, model).items():
            schema_editor.execute(f"CREATE TRIGGER {q(name)} {body}")
        schema_editor.execute(f"INSERT INTO {q(fts)}({q(fts)}) VALUES ('rebuild')")  # noqa: S608

    def drop(self, schema_editor, model) -> None:
        q = schema_editor.quote_name
        for name in self._triggers(schema_editor.connection, model):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {q(name)}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {q(self.fts_table(model))}")

    def repair(self, connection, model) -> bool:
        """Recreate missing triggers and resync the FTS table; True if anything was missing."""
        q = connection.ops.quote_name
        fts = self.fts_table(model)
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE name = %s OR tbl_name = %s", [fts, _table(model)])
            present = {name for (name,) in cursor.fetchall()}
            if fts not in present:
                return False  # no AddSearchIndex for this model on this database (yet)
            missing = {name: body for name, body in self._triggers(connection, model).items() if name not in present}
            for name, body in missing.items():
                cursor.execute(f"CREATE TRIGGER {q(name)} {body}")
            if missing:
                cursor.execute(f"INSERT INTO {q(fts)}({q(fts)}) VALUES ('rebuild')")  # noqa: S608
        return bool(missing)

    @staticmethod
    def match(terms: tuple[Term, ...], *, match_all: bool) -> str:
        # Every token is quoted, and tokens hold no quotes (tokens.py): user text can't
        # become FTS5 syntax (AND, NEAR, column filters, ^).
        parts = []
        for term in terms:
            phrase = '"' + " ".join(term.tokens) + '"' + ("*" if term.prefix else "")
            parts.append(f'({phrase} OR "{term.word}")' if term.word else phrase)
        return (" AND " if match_all else " OR ").join(parts)

    def matching(self, queryset, terms, *, match_all):
        fts = connections[queryset.db].ops.quote_name(self.fts_table(queryset.model))
        match = self.match(terms, match_all=match_all)
        return queryset.filter(pk__in=RawSQL(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", [match]))  # noqa: S608, S611

    def _joined(self, queryset, terms, match_all, *, min_rowid=None, rank=True):
        # A join the ORM can't express (the FTS5 table has no model), hence extra(). The raw
        # SQL names only the FTS5 table; the row side of the join goes through the ORM
        # (pk=…), so the result stays correct when Django nests it in another query and
        # renames the model's table (U0). bm25 is lower-is-better.
        fts = connections[queryset.db].ops.quote_name(self.fts_table(queryset.model))
        where, params = [f"{fts} MATCH %s"], [self.match(terms, match_all=match_all)]
        if min_rowid is not None:
            where.append(f"{fts}.rowid >= %s")  # FTS5 skips to it instead of scanning every match
            params.append(min_rowid)
        select = {"search_rank": f"-bm25({fts})"} if rank else None
        joined = queryset.extra(select=select, tables=[self.fts_table(queryset.model)], where=where, params=params)  # noqa: S610
        return joined.filter(pk=RawSQL(f"{fts}.rowid", [], output_field=BigIntegerField()))  # noqa: S611

    def ranked(self, queryset, terms, *, match_all):
        return self._joined(queryset, terms, match_all).order_by("-search_rank", "-pk")

    def top(self, queryset, terms, *, match_all, limit, window):
        # FTS5 returns matches in rowid order natively: the newest `window` cost no sort.
        fts = self.fts_table(queryset.model)
        newest = self._joined(queryset, terms, match_all, rank=False).extra(order_by=[f"-{fts}.rowid"])
        ids = list(newest.values_list("pk", flat=True)[:window])
        if not ids:
            return queryset.none()
        # json_each: one parameter, however large the window.
        in_window = queryset.filter(pk__in=RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)]))
        return self._joined(in_window, terms, match_all, min_rowid=min(ids)).order_by("-search_rank", "-pk")[:limit]


BACKENDS = {backend.vendor: backend for backend in (PostgresBackend(), SqliteBackend())}


def backend_for(connection) -> SearchBackend:
    try:
        return BACKENDS[connection.vendor]
    except KeyError:
        raise NotImplementedError(f"kefu.search supports PostgreSQL and SQLite, not {connection.vendor}") from None


def searchable_models():
    from django.apps import apps

    from kefu.search.models import SearchableModel

    return [m for m in apps.get_models() if issubclass(m, SearchableModel) and not m._meta.proxy]


def repair_after_migrate(sender, using="default", **kwargs) -> None:
    connection = connections[using]
    if connection.vendor != "sqlite":
        return  # PostgreSQL keeps triggers and indexes across ALTER TABLE
    for model in searchable_models():
        SqliteBackend().repair(connection, model)
