from odoo import api, fields, models

LINKED_COUNT_FIELDS = (
    "visit_report_count",
    "activity_count",
    "event_count",
    "visit_block_count",
    "lead_count",
)


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
    source_name = fields.Char(help="Name and External ID of the source customer.")
    from_user_id = fields.Many2one("res.users", string="From", index=True)
    to_user_id = fields.Many2one("res.users", string="To", index=True)
    mode = fields.Selection(
        [("move", "Move"), ("copy", "Copy"), ("merge", "Merge")], required=True
    )
    origin = fields.Selection(
        [("manual", "Manual"), ("import", "Import"), ("merge", "Merge")],
        required=True,
        default="manual",
    )
    visit_report_count = fields.Integer("Visit Reports", aggregator="sum")
    activity_count = fields.Integer("Tasks", aggregator="sum")
    event_count = fields.Integer("Appointments", aggregator="sum")
    visit_block_count = fields.Integer("Visit Blocks", aggregator="sum")
    lead_count = fields.Integer("Leads", aggregator="sum")
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
    def _summary_counts(self, counts):
        """Human summary of linked counts, e.g. '12 visit reports, 1 task'."""
        _ = self.env._
        labels = {
            "visit_report_count": (_("visit report"), _("visit reports")),
            "activity_count": (_("task"), _("tasks")),
            "event_count": (_("appointment"), _("appointments")),
            "visit_block_count": (_("visit block"), _("visit blocks")),
            "lead_count": (_("opportunity"), _("opportunities")),
        }
        parts = [
            f"{counts[key]} {one if counts[key] == 1 else many}"
            for key, (one, many) in labels.items()
            if counts.get(key)
        ]
        return ", ".join(parts) or _("no linked records")
