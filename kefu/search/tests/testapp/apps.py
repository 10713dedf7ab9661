from django.apps import AppConfig


class SearchTestAppConfig(AppConfig):
    """A searchable model for kefu.search's own tests and benchmark; installed only when TESTING."""

    name = "kefu.search.tests.testapp"
    label = "search_testapp"
    default_auto_field = "django.db.models.BigAutoField"
