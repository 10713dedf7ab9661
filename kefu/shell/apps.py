from django.apps import AppConfig


class ShellConfig(AppConfig):
    """The shell pages (workbench, profile) and the page header's bell: above every domain, so they
    may show what any domain registers without `core` importing a domain or notify."""

    name = "kefu.shell"
    verbose_name = "工作台"
