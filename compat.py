# Copyright 2026 crm_customer_ownership authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What differs between the Odoo series this module supports (18.0, 19.0).

Every version check of the module is here; the rest of the code reads the
names below and never looks at ``version_info`` itself. XML is written in the
form both series accept; the few records that cannot be (group categories vs
privileges, users' and actions' groups) live in ``data/odoo<major>/`` and are
loaded by :func:`load_series_data`.
"""

import time
from contextlib import ExitStack, contextmanager
from unittest.mock import patch

from lxml import etree

from odoo import models
from odoo.release import version_info
from odoo.tools import convert_file

__all__ = [
    "ACTIVITY_HAS_REQUEST_PARTNER",
    "ODOO_19",
    "PARTNER_HAS_MOBILE",
    "USER_GROUPS_FIELD",
    "Constraint",
    "OdooPartnerMergeWizard",
    "call_kw",
    "cron_calls_per_run",
    "cron_job_context",
    "cron_process_job",
    "cron_progress",
    "cron_run_context",
    "has_field_access",
    "keep_done_activities",
    "load_series_data",
    "message_author",
    "registry_test_mode",
    "unit_commits",
    "user_form_group_values",
    "user_form_rights",
]

MODULE = "crm_customer_ownership"
ODOO_MAJOR = version_info[0]
ODOO_19 = ODOO_MAJOR >= 19

# res.users' groups and ir.actions' groups: groups_id on 18, group_ids on 19.
USER_GROUPS_FIELD = "group_ids" if ODOO_19 else "groups_id"

# Odoo 19 dropped res.partner.mobile: the ERP files' mobile column is then
# read into phone (see customer_import.py).
PARTNER_HAS_MOBILE = not ODOO_19

# Odoo 19 dropped mail.activity.request_partner_id (who asked for a task).
ACTIVITY_HAS_REQUEST_PARTNER = not ODOO_19


if ODOO_19:
    Constraint = models.Constraint
else:

    class Constraint:
        """Odoo 19's ``models.Constraint`` declared on 18: the attribute
        ``_name = Constraint(definition, message)`` becomes the 18
        ``_sql_constraints`` entry ``(name, definition, message)``, so the
        database constraint has the same name on both series."""

        def __init__(self, definition, message=""):
            self.definition = definition
            self.message = message

        def __set_name__(self, owner, name):
            own = owner.__dict__.get("_sql_constraints", [])
            owner._sql_constraints = [
                *own,
                (name.removeprefix("_"), self.definition, self.message),
            ]


def has_field_access(model, field, operation="read"):
    """Whether the current user may read (or write) ``field`` of ``model``:
    ``Field.is_accessible(env)`` on 18, ``Model._has_field_access`` on 19."""
    if ODOO_19:
        return model._has_field_access(field, operation)
    return field.is_accessible(model.env)


def message_author(env):
    """The author (partner id, email_from) of a note the current user logs,
    as ``mail.thread`` computes it, without raising for a missing email."""
    Thread = env["mail.thread"]
    if ODOO_19:
        return Thread._message_compute_author()
    return Thread._message_compute_author(raise_on_email=False)


def cron_progress(env, done, remaining):
    """Report the progress of a scheduled action's unit of work to the cron
    runner, which calls the action again while work remains.

    On 19 ``_commit_progress`` commits the unit with its progress (the runner
    commits by itself too), so each unit is still one transaction; outside a
    cron run it reports nothing and does not commit, as on 18."""
    Cron = env["ir.cron"]
    if not ODOO_19:
        Cron._notify_progress(done=done, remaining=remaining)
    elif env.context.get("ir_cron_progress_id"):
        Cron._commit_progress(done, remaining=remaining)


def load_series_data(env, kind):
    """Load ``data/odoo<major>/<kind>.xml``: the records of ``kind``
    (``security`` or ``demo``) that this series spells differently.

    Called by a ``<function>`` of the manifest's data (security) or demo
    files, so ``-i`` and ``-u`` load them as any other data file, xml ids and
    translations included (Odoo skips the demo ``<function>`` on update as it
    skips every demo record)."""
    module = env["ir.module.module"].search([("name", "=", MODULE)])
    mode = "init" if module.state == "to install" else "update"
    convert_file(
        env,
        MODULE,
        f"data/odoo{ODOO_MAJOR}/{kind}.xml",
        {},
        mode=mode,
        noupdate=kind == "demo",
    )


# ----------------------------------------------------------------------
# For the tests: what the module's tests reach of Odoo beyond its API.
# ----------------------------------------------------------------------

if ODOO_19:
    from odoo.service.model import call_kw

    from odoo.addons.base.wizard.base_partner_merge import (
        BasePartnerMergeAutomaticWizard as OdooPartnerMergeWizard,
    )
else:
    from odoo.api import call_kw

    from odoo.addons.base.wizard.base_partner_merge import (
        MergePartnerAutomatic as OdooPartnerMergeWizard,
    )


def keep_done_activities(activity_type):
    """Done activities of this type stay, archived, instead of being
    deleted: an option of the type on 18, what 19 always does."""
    if not ODOO_19:
        activity_type.keep_done = True


def cron_run_context(progress):
    """The context in which the cron runner calls a scheduled action that
    reports to ``progress`` (19 checks that the progress is of that cron)."""
    return {"ir_cron_progress_id": progress.id, "cron_id": progress.cron_id.id}


CRON_MODULE = "odoo.addons.base.models.ir_cron"


@contextmanager
def registry_test_mode(case):
    """The registry's new cursors wrap the test's cursor (as in Odoo's own
    tests of the cron runner): the test case's ``enter_registry_test_mode``
    on 19, the registry's ``enter_test_mode`` on 18. Yields the registry."""
    env = case.env
    if ODOO_19:
        with case.enter_registry_test_mode():
            yield env.registry
        return
    env.flush_all()
    env.registry.enter_test_mode(env.cr)
    try:
        yield env.registry
    finally:
        env.registry.leave_test_mode()
        env.invalidate_all()


