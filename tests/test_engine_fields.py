"""The fields only the module's workflows set (ENGINE_FIELDS), on the
customer and on its linked records: refused to every role over XML-RPC
whatever context keys it sends, readonly in every view, and never in the way
of the standard contact form."""

from datetime import timedelta

from lxml import etree

from odoo import api, fields
from odoo.exceptions import UserError
from odoo.tests import Form

from ..compat import call_kw
from ..models.customer_engine_guard import ENGINE_FIELDS
from .common import SALESMAN, SERVICE, new_users
from .common_security import SecurityCase

# Every Odoo context key the module's code reads (and the one it used to
# trust for the merge marks): none of them opens the guard.
FORGED_CONTEXTS = (
    {},
    {"customer_merge_engine": True},
    {"crm_import_readable_ids": [1, 2, 3]},
    {"plan_filter": "errors"},
    {"ir_cron_progress_id": 1},
    {"active_model": "res.partner", "active_ids": [1]},
    {"active_test": False, "tracking_disable": True},
)
# Models whose rows only the engines write, with sudo(): engine-owned as a
# whole, by the access rights (see ENGINE_FIELDS).
ENGINE_MODELS = (
    "customer.ownership.history",
    "customer.merge.log",
    "customer.merge.log.line",
    "customer.import.log",
    "customer.import.log.line",
)


