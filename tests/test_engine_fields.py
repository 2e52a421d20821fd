"""The fields only the module's workflows set (ENGINE_FIELDS): refused to
every role over XML-RPC whatever context keys it sends, readonly in every
view, and never in the way of the standard contact form."""

from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user

from ..models.res_partner import ENGINE_FIELDS
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
SALESMAN = "base.group_user,sales_team.group_sale_salesman"


class EngineFieldsCase(SecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.restricted = new_test_user(
            cls.env, login="t_ef_restricted", name="Restricted", groups=SALESMAN
        )
        cls.restricted.restrict_to_own_customers = True
        cls.team_lead = new_test_user(
            cls.env, login="t_ef_team_lead", name="Team Lead", groups=SALESMAN
        )
        cls.huber.crm_manager_id = cls.team_lead
        cls.service = new_test_user(
            cls.env,
            login="t_ef_service",
            name="Service",
            groups="base.group_user,crm_customer_ownership.group_customer_service",
        )
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
        from odoo import api

        env = api.Environment(self.env.cr, user.id, {})
        return api.call_kw(env[model], method, list(args), {"context": context})

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
            set(ENGINE_FIELDS),
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

    def test_every_role_every_context_key_refused_on_write(self):
        values = self._forged_values()
        for role, user in self.roles.items():
            customer = self.own[role]
            for context in FORGED_CONTEXTS:
                for fname, value in values.items():
                    with (
                        self.subTest(role=role, context=context, field=fname),
                        self.assertRaises(UserError),
                    ):
                        self._rpc_ctx(
                            user,
                            context,
                            "res.partner",
                            "write",
                            customer.ids,
                            {fname: value, "active": False},
                        )
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
        values = self._forged_values()
        for role, user in self.roles.items():
            for context in FORGED_CONTEXTS:
                for fname, value in values.items():
                    with (
                        self.subTest(role=role, context=context, field=fname),
                        self.assertRaises(UserError),
                    ):
                        self._rpc_ctx(
                            user,
                            context,
                            "res.partner",
                            "create",
                            {"name": f"Forged {fname}", fname: value},
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
                if node.get("name") in ENGINE_FIELDS and node.get("name") != "active":
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
