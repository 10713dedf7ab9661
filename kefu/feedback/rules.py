"""Who reads, records and categorises feedback (FB-1), and who reads its analysis."""

import rules

from kefu.feedback.models import categorises, manages_feedback

rules.add_perm("feedback.view_list", rules.predicate(categorises))
rules.add_perm("feedback.record", rules.predicate(categorises))
rules.add_perm("feedback.view_analysis", rules.predicate(manages_feedback))


@rules.predicate
def may_categorise(user, fb=None) -> bool:
    if not categorises(user):
        return False
    return fb is None or manages_feedback(user) or fb.staff_id == user.pk


rules.add_perm("feedback.categorise", may_categorise)
