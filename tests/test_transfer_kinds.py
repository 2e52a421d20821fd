import base64
from datetime import datetime, timedelta

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import Form, TransactionCase

from ..compat import USER_GROUPS_FIELD, call_kw
from ..models.customer_linked_records import CHOOSABLE_KINDS, LINKED_KINDS_BY_KEY
from .import_common import CustomerImportCase

NOW = datetime(2026, 5, 4, 9, 0, 0)
ALL_KINDS = {kind.key for kind in CHOOSABLE_KINDS}


def _kind_test(way, key):
    def test(self):
        getattr(self, way)(key)

    return test


class TransferKindsCase(CustomerImportCase):
    """One customer of Huber with one record of every kind that follows a
    customer, and records of colleagues that never follow it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.startClassPatcher(freeze_time(NOW))
        cls.customer = cls.customers_huber[0]
        cls.records = cls._add_linked_records(cls.customer, cls.huber, NOW)
        # What is not Huber's stays where it is, whatever is chosen: a
        # colleague's open task, a future appointment someone else organises.
        cls.colleague = cls.sales_manager
        cls.colleague_task = cls._add_task(
            cls.customer, cls.colleague, "Colleague's task"
        )
        cls.other_appointment = cls._add_appointment(
            cls.customer, cls.colleague, "Colleague's visit", NOW + timedelta(days=2)
        )
        cls.maier[USER_GROUPS_FIELD] += cls.env.ref(
            "crm_customer_ownership.group_customer_transfer"
        )

    def _holder(self, key):
        """Who holds the records of this kind now."""
        records = self.records[key].with_context(active_test=False)
        if LINKED_KINDS_BY_KEY[key].bound:
            return records.partner_id.user_id
        return records.user_id

    def _assert_moved(self, following, target):
        """What was chosen follows the customer to ``target``; what was not
        stays with Huber; colleagues' records never move."""
        self.env.invalidate_all()
        self.assertEqual(self.customer.user_id, target)
        for key in ALL_KINDS:
            with self.subTest(kind=key):
                expected = target if key in following else self.huber
                self.assertEqual(self._holder(key), expected)
                if LINKED_KINDS_BY_KEY[key].bound:
                    on_customer = self.records[key].partner_id == self.customer
                    self.assertEqual(on_customer, key in following)
        event = self.records["appointments"]
        if "appointments" in following:
            self.assertIn(target.partner_id, event.partner_ids)
            self.assertNotIn(self.huber.partner_id, event.partner_ids)
        else:
            self.assertIn(self.huber.partner_id, event.partner_ids)
        self.assertEqual(len(self.customer.consent_ids), 1, "consents stay on")
        self.assertEqual(self.colleague_task.user_id, self.colleague)
        self.assertEqual(self.other_appointment.user_id, self.colleague)
        self.assertNotIn(target.partner_id, self.other_appointment.partner_ids)

    def _copied_counts(self, copy):
        """{kind key: records of the kind the copy has}."""
        env = self.env
        return {
            "visit_reports": len(copy.visit_report_ids),
            "visit_blocks": len(copy.visit_block_ids),
            "tasks": env["mail.activity"].search_count(
                [("res_model", "=", "res.partner"), ("res_id", "=", copy.id)]
            ),
            "appointments": env["calendar.event"].search_count(
                [("partner_ids", "in", copy.ids)]
            ),
            "opportunities": env["crm.lead"].search_count(
                [("partner_id", "=", copy.id)]
            ),
            "contacts": len(copy.child_ids),
        }

    def _assert_copied(self, copy, following, target):
        self.env.invalidate_all()
        self.assertEqual(copy.user_id, target)
        counts = self._copied_counts(copy)
        for key in ALL_KINDS:
            with self.subTest(kind=key):
                copies = LINKED_KINDS_BY_KEY[key].copy and key in following
                expected = len(self.records[key]) if copies else 0
                self.assertEqual(counts[key], expected)
        # Copies of appointments are the target's; copies of contacts too.
        if counts["appointments"]:
            events = self.env["calendar.event"].search(
                [("partner_ids", "in", copy.ids)]
            )
            self.assertEqual(events.user_id, target)
            self.assertEqual(events.name, "Future visit")
        if counts["contacts"]:
            self.assertEqual(copy.child_ids.user_id, target)
        # The original keeps everything.
        self.assertEqual(self.customer.user_id, self.huber)
        for key in ALL_KINDS:
            self.assertEqual(self._holder(key), self.huber)

    def _assert_history(self, partner, following, mode):
        history = self.env["customer.ownership.history"].search(
            [("partner_id", "=", partner.id)]
        )
        self.assertEqual(len(history), 1)
        for key in ALL_KINDS:
            kind = LINKED_KINDS_BY_KEY[key]
            follows = key in following and (mode == "move" or kind.copy)
            with self.subTest(kind=key):
                self.assertEqual(
                    history[kind.count_field], len(self.records[key]) if follows else 0
                )
                summary = kind.summary(self.env, len(self.records[key]))
                self.assertEqual(summary in (history.stayed_summary or ""), not follows)
                # The chatter names each kind, as followed or as stayed.
                self.assertIn(summary, partner.message_ids[0].body)
        self.assertEqual(
            "Stayed with Test Huber" in partner.message_ids[0].body,
            bool(history.stayed_summary),
        )
        return history


