import json

from odoo import api, fields, models
from odoo.tools import SQL

from .customer_linked_records import COUNTED_KINDS, LINKED_COUNT_FIELDS
from .res_partner_transfer import TRANSFER_MODES


def _json_value(value):
    # The ORM's "no value" (False) is SQL's NULL.
    return None if value is False else value


class CustomerOwnershipHistory(models.Model):
    """One change of hands of a customer: who had it, who got it, how, and what
    came along. Append-only: rows are written by the transfer and merge
    engines, never by hand."""

    _name = "customer.ownership.history"
    _description = "Customer Ownership History"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
        help="The customer as it is now: the moved customer, the copy, or the "
        "customer that was merged into.",
    )
    source_partner_id = fields.Many2one(
        "res.partner",
        string="Source Customer",
        index=True,
        ondelete="set null",
        help="The original of a copy; for a merge, the customer merged away "
        "(empty once it is deleted: see Source Name).",
    )
    source_name = fields.Char(help="Name and ERP Number of the source customer.")
    from_user_id = fields.Many2one("res.users", string="From", index=True)
    to_user_id = fields.Many2one("res.users", string="To", index=True)
    mode = fields.Selection([*TRANSFER_MODES, ("merge", "Merge")], required=True)
    origin = fields.Selection(
        [("manual", "Manual"), ("import", "Import"), ("merge", "Merge")],
        required=True,
        default="manual",
    )
    # One counter per counted kind of linked record (COUNTED_KINDS, labelled
    # with the kind's string; tests/test_transfer_kinds.py holds them equal).
    visit_report_count = fields.Integer("Visit Reports", aggregator="sum")
    activity_count = fields.Integer("Tasks", aggregator="sum")
    event_count = fields.Integer("Appointments", aggregator="sum")
    visit_block_count = fields.Integer("Visit Blocks", aggregator="sum")
    lead_count = fields.Integer("Opportunities", aggregator="sum")
    contact_count = fields.Integer("Contacts", aggregator="sum")
    stayed_summary = fields.Char(
        string="Stayed Behind",
        help="The linked records that did not follow the customer and stayed "
        "with their previous holder.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Done by",
        required=True,
        default=lambda self: self.env.user,
        index=True,
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    company_id = fields.Many2one(
        related="partner_id.company_id", store=True, index=True
    )

    @api.model
    def _append(self, vals_list):
        """Write history rows in one INSERT.

        The log is append-only and written by the engines on behalf of users
        who may only read it; for the thousands of rows of a transfer, an ORM
        create spends its time in per-row bookkeeping this model does not
        need.
        """
        if not vals_list:
            return
        columns = ("partner_id", "source_partner_id", "source_name")
        columns += ("from_user_id", "to_user_id", "mode", "origin", "stayed_summary")
        columns += LINKED_COUNT_FIELDS
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO customer_ownership_history
                       (%(columns)s, company_id, user_id, date,
                        create_uid, create_date, write_uid, write_date)
                SELECT %(row_columns)s, partner.company_id, %(uid)s, %(now)s,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM jsonb_to_recordset(%(rows)s::jsonb) AS row(%(types)s)
                 -- LATERAL, fenced by OFFSET 0: one primary-key lookup per
                 -- row, where a join reads the whole table without statistics.
                 CROSS JOIN LATERAL (
                       SELECT company_id FROM res_partner
                        WHERE id = row.partner_id OFFSET 0) partner
                """,
                columns=SQL(", ").join(SQL.identifier(c) for c in columns),
                row_columns=SQL(", ").join(SQL.identifier("row", c) for c in columns),
                types=SQL(", ").join(
                    SQL("%s %s", SQL.identifier(c), SQL(self._fields[c].column_type[1]))
                    for c in columns
                ),
                uid=self.env.uid,
                now=fields.Datetime.now(),
                rows=json.dumps(
                    [
                        {c: _json_value(vals.get(c)) for c in columns}
                        for vals in vals_list
                    ]
                ),
            )
        )
        self.invalidate_model()

    @api.model
    def _summary_counts(self, counts):
        """Human summary of linked counts, e.g. '12 visit reports, 1 task'."""
        parts = [
            kind.summary(self.env, counts[kind.count_field])
            for kind in COUNTED_KINDS
            if counts.get(kind.count_field)
        ]
        return ", ".join(parts) or self.env._("no linked records")
