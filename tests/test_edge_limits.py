"""Every numeric limit at its boundary from both sides: the value at the
limit passes, one step beyond is refused. A comparison written ``<`` for
``<=`` (or the other way) fails one of the two."""

import base64
import io
import zipfile
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError

from ..models import customer_import_reader, customer_import_xlsx
from ..models.customer_linked_records import CHOOSABLE_KINDS
from . import hostile_xlsx
from .import_common import CustomerImportCase

TOO_COMPLEX = "far more content than a customer list"


class LimitCase(CustomerImportCase):
    def setUp(self):
        super().setUp()
        # The reader's refusals at once, not through a queued job.
        self._set_param("import_background_rows", 10_000_000)
        # Another guard of the mass trash (a minimum count before it
        # applies) must not hide the boundaries tested here.
        self._set_param("import_min_trash_guard", 0)

    def _set_param(self, key, value):
        self.env["ir.config_parameter"].set_param(
            f"crm_customer_ownership.{key}", str(value)
        )

    def _assert_refused(self, data, message, filename="customers.xlsx"):
        before = self._table_state()
        # A file over the size limit is refused as it is uploaded.
        with self.assertRaisesRegex(UserError, message):
            self._wizard(self.huber, data, filename=filename).action_preview()
        self.assertEqual(self._table_state(), before)

    def _assert_read(self, data, filename="customers.xlsx"):
        wizard = self._preview(self.huber, data, filename=filename)
        self.assertFalse(wizard.count_error, wizard.line_ids.mapped("message"))
        return wizard


class TestMassTrashBoundaries(LimitCase):
    """Huber has five customers; a file of three trashes two (40 %)."""

    def _warning(self, rows):
        wizard = self._preview(
            self.huber,
            self._csv(self._rows_of(self.customers_huber)[:rows]),
            import_mode="update_delete",
        )
        return wizard.count_trash, wizard.mass_trash_warning or False

    def test_share_at_the_limit_passes_and_above_is_guarded(self):
        self._set_param("import_max_trash_share", 40)
        self.assertEqual(self._warning(3), (2, False))
        self._set_param("import_max_trash_share", 39)
        count, warning = self._warning(3)
        self.assertEqual(count, 2)
        self.assertIn("2 (40% of 5)", warning)

    def test_count_at_the_limit_passes_and_above_is_guarded(self):
        self._set_param("import_max_trash_share", 100)
        self._set_param("import_max_trash", 2)
        self.assertEqual(self._warning(3), (2, False))
        self._set_param("import_max_trash", 1)
        self.assertIn("at most 1", self._warning(3)[1])


