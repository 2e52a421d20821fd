"""The rules in the states tests/README.md still marked as gaps: an archived
customer transferred, a customer trashed twice, the archived copy a transfer
leaves behind (trashed, restored, purged, deleted, merged, looked up by its
Odoo ID), another salesperson's archived customer (deleted, merged), a merge
the purge expired (restored, trashed, seen) and archived customers seen by a
salesperson restricted to his own."""

from odoo.exceptions import AccessError, UserError

from .common_security import SecurityCase

History = "customer.ownership.history"


class EdgeStateCase(SecurityCase):
    def _left_behind_copy(self):
        """Huber's first customer moved to Maier without its visit reports:
        (customer, Huber's archived copy holding the reports)."""
        customer = self.customers_huber[0]
        reports = self.env["customer.visit.report"].create(
            [
                {"partner_id": customer.id, "user_id": self.huber.id, "summary": s}
                for s in ("First visit", "Second visit")
            ]
        )
        customer.with_user(self.sales_manager)._transfer_customers(
            self.maier, mode="move", kinds={"tasks", "appointments"}
        )
        copy = reports.partner_id.with_context(active_test=False)
        self.assertNotEqual(copy, customer)
        self.assertRecordValues(copy, [{"active": False, "user_id": self.huber.id}])
        return customer, copy

    def _expired_merge(self):
        """A merge whose merged customer the purge kept (a business document
        refers to it): (merged customer, kept customer, log)."""
        source, target = self.customers_huber[:2]
        log = self._expired_merge_log(source, target)
        self.assertTrue(source.exists())
        self.assertEqual(log.state, "expired")
        return source.with_context(active_test=False), target, log


class TestTransferOfAnArchivedCustomer(EdgeStateCase):
    """A customer archived by hand changes hands archived: the transfer is
    not a way to unarchive it, and its data follow as for an active one."""

    def test_move_keeps_it_archived_with_its_data(self):
        customer = self.customers_huber[0]
        report = self.env["customer.visit.report"].create(
            {"partner_id": customer.id, "user_id": self.huber.id, "summary": "Visit"}
        )
        customer.action_archive()
        # The engine is private (Python, the wizard, the import); the
        # wizard is its screen.
        for via in ("engine", "wizard"):
            with self.subTest(via=via):
                savepoint = self.env.cr.savepoint()
                if via == "engine":
                    customer.with_user(self.transfer_user)._transfer_customers(
                        self.maier
                    )
                else:
                    self.env["customer.transfer.wizard"].with_user(
                        self.transfer_user
                    ).create(
                        {
                            "partner_ids": [(6, 0, customer.ids)],
                            "target_user_id": self.maier.id,
                        }
                    ).action_transfer()
                self.assertRecordValues(
                    customer,
                    [
                        {
                            "user_id": self.maier.id,
                            "active": False,
                            "trashed_at": False,
                            "external_ref": "H001",
                        }
                    ],
                )
                self.assertEqual(report.partner_id, customer)
                self.assertTrue(report.active)
                self.assertEqual(
                    self.env[History]
                    .search([("partner_id", "=", customer.id)])
                    .mapped("to_user_id"),
                    self.maier,
                )
                savepoint.close(rollback=True)
                self.env.invalidate_all()

    def test_change_of_salesperson_keeps_it_archived(self):
        customer = self.customers_huber[0]
        customer.action_archive()
        self._rpc(
            self.transfer_user,
            "res.partner",
            "write",
            customer.ids,
            {"user_id": self.maier.id},
        )
        self.assertRecordValues(
            customer.with_context(active_test=False),
            [{"user_id": self.maier.id, "active": False}],
        )
        self.assertTrue(self.env[History].search([("partner_id", "=", customer.id)]))

    def test_copy_leaves_the_original_archived(self):
        # As for a trashed original: the copy is the target's own new
        # customer, active; the original stays as it was.
        customer = self.customers_huber[0]
        customer.action_archive()
        result = customer.with_user(self.transfer_user)._transfer_customers(
            self.maier, mode="copy"
        )
        copy = self.Partner.browse(result[customer.id]["partner_id"])
        self.assertNotEqual(copy, customer)
        self.assertRecordValues(
            (customer | copy).with_context(active_test=False),
            [
                {"user_id": self.huber.id, "active": False, "external_ref": "H001"},
                {"user_id": self.maier.id, "active": True, "external_ref": "H001"},
            ],
        )


class TestSalespersonChangeOfAMergedCustomer(EdgeStateCase):
    def test_new_salesperson_refused_with_the_way_out(self):
        source, _target = self.customers_huber[:2]
        self._merge_log(source, _target)
        for user in (self.transfer_user, self.sales_manager):
            for name, call in self._callers():
                with (
                    self.subTest(via=name, user=user.login),
                    self.assertRaisesRegex(UserError, "Undo the merge"),
                ):
                    call(
                        user,
                        "res.partner",
                        "write",
                        source.ids,
                        {"user_id": self.maier.id},
                    )
        self.assertEqual(source.user_id, self.huber)

    def test_clearing_the_salesperson_refused(self):
        source, target = self.customers_huber[:2]
        self._merge_log(source, target)
        for name, call in self._callers():
            with (
                self.subTest(via=name),
                self.assertRaisesRegex(UserError, "Undo the merge"),
            ):
                call(
                    self.sales_manager,
                    "res.partner",
                    "write",
                    source.ids,
                    {"user_id": False},
                )
        self.assertEqual(source.user_id, self.huber)


