"""`AddSearchIndex`: the one migration operation a searchable model needs."""

from django.db.migrations.operations.base import Operation

from kefu.search.backends import backend_for


class AddSearchIndex(Operation):
    """Creates the search index of a `SearchableModel` for the migrating database.

    PostgreSQL: a GIN index on `search_vector` and the trigger that fills it from
    `search_tokens`. SQLite: the external-content FTS5 table `<table>_fts` and its sync
    triggers. Existing rows are indexed. Put it after the model's CreateModel:

        operations = [migrations.CreateModel("Article", ...), AddSearchIndex("Article")]
    """

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str):
        self.model_name = model_name

    def deconstruct(self):
        return self.__class__.__qualname__, [self.model_name], {}

    def state_forwards(self, app_label, state):
        pass  # raw database objects only; the model's fields are ordinary migrations

    def _run(self, action, app_label, schema_editor, state):
        model = state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            getattr(backend_for(schema_editor.connection), action)(schema_editor, model)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._run("create", app_label, schema_editor, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._run("drop", app_label, schema_editor, from_state)

    def describe(self):
        return f"Add full-text search index to {self.model_name}"

    @property
    def migration_name_fragment(self):
        return f"search_index_{self.model_name.lower()}"
