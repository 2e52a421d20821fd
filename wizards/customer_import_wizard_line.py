from odoo import fields, models

from ..models.customer_import_plan_line_mixin import PLAN_ACTIONS


class CustomerImportWizardLine(models.TransientModel):
    """One row of the import plan: what happens to the row's customer."""

    _name = "customer.import.wizard.line"
    _inherit = "customer.import.plan.line.mixin"
    _description = "Customer Import Plan Line"
    _order = "wizard_id, row, id"

    wizard_id = fields.Many2one(
        "customer.import.wizard", required=True, index=True, ondelete="cascade"
    )
    action = fields.Selection(PLAN_ACTIONS, required=True)
