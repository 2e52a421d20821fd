from odoo import fields, models


class MailActivity(models.Model):
    _name = "mail.activity"
    _inherit = ["mail.activity", "customer.engine.guard"]

    # Set on the open activities hidden because their customer went to the
    # trash, so that restoring brings back exactly those and no activity that
    # was done (archived) before.
    hidden_by_trash = fields.Boolean(
        string="Hidden with Customer", copy=False, readonly=True
    )