class TestTransferKindsEngine(TransferKindsCase):
    def _move_without(self, key):
        following = ALL_KINDS - {key}
        result = self.customer.with_user(self.transfer_user)._transfer_customers(
            self.maier, mode="move", kinds=following
        )
        self._assert_moved(following, self.maier)
        self._assert_history(self.customer, following, "move")
        self.assertEqual(
            result[self.customer.id]["stayed"][key], len(self.records[key])
        )

    def _move_only(self, key):
        self.customer.with_user(self.transfer_user)._transfer_customers(
            self.maier, mode="move", kinds={key}
        )
        self._assert_moved({key}, self.maier)

    def _copy_without(self, key):
        following = ALL_KINDS - {key}
        result = self.customer.with_user(self.transfer_user)._transfer_customers(
            self.maier, mode="copy", kinds=following
        )
        copy = self.Partner.browse(result[self.customer.id]["partner_id"])
        self._assert_copied(copy, following, self.maier)
        self._assert_history(copy, following, "copy")

    def _copy_only(self, key):
        result = self.customer.with_user(self.transfer_user)._transfer_customers(
            self.maier, mode="copy", kinds={key}
        )
        copy = self.Partner.browse(result[self.customer.id]["partner_id"])
        self._assert_copied(copy, {key}, self.maier)

    # One test per kind and way, so that a failure names the kind. Plain
    # functions: Odoo's test runner skips what is not callable (a
    # partialmethod).
    for _kind in CHOOSABLE_KINDS:
        for _way in ("_move_without", "_move_only", "_copy_without", "_copy_only"):
            locals()[f"test{_way}_{_kind.key}"] = _kind_test(_way, _kind.key)
    del _kind, _way

    def test_move_with_all_kinds_by_default_and_nothing_stays(self):
        result = self.customer.with_user(self.transfer_user)._transfer_customers(
            self.maier
        )
        self._assert_moved(ALL_KINDS, self.maier)
        self.assertEqual(result[self.customer.id]["stayed"], {})
        history = self._assert_history(self.customer, ALL_KINDS, "move")
        self.assertFalse(history.stayed_summary)

    def test_no_kinds_chosen_takes_none_of_them(self):
        self.customer.with_user(self.transfer_user)._transfer_customers(
            self.maier, kinds=[]
        )
        self._assert_moved(set(), self.maier)

    def test_company_default_decides_when_kinds_not_given(self):
        self.env.company.write({"transfer_tasks": False, "transfer_contacts": False})
        self.customer.with_user(self.transfer_user)._transfer_customers(self.maier)
        self._assert_moved(ALL_KINDS - {"tasks", "contacts"}, self.maier)

    def test_unknown_kind_refused(self):
        with self.assertRaisesRegex(UserError, "Unknown kinds.*invoices"):
            self.customer.with_user(self.transfer_user)._transfer_customers(
                self.maier, kinds={"tasks", "invoices"}
            )
        self.assertEqual(self.customer.user_id, self.huber)

    def test_preview_counts_only_what_follows(self):
        following = {"visit_reports", "tasks"}
        preview = self.customer._transfer_preview(
            self.maier, mode="move", kinds=following
        )
        result = self.customer.with_user(self.transfer_user)._transfer_customers(
            self.maier, mode="move", kinds=following
        )
        self.assertEqual(
            preview, {self.customer.id: result[self.customer.id]["counts"]}
        )
        self.assertEqual(preview[self.customer.id]["visit_report_count"], 2)
        self.assertEqual(preview[self.customer.id]["activity_count"], 1)
        self.assertEqual(preview[self.customer.id]["event_count"], 0)


