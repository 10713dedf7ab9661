"""Permissions of the deadline engine: administrators keep calendars and rules (CAL-1, CAL-3)."""

import rules

from kefu.org import roles
from kefu.org.rules import has_role, is_admin, is_internal

rules.add_perm("deadlines.view_calendar", is_admin)
rules.add_perm("deadlines.change_calendar", is_admin)
rules.add_perm("deadlines.view_rule_list", is_admin)
rules.add_perm("deadlines.change_rule", is_admin)
# Staff may ask "when would this be due?" (the preview API); external users may not.
rules.add_perm("deadlines.preview", is_internal)
# Managers see their team's clocks on the workbench.
rules.add_perm("deadlines.view_team_clocks", has_role(*roles.MANAGER_ROLES) | is_admin)
