from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from ..compat import USER_GROUPS_FIELD
from .common import CustomerOwnershipCase

NOW = datetime(2026, 5, 4, 9, 0, 0)


class TestTrash(CustomerOwnershipCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A class patcher, not freezegun's class decorator: the decorator
        # breaks tearDownClass of subclasses and leaves their cursor open.
        cls.startClassPatcher(freeze_time(NOW))
        # A real salesperson may edit contacts ("Contact Creation" right).
        cls.huber[USER_GROUPS_FIELD] += cls.env.ref("base.group_partner_manager")
        cls.reader = new_test_user(
            cls.env, login="t_reader", name="Read Only", groups="base.group_user"
        )
        cls.customer = cls.customers_huber[0]
        cls.other = cls.customers_huber[1]
        cls._add_linked_records(cls.customer)
        cls._add_linked_records(cls.other)

    @classmethod
    def _add_linked_records(cls, customer):
        env = cls.env
        env["customer.visit.report"].create(
            [
                {"partner_id": customer.id, "user_id": cls.huber.id, "summary": s}
                for s in ("Spring visit", "Autumn visit")
            ]
        )
        env["customer.visit.block"].create(
            {
                "partner_id": customer.id,
                "date_from": "2026-06-01",
                "date_to": "2026-06-15",
                "reason": "Holidays",
            }
        )
        env["customer.consent"].create(
            {"partner_id": customer.id, "purpose": "Newsletter"}
        )
        # One create per activity: stock mail.activity subscribes the assignee
        # once per row of a batch and trips its own unique follower index.
        for summary in ("Open task", "Done task"):
            activity = env["mail.activity"].create(
                {
                    "res_model_id": env["ir.model"]._get_id("res.partner"),
                    "res_id": customer.id,
                    "activity_type_id": env.ref("mail.mail_activity_data_todo").id,
                    "summary": summary,
                    "user_id": cls.huber.id,
                    "date_deadline": "2026-05-10",
                }
            )
        activity.action_done()
        env["calendar.event"].create(
            [
                {
                    "name": name,
                    "user_id": cls.huber.id,
                    "start": start,
                    "stop": start + timedelta(hours=1),
                    "partner_ids": [
                        Command.set([customer.id, cls.huber.partner_id.id])
                    ],
                }
                for name, start in (
                    ("Future visit", NOW + timedelta(days=3)),
                    ("Past visit", NOW - timedelta(days=3)),
                )
            ]
        )

    def _snapshot(self, customer):
        """Every linked record of the customer with its values, archived included."""
        env = self.env(context={"active_test": False})
        activities = env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", customer.id)]
        )
        events = env["calendar.event"].search([("partner_ids", "in", customer.ids)])
        return {
            "partner": customer.read(["name", "user_id", "external_ref", "email"]),
            "reports": env["customer.visit.report"]
            .search([("partner_id", "=", customer.id)])
            .read(["summary", "user_id", "date", "active"]),
            "blocks": env["customer.visit.block"]
            .search([("partner_id", "=", customer.id)])
            .read(["date_from", "date_to", "reason", "active"]),
            "consents": env["customer.consent"]
            .search([("partner_id", "=", customer.id)])
            .read(["purpose", "granted_on", "active"]),
            "activities": activities.read(
                ["summary", "user_id", "active", "date_done", "date_deadline"]
            ),
            "events": events.read(["name", "user_id", "active", "start"]),
        }

    def _visible(self, model, customer, user):
        domain = [("partner_id", "=", customer.id)]
        if model == "mail.activity":
            domain = [("res_model", "=", "res.partner"), ("res_id", "=", customer.id)]
        elif model == "calendar.event":
            domain = [("partner_ids", "in", customer.ids)]
        return self.env[model].with_user(user).search(domain)

    def test_trash_and_restore_round_trip_keeps_everything(self):
        before = self._snapshot(self.customer)
        self.customer.with_user(self.huber).action_trash()

        self.assertFalse(self.customer.active)
        self.assertEqual(self.customer.trashed_at, NOW)
        self.assertEqual(self.customer.trashed_by_id, self.huber)
        for model in ("customer.visit.report", "customer.visit.block"):
            self.assertFalse(self._visible(model, self.customer, self.huber), model)
        self.assertFalse(self._visible("customer.consent", self.customer, self.huber))
        self.assertFalse(self._visible("mail.activity", self.customer, self.huber))
        events = self._visible("calendar.event", self.customer, self.huber)
        self.assertEqual(events.mapped("name"), ["Past visit"])
        # The same data of a customer that stays is untouched.
        self.assertEqual(
            len(self._visible("customer.visit.report", self.other, self.huber)), 2
        )
        self.assertEqual(len(self._visible("mail.activity", self.other, self.huber)), 1)

        self.customer.with_user(self.huber).action_restore()
        self.assertTrue(self.customer.active)
        self.assertFalse(self.customer.trashed_at)
        self.assertFalse(self.customer.trashed_by_id)
        self.assertEqual(self._snapshot(self.customer), before)

    def test_trash_and_restore_post_chatter_messages(self):
        self.customer.with_user(self.huber).action_trash()
        self.customer.with_user(self.huber).action_restore()
        bodies = self.customer.message_ids.mapped("body")
        self.assertIn("Moved to trash by Test Huber; restorable until", bodies[1])
        self.assertIn("05/18/2026", bodies[1])
        self.assertIn("Restored from trash by Test Huber.", bodies[0])

    def test_user_without_write_access_cannot_trash_or_restore(self):
        with self.assertRaises(AccessError):
            self.customer.with_user(self.reader).action_trash()
        self.assertTrue(self.customer.active)
        self.customer.with_user(self.huber).action_trash()
        with self.assertRaises(AccessError):
            self.customer.with_user(self.reader).action_restore()
        self.assertTrue(self.customer.trashed_at)

    def test_trashed_customer_absent_from_name_search_and_search(self):
        self.customer.action_trash()
        Partner = self.Partner.with_user(self.huber)
        self.assertNotIn(
            self.customer.id, [i for i, _n in Partner.name_search("Huber Customer")]
        )
        self.assertNotIn(self.customer, Partner.search([("name", "ilike", "Huber")]))
        self.assertIn(self.other, Partner.search([("name", "ilike", "Huber")]))
        # Limited to the test's salesperson: the demo data has a trash too.
        trash = Partner.with_context(active_test=False).search(
            [
                ("trashed_at", "!=", False),
                ("active", "=", False),
                ("user_id", "=", self.huber.id),
            ]
        )
        self.assertEqual(trash, self.customer)

    def test_retention_setting_default_and_configurable(self):
        self.assertEqual(self.Partner._get_trash_retention_days(), 14)
        settings = self.env["res.config.settings"].create(
            {"customer_trash_retention_days": 30}
        )
        settings.execute()
        self.assertEqual(self.Partner._get_trash_retention_days(), 30)
        self.customer.action_trash()
        self.assertEqual(self.customer.trash_purge_date, NOW + timedelta(days=30))

    def test_purge_keeps_until_retention_then_deletes_with_own_data(self):
        self.customer.action_trash()
        own = self._snapshot(self.customer)
        Activity = self.env["mail.activity"].with_context(active_test=False)
        activity_ids = [a["id"] for a in own["activities"]]
        report_ids = [r["id"] for r in own["reports"]]

        with freeze_time(NOW + timedelta(days=13)):
            self.Partner._cron_purge_trash()
        self.assertTrue(self.customer.exists())
        self.assertTrue(self.customer.trashed_at)

        with freeze_time(NOW + timedelta(days=15)):
            self.Partner._cron_purge_trash()
        self.assertFalse(self.customer.exists())
        self.assertFalse(Activity.browse(activity_ids).exists())
        self.assertFalse(self.env["customer.visit.report"].browse(report_ids).exists())
        self.assertTrue(self.other.exists())
        self.assertTrue(self.other.active)

    def test_purge_spares_customer_referenced_by_business_document(self):
        lead = self.env["crm.lead"].create(
            {"name": "Big deal", "partner_id": self.customer.id, "type": "opportunity"}
        )
        lead.action_set_lost()
        self.customer.action_trash()
        with freeze_time(NOW + timedelta(days=15)):
            self.Partner._cron_purge_trash()
        self.assertTrue(self.customer.exists())
        self.assertFalse(self.customer.active)
        self.assertFalse(self.customer.trashed_at)
        self.assertEqual(lead.partner_id, self.customer)
        self.assertIn("Kept as an archived contact", self.customer.message_ids[0].body)
        self.assertIn("Opportunities (1)", self.customer.message_ids[0].body)
        # Its own data is kept, and no longer hidden as trash.
        self.assertEqual(
            self.env["mail.activity"].search_count(
                [("res_model", "=", "res.partner"), ("res_id", "=", self.customer.id)]
            ),
            1,
        )

    def test_purge_runs_in_bounded_batches(self):
        self.customers_huber.action_trash()
        with freeze_time(NOW + timedelta(days=15)):
            first = self.Partner._cron_purge_trash(batch_size=2)
            self.assertEqual(len(first), 2)
            self.assertEqual(
                self.Partner.with_context(active_test=False).search_count(
                    [("trashed_at", "!=", False), ("user_id", "=", self.huber.id)]
                ),
                3,
            )
            self.Partner._cron_purge_trash(batch_size=2)
            self.Partner._cron_purge_trash(batch_size=2)
        self.assertFalse(self.customers_huber.exists())

    def test_purge_failure_on_one_customer_does_not_block_others(self):
        users = self.env["res.users"].create(
            {"name": "Portal Guy", "login": "t_portal_guy", "partner_id": self.other.id}
        )
        users.action_archive()
        self.customers_huber[:3].action_trash()
        with freeze_time(NOW + timedelta(days=15)):
            self.Partner._cron_purge_trash()
        # The user's partner is a business reference: kept, the others purged.
        self.assertTrue(self.other.exists())
        self.assertFalse((self.customers_huber[0] | self.customers_huber[2]).exists())

    def test_unlink_refused_when_business_documents_refer(self):
        self.env["crm.lead"].create({"name": "Deal", "partner_id": self.customer.id})
        with self.assertRaisesRegex(UserError, "Huber Customer 1.*Opportunities"):
            self.customer.unlink()
        self.assertTrue(self.customer.exists())
        plain = self.Partner.create({"name": "Nobody refers to me"})
        plain.unlink()
        self.assertFalse(plain.exists())

    def test_cron_is_registered(self):
        cron = self.env.ref("crm_customer_ownership.ir_cron_purge_customer_trash")
        self.assertEqual(cron.name, "Purge customer trash")
        self.assertEqual(cron.model_id.model, "res.partner")
        self.assertEqual(cron.interval_type, "days")
