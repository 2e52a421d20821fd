from odoo import api, fields, models

from ..compat import Constraint


class CustomerVisitBlock(models.Model):
    """A period in which the customer must not be visited."""

    _name = "customer.visit.block"
    _description = "Customer Visit Block"
    _inherit = ["customer.engine.guard"]
    _order = "date_from desc, id desc"
    _rec_name = "reason"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
    )
    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="To", required=True)
    reason = fields.Char(required=True)
    company_id = fields.Many2one(
        related="partner_id.company_id", store=True, index=True
    )
    active = fields.Boolean(
        compute="_compute_active", store=True, readonly=True, default=True
    )

    _date_range_check = Constraint(
        "CHECK (date_to >= date_from)",
        "A visit block must end on or after the day it starts.",
    )

    @api.depends("partner_id.trashed_at")
    def _compute_active(self):
        for block in self:
            block.active = not block.partner_id.trashed_at