class TestTrashingTwice(EdgeStateCase):
    """Moving a customer already in the trash to the trash changes nothing:
    the retention clock is not restarted, the first trasher stays."""

    def test_second_trash_changes_nothing(self):
        customer = self.customers_huber[0]
        customer.with_user(self.huber).action_trash()
        self._age("trashed_at", customer)
        stamp = customer.trashed_at
        purge_date = customer.trash_purge_date
        messages = customer.message_ids
        for name, call in self._callers():
            with self.subTest(via=name):
                call(self.contact_manager, "res.partner", "action_trash", customer.ids)
                self.assertRecordValues(
                    customer,
                    [
                        {
                            "active": False,
                            "trashed_at": stamp,
                            "trashed_by_id": self.huber.id,
                            "trash_purge_date": purge_date,
                        }
                    ],
                )
                self.assertEqual(customer.message_ids, messages)
        # Still due: the purge takes it on time.
        self.Partner._cron_purge_trash()
        self.assertFalse(customer.exists())


class TestLeftBehindCopy(EdgeStateCase):
    """The archived copy of a moved customer that keeps its previous owner's
    visit reports is the previous owner's archived customer in every rule."""

    def test_previous_owner_trashes_and_restores_it(self):
        _customer, copy = self._left_behind_copy()
        reports = copy.visit_report_ids
        self.assertEqual(len(reports), 2)
        for name, call in self._callers():
            with self.subTest(via=name):
                # The customer's new salesperson has no say over the copy.
                with self.assertRaises(AccessError):
                    call(self.maier, "res.partner", "action_trash", copy.ids)
                self.assertFalse(copy.trashed_at)
                call(self.huber, "res.partner", "action_trash", copy.ids)
                self.assertRecordValues(
                    copy, [{"active": False, "trashed_by_id": self.huber.id}]
                )
                self.assertFalse(reports.filtered("active"))
                with self.assertRaises(AccessError):
                    call(self.maier, "res.partner", "action_restore", copy.ids)
                self.assertTrue(copy.trashed_at)
                # Restore is Unarchive (README, "Bringing a customer back"):
                # the owner who restores it gets it back active, reports too.
                call(self.huber, "res.partner", "action_restore", copy.ids)
                self.assertRecordValues(copy, [{"active": True, "trashed_at": False}])
                self.assertEqual(reports.filtered("active"), reports)
                copy.action_archive()

    def test_purge_deletes_it_and_leaves_the_customer(self):
        customer, copy = self._left_behind_copy()
        reports = copy.visit_report_ids
        copy.with_user(self.huber).action_trash()
        self._age("trashed_at", copy)
        self.Partner._cron_purge_trash()
        self.assertFalse(copy.exists())
        self.assertFalse(reports.exists())
        self.assertRecordValues(customer, [{"active": True, "user_id": self.maier.id}])
        self.assertTrue(self.env[History].search([("partner_id", "=", customer.id)]))

    def test_delete_by_hand_refused_it_holds_history(self):
        _customer, copy = self._left_behind_copy()
        for user in (self.admin, self.contact_manager):
            for name, call in self._callers():
                with (
                    self.subTest(via=name, user=user.login),
                    self.assertRaisesRegex(UserError, "Customers with history"),
                ):
                    call(user, "res.partner", "unlink", copy.ids)
        self.assertTrue(copy.exists())
        self.assertEqual(len(copy.visit_report_ids), 2)

    def test_merge_refused_both_ways(self):
        customer, copy = self._left_behind_copy()
        other = self.customers_huber[1]
        for source, target in ((copy, customer), (copy, other), (other, copy)):
            with (
                self.subTest(source=source.id, target=target.id),
                self.assertRaisesRegex(UserError, "is archived"),
            ):
                self._merge_log(source, target)
        self.assertFalse(copy.merged_into_id)
        self.assertFalse(other.merged_into_id)
        self.assertEqual(len(copy.visit_report_ids), 2)

    def test_import_by_odoo_id(self):
        customer, copy = self._left_behind_copy()
        header = ("id", "name")
        data = self._csv([(copy.id, "Back Again")], header=header)
        # Its previous owner: his archived customer, to unarchive first.
        wizard = self._preview(self.huber, data, key_fields="internal")
        self.assertEqual(wizard.line_ids.action, "error")
        self.assertIn("is archived: unarchive it", wizard.line_ids.message)
        self.assertEqual(wizard.line_ids.partner_id, copy)
        # Anyone else: out of play, as another salesperson's archived
        # customer, and not named.
        for user, transfer_mode in ((self.maier, "none"), (self.transfer_user, "move")):
            with self.subTest(user=user.login):
                wizard = self._preview(
                    user, data, key_fields="internal", transfer_mode=transfer_mode
                )
                line = wizard.line_ids
                self.assertEqual(line.action, "error")
                self.assertIn(
                    f"No customer of the company has the Odoo ID {copy.id}",
                    line.message,
                )
                self.assertFalse(line.partner_id)
        self.assertRecordValues(
            copy, [{"active": False, "user_id": self.huber.id, "name": customer.name}]
        )