class TestFileBoundaries(LimitCase):
    def test_file_size_at_the_limit_passes(self):
        self._set_param("import_max_mb", 1)
        data = self._csv([("N1", "New", "", "", "")])
        # Blank lines pad it to exactly 1 MB (a blank line is no row).
        line = b" " * 998 + b"\r\n"
        missing = 1024 * 1024 - len(data)
        padded = data + line * (missing // len(line)) + b" " * (missing % len(line))
        self.assertEqual(len(padded), 1024 * 1024)
        self.assertEqual(self._assert_read(padded, "c.csv").count_create, 1)
        self._assert_refused(padded + b" ", "more than the limit of 1", "c.csv")

    def test_rows_at_the_limit_pass(self):
        self._set_param("import_max_rows", 3)
        rows = [(f"N{i}", f"New {i}", "", "", "") for i in range(4)]
        self.assertEqual(
            self._assert_read(self._csv(rows[:3]), "c.csv").count_create, 3
        )
        self._assert_refused(self._csv(rows), "more rows than the limit of 3", "c.csv")

    def _unpacked(self, data):
        archive = zipfile.ZipFile(io.BytesIO(data))
        return sum(info.file_size for info in archive.infolist()), len(
            archive.infolist()
        )

    def test_unzip_ratio_at_the_limit_passes(self):
        data = self._xlsx([("Z1", "Zipped", "", "", "")])
        unpacked, _members = self._unpacked(data)
        self._set_param("import_max_unzip_ratio", 1)
        self.assertGreater(unpacked, len(data) + 1)
        self.patch(customer_import_reader, "XLSX_UNZIP_FLOOR", unpacked)
        self._assert_read(data)
        self.patch(customer_import_reader, "XLSX_UNZIP_FLOOR", unpacked - 1)
        self._assert_refused(data, "possible zip bomb")
        # The ratio decides when it allows more than the floor.
        ratio = -(-unpacked // len(data))
        self._set_param("import_max_unzip_ratio", ratio)
        self._assert_read(data)

    def test_members_at_the_limit_pass(self):
        data = self._xlsx([("Z1", "Zipped", "", "", "")])
        _unpacked, members = self._unpacked(data)
        self.patch(customer_import_reader, "XLSX_MAX_MEMBERS", members)
        self._assert_read(data)
        self.patch(customer_import_reader, "XLSX_MAX_MEMBERS", members - 1)
        self._assert_refused(data, "possible zip bomb")


class TestXlsxPartBoundaries(LimitCase):
    """The reader's limits per part of the workbook."""

    SHARED_ROW = (
        '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c></row>'
    )

    def _shared_file(self, strings):
        shared = ["<si><t>S1</t></si>", "<si><t>Shared Name</t></si>"]
        shared += ["<si><t>x</t></si>"] * (strings - 2)
        return hostile_xlsx.workbook([self.SHARED_ROW], shared=shared)

    def _part_size(self, data, name):
        return zipfile.ZipFile(io.BytesIO(data)).getinfo(name).file_size

    def test_shared_strings_count_at_the_limit_passes(self):
        # Two cells refer to shared strings; the row limit (at least 1,000)
        # allows as many strings again for the other sheets.
        self._set_param("import_max_rows", 1000)
        wizard = self._assert_read(self._shared_file(2 + 1000))
        self.assertEqual(wizard.line_ids.name, "Shared Name")
        self._assert_refused(self._shared_file(2 + 1001), TOO_COMPLEX)

    def test_shared_strings_size_at_the_limit_passes(self):
        data = self._shared_file(2)
        size = self._part_size(data, "xl/sharedStrings.xml")
        self.patch(customer_import_xlsx, "SHARED_STRINGS_MAX_BYTES", size)
        self._assert_read(data)
        self.patch(customer_import_xlsx, "SHARED_STRINGS_MAX_BYTES", size - 1)
        self._assert_refused(data, TOO_COMPLEX)

    def _with_part(self, data, name, text):
        """``data`` with the part ``name`` replaced by ``text``."""
        source = zipfile.ZipFile(io.BytesIO(data))
        stream = io.BytesIO()
        with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                content = source.read(info)
                target.writestr(
                    info.filename, text if info.filename == name else content
                )
        return stream.getvalue()

    def test_metadata_parts_size_at_the_limit_passes(self):
        # Each metadata part in turn made the largest (an XML comment pads
        # it), so that the limit of that part's own read is the one tested.
        for name, text in (
            ("xl/workbook.xml", hostile_xlsx.WORKBOOK),
            ("_rels/.rels", hostile_xlsx.ROOT_RELS),
            ("xl/_rels/workbook.xml.rels", hostile_xlsx.WORKBOOK_RELS),
        ):
            with self.subTest(part=name):
                data = self._with_part(
                    hostile_xlsx.workbook([hostile_xlsx.data_row(2, "W1", "Meta")]),
                    name,
                    text + "<!--" + "p" * 4000 + "-->",
                )
                size = self._part_size(data, name)
                self.patch(customer_import_xlsx, "META_MAX_BYTES", size)
                self._assert_read(data)
                self.patch(customer_import_xlsx, "META_MAX_BYTES", size - 1)
                self._assert_refused(data, TOO_COMPLEX)

    def test_sheet_size_at_the_limit_passes(self):
        data = hostile_xlsx.workbook([hostile_xlsx.data_row(2, "W1", "Sheet")])
        size = self._part_size(data, "xl/worksheets/sheet1.xml")
        self.patch(customer_import_xlsx, "SHEET_MAX_BYTES", size)
        self._assert_read(data)
        self.patch(customer_import_xlsx, "SHEET_MAX_BYTES", size - 1)
        self._assert_refused(data, TOO_COMPLEX)

    # The city, as no index holds it: an indexed column (the name) has the
    # tighter limit in bytes of tests/test_customer_import_errors.py.
    def test_cell_length_at_the_limit_passes(self):
        limit = customer_import_xlsx.CELL_MAX_CHARS
        wizard = self._assert_read(
            hostile_xlsx.workbook([hostile_xlsx.data_row(2, "L1", "Long", "x" * limit)])
        )
        wizard.action_import()
        self.assertEqual(
            len(self.Partner.search([("external_ref", "=", "L1")]).city), limit
        )
        self._assert_refused(
            hostile_xlsx.workbook(
                [hostile_xlsx.data_row(2, "L1", "Long", "x" * (limit + 1))]
            ),
            f"Cell C2 of the file customers.xlsx holds more than {limit} characters",
        )

    def test_shared_string_length_at_the_limit_passes(self):
        limit = customer_import_xlsx.CELL_MAX_CHARS

        def data(length):
            return hostile_xlsx.workbook(
                [
                    self.SHARED_ROW.replace(
                        '<c r="B2" t="s">',
                        '<c r="B2" t="inlineStr"><is><t>Long</t></is></c>'
                        '<c r="C2" t="s">',
                    )
                ],
                shared=["<si><t>S1</t></si>", f"<si><t>{'y' * length}</t></si>"],
            )

        self._assert_read(data(limit)).action_import()
        self.assertEqual(
            len(self.Partner.search([("external_ref", "=", "S1")]).city), limit
        )
        self._assert_refused(data(limit + 1), TOO_COMPLEX)

    def test_last_column_read_and_the_next_refused(self):
        last = customer_import_xlsx.column_letters(customer_import_xlsx.MAX_COLUMNS - 1)
        self.assertEqual(last, "XFD")
        cell = f'<c r="{last}2" t="inlineStr"><is><t>far right</t></is></c>'
        self._assert_read(
            hostile_xlsx.workbook([hostile_xlsx.data_row(2, "C1", "Wide", extra=cell)])
        )
        beyond = cell + '<c t="inlineStr"><is><t>beyond</t></is></c>'
        self._assert_refused(
            hostile_xlsx.workbook(
                [hostile_xlsx.data_row(2, "C1", "Wide", extra=beyond)]
            ),
            "Row 2 of the file customers.xlsx goes beyond column XFD",
        )

    def test_nesting_at_the_limit_passes(self):
        # worksheet > sheetData > row: three levels before the extra ones.
        def data(extra_levels):
            nested = "<x>" * extra_levels + "</x>" * extra_levels
            return hostile_xlsx.workbook(
                [hostile_xlsx.data_row(2, "D1", "Deep", extra=nested)]
            )

        depth = customer_import_xlsx.MAX_DEPTH
        self._assert_read(data(depth - 3))
        self._assert_refused(data(depth - 2), TOO_COMPLEX)


class TestTypedFormulaWithoutResult(LimitCase):
    def test_text_formula_without_cached_value_is_a_row_error(self):
        # A typed (t="str") formula without <v>: like base_import's reader,
        # which only ever reads cached values, there is no value to import;
        # unlike it, the row says so instead of importing an empty name.
        customer = self.customers_huber[0]
        for cell in (
            '<c r="B2" t="str"><f>CONCAT("Alpen","blick")</f></c>',
            '<c r="B2" t="str"><f>CONCAT("Alpen","blick")</f><v></v></c>',
        ):
            with self.subTest(cell=cell):
                key = '<c r="A2" t="inlineStr"><is><t>H001</t></is></c>'
                data = hostile_xlsx.workbook([f'<row r="2">{key}{cell}</row>'])
                wizard = self._preview(self.huber, data, filename="customers.xlsx")
                error = self._lines(wizard, "error")
                self.assertEqual(error.row, 2)
                self.assertIn(
                    "Cell B2 holds a formula without its result", error.message
                )
                with self.assertRaisesRegex(UserError, "Nothing was imported"):
                    wizard.action_import()
                self.assertEqual(customer.name, "Huber Customer 1")


class TestPreviewSignatureCoversEveryOption(LimitCase):
    """A preview is applied only with the file and options it was made
    with: each option changed in turn is refused, nothing written."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Branch Company"})
        cls.sales_manager.company_ids += cls.other_company
        cls.env["ir.config_parameter"].set_param(
            "crm_customer_ownership.import_background_rows", "10000000"
        )

    def _previewed(self, **vals):
        rows = self._rows_of(self.customers_huber)[:4]
        rows[0] = (rows[0][0], "Renamed", *rows[0][2:])
        return self._preview(
            self.sales_manager,
            self._csv(rows),
            user_id=self.huber.id,
            company_id=self.company.id,
            **vals,
        )

    def test_each_option_changed_after_the_preview_is_refused(self):
        kind = CHOOSABLE_KINDS[0]
        changes = {
            "file": lambda w: {
                "file": base64.b64encode(base64.b64decode(w.file) + b"\r\n")
            },
            "filename": lambda w: {"filename": "other.csv"},
            "import_mode": lambda w: {"import_mode": "update_delete"},
            "transfer_mode": lambda w: {"transfer_mode": "move"},
            "no kinds": lambda w: {k.flag: False for k in CHOOSABLE_KINDS},
            "kinds": lambda w: {kind.flag: not w[kind.flag]},
            "key_fields": lambda w: {"key_fields": "both"},
            "salesperson": lambda w: {"user_id": self.maier.id},
            "company": lambda w: {"company_id": self.other_company.id},
        }
        for option, change in changes.items():
            with self.subTest(option=option):
                wizard = self._previewed()
                wizard.write(change(wizard))
                before = self._table_state()
                with self.assertRaisesRegex(UserError, "changed since the preview"):
                    wizard.action_import()
                self.assertEqual(self._table_state(), before)
        # Unchanged, the same preview imports.
        self._previewed().action_import()
        self.assertEqual(self.customers_huber[0].name, "Renamed")

    def test_withdrawn_mass_trash_confirmation_is_refused(self):
        # The confirmation is given after the preview shows the warning, so
        # it is not part of the signature; taking it back is refused by the
        # guard itself.
        wizard = self._previewed(import_mode="update_delete", confirm_mass_trash=True)
        self._set_param("import_max_trash", 0)
        wizard.action_preview()
        self.assertTrue(wizard.mass_trash_warning)
        wizard.confirm_mass_trash = False
        before = self._table_state()
        with self.assertRaisesRegex(UserError, "Nothing was imported"):
            wizard.action_import()
        self.assertEqual(self._table_state(), before)
        wizard.confirm_mass_trash = True
        wizard.action_import()
        self.assertTrue(self.customers_huber[4].trashed_at)


class TestMergeRetentionBoundary(LimitCase):
    """A merged customer is kept for its undo exactly the trash retention,
    then purged: at N days it stays, a minute later it goes."""

    def test_merged_customer_purged_one_minute_after_the_retention(self):
        now = datetime(2026, 5, 4, 9, 0, 0)
        source = self.Partner.create({"name": "Wrong", "user_id": self.huber.id})
        target = self.Partner.create({"name": "Right", "user_id": self.huber.id})
        with freeze_time(now):
            self.env["customer.merge.wizard"].with_user(self.sales_manager).create(
                {"source_partner_id": source.id, "target_partner_id": target.id}
            ).action_merge()
        days = self.Partner._get_trash_retention_days()
        with freeze_time(now + timedelta(days=days)):
            self.Partner._cron_purge_trash()
        self.assertTrue(source.exists())
        with freeze_time(now + timedelta(days=days, minutes=1)):
            self.Partner._cron_purge_trash()
        self.assertFalse(source.exists())