class EngineFieldsCase(SecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.restricted, cls.team_lead = new_users(
            cls.env, SALESMAN, t_ef_restricted="Restricted", t_ef_team_lead="Team Lead"
        )
        cls.restricted.restrict_to_own_customers = True
        cls.huber.crm_manager_id = cls.team_lead
        cls.service = new_users(cls.env, SERVICE, t_ef_service="Service")
        cls.roles = {
            "agent": cls.huber,
            "restricted agent": cls.restricted,
            "team lead": cls.team_lead,
            "customer service": cls.service,
            "transfer right": cls.transfer_user,
            "sales administrator": cls.sales_manager,
            "contact creation": cls.contact_manager,
            "admin": cls.admin,
        }
        cls.target = cls.customers_huber[4]
        # A customer each role may write, so that only the guard refuses.
        cls.own = {
            role: cls.Partner.create(
                {"name": f"Own of {role}", "external_ref": f"EF-{i}", "user_id": u.id}
            )
            for i, (role, u) in enumerate(cls.roles.items())
        }

    def _rpc_ctx(self, user, context, model, method, *args):
        env = api.Environment(self.env.cr, user.id, {})
        return call_kw(env[model], method, list(args), {"context": context})

    def _merged(self):
        source = self.Partner.create(
            {"name": "Merged Away", "external_ref": "EF-M", "user_id": self.huber.id}
        )
        self.env["customer.merge.wizard"].with_user(self.sales_manager).create(
            {"source_partner_id": source.id, "target_partner_id": self.target.id}
        ).action_merge()
        self.assertEqual(source.merged_into_id, self.target)
        return source


class TestEngineFieldsGuard(EngineFieldsCase):
    def _forged_values(self):
        now = "2000-01-01 00:00:00"
        return {
            "trashed_at": now,
            "trashed_by_id": self.maier.id,
            "merged_into_id": self.target.id,
            "merged_at": now,
            "merged_by_id": self.maier.id,
            "merged_external_ref": "X-1",
        }

    def test_declaration_covers_trash_merge_and_merged_active(self):
        self.assertEqual(
            set(ENGINE_FIELDS["res.partner"]),
            {
                "trashed_at",
                "trashed_by_id",
                "merged_into_id",
                "merged_at",
                "merged_by_id",
                "merged_external_ref",
                "active",
            },
        )

    def test_every_customer_owned_model_guards_its_active(self):
        """A record owned by a customer follows its trash: a model that takes
        the mixin without the guard and its declaration would let anyone
        archive or bring back what the trash hides."""
        owned = self.env["customer.owned.mixin"]._inherit_children
        self.assertTrue(owned)
        guarded = self.env["customer.engine.guard"]._inherit_children
        for model in owned:
            with self.subTest(model=model):
                self.assertIn(model, guarded)
                self.assertIn("active", ENGINE_FIELDS.get(model, {}))

    def _assertRefusedToEveryRole(self, method, args):
        """``method`` on res.partner over XML-RPC with ``args(role, field,
        value)`` is refused to every role, whatever context key it sends."""
        for role, user in self.roles.items():
            for context in FORGED_CONTEXTS:
                for fname, value in self._forged_values().items():
                    with (
                        self.subTest(role=role, context=context, field=fname),
                        self.assertRaises(UserError),
                    ):
                        self._rpc_ctx(
                            user,
                            context,
                            "res.partner",
                            method,
                            *args(role, fname, value),
                        )

    def test_every_role_every_context_key_refused_on_write(self):
        self._assertRefusedToEveryRole(
            "write",
            lambda role, fname, value: (
                self.own[role].ids,
                {fname: value, "active": False},
            ),
        )
        for customer in self.own.values():
            self.assertRecordValues(
                customer,
                [{"active": True, "trashed_at": False, "merged_at": False}],
            )

    def test_the_critical_probe_is_refused(self):
        """A salesperson stamps a colleague's customer as merged with the
        old engine key: the purge would delete it."""
        for role in ("agent", "customer service", "restricted agent"):
            with self.subTest(role=role), self.assertRaises(UserError):
                self._rpc_ctx(
                    self.roles[role],
                    {"customer_merge_engine": True},
                    "res.partner",
                    "write",
                    self.customer_maier.ids,
                    {
                        "active": False,
                        "merged_at": "2000-01-01",
                        "merged_by_id": self.maier.id,
                    },
                )
        self.assertTrue(self.customer_maier.active)
        self.assertFalse(self.customer_maier.merged_at)

    def test_every_role_every_context_key_refused_on_create(self):
        self._assertRefusedToEveryRole(
            "create",
            lambda role, fname, value: ({"name": f"Forged {fname}", fname: value},),
        )

    def test_sudo_does_not_open_the_guard(self):
        with self.assertRaises(UserError):
            self.customer_maier.sudo().write({"trashed_at": "2000-01-01"})

    def test_empty_and_unchanged_values_pass(self):
        empty = dict.fromkeys(self._forged_values(), False)
        created = self._rpc(
            self.contact_manager, "res.partner", "create", dict(empty, name="Plain")
        )
        self.assertTrue(self.Partner.browse(created).exists())
        customer = self.own["agent"]
        self._rpc(self.huber, "res.partner", "write", customer.ids, empty)
        customer.action_trash()
        self._rpc(
            self.huber,
            "res.partner",
            "write",
            customer.ids,
            {
                "trashed_at": customer.trashed_at,
                "trashed_by_id": customer.trashed_by_id.id,
                "active": False,
            },
        )
        self.assertTrue(customer.trashed_at)

    def test_merged_customer_is_not_reactivated_by_any_path(self):
        source = self._merged()
        paths = (
            ("write", ({"active": True},)),
            ("action_unarchive", ()),
            ("toggle_active", ()),
        )
        for role, user in self.roles.items():
            for context in FORGED_CONTEXTS:
                for method, args in paths:
                    with (
                        self.subTest(role=role, context=context, via=method),
                        self.assertRaises(UserError),
                    ):
                        self._rpc_ctx(
                            user, context, "res.partner", method, source.ids, *args
                        )
        self.assertFalse(source.active)
        with self.assertRaisesRegex(UserError, "undoing the merge"):
            source.sudo().action_unarchive()
        self.assertEqual(source.merged_into_id, self.target)


class TestEngineFieldsInViews(EngineFieldsCase):
    def _form_fields(self, user, view_type="form"):
        arch = self.Partner.with_user(user).get_view(view_type=view_type)["arch"]
        return etree.fromstring(arch).iter("field")

    def test_engine_fields_readonly_or_absent_in_every_view(self):
        for view_type in ("form", "list", "kanban"):
            for node in self._form_fields(self.admin, view_type):
                name = node.get("name")
                if name in ENGINE_FIELDS["res.partner"] and name != "active":
                    with self.subTest(view=view_type, field=node.get("name")):
                        self.assertIn(node.get("readonly"), (None, "1", "True"))

    def test_python_readonly_fields_stay_readonly_in_the_form(self):
        checked = 0
        for node in self._form_fields(self.admin):
            if any(parent.tag == "field" for parent in node.iterancestors()):
                continue
            field = self.Partner._fields.get(node.get("name"))
            if field is not None and field.readonly and node.get("readonly") is None:
                checked += 1
            elif field is not None and field.readonly:
                # A readonly of the view's own: the trash only adds to it.
                self.assertNotEqual(node.get("readonly"), "trashed_at", field.name)
        self.assertGreater(checked, 5)

    def test_trashed_customer_form_is_readonly(self):
        customer = self.own["agent"]
        customer.action_trash()
        form = Form(customer.with_user(self.huber))
        with self.assertRaises(AssertionError):
            form.name = "Changed"

    def test_contacts_new_save_works_for_every_role_that_creates(self):
        creators = 0
        for role, user in self.roles.items():
            Partner = self.Partner.with_user(user)
            if not Partner.has_access("create"):
                continue
            creators += 1
            with self.subTest(role=role):
                form = Form(Partner, view="base.view_partner_form")
                form.name = f"New contact of {role}"
                partner = form.save()
                self.assertTrue(partner.exists())
                form = Form(Partner, view="base.view_partner_form")
                form.company_type = "company"
                form.name = f"New company of {role}"
                form.save()
        self.assertGreaterEqual(creators, 4)

    def test_salesperson_readonly_without_transfer_right(self):
        customer = self.own["agent"]
        form = Form(customer.with_user(self.huber), view="base.view_partner_form")
        with self.assertRaises(AssertionError):
            form.user_id = self.maier
        own = self.own["transfer right"]
        with Form(own.with_user(self.transfer_user)) as form:
            form.user_id = self.maier
        self.assertEqual(own.user_id, self.maier)
        # A plain contact is not the module's customer: stock behaviour.
        plain = self.Partner.create({"name": "Plain", "user_id": self.huber.id})
        with Form(plain.with_user(self.contact_manager)) as form:
            form.user_id = self.maier
        self.assertEqual(plain.user_id, self.maier)
        # A new customer gets its first salesperson from anyone.
        form = Form(self.Partner.with_user(self.contact_manager))
        form.name = "Walk-in"
        form.user_id = self.huber
        self.assertEqual(form.save().user_id, self.huber)

    def test_salesperson_readonly_in_the_list(self):
        nodes = [
            node
            for node in self._form_fields(self.huber, "list")
            if node.get("name") == "user_id"
        ]
        self.assertTrue(nodes)
        self.assertTrue(all("salesperson_readonly" in n.get("readonly") for n in nodes))
        flags = (self.own["agent"] | self.Partner.create({"name": "Plain"})).with_user(
            self.huber
        )
        self.assertEqual(flags.mapped("salesperson_readonly"), [True, False])
        self.assertFalse(
            self.own["agent"].with_user(self.transfer_user).salesperson_readonly
        )


class TestEngineFieldsOfLinkedRecords(EngineFieldsCase):
    """The engine-owned fields of the records that follow a customer's trash
    and merge: the guard of every model listed in ENGINE_FIELDS."""

    GUARD_TEXT = "follow their customer"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        start = fields.Datetime.now() + timedelta(days=3)
        # One record of each model per role, on a customer the role may
        # write, so that only the guard refuses.
        cls.linked = {}
        for role, user in cls.roles.items():
            customer = cls.own[role]
            cls.linked[role] = {
                "mail.activity": cls._add_task(customer, user, "Call back"),
                "calendar.event": cls._add_appointment(customer, user, "Visit", start),
                "customer.visit.report": cls.env["customer.visit.report"].create(
                    {"partner_id": customer.id, "user_id": user.id, "summary": "Hi"}
                ),
                "customer.visit.block": cls.env["customer.visit.block"].create(
                    {
                        "partner_id": customer.id,
                        "date_from": "2026-07-01",
                        "date_to": "2026-07-31",
                        "reason": "Closed",
                    }
                ),
                "customer.consent": cls.env["customer.consent"].create(
                    {"partner_id": customer.id, "purpose": "Newsletter"}
                ),
            }

    def _forged(self):
        """(model, field, forged value, the untouched value)."""
        return (
            ("mail.activity", "hidden_by_trash", True, False),
            ("calendar.event", "trash_partner_id", self.target.id, False),
            ("customer.visit.report", "active", False, True),
            ("customer.visit.block", "active", False, True),
            ("customer.consent", "active", False, True),
        )

    def _create_vals(self, model, role):
        user, customer = self.roles[role], self.own[role]
        start = fields.Datetime.now() + timedelta(days=5)
        return {
            "mail.activity": {
                "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                "res_id": customer.id,
                "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                "summary": "Forged",
                "user_id": user.id,
            },
            "calendar.event": {
                "name": "Forged",
                "user_id": user.id,
                "start": fields.Datetime.to_string(start),
                "stop": fields.Datetime.to_string(start + timedelta(hours=1)),
                "partner_ids": [(6, 0, [customer.id])],
            },
            "customer.visit.report": {"partner_id": customer.id, "summary": "Forged"},
            "customer.visit.block": {
                "partner_id": customer.id,
                "date_from": "2026-08-01",
                "date_to": "2026-08-02",
                "reason": "Forged",
            },
            "customer.consent": {"partner_id": customer.id, "purpose": "Forged"},
        }[model]

    def _assert_guard_refuses(self, refused, reached_the_guard):
        """A refusal, with the guard's own message when the role may write
        the record (else Odoo's access error may come first)."""
        if reached_the_guard:
            self.assertIn(self.GUARD_TEXT, str(refused.exception))

    def test_declaration_lists_every_guarded_model(self):
        self.assertEqual(
            set(ENGINE_FIELDS),
            {
                "res.partner",
                "mail.activity",
                "calendar.event",
                "customer.visit.report",
                "customer.visit.block",
                "customer.consent",
            },
        )
        guard = type(self.env["customer.engine.guard"])
        guarded = {name for name in self.env.registry if name != guard._name}
        guarded = {n for n in guarded if isinstance(self.env[n], guard)}
        self.assertEqual(guarded, set(ENGINE_FIELDS))
        for model, fnames in ENGINE_FIELDS.items():
            for fname in fnames:
                with self.subTest(model=model, field=fname):
                    self.assertIn(fname, self.env[model]._fields)

    def test_every_role_every_context_key_refused_on_write(self):
        guarded = dict.fromkeys(ENGINE_FIELDS, 0)
        for model, fname, forged, untouched in self._forged():
            for role, user in self.roles.items():
                record = self.linked[role][model]
                writable = record.with_user(user).has_access("write")
                guarded[model] += writable
                for context in FORGED_CONTEXTS:
                    with (
                        self.subTest(model=model, role=role, context=context),
                        self.assertRaises(UserError) as refused,
                    ):
                        self._rpc_ctx(
                            user, context, model, "write", record.ids, {fname: forged}
                        )
                    self._assert_guard_refuses(refused, writable)
                self.assertEqual(record[fname] or False, untouched)
        # Most roles write these records: the refusals above are the guard's.
        for model, count in guarded.items():
            if model != "res.partner":
                with self.subTest(model=model):
                    self.assertGreaterEqual(count, 5)

    def test_every_role_every_context_key_refused_on_create(self):
        for model, fname, forged, _untouched in self._forged():
            for role, user in self.roles.items():
                creates = self.env[model].with_user(user).has_access("create")
                vals = self._create_vals(model, role)
                contexts = (
                    *((ctx, dict(vals, **{fname: forged})) for ctx in FORGED_CONTEXTS),
                    # A default_<field> key is a value like any other.
                    ({f"default_{fname}": forged}, vals),
                )
                for context, create_vals in contexts:
                    with (
                        self.subTest(model=model, role=role, context=context),
                        self.assertRaises(UserError) as refused,
                    ):
                        self._rpc_ctx(user, context, model, "create", create_vals)
                    self._assert_guard_refuses(refused, creates)

    def test_engine_models_are_written_by_no_group(self):
        self.assertFalse(
            self.env["ir.model.access"].search(
                [
                    ("model_id.model", "in", ENGINE_MODELS),
                    "|",
                    "|",
                    ("perm_write", "=", True),
                    ("perm_create", "=", True),
                    ("perm_unlink", "=", True),
                ]
            )
        )
        for model in ENGINE_MODELS:
            for role, user in self.roles.items():
                for context in FORGED_CONTEXTS:
                    with (
                        self.subTest(model=model, role=role, context=context),
                        self.assertRaises(UserError),
                    ):
                        self._rpc_ctx(user, context, model, "create", {})

    def test_default_context_keys_do_not_stamp_a_new_customer(self):
        forged = {
            "trashed_at": "2000-01-01 00:00:00",
            "trashed_by_id": self.maier.id,
            "merged_into_id": self.target.id,
            "merged_at": "2000-01-01 00:00:00",
            "merged_by_id": self.maier.id,
            "merged_external_ref": "X-1",
        }
        for role, user in self.roles.items():
            for fname, value in forged.items():
                with (
                    self.subTest(role=role, field=fname),
                    self.assertRaises(UserError),
                ):
                    self._rpc_ctx(
                        user,
                        {f"default_{fname}": value},
                        "res.partner",
                        "create",
                        {"name": f"Forged default {fname}"},
                    )

    def test_through_the_customer_one2many_refused(self):
        customer = self.own["agent"]
        activity = self.linked["agent"]["mail.activity"]
        report = self.linked["agent"]["customer.visit.report"]
        for vals in (
            {"activity_ids": [(1, activity.id, {"hidden_by_trash": True})]},
            {"visit_report_ids": [(1, report.id, {"active": False})]},
            {"visit_report_ids": [(0, 0, {"summary": "Hidden", "active": False})]},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                self._rpc(self.huber, "res.partner", "write", customer.ids, vals)
        self.assertFalse(activity.hidden_by_trash)
        self.assertTrue(report.active)

    def test_unchanged_and_default_values_pass(self):
        role = "agent"
        for model, fname, _forged, untouched in self._forged():
            record = self.linked[role][model]
            with self.subTest(model=model):
                self._rpc(self.huber, model, "write", record.ids, {fname: untouched})
                created = self._rpc(
                    self.huber,
                    model,
                    "create",
                    dict(self._create_vals(model, role), **{fname: untouched}),
                )
                self.assertEqual(
                    self.env[model].browse(created)[fname] or False, untouched
                )

    def test_trash_and_restore_set_them_for_the_salesperson(self):
        customer = self.own["agent"]
        linked = self.linked["agent"]
        self._rpc(self.huber, "res.partner", "action_trash", customer.ids)
        self.assertTrue(linked["mail.activity"].with_context(active_test=False))
        self.assertRecordValues(
            linked["mail.activity"].with_context(active_test=False),
            [{"active": False, "hidden_by_trash": True}],
        )
        self.assertEqual(linked["calendar.event"].trash_partner_id, customer)
        for model in ENGINE_FIELDS.keys() - {"res.partner", "mail.activity"}:
            self.assertFalse(linked[model].active, model)
        # Restore through plain unarchiving, the same workflow.
        self._rpc(self.huber, "res.partner", "action_unarchive", customer.ids)
        self.assertRecordValues(
            linked["mail.activity"], [{"active": True, "hidden_by_trash": False}]
        )
        self.assertFalse(linked["calendar.event"].trash_partner_id)
        for model in ENGINE_FIELDS.keys() - {"res.partner", "mail.activity"}:
            self.assertTrue(linked[model].active, model)