class TestOtherAgentsArchivedCustomer(EdgeStateCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.archived = cls.customer_maier
        cls.env["customer.visit.report"].create(
            {"partner_id": cls.archived.id, "user_id": cls.maier.id, "summary": "Visit"}
        )
        cls.archived.action_archive()

    def test_delete_by_hand_refused(self):
        for name, call in self._callers():
            with self.subTest(via=name, user="huber"), self.assertRaises(AccessError):
                call(self.huber, "res.partner", "unlink", self.archived.ids)
            for user in (self.contact_manager, self.admin):
                with (
                    self.subTest(via=name, user=user.login),
                    self.assertRaisesRegex(UserError, "Customers with history"),
                ):
                    call(user, "res.partner", "unlink", self.archived.ids)
        self.assertTrue(self.archived.exists())

    def test_merge_refused_both_ways(self):
        active = self.Partner.create({"name": "Maier Active", "user_id": self.maier.id})
        with self.assertRaises(AccessError):
            self._merge_log(self.archived, active, user=self.huber)
        for source, target in ((self.archived, active), (active, self.archived)):
            with (
                self.subTest(source=source.name),
                self.assertRaisesRegex(UserError, "Maier Customer is archived"),
            ):
                self._merge_log(source, target)
        self.assertFalse((self.archived | active).mapped("merged_into_id"))
        self.assertTrue(active.active)


class TestExpiredMergeIsOutOfPlay(EdgeStateCase):
    """A merged customer the purge kept stays archived and marked: it comes
    back neither by Restore nor by Unarchive, goes to no trash, and stays
    out of every list and lookup."""

    def test_restore_unarchive_and_trash_refused(self):
        source, _target, log = self._expired_merge()
        calls = (
            ("action_restore", ()),
            ("action_trash", ()),
            ("action_unarchive", ()),
            ("write", ({"active": True},)),
        )
        for method, args in calls:
            for name, call in self._callers():
                with (
                    self.subTest(via=name, method=method),
                    self.assertRaisesRegex(
                        UserError, "merged into Test Huber|merged into"
                    ),
                ):
                    call(self.sales_manager, "res.partner", method, source.ids, *args)
        self.assertRecordValues(
            source,
            [{"active": False, "trashed_at": False, "merged_at": False}],
        )
        self.assertTrue(source.merged_into_id)
        self.assertEqual(log.state, "expired")

    def test_merge_refused_both_ways(self):
        source, _target, _log = self._expired_merge()
        other = self.customers_huber[2]
        for a, b in ((source, other), (other, source)):
            with (
                self.subTest(source=a.name),
                self.assertRaisesRegex(UserError, "was itself merged into"),
            ):
                self._merge_log(a, b)
        self.assertFalse(other.merged_into_id)
        self.assertTrue(other.active)

    def test_out_of_lists_and_lookups(self):
        source, target, log = self._expired_merge()
        for user in (self.huber, self.sales_manager):
            with self.subTest(user=user.login):
                Partner = self.Partner.with_user(user)
                self.assertNotIn(source, Partner.search([("name", "=", source.name)]))
                self.assertNotIn(
                    source.id, [pid for pid, _n in Partner.name_search(source.name)]
                )
        # The log stays readable to who may merge, as the record of the
        # merge that can no longer be undone.
        self.assertEqual(
            self.env["customer.merge.log"]
            .with_user(self.sales_manager)
            .search([("state", "=", "expired")]),
            log,
        )
        data = self._csv([(source.id, "Wrong Again")], header=("id", "name"))
        wizard = self._preview(self.huber, data, key_fields="internal")
        self.assertEqual(wizard.line_ids.action, "error")
        self.assertIn(
            "No customer of the company has the Odoo ID", wizard.line_ids.message
        )
        self.assertEqual(target.user_id, self.huber)


class TestArchivedCustomersVisibility(EdgeStateCase):
    """Archived customers follow the same visibility as active ones: a
    salesperson restricted to his own customers finds his archived ones in
    the Archived filter and never another salesperson's."""

    def test_restricted_salesperson_sees_only_his_archived(self):
        own = self.customers_huber[0]
        (own | self.customer_maier).action_archive()
        self.huber.restrict_to_own_customers = True
        Partner = self.Partner.with_user(self.huber).with_context(active_test=False)
        found = Partner.search([("id", "in", (own | self.customer_maier).ids)])
        self.assertEqual(found, own)
        self.assertFalse(Partner.search_count([("external_ref", "=", "M001")]))
        with self.assertRaises(AccessError):
            self.customer_maier.with_user(self.huber).read(["name"])
        # Unrestricted, as in Odoo: every archived contact in the filter.
        self.huber.restrict_to_own_customers = False
        found = Partner.search([("id", "in", (own | self.customer_maier).ids)])
        self.assertEqual(found, own | self.customer_maier)
