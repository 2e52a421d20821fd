import base64

from odoo.exceptions import AccessError, UserError

from .common_security import SecurityCase


class TestWizardsBelongToTheirCreator(SecurityCase):
    """Transient wizards hold files, plans and targets: nobody but their
    creator finds, reads or writes them, administrators included."""

    def _wizards(self):
        """{model: (creator, wizard)} of one pending wizard per model."""
        data = self._csv([("H001", "Huber Customer 1", "", "", "")])
        imp = self._wizard(self.sales_manager, data, user_id=self.huber.id)
        imp.action_preview()
        transfer = (
            self.env["customer.transfer.wizard"]
            .with_user(self.transfer_user)
            .create(
                {
                    "partner_ids": [(6, 0, self.customers_huber[:1].ids)],
                    "target_user_id": self.maier.id,
                }
            )
        )
        merge = (
            self.env["customer.merge.wizard"]
            .with_user(self.contact_manager)
            .create(
                {
                    "source_partner_id": self.customers_huber[0].id,
                    "target_partner_id": self.customers_huber[1].id,
                }
            )
        )
        return {
            "customer.import.wizard": (self.sales_manager, imp),
            "customer.import.wizard.line": (self.sales_manager, imp.line_ids),
            "customer.transfer.wizard": (self.transfer_user, transfer),
            "customer.merge.wizard": (self.contact_manager, merge),
        }

    def test_others_neither_find_read_nor_write(self):
        others = (self.huber, self.transfer_user, self.sales_manager, self.admin)
        writes = {
            "customer.import.wizard": {"user_id": self.huber.id},
            "customer.import.wizard.line": {"message": "tampered"},
            "customer.transfer.wizard": {"target_user_id": self.huber.id},
            "customer.merge.wizard": {"target_partner_id": self.customer_maier.id},
        }
        for model, (creator, wizard) in self._wizards().items():
            self.assertTrue(wizard)
            for name, call in self._callers():
                self.assertEqual(
                    call(creator, model, "search_count", [("id", "in", wizard.ids)]),
                    len(wizard),
                )
                for user in others:
                    # Users without the model's access right are stopped
                    # before any rule: the rules are about the others.
                    Model = self.env[model].with_user(user)
                    if user == creator or not Model.has_access("read"):
                        continue
                    with self.subTest(model=model, user=user.login, via=name):
                        found = call(
                            user, model, "search_count", [("id", "in", wizard.ids)]
                        )
                        self.assertEqual(found, 0)
                        with self.assertRaises(AccessError):
                            call(user, model, "read", wizard.ids, ["create_uid"])
                        with self.assertRaises(AccessError):
                            call(user, model, "write", wizard.ids, writes[model])

    def test_others_cannot_run_a_wizard(self):
        wizards = self._wizards()
        _creator, imp = wizards["customer.import.wizard"]
        _creator, transfer = wizards["customer.transfer.wizard"]
        for name, call in self._callers():
            with self.subTest(via=name):
                with self.assertRaises(AccessError):
                    call(self.admin, imp._name, "action_import", imp.ids)
                with self.assertRaises(AccessError):
                    call(self.admin, transfer._name, "action_transfer", transfer.ids)
        self.assertEqual(self.customers_huber[0].user_id, self.huber)


class TestWizardsReadOnlyTheirLogs(SecurityCase):
    """A wizard shows its log's state, progress and plan summary: it is
    pointed only at a log its user may read, over XML-RPC too."""

    def _log(self, user):
        # sudo: logs are written by the engine only.
        return (
            self.env["customer.import.log"]
            .sudo()
            .create(
                {
                    "user_id": user.id,
                    "agent_id": user.id,
                    "import_mode": "update",
                    "transfer_mode": "none",
                    "key_fields": "external",
                    "count_update": 7,
                }
            )
        )

    def test_wizard_cannot_point_at_another_users_log(self):
        theirs = self._log(self.maier)
        data = base64.b64encode(self._csv([]))
        vals = {"file": data, "filename": "c.csv", "log_id": theirs.id}
        with self.assertRaises(AccessError):
            self._rpc(self.huber, "customer.import.wizard", "create", vals)
        wizard_id = self._rpc(
            self.huber,
            "customer.import.wizard",
            "create",
            dict(vals, log_id=False),
        )
        with self.assertRaises(AccessError):
            self._rpc(
                self.huber,
                "customer.import.wizard",
                "write",
                [wizard_id],
                {"log_id": theirs.id},
            )
        wizard = self.env["customer.import.wizard"].browse(wizard_id)
        self.assertFalse(wizard.log_id)

    def test_wizard_points_at_its_own_log(self):
        own = self._log(self.huber)
        wizard = self._wizard(self.huber, self._csv([]), log_id=own.id)
        self.assertEqual(wizard.with_user(self.huber).log_state, own.state)


class TestImportAppliesWhatWasPreviewed(SecurityCase):
    def _previewed(self, via):
        data = self._csv([("H001", "Renamed after preview", "", "", "")])
        wizard = self._wizard(
            self.huber, self._csv([("H001", "Previewed", "", "", "")])
        )
        self.assertEqual(wizard.state, "upload")
        if via == "rpc":
            self._rpc(self.huber, wizard._name, "action_preview", wizard.ids)
        else:
            wizard.action_preview()
        return wizard, base64.b64encode(data)

    def test_changed_file_is_refused(self):
        for name, call in self._callers():
            with self.subTest(via=name):
                wizard, other_file = self._previewed(name)
                call(
                    self.huber, wizard._name, "write", wizard.ids, {"file": other_file}
                )
                with self.assertRaisesRegex(UserError, "preview the import again"):
                    call(self.huber, wizard._name, "action_import", wizard.ids)
                self.assertEqual(self.customers_huber[0].name, "Huber Customer 1")

    def test_changed_option_is_refused(self):
        for name, call in self._callers():
            for vals in (
                {"import_mode": "update_delete"},
                {"transfer_mode": "move"},
                {"key_fields": "both"},
                {"transfer_visit_reports": False},
                {"filename": "other.csv"},
            ):
                with self.subTest(via=name, vals=vals):
                    wizard, _file = self._previewed(name)
                    call(self.huber, wizard._name, "write", wizard.ids, vals)
                    with self.assertRaisesRegex(UserError, "preview the import again"):
                        call(self.huber, wizard._name, "action_import", wizard.ids)

    def test_unchanged_preview_imports_and_new_preview_clears_the_refusal(self):
        wizard, other_file = self._previewed("orm")
        wizard.action_import()
        self.assertEqual(self.customers_huber[0].name, "Previewed")

        wizard, other_file = self._previewed("orm")
        wizard.file = other_file
        wizard.action_preview()
        wizard.action_import()
        self.assertEqual(self.customers_huber[0].name, "Renamed after preview")

    def test_import_without_preview_still_works(self):
        data = self._csv([("H001", "Imported at once", "", "", "")])
        wizard = self._wizard(self.huber, data)
        self._rpc(self.huber, wizard._name, "action_import", wizard.ids)
        self.assertEqual(self.customers_huber[0].name, "Imported at once")
