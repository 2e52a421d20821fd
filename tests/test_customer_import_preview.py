from .import_common import CustomerImportCase

HEADER = ("external_ref", "name", "phone", "city", "country_code")


class TestImportPreviewRows(CustomerImportCase):
    """Each plan row names its customer and, for an update, says what changes
    as old → new, in the preview and in the log of a background import."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hannover = cls.customers_huber[0]
        cls.hannover.write(
            {
                "phone": "0511 123",
                "city": "Hannover",
                "country_id": cls.env.ref("base.de").id,
            }
        )

    def _row(self, customer, **changes):
        values = {
            "external_ref": customer.external_ref,
            "name": customer.name,
            "phone": customer.phone or "",
            "city": customer.city or "",
            "country_code": customer.country_id.code or "",
            **changes,
        }
        return tuple(values[column] for column in HEADER)

    def _line(self, wizard, key):
        line = wizard.line_ids.filtered(lambda line: line.key == key)
        self.assertEqual(len(line), 1, wizard.line_ids.mapped("key"))
        return line

    def test_new_row_shows_the_name_from_the_file(self):
        data = self._csv([("N001", "Neukunde Celle", "", "Celle", "DE")], HEADER)
        line = self._preview(self.huber, data).line_ids
        self.assertEqual(line.action, "create")
        self.assertEqual(line.name, "Neukunde Celle")
        self.assertFalse(line.changes)

    def test_update_shows_the_customer_and_old_to_new(self):
        row = self._row(
            self.hannover, phone="0511 999", city="Celle", country_code="AT"
        )
        wizard = self._preview(self.huber, self._csv([row], HEADER))
        line = self._line(wizard, "H001")
        self.assertEqual(line.action, "update")
        self.assertEqual(line.name, "Huber Customer 1")
        self.assertEqual(
            line.changes,
            "Phone: 0511 123 → 0511 999; City: Hannover → Celle; "
            "Country: Germany → Austria",
        )

    def test_renamed_customer_shows_its_current_name_and_the_new_one(self):
        row = self._row(self.hannover, name="Hannover Renamed")
        line = self._line(self._preview(self.huber, self._csv([row], HEADER)), "H001")
        self.assertEqual(line.name, "Huber Customer 1")
        self.assertEqual(line.changes, "Name: Huber Customer 1 → Hannover Renamed")

    def test_emptied_value_reads_as_empty(self):
        row = self._row(self.hannover, phone="")
        line = self._line(self._preview(self.huber, self._csv([row], HEADER)), "H001")
        self.assertEqual(line.changes, "Phone: 0511 123 → —")

    def test_unchanged_row_reads_as_unchanged(self):
        wizard = self._preview(
            self.huber, self._csv([self._row(self.hannover)], HEADER)
        )
        line = self._line(wizard, "H001")
        self.assertEqual(line.action, "unchanged")
        self.assertEqual(line.name, "Huber Customer 1")
        self.assertFalse(line.changes)

    def test_field_labels_are_those_the_user_reads(self):
        self.env["res.lang"]._activate_lang("de_DE")
        self.env["ir.module.module"].search(
            [("name", "=", "crm_customer_ownership")]
        )._update_translations("de_DE", overwrite=True)
        header = ("id", "external_ref")
        data = self._csv([(self.hannover.id, "H001-NEW")], header)
        # The web client sends the user's language in the context.
        wizard = self._wizard(self.huber, data, key_fields="internal")
        wizard.with_context(lang="de_DE").action_preview()
        self.assertEqual(
            self._line(wizard, "H001-NEW").changes,
            "ERP-Nummer: H001 → H001-NEW",
        )

    def test_trash_and_restore_rows_name_the_customer(self):
        trashed = self.customers_huber[1]
        trashed.action_trash()
        rows = [self._row(self.hannover), self._row(trashed, city="Celle")]
        wizard = self._preview(
            self.huber, self._csv(rows, HEADER), import_mode="update_delete"
        )
        restore = self._line(wizard, "H002")
        self.assertEqual(restore.action, "restore")
        self.assertEqual(restore.name, "Huber Customer 2")
        self.assertEqual(restore.changes, "City: — → Celle")
        trash = self._lines(wizard, "trash")
        self.assertEqual(
            sorted(trash.mapped("name")),
            [f"Huber Customer {i}" for i in range(3, 6)],
        )
        self.assertFalse(any(trash.mapped("changes")))

    def test_transfer_row_names_the_customer_and_its_changes(self):
        maier = self.customer_maier
        row = ("M001", "", "", "Celle", "")
        wizard = self._preview(
            self.transfer_user, self._csv([row], HEADER), transfer_mode="move"
        )
        line = wizard.line_ids
        self.assertEqual(line.action, "transfer")
        self.assertEqual(line.name, maier.name)
        self.assertEqual(line.changes, "City: — → Celle")

    def test_the_import_keeps_the_names_and_changes_it_previewed(self):
        row = self._row(self.hannover, city="Celle")
        new = ("N001", "Neukunde Celle", "", "Celle", "DE")
        wizard = self._import(self.huber, self._csv([row, new], HEADER))
        self.assertEqual(wizard.state, "done")
        self.assertEqual(self._line(wizard, "H001").changes, "City: Hannover → Celle")
        self.assertEqual(self._line(wizard, "N001").name, "Neukunde Celle")

    def test_long_values_are_cut(self):
        long_name = "Very Long Customer Name " * 40
        rows = [
            ("N001", long_name, "", "", ""),
            self._row(self.hannover, name=long_name, city="C" * 500, phone="9" * 80),
        ]
        wizard = self._preview(self.huber, self._csv(rows, HEADER))
        created, updated = self._line(wizard, "N001"), self._line(wizard, "H001")
        self.assertLessEqual(len(created.name), 120)
        self.assertTrue(created.name.startswith("Very Long Customer Name"))
        self.assertTrue(created.name.endswith("…"))
        self.assertLessEqual(len(updated.changes), 300)
        self.assertTrue(updated.changes.startswith("Name: Huber Customer 1 → Very"))
        self.assertIn("…", updated.changes)

    def test_background_log_lines_show_the_same_text(self):
        self.env["ir.config_parameter"].set_param(
            "crm_customer_ownership.import_background_rows", 1
        )
        rows = [
            self._row(self.hannover, city="Celle"),
            ("N001", "Neukunde Celle", "", "Celle", "DE"),
        ]
        wizard = self._wizard(self.huber, self._csv(rows, HEADER))
        wizard.action_preview()
        Log = self.env["customer.import.log"]
        for _ in range(5):
            if not Log.search([("state", "in", ("queued", "running"))]):
                break
            Log._cron_run_imports()
        lines = wizard.log_id.with_user(self.huber).line_ids
        by_key = {line.key: line for line in lines}
        self.assertEqual(by_key["H001"].name, "Huber Customer 1")
        self.assertEqual(by_key["H001"].changes, "City: Hannover → Celle")
        self.assertEqual(by_key["N001"].name, "Neukunde Celle")
        self.assertFalse(by_key["N001"].changes)

    def test_descriptions_need_no_query_per_row(self):
        Import = self.env["customer.import"].with_user(self.huber)
        austria = self.env.ref("base.at").id

        def describe(customers):
            lines = [
                {
                    "action": "update",
                    "partner_id": customer.id,
                    "vals": {"city": "Celle", "country_id": austria},
                    "name": "",
                    "changes": "",
                }
                for customer in customers
            ]
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            Import._describe_lines(lines)
            return self.env.cr.sql_log_count - before, lines

        describe(self.hannover)  # fills the caches of labels and countries
        one, lines = describe(self.hannover)
        self.assertIn("Celle", lines[0]["changes"])
        many = self.Partner.create(
            [
                {"name": f"Bulk {i}", "user_id": self.huber.id, "city": "Linz"}
                for i in range(30)
            ]
        )
        thirty, lines = describe(many)
        self.assertEqual(lines[29]["name"], "Bulk 29")
        self.assertEqual(
            lines[29]["changes"], "City: Linz → Celle; Country: — → Austria"
        )
        self.assertEqual(one, thirty)

    def test_a_customer_the_user_cannot_read_is_never_described(self):
        # Whatever line the planner hands over: names and values come only
        # from customers the importing user may read.
        hidden = self.customer_maier
        hidden.write({"city": "Secret City"})
        self.huber.restrict_to_own_customers = True
        self.assertFalse(hidden.with_user(self.huber).has_access("read"))
        line = {
            "action": "transfer",
            "partner_id": hidden.id,
            "vals": {"city": "Celle"},
            "name": "From the file",
            "changes": "",
        }
        self.env["customer.import"].with_user(self.huber)._describe_lines([line])
        self.assertEqual(line["name"], "From the file")
        self.assertEqual(line["changes"], "")
