import base64
import codecs
import csv
import io

from openpyxl import Workbook

from odoo.tools import SQL

from .common import CustomerOwnershipCase

# Every table an import may write to: a preview must leave them all alone.
IMPORT_TABLES = (
    "res_partner",
    "mail_message",
    "mail_activity",
    "calendar_event",
    "calendar_attendee",
    "crm_lead",
    "customer_visit_report",
    "customer_visit_block",
    "customer_ownership_history",
    "customer_import_log",
)


class CustomerImportCase(CustomerOwnershipCase):
    """Builds customer files in memory and imports them through the wizard,
    as a user of the UI or an XML-RPC client would."""

    HEADER = ("external_ref", "name", "email", "city", "country_code")

    @classmethod
    def _csv(cls, rows, header=None, delimiter=",", encoding="utf-8", bom=False):
        """CSV bytes of ``rows`` (tuples) under ``header``."""
        stream = io.StringIO()
        writer = csv.writer(stream, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header or cls.HEADER)
        writer.writerows(rows)
        data = stream.getvalue().encode(encoding)
        return codecs.BOM_UTF8 + data if bom else data

    @classmethod
    def _xlsx(cls, rows, header=None):
        book = Workbook(write_only=True)
        sheet = book.create_sheet("Customers")
        sheet.append(list(header or cls.HEADER))
        for row in rows:
            sheet.append(list(row))
        stream = io.BytesIO()
        book.save(stream)
        return stream.getvalue()

    @classmethod
    def _rows_of(cls, customers):
        """Rows equal to the customers as they are: an unchanged import."""
        return [
            (
                c.external_ref,
                c.name,
                c.email or "",
                c.city or "",
                c.country_id.code or "",
            )
            for c in customers
        ]

    def _wizard(self, user, data, filename="customers.csv", **vals):
        """A wizard created as ``user`` the way the web client and XML-RPC
        clients create it: the file in base64."""
        return (
            self.env["customer.import.wizard"]
            .with_user(user)
            .create({"file": base64.b64encode(data), "filename": filename, **vals})
        )

    def _preview(self, user, data, **vals):
        wizard = self._wizard(user, data, **vals)
        wizard.action_preview()
        return wizard

    def _import(self, user, data, **vals):
        wizard = self._wizard(user, data, **vals)
        wizard.action_import()
        return wizard

    @staticmethod
    def _lines(wizard, action):
        return wizard.line_ids.filtered(lambda line: line.action == action)

    def _table_state(self):
        """Row count and last write of every table an import may write to."""
        self.env.flush_all()
        state = {}
        for table in IMPORT_TABLES:
            self.env.cr.execute(
                SQL("SELECT COUNT(*), MAX(write_date) FROM %s", SQL.identifier(table))
            )
            state[table] = self.env.cr.fetchone()
        return state
