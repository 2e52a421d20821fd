import datetime
import json

from odoo import api, fields, models
from odoo.tools import SQL, split_every

from ..compat import Constraint
from .customer_import import WRITE_BATCH
from .customer_import_plan_line_mixin import PLAN_ACTIONS


def _json_date(value):
    if isinstance(value, datetime.date):
        return fields.Date.to_string(value)
    raise TypeError(f"{value!r} is not a plan value")


class CustomerImportLogLine(models.Model):
    """One line of the plan of a background import, stored with the log so
    that the job survives the wizard and a restart: what happens to the
    row's customer, and the values to write."""

    _name = "customer.import.log.line"
    _inherit = "customer.import.plan.line.mixin"
    _description = "Customer Import Log Line"
    _order = "log_id, sequence"

    log_id = fields.Many2one(
        "customer.import.log", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(
        required=True, help="Position in the plan: chunks follow it."
    )
    action = fields.Selection(
        # A row is stored "pending" when the file is read, and replaced by
        # its plan line when its slice of rows is planned.
        [*PLAN_ACTIONS, ("pending", "To Plan")],
        required=True,
    )
    source_id = fields.Integer(help="The customer transferred (its id).")
    vals = fields.Json(help="The field values the line writes.")
    final_ref = fields.Char(
        help="The ERP Number the salesperson's customer will have, checked "
        "across the file once every row is planned."
    )
    read_row = fields.Json(help="A row still to plan, as read from the file.")

    _log_sequence_uniq = Constraint(
        "UNIQUE (log_id, sequence)",
        "A position of an import's plan holds one line.",
    )

    @api.model
    def _store(self, log, lines, start=0):
        """Plan lines as records from position ``start``: one INSERT per
        batch, its rows passed as one JSON document: the ORM's create was a
        large part of the planning of a large file, for rows it would only
        copy (the lines have no computed field, default or rule to apply),
        and composing a parameter per value was still slow on large files."""
        uid = self.env.uid
        for first, batch in zip(
            range(start, start + len(lines), WRITE_BATCH),
            split_every(WRITE_BATCH, lines, list),
            strict=True,
        ):
            records = json.dumps(
                [
                    {
                        "sequence": first + offset,
                        "row": line["row"],
                        "key": line["key"],
                        "action": line["action"],
                        "partner_id": line["partner_id"] or None,
                        "source_id": line["source_id"] or None,
                        "from_user_id": line["from_user_id"] or None,
                        "from_trash": line["from_trash"],
                        "message": line["message"] or None,
                        "name": line.get("name") or None,
                        "changes": line.get("changes") or None,
                        "vals": line["vals"],
                        "final_ref": line.get("final_ref") or None,
                        "read_row": line.get("read_row") or None,
                    }
                    for offset, line in enumerate(batch)
                ],
                default=_json_date,
            )
            self.env.cr.execute(
                SQL(
                    "INSERT INTO %s (log_id, sequence, row, key, action, "
                    "partner_id, source_id, from_user_id, from_trash, message, "
                    "name, changes, vals, final_ref, read_row, create_uid, "
                    "create_date, write_uid, write_date) "
                    "SELECT %s, sequence, row, key, action, partner_id, "
                    "source_id, from_user_id, from_trash, message, name, "
                    "changes, vals, final_ref, read_row, "
                    "%s, NOW() AT TIME ZONE 'UTC', %s, NOW() AT TIME ZONE 'UTC' "
                    "FROM jsonb_to_recordset(%s::jsonb) "
                    "AS line(sequence int, row int, key varchar, action varchar, "
                    "partner_id int, source_id int, from_user_id int, "
                    "from_trash bool, message varchar, name varchar, "
                    "changes varchar, vals jsonb, "
                    "final_ref varchar, read_row jsonb)",
                    SQL.identifier(self._table),
                    log.id,
                    uid,
                    uid,
                    records,
                )
            )

    @api.model
    def _store_rows(self, log, rows):
        """The rows of a file as lines still to plan."""
        Import = self.env["customer.import"]
        self._store(
            log,
            [Import._row_plan_line(row, "pending", read_row=row) for row in rows],
        )

    def _to_rows(self):
        """The rows of lines still to plan, as _read_rows read them."""
        Partner = self.env["res.partner"]
        dates = {
            fname for fname, field in Partner._fields.items() if field.type == "date"
        }
        rows = []
        for line in self:
            row = dict(line.read_row)
            row["vals"] = {
                fname: fields.Date.to_date(value) if fname in dates and value else value
                for fname, value in row["vals"].items()
            }
            rows.append(row)
        return rows

    @api.model
    def _replace_rows(self, log, start, lines):
        """Replace the lines still to plan from position ``start`` by the
        plan ``lines`` of those rows, in one transaction with the count of
        rows planned: a slice planned again replaces the same positions."""
        self.env.cr.execute(
            SQL(
                "DELETE FROM %s WHERE log_id = %s AND sequence >= %s AND sequence < %s",
                SQL.identifier(self._table),
                log.id,
                start,
                start + len(lines),
            )
        )
        self.invalidate_model()
        self._store(log, lines, start)

    @api.model
    def _plan_lines_to_check(self, log):
        """Every planned line of ``log`` with what the checks across rows
        read and change (no field values): one query."""
        self.env.cr.execute(
            SQL(
                "SELECT id, row, key, action, partner_id, source_id, "
                "from_user_id, from_trash, message, changes, final_ref FROM %s "
                "WHERE log_id = %s ORDER BY sequence",
                SQL.identifier(self._table),
                log.id,
            )
        )
        return self.env.cr.dictfetchall()

    @api.model
    def _write_checked(self, lines, before):
        """Write back what the checks across rows changed (``before``: each
        line's ``_checked_values`` before them), in one UPDATE per batch."""
        changed = [
            line
            for line, old in zip(lines, before, strict=True)
            if self._checked_values(line) != old
        ]
        for batch in split_every(WRITE_BATCH, changed, list):
            self.env.cr.execute(
                SQL(
                    "UPDATE %s AS line SET action = new.action, message = "
                    "new.message, partner_id = new.partner_id, changes = "
                    "new.changes FROM (VALUES %s) AS new(id, action, message, "
                    "partner_id, changes) WHERE line.id = new.id",
                    SQL.identifier(self._table),
                    SQL(", ").join(
                        SQL(
                            "(%s, %s, %s, %s::int, %s)",
                            line["id"],
                            line["action"],
                            line["message"] or None,
                            line["partner_id"] or None,
                            line["changes"] or None,
                        )
                        for line in batch
                    ),
                )
            )
        self.invalidate_model()

    @api.model
    def _checked_values(self, line):
        """What the checks across rows may change on a plan line."""
        return (line["action"], line["message"], line["partner_id"], line["changes"])

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
                "name": line.name,
                "changes": line.changes,
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
