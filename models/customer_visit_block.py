from odoo import fields, models

from ..compat import Constraint


class CustomerVisitBlock(models.Model):
    """A period in which the customer must not be visited."""

    _name = "customer.visit.block"
    _description = "Customer Visit Block"
    _inherit = ["customer.owned.mixin", "customer.engine.guard"]
    _order = "date_from desc, id desc"
    _rec_name = "reason"

    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="To", required=True)
    reason = fields.Char(required=True)

    _date_range_check = Constraint(
        "CHECK (date_to >= date_from)",
        "A visit block must end on or after the day it starts.",
    )
