from datetime import datetime

from freezegun import freeze_time
from psycopg2 import errors as pg_errors

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, TransactionCase, new_test_user

from ..compat import USER_GROUPS_FIELD, keep_done_activities
from .common import CustomerOwnershipCase
from .common_race import CommittedCustomerMixin

NOW = datetime(2026, 5, 4, 9, 0, 0)


class TransferCase(CustomerOwnershipCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A class patcher, not freezegun's class decorator: the decorator
        # breaks tearDownClass of subclasses and leaves their cursor open.
        cls.startClassPatcher(freeze_time(NOW))
        # Done tasks are kept (archived) so that we can see they are not moved.
        keep_done_activities(cls.env.ref("mail.mail_activity_data_todo"))
        for customer in cls.customers_huber:
            cls._add_history(customer, cls.huber, NOW)
            cls._add_closed_history(customer, cls.huber, NOW)

    def _activities(self, customers, **domain):
        return (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search(
                [("res_model", "=", "res.partner"), ("res_id", "in", customers.ids)]
                + [(key, "=", value) for key, value in domain.items()]
            )
        )

    def _events(self, customers):
        return self.env["calendar.event"].search([("partner_ids", "in", customers.ids)])

    def _leads(self, customers):
        return self.env["crm.lead"].search([("partner_id", "in", customers.ids)])


class TestTransferMove(TransferCase):
    def test_seed_scenario_move_keeps_history_and_huber_loses_sight(self):
        customers = self.customers_huber
        result = customers.with_user(self.transfer_user)._transfer_customers(
            self.maier, mode="move"
        )

        self.assertEqual(customers.user_id, self.maier)
        self.assertEqual(set(result), set(customers.ids))
        for partner_id, line in result.items():
            self.assertEqual(line["partner_id"], partner_id)
            self.assertEqual(line["from_user_id"], self.huber.id)
            self.assertEqual(
                line["counts"],
                {
                    "visit_report_count": 2,
                    "activity_count": 1,
                    "event_count": 1,
                    "visit_block_count": 1,
                    "lead_count": 1,
                    "contact_count": 0,
                },
            )
        self.assertEqual(len(customers.visit_report_ids), 10)
        self.assertEqual(len(customers.visit_block_ids), 5)
        # Visit reports keep who made the visit: that is history.
        self.assertEqual(customers.visit_report_ids.user_id, self.huber)

        open_tasks = self._activities(customers, active=True)
        done_tasks = self._activities(customers, active=False)
        self.assertEqual(len(open_tasks), 5)
        self.assertEqual(open_tasks.user_id, self.maier)
        self.assertEqual(len(done_tasks), 5)
        self.assertEqual(done_tasks.user_id, self.huber)

        events = self._events(customers)
        future = events.filtered(lambda e: e.start > NOW)
        past = events - future
        self.assertEqual(len(future), 5)
        self.assertEqual(future.user_id, self.maier)
        self.assertEqual(
            future.attendee_ids.partner_id, customers | self.maier.partner_id
        )
        self.assertNotIn(self.huber.partner_id, future.partner_ids)
        self.assertIn(self.maier.partner_id, future.message_partner_ids)
        self.assertNotIn(self.huber.partner_id, future.message_partner_ids)
        self.assertEqual(past.user_id, self.huber)
        self.assertIn(self.huber.partner_id, past.partner_ids)

        leads = self._leads(customers)
        self.assertEqual(
            leads.filtered(lambda lead: not lead.stage_id.is_won).user_id, self.maier
        )
        self.assertEqual(leads.filtered("stage_id.is_won").user_id, self.huber)

        # Huber's to-do list and future calendar no longer show them.
        Activity = self.env["mail.activity"].with_user(self.huber)
        self.assertFalse(Activity.search([("user_id", "=", self.huber.id)]))
        huber_future = (
            self.env["calendar.event"]
            .with_user(self.huber)
            .search(
                [
                    ("partner_ids", "in", self.huber.partner_id.ids),
                    ("start", ">=", NOW),
                ]
            )
        )
        self.assertFalse(huber_future)

    def test_move_writes_history_and_chatter(self):
        customer = self.customers_huber[0]
        customer.with_user(self.transfer_user)._transfer_customers(
            self.maier, mode="move", origin="import"
        )
        history = self.env["customer.ownership.history"].search(
            [("partner_id", "=", customer.id)]
        )
        self.assertRecordValues(
            history,
            [
                {
                    "from_user_id": self.huber.id,
                    "to_user_id": self.maier.id,
                    "mode": "move",
                    "origin": "import",
                    "user_id": self.transfer_user.id,
                    "visit_report_count": 2,
                    "activity_count": 1,
                    "event_count": 1,
                    "visit_block_count": 1,
                    "lead_count": 1,
                }
            ],
        )
        self.assertEqual(
            customer.message_ids[0].body,
            "<p>Transferred from Test Huber to Test Maier by Test Transfer (move: "
            "visit reports (2), tasks (1), appointments (1), visit blocks (1), "
            "opportunities (1)).</p>",
        )

    def test_move_without_linked_data_moves_only_the_customer(self):
        customer = self.customers_huber[0]
        result = customer.with_user(self.transfer_user)._transfer_customers(
            self.maier, mode="move", kinds=[]
        )
        self.assertEqual(customer.user_id, self.maier)
        self.assertFalse(any(result[customer.id]["counts"].values()))
        self.assertEqual(self._activities(customer, active=True).user_id, self.huber)
        self.assertEqual(self._events(customer).user_id, self.huber)
        self.assertEqual(self._leads(customer).user_id, self.huber)
        self.assertIn("(move: no linked records)", customer.message_ids[0].body)

    def test_move_restores_trashed_customer_with_its_data(self):
        customer = self.customers_huber[0]
        customer.action_trash()
        result = customer.with_user(self.transfer_user)._transfer_customers(
            self.maier, mode="move"
        )
        self.assertTrue(result[customer.id]["restored"])
        self.assertTrue(customer.active)
        self.assertFalse(customer.trashed_at)
        self.assertEqual(customer.user_id, self.maier)
        self.assertEqual(self._activities(customer, active=True).user_id, self.maier)
        future = self._events(customer).filtered(lambda e: e.start > NOW)
        self.assertEqual(future.user_id, self.maier)
        self.assertEqual(result[customer.id]["counts"]["activity_count"], 1)

    def test_customers_of_several_agents_move_at_once(self):
        customers = self.customers_huber[:2] | self.customer_maier
        self._add_history(self.customer_maier, self.maier, NOW)
        self._add_closed_history(self.customer_maier, self.maier, NOW)
        result = customers.with_user(self.transfer_user)._transfer_customers(
            self.sales_manager, mode="move"
        )
        self.assertEqual(customers.user_id, self.sales_manager)
        self.assertEqual(result[self.customer_maier.id]["from_user_id"], self.maier.id)
        self.assertEqual(
            self._activities(customers, active=True).user_id, self.sales_manager
        )


class TestTransferCopy(TransferCase):
    def test_copy_creates_customer_for_target_and_leaves_original(self):
        original = self.customers_huber[0]
        before_reports = original.visit_report_ids
        result = original.with_user(self.transfer_user)._transfer_customers(
            self.maier, mode="copy"
        )
        copy = self.Partner.browse(result[original.id]["partner_id"])
        self.assertNotEqual(copy, original)
        self.assertRecordValues(
            copy,
            [
                {
                    "name": original.name,
                    "external_ref": "H001",
                    "user_id": self.maier.id,
                    "is_company": True,
                    "active": True,
                }
            ],
        )
        # Sorted: copies of reports of one date may come in another id order.
        self.assertEqual(
            sorted(copy.visit_report_ids.mapped("summary")),
            sorted(before_reports.mapped("summary")),
        )
        self.assertEqual(len(copy.visit_block_ids), 1)
        copied_events = self._events(copy)
        self.assertEqual(copied_events.mapped("name"), ["Future visit"])
        self.assertEqual(copied_events.user_id, self.maier)
        self.assertEqual(copied_events.partner_ids, copy | self.maier.partner_id)
        self.assertFalse(self._activities(copy))
        self.assertFalse(self._leads(copy))
        # The original stays with Huber, untouched.
        self.assertEqual(original.user_id, self.huber)
        self.assertEqual(original.visit_report_ids, before_reports)
        self.assertEqual(self._activities(original, active=True).user_id, self.huber)
        self.assertEqual(len(self._events(original)), 2)
        self.assertEqual(self._events(original).user_id, self.huber)
        history = self.env["customer.ownership.history"].search(
            [("partner_id", "=", copy.id)]
        )
        self.assertEqual(history.source_partner_id, original)
        self.assertEqual(history.mode, "copy")
        self.assertEqual(history.activity_count, 0)
        self.assertIn(
            "(copy: visit reports (2), appointments (1)", copy.message_ids[0].body
        )

    def test_copy_without_linked_data(self):
        original = self.customers_huber[0]
        result = original.with_user(self.transfer_user)._transfer_customers(
            self.maier, mode="copy", kinds=[]
        )
        copy = self.Partner.browse(result[original.id]["partner_id"])
        self.assertEqual(copy.external_ref, "H001")
        self.assertFalse(copy.visit_report_ids)
        self.assertFalse(copy.visit_block_ids)
        self.assertFalse(self._events(copy))

    def test_copy_refused_when_target_has_the_external_id(self):
        self.Partner.create(
            {"name": "Maier twin", "external_ref": "H001", "user_id": self.maier.id}
        )
        partners_before = self.Partner.search_count([])
        with self.assertRaisesRegex(UserError, r"Test Maier already has.*\[H001\]"):
            self.customers_huber[0].with_user(self.transfer_user)._transfer_customers(
                self.maier, mode="copy"
            )
        self.assertEqual(self.Partner.search_count([]), partners_before)


class TestTransferRules(TransferCase):
    def test_salesperson_without_transfer_right_is_refused_by_the_engine(self):
        # Huber may edit contacts, but not transfer them.
        self.huber[USER_GROUPS_FIELD] += self.env.ref("base.group_partner_manager")
        customer = self.customers_huber[0]
        with self.assertRaisesRegex(AccessError, "not allowed to transfer"):
            customer.with_user(self.huber)._transfer_customers(self.maier)
        self.assertEqual(customer.user_id, self.huber)
        with self.assertRaises(AccessError):
            self.env["customer.transfer.wizard"].with_user(self.huber).create(
                {"partner_ids": customer.ids, "target_user_id": self.maier.id}
            )

    def test_target_must_be_active_internal_user_of_allowed_company(self):
        customer = self.customers_huber[0].with_user(self.transfer_user)
        portal = new_test_user(
            self.env, login="t_portal", name="Portal", groups="base.group_portal"
        )
        with self.assertRaisesRegex(UserError, "active internal user"):
            customer._transfer_customers(portal)
        archived = new_test_user(self.env, login="t_gone", name="Gone")
        archived.active = False
        with self.assertRaisesRegex(UserError, "active internal user"):
            customer._transfer_customers(archived)
        other_company = self.env["res.company"].create({"name": "Elsewhere Ltd"})
        outsider = new_test_user(
            self.env,
            login="t_outsider",
            name="Outsider",
            company_id=other_company.id,
            company_ids=[Command.set(other_company.ids)],
        )
        with self.assertRaisesRegex(UserError, "none of your allowed companies"):
            customer._transfer_customers(outsider)
        self.assertEqual(customer.user_id, self.huber)

    def test_unknown_mode_refused(self):
        with self.assertRaisesRegex(UserError, "Unknown transfer mode"):
            self.customers_huber[0].with_user(self.transfer_user)._transfer_customers(
                self.maier, mode="steal"
            )


class TestTransferWizard(TransferCase):
    def test_wizard_previews_per_salesperson_and_transfers(self):
        self._add_history(self.customer_maier, self.maier, NOW)
        self._add_closed_history(self.customer_maier, self.maier, NOW)
        customers = self.customers_huber[:2] | self.customer_maier
        wizard_form = Form(
            self.env["customer.transfer.wizard"]
            .with_user(self.transfer_user)
            .with_context(active_model="res.partner", active_ids=customers.ids)
        )
        wizard_form.target_user_id = self.sales_manager
        wizard = wizard_form.save()
        self.assertEqual(wizard.partner_ids, customers)
        summary = wizard._preview_by_owner()
        self.assertEqual(
            summary["Test Huber"],
            {
                "customers": 2,
                "visit_report_count": 4,
                "activity_count": 2,
                "event_count": 2,
                "visit_block_count": 2,
                "lead_count": 2,
                "contact_count": 0,
            },
        )
        self.assertEqual(summary["Test Maier"]["customers"], 1)
        self.assertIn("Test Huber", wizard.preview_html)
        action = wizard.action_transfer()
        self.assertEqual(customers.user_id, self.sales_manager)
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn(str(len(customers)), action["params"]["title"])
        landing = action["params"]["next"]
        self.assertEqual(landing["res_model"], "res.partner")
        self.assertEqual(landing["domain"], [("id", "in", customers.ids)])

    def test_wizard_copy_preview_counts_no_tasks(self):
        wizard = (
            self.env["customer.transfer.wizard"]
            .with_user(self.transfer_user)
            .create(
                {
                    "partner_ids": self.customers_huber[:1].ids,
                    "target_user_id": self.maier.id,
                    "transfer_mode": "copy",
                }
            )
        )
        row = wizard._preview_by_owner()["Test Huber"]
        self.assertEqual(row["activity_count"], 0)
        self.assertEqual(row["visit_report_count"], 2)

    def test_action_is_bound_to_partners_for_the_transfer_group(self):
        action = self.env.ref("crm_customer_ownership.customer_transfer_wizard_action")
        self.assertEqual(action.binding_model_id.model, "res.partner")
        # The wizard's access rights decide who sees the action.
        for user, shown in ((self.transfer_user, True), (self.huber, False)):
            bindings = (
                self.env["ir.actions.actions"]
                .with_user(user)
                .get_bindings("res.partner")["action"]
            )
            with self.subTest(user=user.login):
                self.assertEqual(action.id in [b["id"] for b in bindings], shown)


class TestTransferQueries(TransferCase):
    def _transfer_query_count(self, customers, target):
        customers.invalidate_model()
        self.env.flush_all()
        before = self.cr.sql_log_count
        customers.with_user(self.transfer_user)._transfer_customers(target)
        self.env.flush_all()
        return self.cr.sql_log_count - before

    def test_query_count_does_not_grow_with_customers(self):
        # Warm the caches (rules, groups) so both counts measure the same.
        self._transfer_query_count(self.customer_maier, self.huber)
        many = self.Partner.create(
            [
                {"name": f"Bulk {i}", "external_ref": f"B{i}", "user_id": self.huber.id}
                for i in range(50)
            ]
        )
        for customer in many:
            self._add_history(customer, self.huber, NOW)
            self._add_closed_history(customer, self.huber, NOW)
        one = self._transfer_query_count(self.customers_huber[:1], self.maier)
        fifty = self._transfer_query_count(many, self.maier)
        # A handful of queries may depend on how many distinct owners and
        # companies there are, never on how many customers.
        self.assertLessEqual(fifty, one + 3, f"1 customer: {one}, 50: {fifty}")
        self.assertEqual(many.user_id, self.maier)


class TestTransferConcurrency(CommittedCustomerMixin, TransactionCase):
    """Two transactions transfer the same committed customer to different
    agents."""

    def _transfer(self, cr, agent_index):
        env = api.Environment(cr, SUPERUSER_ID, {})
        customer = env["res.partner"].browse(self.customer_id)
        return customer._transfer_customers(
            env["res.users"].browse(self.agent_ids[agent_index])
        )

    def test_second_concurrent_transfer_fails_and_nothing_is_mixed(self):
        # The loser's lock-not-available goes to Odoo's request retry
        # (tests/test_customer_import_race.py runs the retry), unlogged.
        self.patch(type(self.env["res.partner"]), "_transfer_lock_timeout", "100ms")
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            self._transfer(cr1, 1)
            with (
                self.assertNoLogs("odoo.sql_db", "ERROR"),
                self.assertRaises(pg_errors.LockNotAvailable),
            ):
                self._transfer(cr2, 2)
            cr2.rollback()
            cr1.commit()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            customer = env["res.partner"].browse(self.customer_id)
            self.assertEqual(customer.user_id.id, self.agent_ids[1])
            self.assertEqual(len(customer.visit_report_ids), 3)
            history = env["customer.ownership.history"].search(
                [("partner_id", "=", self.customer_id)]
            )
            self.assertEqual(history.to_user_id.id, self.agent_ids[1])