class TestTransferKindsWizard(TransferKindsCase):
    def _wizard_form(self, mode="move"):
        form = Form(
            self.env["customer.transfer.wizard"]
            .with_user(self.transfer_user)
            .with_context(active_model="res.partner", active_ids=self.customer.ids)
        )
        form.target_user_id = self.maier
        form.transfer_mode = mode
        return form

    def test_every_kind_has_a_flag_on_by_default_in_the_form(self):
        form = self._wizard_form()
        for kind in CHOOSABLE_KINDS:
            self.assertTrue(form[kind.flag], kind.key)
        arch = self.env["customer.transfer.wizard"].get_views([(False, "form")])
        arch = arch["views"]["form"]["arch"]
        for kind in CHOOSABLE_KINDS:
            self.assertIn(f'name="{kind.flag}"', arch)

    def test_wizard_defaults_follow_the_company_default(self):
        self.env.company.transfer_opportunities = False
        form = self._wizard_form()
        self.assertFalse(form.transfer_opportunities)
        self.assertTrue(form.transfer_tasks)

    def test_copy_mode_switches_off_kinds_copies_never_take(self):
        form = self._wizard_form(mode="copy")
        self.assertFalse(form.transfer_tasks)
        self.assertFalse(form.transfer_opportunities)
        self.assertTrue(form.transfer_visit_reports)
        form.transfer_mode = "move"
        self.assertTrue(form.transfer_tasks)

    def test_move_through_wizard_without_tasks_and_opportunities(self):
        form = self._wizard_form()
        form.transfer_tasks = False
        form.transfer_opportunities = False
        wizard = form.save()
        row = wizard._preview_by_owner()["Test Huber"]
        self.assertEqual(row["activity_count"], 0)
        self.assertEqual(row["lead_count"], 0)
        self.assertEqual(row["event_count"], 1)
        self.assertEqual(row["contact_count"], 1)
        wizard.action_transfer()
        following = ALL_KINDS - {"tasks", "opportunities"}
        self._assert_moved(following, self.maier)
        self._assert_history(self.customer, following, "move")

    def test_copy_through_wizard_without_visit_reports(self):
        form = self._wizard_form(mode="copy")
        form.transfer_visit_reports = False
        wizard = form.save()
        row = wizard._preview_by_owner()["Test Huber"]
        self.assertEqual(row["visit_report_count"], 0)
        self.assertEqual(row["visit_block_count"], 1)
        action = wizard.action_transfer()
        copy = self.Partner.search(action["params"]["next"]["domain"])
        # One customer: the transfer lands on it, the copy.
        self.assertEqual(action["params"]["next"]["res_id"], copy.id)
        following = ALL_KINDS - {"visit_reports"}
        self._assert_copied(copy, following, self.maier)
        self._assert_history(copy, following, "copy")

    def _transfer_over_rpc(self, **vals):
        """The transfer wizard created and run through call_kw, as an XML-RPC
        client does; returns its action."""
        Wizard = self.env["customer.transfer.wizard"].with_user(self.transfer_user)
        vals = {
            "partner_ids": [(6, 0, self.customer.ids)],
            "target_user_id": self.maier.id,
            **vals,
        }
        wizard_id = call_kw(Wizard, "create", [vals], {})
        return call_kw(Wizard, "action_transfer", [[wizard_id]], {})

    def test_wizard_over_rpc_with_kinds_switched_off(self):
        self._transfer_over_rpc(
            transfer_mode="move",
            transfer_appointments=False,
            transfer_visit_blocks=False,
        )
        self._assert_moved(ALL_KINDS - {"appointments", "visit_blocks"}, self.maier)

    def test_wizard_over_rpc_in_copy_mode_ignores_kinds_copies_never_take(self):
        action = self._transfer_over_rpc(
            transfer_mode="copy", transfer_tasks=True, transfer_contacts=False
        )
        copy = self.Partner.search(action["params"]["next"]["domain"])
        self._assert_copied(copy, ALL_KINDS - {"contacts"}, self.maier)


