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


class CustomerImportPlanLineMixin(models.AbstractModel):
    """What one line of an import plan says about its row's customer: the
    columns the preview (customer.import.wizard.line) and a background
    import's stored plan (customer.import.log.line) share."""

    _name = "customer.import.plan.line.mixin"
    _description = "Customer Import Plan Line (shared columns)"

    row = fields.Integer(
        help="The row in the file (the header is row 1); empty for customers "
        "the file does not list."
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        ondelete="set null",
        context={"active_test": False},
        help="Before the line is applied: the customer the row was matched "
        "to. After it: the resulting customer (the copy, for a copy).",
    )
    key = fields.Char(help="The row's ERP Number, or its Odoo ID.")
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