def cron_process_job(registry, cron_cr, job):
    """The cron runner's processing of one acquired job (``job`` as
    ``ir.cron._acquire_one_job`` returns it): ``_process_job``, which
    takes the database name too on 18."""
    if ODOO_19:
        registry["ir.cron"]._process_job(cron_cr, job)
    else:
        registry["ir.cron"]._process_job(registry.db_name, cron_cr, job)


def cron_calls_per_run(calls):
    """A patcher of how many times the runner calls a job's action in one
    run while work remains: 18's ``MAX_BATCH_PER_CRON_JOB``; 19's
    ``MIN_RUNS_PER_JOB``, whose runner also keeps calling for
    ``MIN_TIME_PER_JOB`` seconds: set to 0, so that on both a run is a
    count of calls, not a race with the clock."""
    stack = ExitStack()
    if ODOO_19:
        stack.enter_context(patch(f"{CRON_MODULE}.MIN_RUNS_PER_JOB", calls))
        stack.enter_context(patch(f"{CRON_MODULE}.MIN_TIME_PER_JOB", 0))
    else:
        stack.enter_context(patch(f"{CRON_MODULE}.MAX_BATCH_PER_CRON_JOB", calls))
    return stack


def cron_job_context(job):
    """The context in which the runner's ``_run_job`` calls a job (19 adds
    the end of the run's time budget)."""
    context = {"lastcall": job["lastcall"], "cron_id": job["id"]}
    if ODOO_19:
        from odoo.addons.base.models import ir_cron

        context["cron_end_time"] = time.monotonic() + ir_cron.MIN_TIME_PER_JOB
    return context


def unit_commits(cr):
    """A patcher of ``cr.commit`` for tests of scheduled actions: on 19 the
    action commits each unit itself (``_commit_progress``), which a test
    cursor forbids; the mock counts the commits instead."""
    return patch.object(cr, "commit")


def user_form_rights(user):
    """The rights the user form offers ``user`` without debug mode:
    ``{heading: {label: ids of the groups offered}}``.

    On 18 a heading is a ``<group string=...>`` of the form holding one
    ``sel_groups_*`` selection per category; on 19 the form's
    ``res_user_group_ids`` widget shows the privileges of each category,
    read from the user's ``view_group_hierarchy``."""
    Users = user.env["res.users"].with_user(user)
    form = user.env.ref("base.view_users_form")
    view = Users.get_views([(form.id, "form")])
    arch = etree.fromstring(view["views"]["form"]["arch"])
    if not ODOO_19:
        fields = view["models"]["res.users"]["fields"]
        return {
            heading.get("string"): {
                fields[name]["string"]: [v for v, _label in fields[name]["selection"]]
                for name in heading.xpath(".//field/@name")
                if name.startswith("sel_groups_")
            }
            for heading in arch.xpath("//group[@string]")
        }
    if not arch.xpath("//field[@name='group_ids'][@widget='res_user_group_ids']"):
        return {}
    hierarchy = Users.default_get(["view_group_hierarchy"])["view_group_hierarchy"]
    privileges = {str(key): value for key, value in hierarchy["privileges"].items()}
    return {
        category["name"]: {
            privileges[str(pid)]["name"]: privileges[str(pid)]["group_ids"]
            for pid in category["privilege_ids"]
        }
        for category in hierarchy["categories"]
    }


def user_form_group_values(group):
    """The values the user form writes to grant ``group`` (a right of its
    own line): the line's selection on 18, the groups on 19."""
    if ODOO_19:
        return {"group_ids": [(4, group.id)]}
    return {f"sel_groups_{group.id}": group.id}