class TestTransferKindsImport(TransferKindsCase):
    def _import_vals(self, mode, **flags):
        return {
            "file": base64.b64encode(self._csv(self._rows_of(self.customer))),
            "filename": "c.csv",
            "transfer_mode": mode,
            **flags,
        }

    def test_import_move_without_tasks_over_rpc(self):
        Wizard = self.env["customer.import.wizard"].with_user(self.maier)
        wizard_id = call_kw(
            Wizard,
            "create",
            [self._import_vals("move", transfer_tasks=False, transfer_contacts=False)],
            {},
        )
        call_kw(Wizard, "action_preview", [[wizard_id]], {})
        wizard = Wizard.browse(wizard_id)
        self.assertEqual(
            wizard.linked_summary,
            "visit reports (2), appointments (1), visit blocks (1), opportunities (1)",
        )
        call_kw(Wizard, "action_import", [[wizard_id]], {})
        following = ALL_KINDS - {"tasks", "contacts"}
        self._assert_moved(following, self.maier)
        self._assert_history(self.customer, following, "move")

    def test_import_copy_without_appointments(self):
        wizard = self._import(
            self.maier,
            self._csv(self._rows_of(self.customer)),
            transfer_mode="copy",
            transfer_appointments=False,
        )
        copy = wizard.line_ids.partner_id
        following = ALL_KINDS - {"appointments"}
        self._assert_copied(copy, following, self.maier)
        self._assert_history(copy, following, "copy")


class TestTransferKindsViews(TransactionCase):
    """Each per-kind checkbox sits beside its own label in every dialog that
    shows them, and copy mode greys out exactly the kinds copies never take."""

    WIZARD_VIEWS = (
        ("customer.transfer.wizard", "customer_transfer_wizard_view_form"),
        ("customer.import.wizard", "customer_import_wizard_view_form"),
    )

    def _arch(self, model, xmlid=None):
        view = self.env.ref(f"crm_customer_ownership.{xmlid}") if xmlid else False
        result = (
            self.env[model]
            .with_user(self.env.ref("base.user_admin"))
            .get_views([(view and view.id, "form")])
        )
        return etree.fromstring(result["views"]["form"]["arch"])

    def _flag_node(self, arch, kind):
        nodes = arch.xpath(f"//field[@name='{kind.flag}']")
        self.assertEqual(len(nodes), 1, kind.flag)
        return nodes[0]

    def test_every_model_declares_a_flag_per_kind(self):
        flags = {kind.flag for kind in CHOOSABLE_KINDS}
        mixin = self.env["customer.transfer.kinds.mixin"]
        self.assertEqual(
            {name for name in mixin._fields if name.startswith("transfer_")}, flags
        )
        for model in ("customer.transfer.wizard", "customer.import.wizard"):
            self.assertLessEqual(flags, set(self.env[model]._fields))
        for model in ("res.company", "res.config.settings"):
            for kind in CHOOSABLE_KINDS:
                field = self.env[model]._fields.get(kind.flag)
                self.assertEqual(field and field.type, "boolean", (model, kind.flag))

    def test_wizard_checkboxes_beside_their_labels(self):
        for model, xmlid in self.WIZARD_VIEWS:
            arch = self._arch(model, xmlid)
            strings = self.env[model].fields_get([k.flag for k in CHOOSABLE_KINDS])
            for kind in CHOOSABLE_KINDS:
                with self.subTest(view=xmlid, kind=kind.key):
                    node = self._flag_node(arch, kind)
                    group = node.getparent()
                    # A field in a two-column inner group is rendered as its
                    # label and its box on one row.
                    self.assertEqual(group.tag, "group")
                    self.assertEqual(group.get("col", "2"), "2")
                    self.assertEqual(
                        [child.tag for child in group], ["field"] * len(group)
                    )
                    self.assertFalse(node.get("nolabel"))
                    self.assertFalse(node.get("string"))
                    self.assertEqual(strings[kind.flag]["string"], kind.string)
                    self.assertEqual(
                        node.get("readonly"),
                        None if kind.copy else "transfer_mode == 'copy'",
                    )

    def test_settings_checkboxes_beside_their_labels(self):
        arch = self._arch("res.config.settings")
        for kind in CHOOSABLE_KINDS:
            with self.subTest(kind=kind.key):
                node = self._flag_node(arch, kind)
                row = node.getparent()
                self.assertEqual(
                    [
                        (child.tag, child.get("name") or child.get("for"))
                        for child in row
                    ],
                    [("field", kind.flag), ("label", kind.flag)],
                )
