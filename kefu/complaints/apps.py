from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "kefu.complaints"
    verbose_name = "客户投诉"

    def ready(self) -> None:
        from kefu.complaints import rules, workflow  # noqa: F401 -- rules registers the permissions
        from kefu.customers import masking

        workflow.define_chains()
        workflow.register_handoffs()
        masking.declare("complaints.complaint", contact_phone="phone")
