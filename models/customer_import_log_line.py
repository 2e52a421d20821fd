import datetime

from odoo import api, fields, models
from odoo.tools import SQL, split_every

from ..wizards.customer_import_wizard_line import PLAN_ACTIONS
from .customer_import import WRITE_BATCH


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
    key = fields.Char(help="The row's External ID, or its Odoo ID.")
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
        """Plan lines as records, in batches that leave the cache empty."""
        for start, batch in zip(
            range(0, len(lines), WRITE_BATCH),
            split_every(WRITE_BATCH, lines, list),
            strict=True,
        ):
            self.create(
                [
                    {
                        "log_id": log.id,
                        "sequence": start + offset,
                        "row": line["row"],
                        "key": line["key"],
                        "action": line["action"],
                        "partner_id": line["partner_id"],
                        "source_id": line["source_id"],
                        "from_user_id": line["from_user_id"],
                        "from_trash": line["from_trash"],
                        "message": line["message"],
                        "vals": {
                            fname: fields.Date.to_string(value)
                            if isinstance(value, datetime.date)
                            else value
                            for fname, value in line["vals"].items()
                        },
                    }
                    for offset, line in enumerate(batch)
                ]
            )
            self.env.invalidate_all()

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
