from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    # Set on the open activities hidden because their customer went to the
    # trash, so that restoring brings back exactly those and no activity that
    # was done (archived) before.
    hidden_by_trash = fields.Boolean(copy=False, readonly=True)
