import re
from collections import Counter
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form

from ..compat import USER_GROUPS_FIELD
from .import_common import CustomerImportCase

NOW = datetime(2026, 5, 4, 9, 0, 0)


class TransferRulesCase(CustomerImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.startClassPatcher(freeze_time(NOW))
        cls.maier[USER_GROUPS_FIELD] += cls.env.ref(
            "crm_customer_ownership.group_customer_transfer"
        )
        cls.customer = cls.customers_huber[0]

    def _history(self, partners):
        return self.env["customer.ownership.history"].search(
            [("partner_id", "in", partners.ids)]
        )


class TestChildContactsFollow(TransferRulesCase):
    """Contact persons and addresses follow their customer, also for a new
    owner who sees only their own customers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contacts = cls.Partner.create(
            [
                {
                    "name": "Anna Person",
                    "parent_id": cls.customer.id,
                    "type": "contact",
                },
                {"name": "Delivery", "parent_id": cls.customer.id, "type": "delivery"},
                {"name": "Invoices", "parent_id": cls.customer.id, "type": "invoice"},
            ]
        )
        cls.maier.restrict_to_own_customers = True
        cls.huber.restrict_to_own_customers = True

    def _visible(self, user, partners):
        return self.Partner.with_user(user).search([("id", "in", partners.ids)])

    def test_setup_contacts_are_the_old_owners(self):
        # Odoo gives a new contact its parent's salesperson.
        self.assertEqual(self.contacts.user_id, self.huber)
        self.assertEqual(self._visible(self.maier, self.contacts), self.Partner)

    def test_move_gives_contacts_to_restricted_new_owner(self):
        self.customer.with_user(self.transfer_user)._transfer_customers(self.maier)
        self.assertEqual(self.contacts.user_id, self.maier)
        self.assertEqual(self._visible(self.maier, self.contacts), self.contacts)
        self.assertEqual(self._visible(self.huber, self.contacts), self.Partner)
        self.assertEqual(self._history(self.customer).contact_count, 3)

    def test_copy_copies_contacts_under_the_new_customer(self):
        result = self.customer.with_user(self.transfer_user)._transfer_customers(
            self.maier, mode="copy"
        )
        copy = self.Partner.browse(result[self.customer.id]["partner_id"])
        self.assertEqual(
            sorted(copy.child_ids.mapped("name")), sorted(self.contacts.mapped("name"))
        )
        self.assertEqual(copy.child_ids.user_id, self.maier)
        self.assertEqual(self._visible(self.maier, copy.child_ids), copy.child_ids)
        self.assertEqual(self.customer.child_ids, self.contacts, "originals stay")
        self.assertEqual(self.contacts.user_id, self.huber)


class TestMovedAppointmentOrganiser(TransferRulesCase):
    def test_new_organiser_follows_with_default_subtypes_and_gets_a_token(self):
        event = self._add_appointment(
            self.customer, self.huber, "Visit", NOW + timedelta(days=1)
        )
        self.customer.with_user(self.transfer_user)._transfer_customers(self.maier)
        self.env.invalidate_all()
        follower = event.message_follower_ids.filtered(
            lambda f: f.partner_id == self.maier.partner_id
        )
        self.assertEqual(len(follower), 1)
        defaults = self.env["mail.message.subtype"].default_subtypes("calendar.event")
        self.assertTrue(defaults[0])
        self.assertEqual(follower.subtype_ids, defaults[0])
        self.assertNotIn(self.huber.partner_id, event.message_follower_ids.partner_id)
        attendee = event.attendee_ids.filtered(
            lambda a: a.partner_id == self.maier.partner_id
        )
        self.assertRegex(attendee.access_token, r"^[0-9a-f]{32}$")
        self.assertEqual(attendee.state, "accepted")

    def test_attendee_tokens_differ_between_events(self):
        events = self.env["calendar.event"]
        for day in (1, 2):
            events |= self._add_appointment(
                self.customer, self.huber, f"Visit {day}", NOW + timedelta(days=day)
            )
        self.customer.with_user(self.transfer_user)._transfer_customers(self.maier)
        tokens = events.attendee_ids.filtered(
            lambda a: a.partner_id == self.maier.partner_id
        ).mapped("access_token")
        self.assertEqual(len(set(tokens)), 2)

    def _organiser_attendance(self, event, user):
        return event.attendee_ids.filtered(lambda a: a.partner_id == user.partner_id)

    def test_taken_over_attendance_does_not_keep_the_old_token(self):
        event = self._add_appointment(
            self.customer, self.huber, "Visit", NOW + timedelta(days=1)
        )
        old_token = self._organiser_attendance(event, self.huber).access_token
        self.assertTrue(old_token)
        self.customer.with_user(self.transfer_user)._transfer_customers(self.maier)
        self.env.invalidate_all()
        self.assertFalse(self._organiser_attendance(event, self.huber))
        attendee = self._organiser_attendance(event, self.maier)
        self.assertEqual(len(attendee), 1)
        self.assertNotEqual(attendee.access_token, old_token)
        self.assertEqual(attendee.common_name, self.maier.partner_id.name)
        self.assertFalse(
            self.env["calendar.attendee"].search([("access_token", "=", old_token)]),
            "the previous organiser's invitation link opens nothing",
        )

    def test_new_organiser_already_invited_is_kept_once(self):
        event = self._add_appointment(
            self.customer, self.huber, "Visit", NOW + timedelta(days=1)
        )
        event.partner_ids += self.maier.partner_id
        event.message_subscribe(self.maier.partner_id.ids)
        self.customer.with_user(self.transfer_user)._transfer_customers(self.maier)
        self.env.invalidate_all()
        self.assertEqual(event.user_id, self.maier)
        self.assertEqual(event.partner_ids, self.customer | self.maier.partner_id)
        self.assertEqual(len(self._organiser_attendance(event, self.maier)), 1)
        self.assertFalse(self._organiser_attendance(event, self.huber))
        followers = event.message_follower_ids.partner_id
        self.assertEqual(Counter(followers.ids)[self.maier.partner_id.id], 1)
        self.assertNotIn(self.huber.partner_id, followers)

    def test_new_organiser_takes_over_the_organisers_subscription(self):
        event = self._add_appointment(
            self.customer, self.huber, "Visit", NOW + timedelta(days=1)
        )
        note = self.env.ref("mail.mt_note")
        # The organiser follows the event with a subscription of their own
        # (Odoo 18 subscribes the attendees it creates, 19 does not).
        event.message_subscribe(partner_ids=self.huber.partner_id.ids)
        organiser = event.message_follower_ids.filtered(
            lambda f: f.partner_id == self.huber.partner_id
        )
        self.assertTrue(organiser)
        organiser.subtype_ids = note
        self.customer.with_user(self.transfer_user)._transfer_customers(self.maier)
        self.env.invalidate_all()
        follower = event.message_follower_ids.filtered(
            lambda f: f.partner_id == self.maier.partner_id
        )
        self.assertEqual(follower.subtype_ids, note)


class TestTransferToCurrentSalesperson(TransferRulesCase):
    def test_engine_skips_customer_already_with_the_target(self):
        result = self.customer.with_user(self.transfer_user)._transfer_customers(
            self.huber
        )
        self.assertTrue(result[self.customer.id]["skipped"])
        self.assertFalse(self._history(self.customer))
        self.assertNotIn("Transferred", self.customer.message_ids[:1].body or "")

    def test_wizard_refuses_when_every_customer_is_the_targets(self):
        wizard = (
            self.env["customer.transfer.wizard"]
            .with_user(self.transfer_user)
            .create({"partner_ids": self.customer.ids, "target_user_id": self.huber.id})
        )
        self.assertFalse(wizard.preview_html)
        with self.assertRaisesRegex(
            UserError, "Already customers of Test Huber: Huber"
        ):
            wizard.action_transfer()

    def test_wizard_transfers_the_others_and_says_who_was_skipped(self):
        customers = self.customer | self.customer_maier
        wizard = (
            self.env["customer.transfer.wizard"]
            .with_user(self.transfer_user)
            .create({"partner_ids": customers.ids, "target_user_id": self.maier.id})
        )
        self.assertNotIn("Test Maier", wizard.preview_html)
        action = wizard.action_transfer()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("Maier Customer", action["params"]["message"])
        self.assertEqual(
            action["params"]["next"]["domain"], [("id", "in", self.customer.ids)]
        )
        self.assertEqual(self._history(customers).partner_id, self.customer)


class TestLookupOrder(TransferRulesCase):
    """The same External ID in several places: the first place in the lookup
    order decides."""

    def _line(self, user, ref, **vals):
        rows = [(ref, "Row name", "", "", "")]
        wizard = self._preview(user, self._csv(rows), **vals)
        self.assertEqual(len(wizard.line_ids), 1)
        return wizard.line_ids

    def test_own_trash_before_another_agents_customer(self):
        own = self.Partner.create(
            {"name": "Maier's H001", "external_ref": "H001", "user_id": self.maier.id}
        )
        own.action_trash()
        line = self._line(self.maier, "H001", transfer_mode="move")
        self.assertEqual((line.action, line.partner_id), ("restore", own))

    def test_another_agent_before_a_third_agents_trash(self):
        third = self.Partner.create(
            {
                "name": "Third's H001",
                "external_ref": "H001",
                "user_id": self.sales_manager.id,
            }
        )
        third.action_trash()
        line = self._line(self.maier, "H001", transfer_mode="move")
        self.assertEqual(line.action, "transfer")
        self.assertEqual(line.partner_id, self.customer)
        self.assertEqual(line.from_user_id, self.huber)
        self.assertFalse(line.from_trash)

    def test_own_copy_before_the_original_after_a_copy(self):
        result = self.customer.with_user(self.transfer_user)._transfer_customers(
            self.maier, mode="copy"
        )
        copy = self.Partner.browse(result[self.customer.id]["partner_id"])
        line = self._line(self.maier, "H001", transfer_mode="move")
        self.assertEqual(line.partner_id, copy)
        self.assertEqual(line.action, "update")
        self.assertEqual(self.customer.user_id, self.huber)


class TestTrashedSourcesAndRestore(TransferRulesCase):
    def test_copy_from_another_agents_trash_brings_future_appointments(self):
        event = self._add_appointment(
            self.customer, self.huber, "Future visit", NOW + timedelta(days=3)
        )
        self.customer.action_trash()
        self.assertFalse(event.active)
        wizard = self._import(
            self.maier,
            self._csv([("H001", "Huber Customer 1", "", "", "")]),
            transfer_mode="copy",
        )
        copy = wizard.line_ids.partner_id
        self.assertEqual(copy.user_id, self.maier)
        copies = self.env["calendar.event"].search([("partner_ids", "in", copy.ids)])
        self.assertEqual(copies.mapped("name"), ["Future visit"])
        self.assertEqual(copies.user_id, self.maier)
        self.assertEqual(self._history(copy).event_count, 1)
        # The original stays hidden in Huber's trash.
        self.assertFalse(event.active)
        self.assertTrue(self.customer.trashed_at)

    def test_restore_through_import_brings_back_tasks_and_appointments(self):
        task = self._add_task(self.customer_maier, self.maier, "Call back")
        event = self._add_appointment(
            self.customer_maier, self.maier, "Visit", NOW + timedelta(days=3)
        )
        self.customer_maier.action_trash()
        self.assertFalse(task.active or event.active)
        wizard = self._import(self.maier, self._csv(self._rows_of(self.customer_maier)))
        self.assertEqual(wizard.count_restore, 1)
        self.assertTrue(self.customer_maier.active)
        self.assertTrue(task.active)
        self.assertTrue(event.active)
        self.assertFalse(event.trash_partner_id)


class TestPurgeRetention(TransferRulesCase):
    def _set_retention(self, days):
        self.env["res.config.settings"].create(
            {"customer_trash_retention_days": days}
        ).execute()

    def _purge_at(self, when):
        with freeze_time(when):
            self.Partner._cron_purge_trash()
        return self.customer.exists()

    def test_thirty_day_retention_keeps_day_20_and_purges_day_31(self):
        self._set_retention(30)
        self.customer.action_trash()
        self.assertTrue(self._purge_at(NOW + timedelta(days=20)))
        self.assertFalse(self._purge_at(NOW + timedelta(days=31)))

    def test_fourteen_day_boundary(self):
        self.customer.action_trash()
        self.assertTrue(self._purge_at(NOW + timedelta(days=14)))
        self.assertFalse(self._purge_at(NOW + timedelta(days=14, minutes=1)))

    def test_unreadable_retention_falls_back_to_default(self):
        self.env["ir.config_parameter"].set_param(
            "crm_customer_ownership.trash_retention_days", "two weeks"
        )
        self.assertEqual(self.Partner._get_trash_retention_days(), 14)


class TestPreviewEqualsImport(TransferRulesCase):
    """For every import and transfer mode, what the preview counts is what
    the import changes in the database."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for customer in cls.customers_huber[:2]:
            cls._add_linked_records(customer, cls.huber, NOW)
        cls.own = cls.Partner.create(
            [
                {
                    "name": f"Maier Own {i}",
                    "external_ref": f"MO{i}",
                    "user_id": cls.maier.id,
                }
                for i in range(4)
            ]
        )
        cls.own[2].action_trash()

    def _rows(self, import_mode):
        # H001 and H002: Huber's (transfer or create anew); N001: new.
        rows = [
            ("H001", "Huber Customer 1", "", "", ""),
            ("H002", "Huber Customer 2", "", "", ""),
            ("N001", "Brand New", "", "", ""),
        ]
        if import_mode != "create":
            # MO0 unchanged, MO1 updated, MO2 restored, MO3 absent.
            rows += [
                ("MO0", "Maier Own 0", "", "", ""),
                ("MO1", "Maier Own 1 renamed", "", "", ""),
                ("MO2", "Maier Own 2", "", "", ""),
            ]
        return rows

    def _maier_customers(self):
        return self.Partner.with_context(active_test=False).search(
            [("user_id", "=", self.maier.id), ("parent_id", "=", False)]
        )

    def _check(self, import_mode, transfer_mode):
        """Preview, import, and compare every preview counter with what the
        import changed in the database."""
        rows = self._rows(import_mode)
        data = self._csv(rows)
        vals = {"import_mode": import_mode, "transfer_mode": transfer_mode}
        preview = self._preview(self.maier, data, **vals)
        self.assertEqual(preview.count_error, 0, preview.line_ids.mapped("message"))
        sources = preview.line_ids.filtered(lambda l: l.action == "transfer").partner_id
        preview_linked = Counter()
        for counts in sources._transfer_preview(self.maier, transfer_mode).values():
            preview_linked.update(counts)
        before = {
            p.id: (p.external_ref, bool(p.trashed_at), p.name)
            for p in self._maier_customers()
        }
        History = self.env["customer.ownership.history"]
        # Only this import's rows: the database may hold others (demo data).
        history_before = History.search([("origin", "=", "import")])
        wizard = self._import(self.maier, data, **vals)
        self.env.invalidate_all()
        self.assertEqual(wizard.linked_summary, preview.linked_summary)

        in_file = {row[0] for row in rows}
        history = History.search([("origin", "=", "import")]) - history_before
        copies = history.filtered(lambda h: h.mode == "copy").partner_id
        after = self._maier_customers()
        old = after.filtered(lambda p: p.id in before)
        kept = old.filtered(lambda p: before[p.id][0] in in_file)
        changes = {
            "count_create": len(after - old - history.partner_id),
            "count_update": len(
                kept.filtered(
                    lambda p: not before[p.id][1] and p.name != before[p.id][2]
                )
            ),
            "count_unchanged": len(
                kept.filtered(
                    lambda p: not before[p.id][1] and p.name == before[p.id][2]
                )
            ),
            "count_restore": len(
                kept.filtered(lambda p: before[p.id][1] and not p.trashed_at)
            ),
            "count_transfer": len(history),
            "count_trash": len(
                old.filtered(lambda p: p.trashed_at and not before[p.id][1])
            ),
        }
        self.assertEqual(len(copies), len(history) if transfer_mode == "copy" else 0)
        expected = {field: preview[field] for field in changes}
        self.assertEqual(changes, expected)
        moved = Counter()
        for row in history:
            moved.update({field: row[field] for field in preview_linked})
        self.assertEqual(moved, preview_linked)
        return preview

    def test_create_mode(self):
        preview = self._check("create", "none")
        self.assertEqual(preview.count_create, 3)

    def test_update_without_transfer(self):
        preview = self._check("update", "none")
        self.assertEqual(
            (preview.count_create, preview.count_update, preview.count_restore),
            (3, 1, 1),
        )

    def test_update_with_move(self):
        preview = self._check("update", "move")
        self.assertEqual(preview.count_transfer, 2)
        self.assertTrue(re.search(r"\bvisit reports \(4\)", preview.linked_summary))

    def test_update_with_copy(self):
        preview = self._check("update", "copy")
        self.assertEqual(preview.count_transfer, 2)
        self.assertNotIn("task", preview.linked_summary)

    def test_update_delete_without_transfer(self):
        preview = self._check("update_delete", "none")
        self.assertEqual(preview.count_trash, 2)

    def test_update_delete_with_move(self):
        preview = self._check("update_delete", "move")
        self.assertEqual((preview.count_trash, preview.count_transfer), (2, 2))

    def test_update_delete_with_copy(self):
        preview = self._check("update_delete", "copy")
        self.assertEqual((preview.count_trash, preview.count_transfer), (2, 2))


class TestImportWizardKindsForm(TransferRulesCase):
    def test_kinds_shown_and_copy_switches_off_tasks(self):
        with Form(self.env["customer.import.wizard"].with_user(self.maier)) as form:
            form.transfer_mode = "copy"
            self.assertFalse(form.transfer_tasks)
            self.assertTrue(form.transfer_visit_reports)
            form.transfer_mode = "move"
            self.assertTrue(form.transfer_tasks)
