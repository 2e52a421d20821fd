from odoo import fields, models


class CalendarEvent(models.Model):
    _name = "calendar.event"
    _inherit = ["calendar.event", "customer.engine.guard"]

    # The customer whose trashing hid this future appointment; restoring that
    # customer brings it back.
    trash_partner_id = fields.Many2one(
        "res.partner",
        string="Hidden with Customer",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
