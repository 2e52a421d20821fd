import datetime
import json

from odoo import api, fields, models
from odoo.tools import SQL, split_every

from ..wizards.customer_import_wizard_line import PLAN_ACTIONS
from .customer_import import WRITE_BATCH


def _json_date(value):
    if isinstance(value, datetime.date):
        return fields.Date.to_string(value)
    raise TypeError(f"{value!r} is not a plan value")


class CustomerImportLogLine(models.Model):
    """One line of the plan of a background import, stored with the log so
    that the job survives the wizard and a restart: what happens to the
    row's customer, and the values to write."""

    _name = "customer.import.log.line"
    _description = "Customer Import Log Line"
    _order = "log_id, sequence"

    log_id = fields.Many2one(
        "customer.import.log", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(
        required=True, help="Position in the plan: chunks follow it."
    )
    row = fields.Integer(
        help="The row in the file (the header is row 1); empty for customers "
        "the file does not list."
    )
    key = fields.Char(help="The row's ERP Number, or its Odoo ID.")
    action = fields.Selection(
        PLAN_ACTIONS,
        required=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        ondelete="set null",
        context={"active_test": False},
        help="Before the line is applied: the customer the row was matched "
        "to. After it: the resulting customer (the copy, for a copy).",
    )
    source_id = fields.Integer(help="The customer transferred (its id).")
    from_user_id = fields.Many2one("res.users", string="From Salesperson")
    from_trash = fields.Boolean()
    message = fields.Char()
    name = fields.Char(
        help="The customer's name: the existing customer's, or the one in the "
        "file for a customer the import creates."
    )
    changes = fields.Char(
        help="What the import changes on the customer: each field as old → new."
    )
    vals = fields.Json(help="The field values the line writes.")

    def init(self):
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s (log_id, sequence)",
                SQL.identifier(f"{self._table}_log_sequence_uniq"),
                SQL.identifier(self._table),
            )
        )

    @api.model
    def _store(self, log, lines):
        """Plan lines as records: one INSERT per batch. The ORM's create
        took half of the planning of a large file, for rows it would only
        copy; the lines have no computed field, default or rule to apply."""
        columns = SQL(
            "log_id, sequence, row, key, action, partner_id, source_id, "
            "from_user_id, from_trash, message, name, changes, vals, "
            "create_uid, create_date, write_uid, write_date"
        )
        uid = self.env.uid
        for start, batch in zip(
            range(0, len(lines), WRITE_BATCH),
            split_every(WRITE_BATCH, lines, list),
            strict=True,
        ):
            values = SQL(", ").join(
                SQL(
                    "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, "
                    "%s, NOW() AT TIME ZONE 'UTC', %s, NOW() AT TIME ZONE 'UTC')",
                    log.id,
                    start + offset,
                    line["row"],
                    line["key"],
                    line["action"],
                    line["partner_id"] or None,
                    line["source_id"] or None,
                    line["from_user_id"] or None,
                    line["from_trash"],
                    line["message"] or None,
                    line["name"] or None,
                    line["changes"] or None,
                    json.dumps(line["vals"], default=_json_date),
                    uid,
                    uid,
                )
                for offset, line in enumerate(batch)
            )
            self.env.cr.execute(
                SQL(
                    "INSERT INTO %s (%s) VALUES %s",
                    SQL.identifier(self._table),
                    columns,
                    values,
                )
            )

    def _to_plan_lines(self):
        """The lines as the engine's plan lines."""
        return [
            {
                "id": line.id,
                "row": line.row,
                "key": line.key,
                "action": line.action,
                "partner_id": line.partner_id.id,
                "source_id": line.source_id,
                "from_user_id": line.from_user_id.id,
                "from_trash": line.from_trash,
                "message": line.message,
                "vals": line.vals or {},
            }
            for line in self
        ]

    def _set_result_partners(self, plan_lines):
        """Point created and copied lines at the customer they made, in one
        UPDATE."""
        changed = [
            (line["id"], line["partner_id"])
            for line, record in zip(plan_lines, self, strict=True)
            if line["partner_id"] != record.partner_id.id
        ]
        if not changed:
            return
        self.env.cr.execute(
            SQL(
                "UPDATE %s AS line SET partner_id = new.partner_id "
                "FROM (VALUES %s) AS new(id, partner_id) WHERE line.id = new.id",
                SQL.identifier(self._table),
                SQL(", ").join(SQL("(%s, %s)", *pair) for pair in changed),
            )
        )
        self.invalidate_recordset(["partner_id"])
