from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kefu.audit"
    verbose_name = "审计"

    def ready(self) -> None:
        from kefu.audit.service import record
        from kefu.core import states

        states.RECORDER = record  # every state move with a verb is audited here
