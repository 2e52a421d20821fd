from .common_security import SecurityCase

History = "customer.ownership.history"


class TestRestrictedSalespersonLearnsNothing(SecurityCase):
    """A salesperson restricted to own customers learns nothing about the
    others' customers from the import preview, the ownership history or the
    plan lines."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.huber | cls.transfer_user).restrict_to_own_customers = True
        cls.hidden = cls.customer_maier  # "Maier Customer", M001
        cls.hidden.city = "Secret City"

    def assertHidden(self, wizard):
        self.assertFalse(self.hidden.with_user(wizard.create_uid).has_access("read"))
        for line in wizard.line_ids:
            self.assertNotEqual(line.partner_id, self.hidden)
            self.assertNotIn("Maier Customer", line.message or "")
            self.assertNotIn("Maier Customer", line.name or "")
            self.assertNotIn(self.hidden.city, line.changes or "")
        self.assertNotIn("Maier Customer", wizard.transfer_summary or "")

    def assertHuberReads(self, model, domain, expected, fields=("id",)):
        """Huber's search_read of ``model`` finds exactly ``expected``,
        through the ORM and over XML-RPC."""
        for name, call in self._callers():
            with self.subTest(via=name):
                found = call(self.huber, model, "search_read", domain, list(fields))
                self.assertEqual({row["id"] for row in found}, set(expected.ids))

    def test_preview_without_transfer_neither_names_nor_links(self):
        data = self._csv([("M001", "My new customer", "", "", "")])
        for name in ("orm", "rpc"):
            with self.subTest(via=name):
                wizard = self._wizard(self.huber, data)
                if name == "rpc":
                    self._rpc(self.huber, wizard._name, "action_preview", wizard.ids)
                else:
                    wizard.action_preview()
                self.assertHidden(wizard)
                line = wizard.line_ids
                self.assertEqual(line.action, "create")
                self.assertIn("Another salesperson (Test Maier)", line.message)

    def test_preview_of_unreachable_transfer_neither_names_nor_links(self):
        data = self._csv([("M001", "Maier's, taken", "", "", "")])
        wizard = self._preview(self.transfer_user, data, transfer_mode="move")
        self.assertHidden(wizard)
        self.assertEqual(wizard.line_ids.action, "error")
        self.assertIn("out of your reach", wizard.line_ids.message)

    def test_preview_by_odoo_id_does_not_reveal_the_external_id(self):
        header = ("id", "external_ref", "name")
        data = self._csv([(self.hidden.id, "WRONG", "Guess")], header=header)
        wizard = self._preview(self.huber, data, key_fields="both")
        self.assertHidden(wizard)
        self.assertNotIn("M001", wizard.line_ids.message)
        self.assertIn("do not name the same customer", wizard.line_ids.message)

    def test_preview_of_external_id_clash_does_not_name_the_holder(self):
        elsewhere = self.env["res.company"].create({"name": "Elsewhere"})
        holder = self.Partner.create(
            {
                "name": "Huber Abroad",
                "external_ref": "Z1",
                "user_id": self.huber.id,
                "company_id": elsewhere.id,
            }
        )
        data = self._csv([("Z1", "Clash", "", "", "")])
        wizard = self._preview(self.huber, data)
        self.assertFalse(holder.with_user(self.huber).has_access("read"))
        self.assertEqual(wizard.line_ids.action, "error")
        self.assertNotIn("Huber Abroad", wizard.line_ids.message)
        self.assertIn("another customer of Test Huber", wizard.line_ids.message)

    def test_administrator_still_sees_the_name(self):
        data = self._csv([("M001", "New for Huber", "", "", "")])
        wizard = self._preview(self.sales_manager, data, user_id=self.huber.id)
        self.assertIn("Maier Customer", wizard.line_ids.message)

    def test_ownership_history_follows_customer_visibility(self):
        own = self.customers_huber[0]
        (own | self.hidden).with_user(self.sales_manager)._transfer_customers(
            self.sales_manager
        )
        (own | self.hidden).with_user(self.sales_manager)._transfer_customers(
            self.huber
        )
        self.hidden.with_user(self.sales_manager)._transfer_customers(self.maier)
        rows = self.env[History].search([("partner_id", "in", (own | self.hidden).ids)])
        hidden_rows = rows.filtered(lambda row: row.partner_id == self.hidden)
        self.assertTrue(hidden_rows)
        self.assertHuberReads(History, [("id", "in", rows.ids)], rows - hidden_rows)
        self.maier.restrict_to_own_customers = True
        self.assertEqual(
            self.env[History].with_user(self.maier).search([("id", "in", rows.ids)]),
            hidden_rows,
        )

    def test_plan_lines_follow_customer_visibility(self):
        wizard = self._wizard(self.huber, self._csv([]))
        Line = self.env["customer.import.wizard.line"]
        lines = Line.create(
            [
                {"wizard_id": wizard.id, "action": "update", "partner_id": partner.id}
                for partner in (self.customers_huber[0], self.hidden)
            ]
            + [{"wizard_id": wizard.id, "action": "error"}]
        )
        self.assertHuberReads(
            Line._name, [("id", "in", lines.ids)], lines[0] | lines[2]
        )

    def test_import_log_lines_follow_customer_visibility(self):
        """An administrator's import for Huber: Huber reads the lines of his
        own customers and of the customers he took over, not those naming a
        customer of Maier's, whoever ran the import."""
        log = (
            self.env["customer.import.log"]
            .with_user(self.sales_manager)
            .sudo()
            .create(
                {
                    "user_id": self.sales_manager.id,
                    "agent_id": self.huber.id,
                    "import_mode": "update",
                    "transfer_mode": "move",
                    "key_fields": "external",
                }
            )
        )
        own = self.customers_huber[0]
        Line = self.env["customer.import.log.line"]

        def line(sequence, action, partner=None, from_user=None):
            return Line.create(
                {
                    "log_id": log.id,
                    "sequence": sequence,
                    "action": action,
                    "partner_id": partner and partner.id,
                    "from_user_id": from_user and from_user.id,
                    "name": partner and partner.name,
                }
            )

        visible = (
            line(0, "update", own)
            | line(1, "error")
            # Taken over from Maier: Huber's customer now.
            | line(2, "transfer", own, self.maier)
        )
        hidden = (
            # A preview's transfer, not applied: still Maier's.
            line(3, "transfer", self.hidden, self.maier)
            | line(4, "unchanged", self.hidden)
            # Created next to Maier's: its message names Maier's customer.
            | line(5, "create", None, self.maier)
        )
        self.assertHuberReads(Line._name, [("log_id", "=", log.id)], visible, ["name"])
        self.assertEqual(
            Line.with_user(self.sales_manager).search([("log_id", "=", log.id)]),
            visible | hidden,
        )
