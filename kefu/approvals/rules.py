"""Permissions of approvals: a decision is for the step's deciders only (relation, not role)."""

import rules

from kefu.org.rules import is_internal


@rules.predicate
def decides(user, step) -> bool:
    return step is not None and step.deciders.filter(pk=user.pk).exists()


rules.add_perm("approvals.view_inbox", is_internal)
rules.add_perm("approvals.decide", decides)
