import base64
import io
import zipfile
from unittest.mock import patch

from openpyxl import load_workbook

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form

from ..compat import USER_GROUPS_FIELD, call_kw
from .import_common import CustomerImportCase


class TestCustomerImportFiles(CustomerImportCase):
    """Reading files: encodings, delimiters, XLSX, and every file refusal."""

    ROWS = [("N001", "Müller Café", "cafe@example.com", "Wörgl", "AT")]

    def _created(self, ref="N001"):
        return self.Partner.search(
            [("external_ref", "=", ref), ("user_id", "=", self.huber.id)]
        )

    def test_csv_utf8_with_and_without_bom(self):
        for bom in (False, True):
            with self.subTest(bom=bom):
                wizard = self._preview(self.huber, self._csv(self.ROWS, bom=bom))
                self.assertEqual(wizard.count_create, 1)
                self.assertEqual(wizard.count_error, 0)
        self._import(self.huber, self._csv(self.ROWS, bom=True))
        self.assertEqual(self._created().name, "Müller Café")
        self.assertEqual(self._created().city, "Wörgl")

    def test_csv_latin1_fallback(self):
        self._import(self.huber, self._csv(self.ROWS, encoding="latin-1"))
        self.assertEqual(self._created().name, "Müller Café")

    def test_csv_delimiters_detected(self):
        for delimiter in (",", ";", "\t"):
            with self.subTest(delimiter=delimiter):
                data = self._csv(
                    [("N001", "Huber, Maier & Co; KG", "", "", "AT")],
                    delimiter=delimiter,
                )
                wizard = self._preview(self.huber, data)
                self.assertEqual(wizard.count_create, 1, wizard.line_ids.message)

    def test_xlsx_read(self):
        data = self._xlsx([("N001", "Müller Café", "cafe@example.com", "Wörgl", "AT")])
        self._import(self.huber, data, filename="customers.xlsx")
        customer = self._created()
        self.assertEqual(customer.name, "Müller Café")
        self.assertEqual(customer.country_id, self.env.ref("base.at"))

    def test_xlsx_numbers_as_keys(self):
        # Spreadsheets store customer numbers as numbers: 10001.0 is "10001",
        # so the row finds the customer numbered "10001" instead of creating
        # a twin (no demo data: the test makes its own customer).
        customer = self.Partner.create(
            {"name": "Number Key", "external_ref": "10001", "user_id": self.huber.id}
        )
        data = self._xlsx([(10001, "Number Key Renamed", "", "", "")])
        wizard = self._import(self.huber, data, filename="customers.xlsx")
        self.assertEqual(wizard.count_update, 1)
        self.assertEqual(wizard.count_create, 0)
        self.assertEqual(customer.name, "Number Key Renamed")

    def test_xlsx_wrong_dimension_still_read_whole(self):
        # Some writers record a sheet size smaller than the data.
        data = self._xlsx([(f"N{i}", f"New {i}", "", "", "") for i in range(3)])
        source, target = io.BytesIO(data), io.BytesIO()
        with (
            zipfile.ZipFile(source) as old,
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new,
        ):
            for item in old.infolist():
                content = old.read(item.filename)
                if item.filename == "xl/worksheets/sheet1.xml":
                    content = content.replace(
                        b"</sheetPr>", b'</sheetPr><dimension ref="A1:B1"/>'
                    )
                new.writestr(item, content)
        wizard = self._preview(self.huber, target.getvalue(), filename="c.xlsx")
        self.assertEqual(wizard.count_create, 3)

    def _assert_refused(self, data, message, filename="customers.csv", **vals):
        before = self._table_state()
        wizard = self._wizard(self.huber, data, filename=filename, **vals)
        for method in ("action_preview", "action_import"):
            with self.assertRaisesRegex(UserError, message):
                getattr(wizard, method)()
        self.assertEqual(self._table_state(), before)

    def test_unreadable_xlsx_refused(self):
        self._assert_refused(
            b"PK\x03\x04 certainly not a workbook",
            "cannot be read as an Excel",
            filename="customers.xlsx",
        )

    def test_xlsx_zip_bomb_refused(self):
        stream = io.BytesIO()
        with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
        self.assertLess(len(stream.getvalue()), 200 * 1024)
        with patch(
            "odoo.addons.crm_customer_ownership.models.customer_import_reader"
            ".XlsxSheetReader"
        ) as load_workbook_mock:
            self._assert_refused(
                stream.getvalue(), "possible zip bomb", filename="customers.xlsx"
            )
        load_workbook_mock.assert_not_called()

    def test_old_xls_refused(self):
        self._assert_refused(
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old Excel", filename="c.xls"
        )

    def test_empty_file_refused(self):
        self._assert_refused(b"", "The file is empty")

    def test_file_without_header_refused(self):
        self._assert_refused(b"\r\n ,, \r\n", "has no header row")

    def test_file_over_size_limit_refused(self):
        self.env["ir.config_parameter"].set_param(
            "crm_customer_ownership.import_max_mb", "1"
        )
        data = self._csv(self.ROWS) + b"x" * (1024 * 1024)
        # Refused as it is uploaded, over XML-RPC too, before anything else.
        before = self._table_state()
        Wizard = "customer.import.wizard"
        vals = {"file": base64.b64encode(data).decode(), "filename": "big.csv"}
        with self.assertRaisesRegex(
            UserError, "big.csv is 1.0 MB, more than the limit of 1"
        ):
            call_kw(self.env[Wizard].with_user(self.huber), "create", [vals], {})
        wizard = self._wizard(self.huber, self._csv(self.ROWS), filename="big.csv")
        with self.assertRaisesRegex(UserError, "more than the limit of 1"):
            wizard.write({"file": vals["file"]})
        self.assertEqual(self._table_state(), before)
        # The reader keeps its own check for callers of the engine.
        with self.assertRaisesRegex(UserError, "more than the limit of 1"):
            self.env["customer.import"]._plan_import(data, "big.csv", self.huber)

    def test_file_over_size_limit_cleared_when_chosen(self):
        self.env["ir.config_parameter"].set_param(
            "crm_customer_ownership.import_max_mb", "1"
        )
        wizard = (
            self.env["customer.import.wizard"]
            .with_user(self.huber)
            .new({"filename": "big.csv"})
        )
        wizard.file = base64.b64encode(b"x" * (1024 * 1024 + 1))
        result = wizard._onchange_file()
        self.assertIn("more than the limit of 1", result["warning"]["message"])
        self.assertFalse(wizard.file)
        wizard.file = base64.b64encode(self._csv(self.ROWS))
        self.assertFalse(wizard._onchange_file())

    def test_file_over_row_limit_refused(self):
        self.env["ir.config_parameter"].set_param(
            "crm_customer_ownership.import_max_rows", "3"
        )
        rows = [(f"N{i}", f"New {i}", "", "", "") for i in range(4)]
        self._assert_refused(self._csv(rows), "more rows than the limit of 3")
        for data, filename in (
            (self._csv(rows[:3]), "customers.csv"),
            (self._xlsx(rows[:3]), "customers.xlsx"),
        ):
            wizard = self._preview(self.huber, data, filename=filename)
            self.assertEqual(wizard.count_create, 3)
        self._assert_refused(
            self._xlsx(rows), "more rows than the limit of 3", "c.xlsx"
        )

    def test_unknown_column_refused(self):
        data = self._csv(self.ROWS, header=(*self.HEADER[:-1], "favourite_colour"))
        self._assert_refused(data, "favourite_colour")

    def test_relational_or_protected_column_refused(self):
        for column in ("user_id", "active", "trashed_at", "company_id"):
            with self.subTest(column=column):
                data = self._csv(self.ROWS, header=(*self.HEADER[:-1], column))
                self._assert_refused(data, column)

    def test_repeated_column_refused(self):
        data = self._csv(self.ROWS, header=(*self.HEADER[:-1], "City"))
        self._assert_refused(data, "more than once")

    def test_missing_key_column_refused(self):
        header = ("name", "email", "city", "country_code", "phone")
        self._assert_refused(self._csv(self.ROWS, header=header), "external_ref")
        self._assert_refused(
            self._csv(self.ROWS), "no id column", key_fields="internal"
        )
        self._assert_refused(self._csv(self.ROWS), "no id column", key_fields="both")

    def test_id_column_with_external_key_refused(self):
        data = self._csv([("", "H001", "X")], header=("id", "external_ref", "name"))
        self._assert_refused(data, "has an id column")

    def test_headers_matched_by_name_in_any_case_and_order(self):
        header = ("Country Code", "CITY", "Name", "External_Ref", "is_synced", "vat")
        data = self._csv([("de", "Köln", "Kölsch AG", "N001", "yes", "DE123")], header)
        self._import(self.huber, data)
        customer = self._created()
        self.assertEqual(customer.country_id, self.env.ref("base.de"))
        self.assertEqual(customer.city, "Köln")
        self.assertTrue(customer.is_synced)
        self.assertEqual(customer.vat, "DE123")

    def test_template_download(self):
        wizard = self.env["customer.import.wizard"].with_user(self.huber).create({})
        action = wizard.action_download_template()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn(f"/{wizard.id}/template_file/", action["url"])
        book = load_workbook(io.BytesIO(base64.b64decode(wizard.template_file)))
        header = [cell.value for cell in next(book.active.iter_rows())]
        self.assertEqual(header[:2], ["external_ref", "name"])
        self.assertIn("country_code", header)
        # The template imports as it is.
        preview = self._preview(
            self.huber, base64.b64decode(wizard.template_file), filename="t.xlsx"
        )
        self.assertEqual((preview.count_create, preview.count_error), (1, 0))


