from odoo import fields, models

PLAN_ACTIONS = [
    ("create", "Create"),
    ("update", "Update"),
    ("unchanged", "Unchanged"),
    ("restore", "Restore"),
    ("transfer", "Transfer"),
    ("trash", "Trash"),
    ("error", "Error"),
]


class CustomerImportWizardLine(models.TransientModel):
    """One row of the import plan: what happens to the row's customer."""

    _name = "customer.import.wizard.line"
    _description = "Customer Import Plan Line"
    _order = "wizard_id, row, id"

    wizard_id = fields.Many2one(
        "customer.import.wizard", required=True, index=True, ondelete="cascade"
    )
    row = fields.Integer(
        help="The row in the file (the header is row 1); empty for customers "
        "the file does not list."
    )
    key = fields.Char(help="The row's ERP Number, or its Odoo ID.")
    action = fields.Selection(PLAN_ACTIONS, required=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        ondelete="set null",
        context={"active_test": False},
        help="Before the import: the customer the row was matched to. After "
        "it: the resulting customer (the copy, for a copy).",
    )
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
