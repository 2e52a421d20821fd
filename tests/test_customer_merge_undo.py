from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .common_merge import CustomerMergeCase


class TestCustomerMergeUndo(CustomerMergeCase):
    """A merge can be undone until the merged customer is purged: every row
    that moved goes back, the merged customer comes back as it was."""

    def _add_rule_against_contacts_of(self, company):
        """A database rule, added after the merge: no contact of
        ``company`` (the rule is named merge_undo_rule)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "ALTER TABLE res_partner ADD CONSTRAINT merge_undo_rule "
                "CHECK (parent_id <> %s) NOT VALID",
                company.id,
            )
        )

    def _round_trip(self, source, target, user=None):
        """Merge, undo, and check every linked row is back where it was."""
        before = self._links(source, target)
        log = self._merge_log(source, target, user=user)
        self.assertEqual(log.state, "done")
        self.assertNotEqual(self._links(source, target), before)
        log.with_user(user or self.sales_manager).action_undo()
        self.assertEqual(log.state, "undone")
        self.assertFalse(log.undo_report)
        self.assertLinksRestored(before, self._links(source, target))
        self.assertRecordValues(
            source, [{"active": True, "merged_into_id": False, "merged_at": False}]
        )
        return log

    # Round trips, one kind of linked record each ----------------------------

    def _kinds(self):
        """{kind: function(source, target) building linked records}."""
        env = self.env

        def opportunities(source, target):
            env["crm.lead"].create(
                [{"name": f"Deal {i}", "partner_id": source.id} for i in range(3)]
                + [{"name": "Target deal", "partner_id": target.id}]
            )

        def tasks(source, target):
            for summary in ("Call", "Offer"):
                self._add_task(source, self.huber, summary)
            self._add_task(target, self.huber, "Own task")

        def messages(source, target):
            source.message_post(body="Called", message_type="comment")
            lead = env["crm.lead"].create({"name": "Mailed deal"})
            lead.message_post(
                body="To both",
                partner_ids=(source | target).ids,
                message_type="comment",
            )
            lead.message_post(body="By A", author_id=source.id)

        def followers(source, target):
            both = self._customer("Follows both")
            only = self._customer("Follows A")
            source.message_subscribe(partner_ids=(both | only).ids)
            target.message_subscribe(partner_ids=both.ids)
            lead = env["crm.lead"].create({"name": "Followed deal"})
            lead.message_subscribe(partner_ids=(source | target).ids)
            env["crm.lead"].create({"name": "Other"}).message_subscribe(
                partner_ids=source.ids
            )

        def attachments(source, target):
            for name in ("offer.pdf", "plan.pdf"):
                self._attachment(name, "res.partner", source.id)

        def appointments(source, target):
            self._event("Visit", source)
            self._event("Fair", source | target)
            self._event(
                "Linked",
                env["res.partner"],
                res_model_id=env["ir.model"]._get_id("res.partner"),
                res_id=source.id,
            )

        def contacts(source, target):
            child = env["res.partner"].create(
                {"name": "Contact", "parent_id": source.id}
            )
            env["res.partner"].create({"name": "Assistant", "parent_id": child.id})

        def visit_reports_and_blocks(source, target):
            env["customer.visit.report"].create(
                [{"partner_id": source.id, "summary": f"Visit {i}"} for i in range(2)]
            )
            env["customer.visit.block"].create(
                {
                    "partner_id": source.id,
                    "date_from": "2026-08-01",
                    "date_to": "2026-08-15",
                    "reason": "Holidays",
                }
            )

        def consents(source, target):
            self._consent(source, "Newsletter", documents=["newsletter.pdf"])
            revoked = self._consent(source, "Calls", documents=["calls.pdf"])
            revoked.revoked_on = "2025-06-01"
            self._attachment("scan.jpg", "customer.consent", revoked.id)
            self._consent(target, "Visits")

        def references_and_defaults(source, target):
            action = env["ir.actions.server"].create(
                {
                    "name": "Points at a customer",
                    "model_id": env["ir.model"]._get_id("crm.lead"),
                    "state": "code",
                    "code": "pass",
                }
            )
            action.resource_ref = f"res.partner,{source.id}"
            env["ir.default"].set("crm.lead", "partner_id", source.id)

        def tags_and_banks(source, target):
            common, own = env["res.partner.category"].create(
                [{"name": "VIP"}, {"name": "Wholesale"}]
            )
            source.category_id = common | own
            target.category_id = common
            Bank = env["res.partner.bank"]
            Bank.create({"partner_id": source.id, "acc_number": "AT61 1904 3002"})
            Bank.create({"partner_id": source.id, "acc_number": "DE89 3704 0044"})
            Bank.create({"partner_id": target.id, "acc_number": "AT61 1904 3002"})

        def ownership_history(source, target):
            env["customer.ownership.history"].create(
                {"partner_id": source.id, "mode": "move", "origin": "manual"}
            )

        return {
            "opportunities": opportunities,
            "tasks": tasks,
            "messages": messages,
            "followers": followers,
            "attachments": attachments,
            "appointments": appointments,
            "contacts": contacts,
            "visit_reports_and_blocks": visit_reports_and_blocks,
            "consents": consents,
            "references_and_defaults": references_and_defaults,
            "tags_and_banks": tags_and_banks,
            "ownership_history": ownership_history,
        }

    def test_round_trip_per_kind_of_linked_record(self):
        for kind, build in self._kinds().items():
            with self.subTest(kind=kind):
                source, target = self._pair()
                source.name, target.name = f"Wrong {kind}", f"Right {kind}"
                build(source, target)
                self._round_trip(source, target)

    def test_round_trip_of_everything_at_once(self):
        source, target = self._pair({"external_ref": "H777"})
        for build in self._kinds().values():
            build(source, target)
        self._round_trip(source, target)
        self.assertEqual(source.external_ref, "H777")

    def test_derived_values_follow_the_records_back(self):
        group = self._customer("Holding", is_company=True)
        source, target = self._pair({"is_company": True}, {"parent_id": group.id})
        contact = self.env["res.partner"].create(
            {"name": "Contact", "parent_id": source.id}
        )
        activity = self._add_task(source, self.huber, "Call")
        report = self.env["customer.visit.report"].create(
            {"partner_id": source.id, "summary": "Visit"}
        )
        log = self._merge_log(source, target)
        self.assertEqual(contact.commercial_partner_id, group)
        self.assertEqual(activity.res_name, target.display_name)

        log.action_undo()

        self.assertEqual(contact.commercial_partner_id, source)
        self.assertEqual(activity.res_name, "Wrong Customer")
        self.assertEqual(report.partner_id, source)
        self.assertEqual(source.visit_report_count, 1)
        self.assertEqual(target.visit_report_count, 0)

    def test_company_dependent_values_go_back_per_company(self):
        # No installed module stores a company-dependent link to a customer;
        # the statements are checked on a table of the same shape.
        source, target = self._pair()
        self.env.cr.execute(
            "CREATE TEMPORARY TABLE merge_cd_undo (id serial PRIMARY KEY, val jsonb)"
        )
        self.env.cr.execute(
            SQL(
                "INSERT INTO merge_cd_undo (val) VALUES (%s)",
                f'{{"1": {source.id}, "2": {target.id}}}',
            )
        )
        Redirect = self.env["customer.reference.redirect"]
        reference = Redirect._find_references("res.partner")[0].__class__(
            "company_dependent", "merge_cd_undo", "val", has_id=True
        )
        moved = Redirect._redirect_company_dependent(reference, {source.id: target.id})
        self.assertEqual(moved, [{"id": 1, "companies": {"1": source.id}}])
        back = Redirect._move_back(
            reference, "res.partner", source.id, target.id, [1], ["1"]
        )
        self.assertEqual(back, [{"id": 1}])
        self.env.cr.execute("SELECT val FROM merge_cd_undo")
        # Company 2 held the right customer before the merge and still does.
        self.assertEqual(self.env.cr.fetchone()[0], {"1": source.id, "2": target.id})

    # What happened after the merge ------------------------------------------

    def test_records_added_to_the_right_customer_after_the_merge_stay(self):
        source, target = self._pair()
        moved = self._add_task(source, self.huber, "Moved task")
        log = self._merge_log(source, target)
        message = target.message_post(body="After the merge", message_type="comment")
        activity = self._add_task(target, self.huber, "New task")

        log.action_undo()

        self.assertEqual(message.res_id, target.id)
        self.assertEqual(activity.res_id, target.id)
        self.assertEqual(moved.res_id, source.id)

    def test_rows_that_cannot_go_back_are_named(self):
        source, target = self._pair()
        # The salesperson's deals: he reads the undo's report and notes.
        leads = self.env["crm.lead"].create(
            [
                {"name": f"Deal {i}", "partner_id": source.id, "user_id": self.huber.id}
                for i in range(3)
            ]
        )
        watched = self.env["crm.lead"].create(
            {"name": "Watched", "user_id": self.huber.id}
        )
        watched.message_subscribe(partner_ids=source.ids)
        log = self._merge_log(source, target)
        deleted_id = leads[0].id
        leads[0].unlink()
        leads[1].partner_id = self._customer("Third Customer")
        # The merged customer follows the deal again: its old follower row
        # cannot come back next to the new one.
        follower = self.env["mail.followers"].create(
            {"res_model": "crm.lead", "res_id": watched.id, "partner_id": source.id}
        )

        log.action_undo()

        self.assertEqual(leads[2].partner_id, source)
        self.assertEqual(leads[1].partner_id.name, "Third Customer")
        self.assertEqual(log.state, "undone")
        # Named as the merge preview names them, never by model or field;
        # the deal still there by its name, the deleted one counted.
        self.assertIn("Opportunities: 2 record(s)", log.undo_report)
        self.assertIn("among them Deal 1.", log.undo_report)
        self.assertNotIn("Lead/Opportunity", log.undo_report)
        # A follower row has no name people know it by: counted.
        self.assertIn("Followed Documents: 1 record(s)", log.undo_report)
        self.assertIn("has them again) stayed where they are.", log.undo_report)
        notes = [partner.message_ids[0].body for partner in source | target]
        # No record id reaches a user (ids of records that moved back and
        # of the records that stayed).
        for text in [log.undo_report, *notes]:
            self.assertNotIn("ids ", text)
            for record_id in (deleted_id, leads[1].id, follower.id, watched.id):
                self.assertNotRegex(text, rf"\b{record_id}\b")
        for note in notes:
            self.assertIn("Deal 1", note)
        self.assertEqual(watched.message_follower_ids.partner_id, source | target)

    def test_rows_the_readers_cannot_see_are_counted_not_named(self):
        """A deal now on a customer of another salesperson: the merged
        customers' salesperson reads the undo's report and chatter notes,
        and learns nothing about it but that one deal stayed."""
        source, target = self._pair()
        lead = self.env["crm.lead"].create(
            {"name": "Secret Deal", "partner_id": source.id, "user_id": self.huber.id}
        )
        log = self._merge_log(source, target)
        lead.write({"partner_id": self.customer_maier.id, "user_id": self.maier.id})
        self.assertFalse(lead.with_user(self.huber).has_access("read"))

        log.with_user(self.sales_manager).action_undo()

        self.assertIn("Opportunities: 1 record(s)", log.undo_report)
        for text in [log.undo_report, source.message_ids[0].body]:
            self.assertNotIn("Secret Deal", text)
            self.assertNotRegex(text, rf"\b{lead.id}\b")

    def test_contacts_moved_since_are_named_and_the_others_come_back(self):
        # A contact's company and commercial entity go back in one statement.
        source, target = self._pair({"is_company": True}, {"is_company": True})
        stays, leaves = self.env["res.partner"].create(
            [
                {"name": "Stays", "parent_id": source.id},
                {"name": "Leaves", "parent_id": source.id},
            ]
        )
        log = self._merge_log(source, target)
        third = self._customer("Third Customer", is_company=True)
        leaves.parent_id = third

        log.action_undo()

        self.assertRecordValues(
            stays + leaves,
            [
                {"parent_id": source.id, "commercial_partner_id": source.id},
                {"parent_id": third.id, "commercial_partner_id": third.id},
            ],
        )
        # Both columns (company, commercial entity) are the contacts' links.
        self.assertIn("Contacts: 1 record(s) no longer", log.undo_report)
        self.assertNotIn("Related Company", log.undo_report)
        self.assertIn("among them Third Customer, Leaves.", log.undo_report)
        self.assertNotRegex(log.undo_report, rf"\b{leaves.id}\b")

    def test_a_column_that_breaks_a_rule_is_named_and_the_others_come_back(self):
        source, target = self._pair({"is_company": True}, {"is_company": True})
        contact = self.env["res.partner"].create(
            {"name": "Contact", "parent_id": source.id}
        )
        lead = self.env["crm.lead"].create({"name": "Deal", "partner_id": source.id})
        log = self._merge_log(source, target)
        # A rule added since the merge: the contact cannot get its company
        # back. Its commercial entity, moved in the same statement, can.
        self._add_rule_against_contacts_of(source)

        log.action_undo()

        self.assertEqual(log.state, "undone")
        self.assertEqual(lead.partner_id, source)
        self.assertEqual(contact.parent_id, target)
        self.assertEqual(contact.commercial_partner_id, source)
        self.assertIn("Contacts: 1 record(s) stayed", log.undo_report)
        self.assertIn("breaks a rule of the database.", log.undo_report)
        # The rule has no message of a module: PostgreSQL's wording names
        # the table and the rule, which no user should read.
        self.assertNotIn("merge_undo_rule", log.undo_report)
        self.assertNotIn("res_partner", log.undo_report)
        self.assertNotIn("Commercial Entity", log.undo_report)

    def test_a_rule_with_a_message_is_named_by_it(self):
        source, target = self._pair({"is_company": True}, {"is_company": True})
        self.env["res.partner"].create({"name": "Contact", "parent_id": source.id})
        log = self._merge_log(source, target)
        self._add_rule_against_contacts_of(source)
        # As a module declares the message of its rule.
        self.env["ir.model.constraint"].create(
            {
                "name": "merge_undo_rule",
                "model": self.env["ir.model"]._get_id("res.partner"),
                "module": self.env.ref("base.module_base").id,
                "type": "u",
                "message": "A contact cannot belong to this company.",
            }
        )

        log.action_undo()

        self.assertIn(
            "breaks a rule of the database (A contact cannot belong to this company.).",
            log.undo_report,
        )

    # Merged customer: out of every list, External ID set aside ---------------

    def test_merged_customer_leaves_lists_and_frees_its_external_id(self):
        source, target = self._pair({"external_ref": "H500"})
        log = self._merge_log(source, target)
        self.assertMergedAway(source, target)
        self.assertEqual(source.merged_external_ref, "H500")
        self.assertEqual(source.merged_by_id, self.sales_manager)
        # Import lookups, by External ID or by id, no longer find it.
        Import = self.env["customer.import"]
        self.assertFalse(Import._find_by_keys("external_ref", ["H500"], []))
        self.assertFalse(Import._find_by_keys("id", [source.id], []))
        self.assertTrue(Import._find_by_keys("id", [target.id], []))
        self.assertEqual(target.merge_log_count, 1)
        action = target.action_view_merge_logs()
        self.assertEqual(self.env["customer.merge.log"].search(action["domain"]), log)
        # The number is free for the salesperson's next customer...
        other = self._customer("Newcomer", external_ref="H500")
        log.action_undo()
        # ... and then stays with it: the undo says so.
        self.assertFalse(source.external_ref)
        # Under its label: Odoo's "External ID" is another thing.
        self.assertIn("ERP Number H500: customer Newcomer has it now", log.undo_report)
        self.assertEqual(other.external_ref, "H500")

    def test_merge_marks_and_reactivation_are_the_engine_s(self):
        source, target = self._pair()
        self._merge_log(source, target)
        for vals in (
            {"active": True},
            {"merged_into_id": False},
            {"merged_at": False},
        ):
            with self.assertRaises(UserError):
                source.with_user(self.sales_manager).write(vals)
        with self.assertRaises(UserError):
            self.Partner.create({"name": "Fake", "merged_into_id": target.id})
        self.assertMergedAway(source, target)

    # Refusals -------------------------------------------------------------

    def test_second_undo_refused(self):
        source, target = self._pair()
        log = self._merge_log(source, target)
        log.action_undo()
        before = self._links(source, target)
        with self.assertRaisesRegex(UserError, "already undone"):
            log.action_undo()
        self.assertEqual(self._links(source, target), before)

    def test_undo_after_the_purge_refused(self):
        source, target = self._pair()
        self.env["crm.lead"].create({"name": "Deal", "partner_id": source.id})
        log = self._merge_log(source, target)
        self._age("merged_at", source)
        self.Partner._cron_purge_trash()

        self.assertFalse(source.exists())
        self.assertEqual(log.state, "expired")
        with self.assertRaisesRegex(UserError, "can no longer be undone"):
            log.action_undo()

    def test_recent_merge_not_purged(self):
        source, target = self._pair()
        self._merge_log(source, target)
        self.Partner._cron_purge_trash()
        self.assertTrue(source.exists())

    def test_user_who_may_not_merge_them_refused(self):
        source, target = self._pair()
        self.env["crm.lead"].create({"name": "Deal", "partner_id": source.id})
        log = self._merge_log(source, target)
        before = self._links(source, target)
        # A salesperson reads the log of her customers but may not merge.
        self.assertTrue(log.with_user(self.huber).has_access("read"))
        with self.assertRaisesRegex(AccessError, "Contact Creation right"):
            log.with_user(self.huber).action_undo()
        # A contact manager who cannot modify the right customer.
        self._forbid_contact_managers_to_modify(target)
        with self.assertRaisesRegex(AccessError, "cannot modify Right Customer"):
            log.with_user(self.contact_manager).action_undo()
        self.assertEqual(self._links(source, target), before)
        self.assertEqual(log.state, "done")

    def test_undo_into_a_trashed_customer_refused(self):
        source, target = self._pair()
        log = self._merge_log(source, target)
        target.action_trash()
        with self.assertRaisesRegex(UserError, "restore Right Customer first"):
            log.action_undo()

    def test_log_hidden_from_salespeople_restricted_to_their_customers(self):
        source, target = self._pair(
            {"user_id": self.maier.id}, {"user_id": self.maier.id}
        )
        log = self._merge_log(source, target)
        self.huber.restrict_to_own_customers = True
        self.assertTrue(self.huber.crm_customer_restricted)
        Log = self.env["customer.merge.log"].with_user(self.huber)
        self.assertFalse(Log.search([("id", "=", log.id)]))
        self.assertTrue(Log.with_user(self.maier).search([("id", "=", log.id)]))
        self.assertFalse(
            self.env["customer.merge.log.line"]
            .with_user(self.huber)
            .search([("log_id", "=", log.id)])
        )

    # Set-based ---------------------------------------------------------------

    def _link_records(self, source, count):
        """``count`` records of every kind linked to ``source``: contacts
        (which follow it), opportunities (which it follows), tasks, notes,
        attachments, appointments, visit reports and visit blocks."""
        env = self.env(context=dict(self.env.context, tracking_disable=True))
        n = range(count)
        contacts = env["res.partner"].create(
            [{"name": f"Contact {i}", "parent_id": source.id} for i in n]
        )
        source.message_subscribe(partner_ids=contacts.ids)
        leads = env["crm.lead"].create(
            [{"name": f"Deal {i}", "partner_id": source.id} for i in n]
        )
        leads.message_subscribe(partner_ids=source.ids)
        # Activities subscribe their user: once, not once per row of a batch.
        source.message_subscribe(partner_ids=self.huber.partner_id.ids)
        env["mail.activity"].create(
            [
                {
                    "res_model_id": env["ir.model"]._get_id("res.partner"),
                    "res_id": source.id,
                    "activity_type_id": env.ref("mail.mail_activity_data_todo").id,
                    "summary": f"Call {i}",
                    "user_id": self.huber.id,
                }
                for i in n
            ]
        )
        env["mail.message"].create(
            [
                {
                    "model": "res.partner",
                    "res_id": source.id,
                    "body": f"Note {i}",
                    "message_type": "comment",
                }
                for i in n
            ]
        )
        env["ir.attachment"].create(
            [
                {
                    "name": f"Offer {i}",
                    "type": "url",
                    "url": f"https://example.com/offer-{i}",
                    "res_model": "res.partner",
                    "res_id": source.id,
                }
                for i in n
            ]
        )
        for i in n:
            self._event(f"Visit {i}", source)
        env["customer.visit.report"].create(
            [{"partner_id": source.id, "summary": f"Visit {i}"} for i in n]
        )
        env["customer.visit.block"].create(
            [
                {
                    "partner_id": source.id,
                    "date_from": "2030-01-01",
                    "date_to": "2030-01-02",
                    "reason": f"Block {i}",
                }
                for i in n
            ]
        )

    def _undo_query_count(self, count):
        source, target = self._pair()
        self._link_records(source, count)
        log = self._merge_log(source, target)
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        log.with_user(self.sales_manager).action_undo()
        self.env.flush_all()
        self.assertEqual(
            self.env["crm.lead"].search_count([("partner_id", "=", source.id)]), count
        )
        return self.cr.sql_log_count - before

    def test_undo_query_count_does_not_grow_with_records(self):
        # Warm the caches (rules, groups) so that both counts measure the same.
        self._undo_query_count(1)
        one = self._undo_query_count(1)
        many = self._undo_query_count(40)
        # One statement per logged column and kind of record, whatever the
        # number of rows.
        self.assertLessEqual(many, one + 2, f"1 record of each kind: {one}, 40: {many}")