class TestCustomerImportRows(CustomerImportCase):
    """Row checks, the lookup without transfer, the import modes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.h1, cls.h2, cls.h3, cls.h4, cls.h5 = cls.customers_huber
        cls.rows = cls._rows_of(cls.customers_huber)

    def _assert_row_error(self, rows, message, header=None, **vals):
        before = self._table_state()
        wizard = self._preview(self.huber, self._csv(rows, header=header), **vals)
        errors = self._lines(wizard, "error")
        self.assertTrue(errors, "the row should be an error")
        self.assertRegex(errors[0].message, message)
        self.assertEqual(wizard.count_error, len(errors))
        with self.assertRaisesRegex(UserError, "Nothing was imported"):
            wizard.action_import()
        self.assertEqual(self._table_state(), before)
        return wizard

    def test_unchanged_and_update(self):
        rows = list(self.rows)
        rows[0] = ("H001", "Huber Customer 1 Renamed", "new@example.com", "", "")
        wizard = self._import(self.huber, self._csv(rows))
        self.assertEqual((wizard.count_update, wizard.count_unchanged), (1, 4))
        self.assertEqual(self.h1.name, "Huber Customer 1 Renamed")
        self.assertEqual(self.h1.email, "new@example.com")
        self.assertEqual(self._lines(wizard, "update").partner_id, self.h1)
        self.assertEqual(wizard.state, "done")
        self.assertEqual(wizard.log_id.count_update, 1)

    def test_empty_name_keeps_name_on_update(self):
        wizard = self._import(
            self.huber, self._csv([("H001", "", "a@b.example", "", "")])
        )
        self.assertEqual(wizard.count_update, 1)
        self.assertEqual(self.h1.name, "Huber Customer 1")
        self.assertEqual(self.h1.email, "a@b.example")

    def test_create_new_customer(self):
        wizard = self._import(
            self.huber, self._csv([("N001", "New", "", "Linz", "AT")])
        )
        customer = self._lines(wizard, "create").partner_id
        self.assertEqual(customer.user_id, self.huber)
        self.assertEqual(customer.external_ref, "N001")
        self.assertEqual(customer.company_id, self.company)

    def test_own_trash_restored_and_updated(self):
        self.h2.action_trash()
        rows = [("H002", "Back again", "", "", "")]
        wizard = self._preview(self.huber, self._csv(rows))
        self.assertEqual(wizard.count_restore, 1)
        wizard.action_import()
        self.assertTrue(self.h2.active)
        self.assertFalse(self.h2.trashed_at)
        self.assertEqual(self.h2.name, "Back again")

    def test_own_archived_customer_is_an_error(self):
        self.h3.active = False
        self._assert_row_error([("H003", "X", "", "", "")], "archived")

    def test_duplicate_keys_are_errors(self):
        rows = [
            ("H001", "A", "", "", ""),
            ("N9", "B", "", "", ""),
            ("H001", "C", "", "", ""),
        ]
        wizard = self._assert_row_error(rows, "appears on rows 2, 4")
        self.assertEqual(wizard.count_error, 2)

    def test_empty_name_on_create_is_an_error(self):
        self._assert_row_error([("N001", "", "", "", "")], "has no name")

    def test_bad_country_code_is_an_error(self):
        self._assert_row_error([("N001", "New", "", "", "XX")], "country code XX")

    def test_missing_external_id_is_an_error(self):
        self._assert_row_error([("", "New", "", "", "")], "no ERP Number")

    def test_external_id_too_long_is_an_error(self):
        self._assert_row_error([("9" * 65, "New", "", "", "")], "longer than 64")

    def test_bad_typed_values_are_errors(self):
        for column, value, message in (
            ("is_synced", "maybe", "write 1 or 0"),
            ("type", "planet", "use one of"),
            ("partner_latitude", "north", "write a number"),
            ("color", "red", "write a number"),
        ):
            with self.subTest(column=column):
                self._assert_row_error(
                    [("H001", "Huber Customer 1", value)],
                    message,
                    header=("external_ref", "name", column),
                )

    def test_typed_values_converted(self):
        header = ("external_ref", "name", "is_synced", "type", "partner_latitude")
        # The label as this Odoo names it ("Invoice Address" on 18, "Invoice" on 19).
        invoice = dict(self.env["res.partner"]._fields["type"].selection)["invoice"]
        rows = [("H001", "Huber Customer 1", "1", invoice, "47,26")]
        self._import(self.huber, self._csv(rows, header=header))
        self.assertTrue(self.h1.is_synced)
        self.assertEqual(self.h1.type, "invoice")
        self.assertEqual(self.h1.partner_latitude, 47.26)

    def test_date_cells(self):
        # res.partner has no plain date field of its own; custom ones do.
        engine = self.env["customer.import"]
        field = self.env["customer.visit.block"]._fields["date_from"]
        self.assertEqual(str(engine._cell_to_date(field, "2026-12-24")), "2026-12-24")
        self.assertEqual(str(engine._cell_to_date(field, "24.12.2026")), "2026-12-24")
        self.assertFalse(engine._cell_to_date(field, ""))
        with self.assertRaisesRegex(ValueError, "YYYY-MM-DD"):
            engine._cell_to_date(field, "31/31/2026")

    def test_create_mode_refuses_existing_customers(self):
        self._assert_row_error(
            [("H001", "A", "", "", "")], "already your customer", import_mode="create"
        )
        self.h2.action_trash()
        self._assert_row_error(
            [("H002", "A", "", "", "")], "in your trash", import_mode="create"
        )

    def test_update_leaves_absent_customers_alone(self):
        wizard = self._import(self.huber, self._csv(self.rows[:2]))
        self.assertEqual(wizard.count_trash, 0)
        self.assertTrue(all(self.customers_huber.mapped("active")))

    def test_update_delete_trashes_absent_customers(self):
        wizard = self._preview(
            self.huber,
            self._csv(self.rows[:2]),
            import_mode="update_delete",
            confirm_mass_trash=True,
        )
        self.assertEqual(wizard.count_trash, 3)
        self.assertEqual(
            self._lines(wizard, "trash").partner_id, self.h3 | self.h4 | self.h5
        )
        self.assertTrue(all(self.customers_huber.mapped("active")))
        wizard.action_import()
        self.assertEqual((self.h3 | self.h4 | self.h5).mapped("active"), [False] * 3)
        self.assertTrue(all((self.h3 | self.h4 | self.h5).mapped("trashed_at")))
        self.assertTrue(self.h1.active and self.h2.active)
        self.assertTrue(self.customer_maier.active, "other agents are not touched")

    def test_update_delete_never_trashes_contacts_or_other_companies(self):
        contact = self.Partner.create(
            {"name": "Contact", "parent_id": self.h1.id, "user_id": self.huber.id}
        )
        other_company = self.env["res.company"].create({"name": "Other Co"})
        foreign = self.Partner.create(
            {
                "name": "Foreign",
                "user_id": self.huber.id,
                "company_id": other_company.id,
            }
        )
        self._import(self.huber, self._csv(self.rows), import_mode="update_delete")
        self.assertTrue(contact.active)
        self.assertTrue(foreign.active)

    def test_other_agents_customer_without_transfer_created_anew(self):
        rows = [("M001", "Maier Customer", "", "", "")]
        wizard = self._preview(self.huber, self._csv(rows))
        line = self._lines(wizard, "create")
        self.assertEqual(line.from_user_id, self.maier)
        self.assertIn("without its history", line.message)
        self.assertEqual(wizard.count_without_history, 1)
        wizard.action_import()
        created = self._lines(wizard, "create").partner_id
        self.assertNotEqual(created, self.customer_maier)
        self.assertEqual(created.user_id, self.huber)
        self.assertEqual(self.customer_maier.user_id, self.maier)

    def test_internal_key(self):
        header = ("id", "name", "city")
        rows = [
            (self.h1.id, "By Id", "Graz"),
            ("", "New By Id", "Wels"),
        ]
        wizard = self._import(
            self.huber, self._csv(rows, header), key_fields="internal"
        )
        self.assertEqual((wizard.count_update, wizard.count_create), (1, 1))
        self.assertEqual(self.h1.name, "By Id")
        self.assertEqual(self._lines(wizard, "create").partner_id.city, "Wels")

    def test_internal_key_unknown_id_is_an_error(self):
        self._assert_row_error(
            [(999999999, "Nobody")],
            "No customer of the company has the Odoo ID",
            header=("id", "name"),
            key_fields="internal",
        )

    def test_internal_key_external_id_clash_is_an_error(self):
        self._assert_row_error(
            [(self.h1.id, "H002")],
            "already belongs to Huber Customer 2",
            header=("id", "external_ref"),
            key_fields="internal",
        )

    def test_internal_key_two_rows_for_one_customer_is_an_error(self):
        self._assert_row_error(
            [(self.h1.id, "", "A"), ("", "H001", "B")],
            "same customer",
            header=("id", "external_ref", "name"),
            key_fields="both",
        )

    def test_both_keys(self):
        header = ("id", "external_ref", "name")
        rows = [(self.h1.id, "H001", "By Id"), ("", "H002", "By Ref")]
        wizard = self._import(self.huber, self._csv(rows, header), key_fields="both")
        self.assertEqual(wizard.count_update, 2)
        self.assertEqual((self.h1.name, self.h2.name), ("By Id", "By Ref"))

    def test_both_keys_mismatch_is_an_error(self):
        self._assert_row_error(
            [(self.h1.id, "H002", "X")],
            "has the ERP Number H001, not H002",
            header=("id", "external_ref", "name"),
            key_fields="both",
        )

    def test_other_company_customers_are_not_matched(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        self.Partner.create(
            {
                "name": "Maier abroad",
                "external_ref": "X002",
                "user_id": self.maier.id,
                "company_id": other_company.id,
            }
        )
        wizard = self._preview(
            self.huber, self._csv([("X002", "New", "", "", "")]), import_mode="update"
        )
        line = self._lines(wizard, "create")
        self.assertFalse(line.from_user_id, "Maier's customer of Other Co is unseen")

    def test_preview_writes_nothing(self):
        self.h2.action_trash()
        rows = [
            ("H001", "Renamed", "", "", ""),
            ("H002", "Restored", "", "", ""),
            ("M001", "Maier Customer", "", "", ""),
            ("N001", "New", "", "", ""),
        ]
        before = self._table_state()
        wizard = self._preview(self.huber, self._csv(rows), import_mode="update_delete")
        self.assertEqual(
            (
                wizard.count_update,
                wizard.count_restore,
                wizard.count_create,
                wizard.count_trash,
            ),
            (1, 1, 2, 3),
        )
        self.assertEqual(self._table_state(), before)
        self.assertTrue(self.h2.trashed_at)

    def _queries(self, count, method):
        """Queries of one preview or import of ``count`` rows: a quarter of
        Huber's customers unchanged, a quarter Maier's (created anew), a
        quarter new, a quarter trashed as absent; and ten changed rows."""
        size, tag = count // 4, f"{method[7]}{count}"

        def customers(user, kind, number):
            return self.Partner.create(
                [
                    {
                        "name": f"{tag} {kind} {i}",
                        "external_ref": f"{tag}{kind}{i}",
                        "user_id": user.id,
                    }
                    for i in range(number)
                ]
            )

        changed = customers(self.huber, "C", 10)
        rows = [(p.external_ref, p.name + " changed", "", "", "AT") for p in changed]
        for partner in customers(self.huber, "O", size) + customers(
            self.maier, "T", size
        ):
            rows.append((partner.external_ref, partner.name, "", "", ""))
        rows += [(f"{tag}N{i}", f"New {i}", "", "Linz", "") for i in range(size)]
        customers(self.huber, "A", size)
        wizard = self._wizard(
            self.huber,
            self._csv(rows),
            import_mode="update_delete",
            confirm_mass_trash=True,
        )
        self.env.flush_all()
        start = self.env.cr.sql_log_count
        getattr(wizard, method)()
        self.env.flush_all()
        return self.env.cr.sql_log_count - start

    def test_queries_batched(self):
        """Ten times the rows costs (nearly) no more queries: lookups,
        creates and trash are set-based. Changed customers cost one
        write each (Odoo's own res.partner write), so their number is fixed."""
        for method in ("action_preview", "action_import"):
            with self.subTest(method=method):
                small = self._queries(40, method)
                large = self._queries(400, method)
                self.assertLessEqual(large, small + 10, (small, large))

    def test_import_is_atomic(self):
        self.h2.action_trash()
        rows = [
            ("H001", "Renamed", "", "", ""),
            ("H002", "Restored", "", "", ""),
            ("N001", "New", "", "", ""),
        ]
        before = self._table_state()
        wizard = self._wizard(
            self.huber,
            self._csv(rows),
            import_mode="update_delete",
            confirm_mass_trash=True,
        )
        with (
            patch.object(
                type(self.env["customer.import"]),
                "_log_import",
                side_effect=UserError("boom at the very end"),
            ),
            self.assertRaisesRegex(UserError, "boom"),
        ):
            wizard.action_import()
        self.env.invalidate_all()
        self.assertEqual(self._table_state(), before)
        self.assertEqual(self.h1.name, "Huber Customer 1")
        self.assertTrue(self.h2.trashed_at)
        self.assertTrue(self.h3.active)

    def test_import_log(self):
        wizard = self._import(
            self.huber, self._csv(self.rows[:4]), import_mode="update_delete"
        )
        log = wizard.log_id
        self.assertEqual(log.user_id, self.huber)
        self.assertEqual(log.agent_id, self.huber)
        self.assertEqual(log.filename, "customers.csv")
        self.assertEqual(
            (log.import_mode, log.transfer_mode), ("update_delete", "none")
        )
        self.assertEqual((log.count_unchanged, log.count_trash), (4, 1))
        # Salespeople read their own logs only.
        Log = self.env["customer.import.log"]
        self.assertEqual(Log.with_user(self.huber).search([]), log)
        self.assertFalse(Log.with_user(self.maier).search([]))
        self.assertIn(log, Log.with_user(self.sales_manager).search([]))
        with self.assertRaises(AccessError):
            Log.with_user(self.huber).create(
                {
                    "agent_id": self.huber.id,
                    "import_mode": "update",
                    "transfer_mode": "none",
                    "key_fields": "external",
                }
            )

    def test_view_customers_and_lines(self):
        rows = [("H001", "Renamed", "", "", ""), ("N001", "New", "", "", "")]
        wizard = self._import(self.huber, self._csv(rows))
        action = wizard.action_view_customers()
        customers = self.Partner.search(action["domain"])
        self.assertEqual(len(customers), 2)
        self.assertIn(self.h1, customers)
        action = wizard.with_context(plan_filter="errors").action_view_lines()
        self.assertEqual(action["context"], {"search_default_errors": 1})
        self.assertEqual(action["domain"], [("wizard_id", "=", wizard.id)])


class TestCustomerImportRights(CustomerImportCase):
    """Who may import what, through the UI methods and XML-RPC alike."""

    def _rpc(self, user, vals, method="action_preview"):
        """What the XML-RPC dispatcher does: create, then call the method."""
        Wizard = self.env["customer.import.wizard"].with_user(user)
        wizard_id = call_kw(Wizard, "create", [vals], {})
        return call_kw(Wizard, method, [[wizard_id]], {}), Wizard.browse(wizard_id)

    def _vals(self, rows=None, **vals):
        rows = rows or [("N001", "New", "", "", "")]
        return {"file": base64.b64encode(self._csv(rows)), "filename": "c.csv", **vals}

    def test_rpc_import_by_salesperson(self):
        result, wizard = self._rpc(self.huber, self._vals(), "action_import")
        self.assertEqual(result["res_id"], wizard.id)
        self.assertEqual(wizard.count_create, 1)
        self.assertEqual(wizard.log_id.count_create, 1)

    def test_import_for_another_salesperson_needs_sales_manager(self):
        before = self._table_state()
        for method in ("action_preview", "action_import"):
            with self.assertRaisesRegex(AccessError, "sales administrators"):
                self._rpc(self.huber, self._vals(user_id=self.maier.id), method)
        self.assertEqual(self._table_state(), before)
        _result, wizard = self._rpc(
            self.sales_manager, self._vals(user_id=self.maier.id), "action_import"
        )
        created = self._lines(wizard, "create").partner_id
        self.assertEqual(created.user_id, self.maier)
        self.assertEqual(wizard.log_id.user_id, self.sales_manager)
        self.assertEqual(wizard.log_id.agent_id, self.maier)

    def test_transfer_without_transfer_group_refused(self):
        before = self._table_state()
        rows = [("H001", "Huber Customer 1", "", "", "")]
        for mode in ("move", "copy"):
            for method in ("action_preview", "action_import"):
                with (
                    self.subTest(mode=mode, method=method),
                    self.assertRaisesRegex(AccessError, "not allowed to transfer"),
                ):
                    self._rpc(self.maier, self._vals(rows, transfer_mode=mode), method)
        self.assertEqual(self._table_state(), before)
        self.assertEqual(self.customers_huber[0].user_id, self.huber)

    def test_transfer_with_create_mode_refused(self):
        before = self._table_state()
        for mode in ("move", "copy"):
            with (
                self.subTest(mode=mode),
                self.assertRaisesRegex(
                    UserError, "only be transferred by an import that updates"
                ),
            ):
                self._rpc(
                    self.transfer_user,
                    self._vals(import_mode="create", transfer_mode=mode),
                )
        self.assertEqual(self._table_state(), before)

    def test_agent_must_be_internal_user(self):
        portal = self.env["res.users"].create(
            {
                "name": "Portal",
                "login": "t_portal",
                USER_GROUPS_FIELD: [(6, 0, [self.env.ref("base.group_portal").id])],
            }
        )
        with self.assertRaisesRegex(UserError, "not an active internal user"):
            self._rpc(self.sales_manager, self._vals(user_id=portal.id))

    def test_preview_counts_are_readable_over_rpc(self):
        _result, wizard = self._rpc(self.huber, self._vals())
        Wizard = self.env["customer.import.wizard"].with_user(self.huber)
        data = call_kw(Wizard, "read", [[wizard.id], ["count_create", "state"]], {})
        self.assertEqual(data[0]["count_create"], 1)
        self.assertEqual(data[0]["state"], "preview")


class TestCustomerImportForm(CustomerImportCase):
    """The wizard as the web client drives it."""

    def test_form_upload_preview_back(self):
        with Form(
            self.env["customer.import.wizard"].with_user(self.transfer_user)
        ) as form:
            form.file = base64.b64encode(self._csv([("N001", "New", "", "", "")]))
            form.import_mode = "update"
            form.transfer_mode = "move"
            form.import_mode = "create"
            self.assertEqual(form.transfer_mode, "none", "create mode cannot transfer")
        wizard = form.record
        self.assertEqual(wizard.user_id, self.transfer_user)
        action = wizard.action_preview()
        self.assertEqual(
            (action["res_model"], action["res_id"]), (wizard._name, wizard.id)
        )
        self.assertEqual(wizard.state, "preview")
        self.assertEqual(len(wizard.line_ids), 1)
        wizard.action_back()
        self.assertEqual(wizard.state, "upload")
        self.assertFalse(wizard.line_ids)
