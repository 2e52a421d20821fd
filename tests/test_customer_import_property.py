import csv
import io
import unittest

from odoo.exceptions import UserError

from .import_common import CustomerImportCase

try:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
except ImportError:
    # An optional test dependency (tools/requirements-dev.txt): without it
    # only this file's test is skipped, the rest of the package still loads.
    st = None

if st is not None:
    COLUMNS = (
        "external_ref",
        "name",
        "Name ",
        "email",
        "city",
        "Country Code",
        "phone",
        "is_synced",
        "id",
        "user_id",
        "favourite_colour",
        "",
    )
    CELLS = st.one_of(
        st.text(max_size=12),
        st.sampled_from(
            ("", "H001", "H002", "M001", "AT", "xx", "1", "yes", "Café „Edelweiß“ – 5€")
        ),
    )

    @st.composite
    def customer_files(draw):
        """CSV bytes: a header of known, odd and unknown columns, rows of any
        text, any of the delimiters, written in any of the encodings (text an
        encoding cannot hold is replaced, as a careless export would)."""
        header = draw(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=6))
        rows = draw(
            st.lists(st.lists(CELLS, min_size=0, max_size=len(header) + 1), max_size=6)
        )
        delimiter = draw(st.sampled_from((",", ";", "\t", "|")))
        encoding = draw(
            st.sampled_from(("utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"))
        )
        stream = io.StringIO()
        writer = csv.writer(stream, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
        return stream.getvalue().encode(encoding, errors="replace")

    def property_test(test):
        """The test over 40 generated files and every import option."""
        return settings(
            max_examples=40,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )(
            given(
                data=customer_files(),
                import_mode=st.sampled_from(("create", "update", "update_delete")),
                key_fields=st.sampled_from(("external", "internal", "both")),
                confirm_mass_trash=st.booleans(),
            )(test)
        )
else:

    def property_test(test):
        return test


@unittest.skipUnless(
    st is not None,
    "hypothesis is not installed: pip install -r tools/requirements-dev.txt",
)
class TestImportProperty(CustomerImportCase):
    """Whatever CSV file arrives, the import ends in a successful import or a
    UserError, never another exception, and a refused import writes
    nothing."""

    @property_test
    def test_any_csv_imports_or_is_refused_whole(
        self, data, import_mode, key_fields, confirm_mass_trash
    ):
        with self.env.cr.savepoint() as savepoint:
            before = self._table_state()
            wizard = self._wizard(
                self.huber,
                data,
                filename="customers.csv",
                import_mode=import_mode,
                key_fields=key_fields,
                confirm_mass_trash=confirm_mass_trash,
            )
            try:
                wizard.action_import()
            except UserError:
                self.env.invalidate_all()
                self.assertEqual(self._table_state(), before)
            else:
                self.assertEqual(wizard.log_id.agent_id, self.huber)
                self.assertEqual(wizard.count_error, 0)
            savepoint.rollback()
        self.env.invalidate_all()
