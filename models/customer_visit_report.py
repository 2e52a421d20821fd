from odoo import fields, models


class CustomerVisitReport(models.Model):
    """What an agent saw and agreed on when visiting a customer."""

    _name = "customer.visit.report"
    _description = "Customer Visit Report"
    _inherit = ["mail.thread", "customer.owned.mixin", "customer.engine.guard"]
    _order = "date desc, id desc"
    _rec_name = "summary"

    partner_id = fields.Many2one(tracking=True)
    user_id = fields.Many2one(
        "res.users",
        string="Visited by",
        default=lambda self: self.env.user,
        index=True,
        tracking=True,
        help="The agent who made the visit. Kept as it was when the customer "
        "changes hands: it is history.",
    )
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    summary = fields.Char(required=True, tracking=True)
    notes = fields.Html()
